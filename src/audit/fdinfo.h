/* /proc/PID/fdinfo/FD of a BPF descriptor: which program, map or link it
 * holds ("prog_id:\t42", "map_id:\t7", "link_id:\t3"). */
#ifndef VIGIL_AUDIT_FDINFO_H
#define VIGIL_AUDIT_FDINFO_H

#include <stddef.h>
#include <stdint.h>

enum vg_bpf_kind { VG_BPF_NONE = 0, VG_BPF_PROG, VG_BPF_MAP, VG_BPF_LINK };

struct vg_fdinfo {
	enum vg_bpf_kind kind;
	uint32_t id;
	uint32_t prog_id; /* a link's program, when the kernel says */
};

/* Parses the text of one fdinfo file (len bytes, need not be
 * NUL-terminated). Returns 0 with out filled, -ENOENT when it names no BPF
 * object, -EINVAL for a malformed id (sets *line, 1-based). */
int vg_fdinfo_parse(const char *text, size_t len, struct vg_fdinfo *out, unsigned *line);

#endif
