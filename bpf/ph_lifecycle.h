/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* pH's steps at exec, fork and exit, and the start-up caches they keep.
 * Not programs of their own: the sensor's programs on those tracepoints
 * (vg_exec, vg_fork, vg_exit in sensor.bpf.c) call them, after making or
 * finding the task's one entry (struct vg_task) for their own part, as
 * vg_sys_exit calls ph_sys_exit(). Included by ph_step.h. */
#ifndef VG_PH_LIFECYCLE_H
#define VG_PH_LIFECYCLE_H

/* Start-up caches: the task cache a short run of a program left when its
 * main thread ended, by executable. A program's start is the same sequence
 * run after run, and no loop: with an empty cache at exec every call of a
 * short-lived program was a slow one (two hash lookups). Seeded from here,
 * the start-up calls it knows take the fast path. The items hold only for
 * the profile state in the cache's tag, which the task's first call (always
 * slow: budget 0) checks as for any cache (ph_cache_sync()), so the model's
 * results are those without it. Replaced whole (a concurrent exec reads the
 * old entry or the new, never a mix); not preallocated: when full, a new
 * program starts cold. */
#define PH_STARTUP_CALLS 1024 /* a run this short left start-up items */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, struct ph_exe_key);
	__type(value, struct ph_task_cache);
} ph_startup SEC(".maps");

static __always_inline void startup_cache_seed(struct ph_task_state *st,
					       const struct ph_profile *prof)
{
	const struct ph_task_cache *seed = bpf_map_lookup_elem(&ph_startup, &st->exe);

	if (!seed || seed->profile != prof->id)
		return;
	st->t.cache = *seed;
	st->t.cache.budget = 0; /* the first call checks the tag */
	st->t.cache.pending = 0;
}

/* What a seeded task takes from an entry (startup_cache_seed()): the tag,
 * which items are valid, and those items. The rest (epoch, seen, budget,
 * pending, fast_until) is set again by the task's first call, always slow,
 * before any fast one; gram_pow by every slow call. */
static __always_inline bool startup_cache_same(const struct ph_task_cache *a,
					       const struct ph_task_cache *b)
{
	if (a->profile != b->profile || a->test_stamp != b->test_stamp ||
	    a->train_gen != b->train_gen || a->test_gen != b->test_gen || a->normal != b->normal ||
	    a->valid != b->valid)
		return false;
	for (__u32 i = 0; i < PH_CACHE_SLOTS; i++)
		if (((a->valid >> i) & 1) && a->items[i] != b->items[i])
			return false;
	return true;
}

/* Most runs of a short program leave the entry its last run left: then
 * the update (a new element allocated, the old one freed after RCU, about
 * as much as the rest of the exit) is skipped for a lookup and a compare. */
static __always_inline void startup_cache_save(struct task_struct *task,
					       const struct ph_task_state *st)
{
	const struct ph_task_cache *old;

	if (!st->exe.ino || task->pid != task->tgid || st->t.calls > PH_STARTUP_CALLS ||
	    !st->t.cache.valid || ph_stopped)
		return;
	old = bpf_map_lookup_elem(&ph_startup, &st->exe);
	if (old && startup_cache_same(old, &st->t.cache))
		return;
	bpf_map_update_elem(&ph_startup, &st->exe, &st->t.cache, BPF_ANY);
}

/* The steps. Each returns at once when pH is off (a constant: the verifier
 * drops the code) or stopped (it stays still while its profiles are
 * saved). */

/* A new program: a new window, and the profile of the new executable.
 * The task is the current one; vt its entry (0 if it could not be made). */
static __always_inline void ph_exec(struct task_struct *task, struct vg_task *vt,
				    struct linux_binprm *bprm)
{
	struct ph_task_state *st;
	struct ph_profile *prof;
	struct inode *inode;

	if (!ph_on || ph_stopped || !vt)
		return;
	/* the old program made this execve: it is its last call (at exit
	 * the call returns in the new program, see ph_sys_exit()) */
	st = ph_task_known(vt);
	if (st && !(task->thread_info.status & TS_COMPAT)) {
		struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
		long nr = regs->orig_ax;

		st->at_exec = 1;
		ph_feed_state(task, st, nr == NR_EXECVEAT ? NR_EXECVEAT : NR_EXECVE);
		st->at_exec = 0;
	}
	st = &vt->ph;
	flush_pending(st); /* the old program's pending calls belong to its profile */
	inode = bprm->file->f_inode;
	st->exe.ino = inode->i_ino;
	st->exe.dev = inode->i_sb->s_dev;
	prof = profile_get(&st->exe);
	if (!prof)
		st->exe.ino = 0; /* no room: not modelled (see ph_slow_call()) */
	ph_task_init(&st->t, prof ? prof->id : 0);
	if (prof)
		startup_cache_seed(st, prof);
	bpf_get_current_comm(st->comm, sizeof(st->comm)); /* the new program's */
	__builtin_memset(&st->sig, 0, sizeof(st->sig)); /* handlers are gone with the old image */
	vt->s.flags |= VG_TASK_PH;
}

/* fork / clone: the child goes on with its parent's program, window and
 * LFC, as pH does. cvt is the child's new entry. A parent pH does not
 * follow yet leaves the child to be adopted at its first call. */
static __always_inline void ph_fork(struct task_struct *parent, struct vg_task *cvt)
{
	struct ph_task_state *ps;

	if (!ph_on || ph_stopped || !cvt)
		return;
	ps = ph_task_known(bpf_task_storage_get(&vg_tasks, parent, 0, 0));
	if (!ps)
		return;
	__builtin_memcpy(&cvt->ph, ps, sizeof(cvt->ph));
	ph_task_fork(&cvt->ph.t); /* the parent's pending calls are not the child's */
	cvt->s.flags |= VG_TASK_PH;
}

/* A thread ends: its last call if it made one, then its pending calls go
 * to its profile. The task is the current one. */
static __always_inline void ph_exit(struct task_struct *task)
{
	struct ph_task_state *st;
	struct pt_regs *regs;
	long nr;

	if (!ph_on || ph_stopped)
		return;
	st = ph_task_known(bpf_task_storage_get(&vg_tasks, task, 0, 0));
	if (!st)
		return;
	/* ended by exit / exit_group (not by a signal, not as another thread
	 * of a group that exits): its last call, which returns nowhere */
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	nr = regs->orig_ax;
	if ((nr == NR_EXIT || nr == NR_EXIT_GROUP) && !(task->thread_info.status & TS_COMPAT))
		ph_feed_state(task, st, nr);
	flush_pending(st);
	startup_cache_save(task, st);
}

#endif
