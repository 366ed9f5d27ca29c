/* Seeding the process table from /proc, for the processes that started
 * before the sensor did. The /proc root is a parameter so tests can point it
 * at a fake tree. */
#ifndef VIGIL_PROC_PROCFS_H
#define VIGIL_PROC_PROCFS_H

#include <stddef.h>
#include <stdint.h>
#include <vigil/events.h>

#include "proc/container.h"
#include "proc/proctable.h"

/* One process as read from /proc/PID; info's strings point into the buffers. */
struct vg_procfs_proc {
	struct vg_proc_info info;
	struct vg_container container;
	char comm[VG_COMM_LEN];
	char exe[VG_PATH_MAX + 1];
	char cwd[VG_PATH_MAX + 1];
	char args[VG_ARGS_MAX + 2];
	char env[VG_ENV_MAX + 2];
	char tty[32];
	char cgroup_v2[VG_PATH_MAX + 1]; /* path of the "0::" line, "" if none */
};

struct vg_procfs_stats {
	size_t seen;	 /* numeric directories */
	size_t added;	 /* new entries, or minimal ones completed */
	size_t existing; /* left alone: events already described them */
	size_t vanished; /* exited while we read them */
	size_t failed;	 /* other errors (out of memory...) */
};

/* Reads /proc_root/pid. cgmap (optional) turns the cgroup v2 path into the
 * cgroup id events carry. Files that cannot be read (permissions, kernel
 * threads have no exe) leave their fields empty. Returns 0, -ENOENT when the
 * process is gone (or never was), -ENOMEM. */
int vg_procfs_read(const char *proc_root, uint32_t pid, struct vg_cgmap *cgmap,
		   struct vg_procfs_proc *out);

/* Adds every process under proc_root to pt (vg_pt_seed: entries events
 * already filled are kept). Processes that vanish are skipped silently.
 * stats may be NULL. Returns 0, or a negative errno when proc_root cannot be
 * read at all, or -ENOMEM. */
int vg_procfs_seed(struct vg_proctable *pt, const char *proc_root, struct vg_cgmap *cgmap,
		   struct vg_procfs_stats *stats);

/* tty_nr as /proc/PID/stat writes it -> kernel dev_t (major << 20 | minor),
 * the form exec events carry. */
uint32_t vg_tty_nr_to_kdev(uint32_t stat_tty_nr);

/* Kernel dev_t of a tty -> its name under /dev ("pts/3", "tty1", "ttyS0",
 * "console"); "" for 0 or an unknown major. Returns the length, like snprintf. */
size_t vg_tty_name(uint32_t kdev, char *buf, size_t size);

#endif
