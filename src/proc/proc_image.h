/* A program image: what exec (or /proc) tells about the program a process
 * runs, built once into one allocation, shared by fork through a reference
 * count and never modified. The process table (proctable.h) holds one per
 * entry. */
#ifndef VIGIL_PROC_PROC_IMAGE_H
#define VIGIL_PROC_PROC_IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include <vigil/events.h>

struct vg_container;

/* Program data, set by exec (or read from /proc), shared by fork. Never
 * modified once built; every string is NUL-terminated, "" when unknown. */
struct vg_proc_image {
	uint32_t refs;
	uint32_t flags;	  /* VG_IMG_* */
	const char *exe;  /* resolved path of the executable (Falco proc.exepath) */
	const char *args; /* argv as in /proc/PID/cmdline: each argument NUL-terminated */
	const char *cwd;
	const char *tty; /* "pts/3", "" without a controlling tty */
	const char *env; /* selected loader variables, each NUL-terminated */
	uint32_t exe_len, args_len, cwd_len, tty_len, env_len; /* args_len counts the NULs */
	uint32_t argc;
	uint32_t tty_nr;  /* kernel dev_t (major << 20 | minor), 0 = none */
	uint32_t exe_dev; /* kernel dev_t of the exe's filesystem */
	uint64_t exe_ino;
	uint64_t exe_ctime_ns, exe_mtime_ns; /* ns since the epoch, 0 unknown */
	char data[];
};

/* vg_proc_image.flags */
#define VG_IMG_EXE_MEMFD (1u << 0)   /* executable is a memfd: fileless */
#define VG_IMG_EXE_DELETED (1u << 1) /* executable was unlinked */
#define VG_IMG_ARGS_TRUNC (1u << 2)  /* argv was longer than we copied */
#define VG_IMG_PATH_TRUNC (1u << 3)  /* exe or cwd was cut */
/* The exe's overlayfs layer, judged by the kernel at exec (an image read
 * from /proc does not know it: VG_IMG_LAYER_KNOWN is clear). Neither layer
 * bit: the exe is not on an overlayfs. */
#define VG_IMG_LAYER_KNOWN (1u << 4)
#define VG_IMG_EXE_UPPER_LAYER (1u << 5) /* in the upper (writable) layer */
#define VG_IMG_EXE_LOWER_LAYER (1u << 6) /* only in a lower layer */

/* Everything /proc (or a test) knows about one process; strings may be NULL.
 * args is in /proc/PID/cmdline form (NUL after each argument). */
struct vg_proc_info {
	uint32_t pid, ppid, uid, gid, euid, egid, loginuid, pid_ns, mnt_ns;
	uint32_t sid;  /* session id; VG_SID_UNKNOWN when not read */
	uint32_t pgid; /* process group id; VG_PGID_UNKNOWN when not read */
	uint32_t tty_nr, exe_dev, img_flags;
	uint64_t exe_ino, start_ns, cgroup_id;
	uint64_t exe_ctime_ns, exe_mtime_ns; /* ns since the epoch, 0 unknown */
	uint64_t pidns_start_ns; /* its pid namespace's init started (as start_ns); 0 unknown */
	uint64_t cap_eff, cap_prm, cap_inh;
	uint32_t caps_known; /* VG_CAPS_* */
	const char *comm;
	const char *exe, *args, *cwd, *tty, *env;
	size_t exe_len, args_len, cwd_len, tty_len, env_len;
	/* the container when the caller parsed it; NULL: look cgroup_id up */
	const struct vg_container *container;
};

/* The image of info's strings (each clamped to its limit, the cut flagged);
 * NULL when out of memory. */
struct vg_proc_image *vg_image_new(const struct vg_proc_info *info);
/* Another reference to img; vg_image_put drops one (the last frees it). */
const struct vg_proc_image *vg_image_get(const struct vg_proc_image *img);
void vg_image_put(const struct vg_proc_image *img);
/* The image of entries that never saw an exec or /proc: every string "",
 * never allocated or counted. */
extern const struct vg_proc_image vg_image_empty;

#endif
