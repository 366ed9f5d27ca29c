/* The per-task state the kernel keeps for vigil: the value of the sensor's
 * one task-storage map (vg_tasks, bpf/ph_step.h), one entry per thread,
 * shared by the sensor's facts (bpf/vg_facts.h: the ids before a set*id
 * call) and pH (bpf/ph_step.h: the model's window, cache and profile key).
 * One map rather than one each: a fork creates one entry (one allocation)
 * and the exec, fork and exit tracepoints run one vigil program each.
 * User space reads pH's part with a pidfd as key (`vigil ps`). In the BPF
 * program, include it after ph_model.h (the model's linkage macros must
 * come first). */
#ifndef VIGIL_PH_TASK_STATE_H
#define VIGIL_PH_TASK_STATE_H

#include <vigil/ph_events.h>

#include "ph_model.h"

/* pH's part of a task's entry. */
struct ph_task_state {
	struct ph_task t;
	struct ph_exe_key exe;	/* its profile */
	struct ph_sigstack sig; /* windows of interrupted code (signal handlers) */
	/* The program's name as of its exec (or adoption). A successful execve
	 * is modelled at exec (the sensor's program runs at sys_exit, and the
	 * call returns in the new program): by then the task has the new name,
	 * so a record about that call names the program with this one. */
	char comm[16];
	__u32 at_exec; /* 1 while the execve is modelled, at exec */
	__u32 pad;
};

/* vg_task_ids.flags: the entry's `ph` holds pH's state of the task (set
 * when pH starts following it: at exec, at fork from a followed parent,
 * or when it adopts a task that was running before the monitor started).
 * The sensor creates entries too (at exec and fork, for the ids), so an
 * entry alone does not say pH knows the task; and exe.ino 0 means "known
 * but not modelled" (no executable file, or no room for its profile). */
#define VG_TASK_PH 1u

/* The sensor's part: the ids the task held last (bpf/vg_facts.h). */
struct vg_task_ids {
	__u32 ids[8]; /* uid, euid, suid, fsuid, gid, egid, sgid, fsgid */
	__u32 known;  /* 1 once ids holds what the task had last */
	__u32 flags;  /* VG_TASK_PH */
};

/* The sensor's part comes first: with pH off (--no-ph) the map is made
 * with only that part (src/sensor/task_map.c), so a task's entry does not
 * carry pH's ~700 bytes; the programs' accesses to `ph` are then in code
 * the verifier drops (pH's step is behind a constant, ph_on). */
struct vg_task {
	struct vg_task_ids s;
	struct ph_task_state ph;
};

_Static_assert(sizeof(struct vg_task_ids) == 40, "vg_task_ids layout");
_Static_assert(__builtin_offsetof(struct vg_task, ph) == sizeof(struct vg_task_ids),
	       "vg_task: pH's part right after the sensor's (the short map of --no-ph)");
_Static_assert(sizeof(struct vg_task) == sizeof(struct vg_task_ids) + sizeof(struct ph_task_state),
	       "vg_task layout");
_Static_assert(sizeof(struct ph_task_state) % 8 == 0, "ph_task_state layout");

#endif
