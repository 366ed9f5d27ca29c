/* A record from the ring buffer, checked and decoded for user space.
 *
 * decode.c copies the fixed part of the record (so fields past a short record
 * read as zero) and every string into NUL-terminated buffers of its own, after
 * checking each offset and length against the record size. Consumers never
 * touch the raw bytes. */
#ifndef VIGIL_SENSOR_EVENT_H
#define VIGIL_SENSOR_EVENT_H

#include <stddef.h>
#include <stdint.h>
#include <vigil/events.h>

/* Every string a record can carry has one slot here. */
enum vg_slot {
	VG_S_EXE,	/* exec: resolved executable path */
	VG_S_FILENAME,	/* exec: name given to execve */
	VG_S_ARGS,	/* exec: argv, NUL separated (see args_len) */
	VG_S_CWD,	/* exec: working directory */
	VG_S_TTY,	/* exec: tty name */
	VG_S_ENV,	/* exec: selected loader variables, NUL separated */
	VG_S_PATH,	/* file: kernel-resolved path, or joined dir + path_raw */
	VG_S_PATH_RAW,	/* file: as passed */
	VG_S_DIR,	/* file: base directory of a relative path_raw */
	VG_S_PATH2,	/* file: second path (rename/link target), joined */
	VG_S_PATH2_RAW, /* file: second path as passed */
	VG_S_DIR2,
	VG_S_UNIX_PATH, /* net: AF_UNIX address */
	VG_S_STR,	/* sys: memfd name, bpf prog name, module or uprobe path */
	VG_S_STR2,	/* sys: module params, probe function */
	VG_S_STR3,	/* sys: bpf attach target */
	VG_S_COUNT
};

struct vg_event {
	union {
		struct vg_hdr hdr;
		struct vg_exec exec;
		struct vg_fork fork;
		struct vg_exit exit;
		struct vg_file file;
		struct vg_net net;
		struct vg_sys sys;
	} u;
	/* Always non-NULL and NUL-terminated ("" when absent). Strings may hold
	 * any bytes (non-UTF-8, newlines): outputs escape them. */
	const char *s[VG_S_COUNT];
	size_t len[VG_S_COUNT];
	/* storage behind s[]: the record's strings plus the joined paths */
	char arena[VG_EVENT_MAX + 2 * VG_PATH_MAX + 64];
	size_t arena_used;
};

/* Which family a type belongs to decides which member of u is valid. */
enum vg_family { VG_FAM_NONE, VG_FAM_EXEC, VG_FAM_FORK, VG_FAM_EXIT, VG_FAM_FILE, VG_FAM_NET, VG_FAM_SYS };

enum vg_family vg_event_family(unsigned type);
/* "execve", "open", ... the Falco evt.type name for the record; NULL if unknown */
const char *vg_event_type_name(unsigned type);
/* evt.type as Falco names it: the syscall (openat, dup3...) for syscall
 * records, "execve"/"clone"/"procexit" for scheduler records. */
const char *vg_event_name(const struct vg_event *ev);
/* Decodes one ring-buffer record. Returns 0, or -EINVAL for a malformed one
 * (wrong size, unknown type, string out of bounds). Never reads past size. */
int vg_event_decode(struct vg_event *ev, const void *data, size_t size);

#endif
