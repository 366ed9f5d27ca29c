/* The inventory of BPF objects on the machine, read through the bpf()
 * syscall (BPF_*_GET_NEXT_ID, BPF_OBJ_GET_INFO_BY_FD) as bpftool does, with
 * the process holding each object found in /proc/PID/fdinfo, and a verdict
 * for each (audit/verdict.h). */
#ifndef VIGIL_AUDIT_INVENTORY_H
#define VIGIL_AUDIT_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/fdinfo.h"

#define VG_AUDIT_MAX_OBJS 65536 /* objects listed; more are counted as truncated */

enum vg_verdict { VG_VERDICT_EXPECTED = 0, VG_VERDICT_SUSPICIOUS };

struct vg_bpf_obj {
	enum vg_bpf_kind kind;
	uint32_t id;
	char type[32];		/* "kprobe", "hash", "perf_event" ... */
	char name[32];		/* programs and maps */
	uint64_t load_wall_ns;	/* programs: load time, ns since the epoch; 0 unknown */
	uint32_t uid;		/* programs: the loader's uid */
	uint32_t prog_id;	/* links: their program */
	char attach[320];	/* links (and their programs): the attach point, readable */
	char probe_file[256];	/* uprobe links: the probed file */
	int32_t owner_pid;	/* a process holding a descriptor of it; 0: none */
	uint32_t owners;	/* how many processes do */
	char owner_comm[17];
	char owner_exe[256];
	enum vg_verdict verdict;
	char reason[192];
};

struct vg_bpf_inventory {
	struct vg_bpf_obj *objs;
	size_t n, cap;
	size_t truncated; /* objects past VG_AUDIT_MAX_OBJS, not listed */
	size_t unreadable; /* ids that went away or refused a descriptor */
};

/* Reads every program, map and link and their owners. Returns 0, or a
 * negative errno (-EPERM without CAP_SYS_ADMIN). */
int vg_bpf_inventory_read(struct vg_bpf_inventory *inv);
void vg_bpf_inventory_free(struct vg_bpf_inventory *inv);

/* The object of this kind and id, or NULL. */
struct vg_bpf_obj *vg_bpf_inventory_find(const struct vg_bpf_inventory *inv,
					 enum vg_bpf_kind kind, uint32_t id);
/* Owners from one process's descriptors: for tests and the self-check. */
void vg_bpf_inventory_note_owner(struct vg_bpf_inventory *inv, const struct vg_fdinfo *fi,
				 int32_t pid, const char *comm, const char *exe);
/* A link's attach point and owner pass to its program when it has none. */
void vg_bpf_inventory_link_progs(struct vg_bpf_inventory *inv);

const char *vg_bpf_kind_name(enum vg_bpf_kind kind);

#endif
