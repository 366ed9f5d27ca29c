/* The process table: what we know about every process (thread group), keyed
 * by pid, fed from /proc at start-up and from exec/fork/exit events after.
 *
 * Lookups happen on every event, so:
 *  - the table is a fixed array of entries indexed by an open-addressing hash
 *    (linear probing, load <= 0.5): a lookup is a hash, one or two probes and
 *    no allocation;
 *  - the program data an exec sets (exe, args, cwd, tty, env...) lives in one
 *    immutable, reference-counted block, allocated once per exec; a fork
 *    shares its parent's block instead of copying strings;
 *  - when the table is full, exited entries go first (oldest exit first), then
 *    the least recently used live one. A lookup moves its entry to the front
 *    of the LRU list only if it was not moved in the last max/4 moves, so the
 *    steady case (many events from the same processes) costs one compare.
 *
 * Exited entries stay resolvable for a grace period, so events that arrive
 * after the exit still find their process; vg_pt_reap() drops them after.
 *
 * Pointers to entries stay valid until the next call that may add or remove
 * entries: vg_pt_on_fork, vg_pt_on_exec, vg_pt_resolve, vg_pt_seed,
 * vg_pt_reap, vg_pt_free. Lookups and ancestor walks never invalidate them. */
#ifndef VIGIL_PROC_PROCTABLE_H
#define VIGIL_PROC_PROCTABLE_H

#include <stddef.h>
#include <stdint.h>
#include <vigil/events.h>

#include "proc/container.h"
#include "proc/proc_image.h"
#include "util/macros.h"

struct vg_event;
struct vg_proctable;

#define VG_PT_DEFAULT_MAX 65536
#define VG_PT_DEFAULT_GRACE_NS (5ull * NSEC_PER_SEC)
#define VG_PT_ANCESTORS_MAX 64 /* deepest ancestor vg_pt_ancestor() walks to */
#define VG_LOGINUID_UNSET 0xffffffffu

/* Where an entry's data came from. */
enum vg_proc_source {
	VG_SRC_MINIMAL = 0, /* only what an event header says: pid, uids, comm */
	VG_SRC_PROCFS,	    /* read from /proc at start-up */
	VG_SRC_FORK,	    /* inherited from the parent at fork */
	VG_SRC_EXEC,	    /* from an exec event */
};

/* vg_proc.caps_known, vg_proc_info.caps_known: which capability sets are
 * known (read from /proc/PID/status, or the effective set from an exec) */
#define VG_CAPS_EFF (1u << 0)
#define VG_CAPS_PRM (1u << 1)
#define VG_CAPS_INH (1u << 2)

/* vg_proc.flags */
#define VG_PROC_EXITED (1u << 0)
#define VG_PROC_CGROUP_PENDING (1u << 1) /* container lookup to retry */

/* vg_proc.sid when nothing told it. 0 is a real session: the one the
 * kernel's first task starts in, which every process below an init that
 * never called setsid() stays in (containers and sandboxes often run so). */
#define VG_SID_UNKNOWN UINT32_MAX
#define VG_PGID_UNKNOWN VG_SID_UNKNOWN /* the same for vg_proc.pgid */

/* The host's (initial) pid namespace, as vg_proc.pid_ns numbers it. */
#define VG_PID_NS_HOST 0xEFFFFFFCu /* PROC_PID_INIT_INO */

struct vg_proc {
	uint32_t pid, ppid;
	uint32_t uid, gid, euid, egid;
	uint32_t loginuid; /* VG_LOGINUID_UNSET when not set */
	uint32_t pid_ns, mnt_ns;
	uint32_t sid;	/* session id (host pid of the leader); VG_SID_UNKNOWN */
	uint32_t pgid;	/* process group (host pid of the leader); VG_PGID_UNKNOWN */
	uint32_t flags; /* VG_PROC_* */
	uint8_t source; /* enum vg_proc_source */
	int32_t exit_code;
	uint64_t start_ns; /* task start, CLOCK_BOOTTIME */
	uint64_t exec_ns;  /* last exec, CLOCK_BOOTTIME; 0 if not seen */
	uint64_t pidns_start_ns; /* its pid namespace's init started, CLOCK_BOOTTIME; 0 unknown */
	uint64_t exit_ns;
	uint64_t cgroup_id;
	char comm[VG_COMM_LEN];
	uint64_t cap_eff, cap_prm, cap_inh; /* capability sets (see caps_known) */
	uint8_t caps_known;		    /* VG_CAPS_* */
	const struct vg_proc_image *img; /* never NULL */
	struct vg_container container;
};

struct vg_pt_stats {
	size_t max, live, exited;
	uint64_t inserted, evicted_exited, evicted_live, reaped, image_alloc_failed;
};

/* max_entries is clamped to [16, 1 << 22]; 0 means VG_PT_DEFAULT_MAX.
 * Returns 0 or -ENOMEM. */
int vg_pt_new(struct vg_proctable **out, size_t max_entries, uint64_t exit_grace_ns);
void vg_pt_free(struct vg_proctable *pt);

/* Optional: resolves cgroup ids of exec events and headers to containers.
 * The table does not own it. */
void vg_pt_set_cgmap(struct vg_proctable *pt, struct vg_cgmap *cgmap);

/* NULL for an unknown pid; exited entries within their grace are returned
 * (check VG_PROC_EXITED). */
struct vg_proc *vg_pt_lookup(struct vg_proctable *pt, uint32_t pid);

/* The per-event entry point: the entry of hdr->pid, created from the header
 * if unknown (VG_SRC_MINIMAL). Keeps ppid, uid, gid and the cgroup current
 * (reparenting, setuid, cgroup moves). NULL only when hdr->pid is 0. */
struct vg_proc *vg_pt_resolve(struct vg_proctable *pt, const struct vg_hdr *hdr);

/* A new process (not a thread: child_pid is a thread group id, and equal pids
 * are ignored). The child shares the parent's program data until it execs. An
 * unknown parent gives a minimal child. A child pid already in the table is a
 * reused pid: the old entry is replaced. Returns the child, NULL on bad pids. */
struct vg_proc *vg_pt_on_fork(struct vg_proctable *pt, uint32_t parent_pid, uint32_t child_pid,
			      uint64_t start_ns);

/* The VG_IMG_* flags an exec record's header flags (VG_F_*) give its image. */
uint32_t vg_image_flags_of(uint32_t hdr_flags);

/* Replaces the program data of ev->u.hdr.pid (creating the entry if needed)
 * from an exec event. Returns 0, -EINVAL if ev is not an exec of a nonzero
 * pid, or -ENOMEM (the fixed fields are still updated, the strings are ""). */
int vg_pt_on_exec(struct vg_proctable *pt, const struct vg_event *ev);

/* A successful setpgid(pid_arg, pgid_arg) made by caller. The arguments are
 * numbers in the caller's pid namespace: only the caller's own pid and group
 * (the 0s) can be placed when it is in a container; any other target's group
 * becomes unknown there until its next exec or fork says it again. */
void vg_pt_on_setpgid(struct vg_proctable *pt, struct vg_proc *caller, uint32_t pid_arg,
		      uint32_t pgid_arg);

/* Marks the whole thread group exited at ts. Returns 0 or -ENOENT. */
int vg_pt_on_exit(struct vg_proctable *pt, uint32_t pid, uint64_t ts, int32_t exit_code);

/* The state change an event makes (proc_track.c), the one entry point the
 * monitor uses: fork, exec, set*id, setsid, setpgid; any other event
 * resolves its process. An exit is applied apart, by vg_pt_track_exit
 * once everything has read the event, so the exit still shows the
 * program that exited. */
void vg_pt_track(struct vg_proctable *pt, const struct vg_event *ev);
void vg_pt_track_exit(struct vg_proctable *pt, const struct vg_event *ev);

/* Drops entries that exited at or before now - grace. Returns how many. */
size_t vg_pt_reap(struct vg_proctable *pt, uint64_t now);

/* Adds a process read from /proc. An entry that events already filled is left
 * alone (events are newer than a /proc read); a minimal one is completed.
 * Returns 0, -EINVAL for pid 0, -EEXIST when left alone, or -ENOMEM. */
int vg_pt_seed(struct vg_proctable *pt, const struct vg_proc_info *info);

/* The n-th ancestor of p (0 = p itself, 1 = the parent ...), NULL when the
 * chain breaks (unknown parent), loops back, or n > VG_PT_ANCESTORS_MAX. */
struct vg_proc *vg_pt_ancestor(struct vg_proctable *pt, const struct vg_proc *p, unsigned n);

/* Fills out[0..] with the parent, grandparent ... up to max entries; stops at
 * a break or a loop. Returns how many. */
unsigned vg_pt_ancestors(struct vg_proctable *pt, const struct vg_proc *p, struct vg_proc **out,
			 unsigned max);

/* Calls fn for every entry (live and exited) until fn returns nonzero, which
 * is returned. fn must not add or remove entries. */
int vg_pt_foreach(struct vg_proctable *pt, int (*fn)(const struct vg_proc *p, void *ctx),
		  void *ctx);

void vg_pt_get_stats(const struct vg_proctable *pt, struct vg_pt_stats *st);

/* ---- rendering, Falco style; all return the full length (like snprintf),
 * write at most size bytes, and always NUL-terminate when size > 0 ---- */

/* proc.cmdline: "comm arg1 arg2" (the name, then argv[1...]). */
size_t vg_proc_cmdline(const struct vg_proc *p, char *buf, size_t size);
/* proc.args: "arg1 arg2". */
size_t vg_proc_args(const struct vg_proc *p, char *buf, size_t size);
/* argv[0] (Falco's proc.exe); "" when there are no args. */
const char *vg_proc_argv0(const struct vg_proc *p);

/* Joins NUL-separated args with spaces, skipping the first `skip` of them.
 * Works on an event's raw args too. A missing final NUL is tolerated. */
size_t vg_args_join(const char *args, size_t len, unsigned skip, char *buf, size_t size);

#endif
