/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* pH (process homeostasis) in the kernel: the model of model/ph/ph_model.c run
 * on every system call of every process (vigil itself excepted), inside the
 * sensor's own sys_exit program: one program per system call for both
 * (docs/ph.md, "Cost"). Included by sensor.bpf.c (one compilation unit).
 *
 *  sched_process_exec (vg_exec) ─► ph_exec(): execve fed to the old program,
 *                        task state reset, profile of the new exe created
 *  sched_process_fork (vg_fork) ─► ph_fork(): the child copies its parent's
 *  sched_process_exit (vg_exit) ─► ph_exit(): exit fed, pending calls flushed
 *  sys_exit (vg_sys_exit) ─► ph_sys_exit() ─► ph_feed() ─► alert record?
 *  signal_deliver / rt_sigreturn ─► the handler's own window
 * Exec, fork and exit are steps called by the sensor's programs on those
 * tracepoints, as ph_sys_exit() is: one vigil program per tracepoint.
 *
 * Per task (BPF task storage): the model's window, LFC and counters, and the
 * key of the executable's profile, in the sensor's one per-task entry
 * (struct vg_task, with the sensor's ids). Per
 * executable (hash map keyed by the file's device and inode): the profile.
 * Learnt items live in one hash map keyed by (profile number, generation,
 * item); see docs/ph.md.
 *
 * The model only observes: nothing here changes what a process may do
 * (unless the optional response is configured). */
#ifndef VG_PH_STEP_H
#define VG_PH_STEP_H

#include <vigil/ph_events.h>
#include "vg_macros.h"

/* The model's linkage for BPF (docs/ph.md): hooks and the per-call step
 * inline; the per-item step a global function. Inlined into the per-call
 * loop, the item step made the verifier track every iteration's counters
 * exactly, which stops state pruning and ran into the 1M instruction limit;
 * a global function is verified once, on its own. */
#define PH_HOOK static __always_inline
#define PH_FN static __always_inline
#define PH_ITEM_FN __attribute__((noinline))
/* Rare branches of the fast path (the pairs model's checks): a static
 * subprogram, verified at its call site, out of the fast path's registers. */
#define PH_RARE_FN static __noinline
/* A global function may only take pointers to types of known size, and the
 * model passes its store through: a sized dummy type. */
struct ph_store {
	int unused;
};
#include "ph/ph_model.h"

#ifndef TS_COMPAT
#define TS_COMPAT 0x0002
#endif
#define PF_KTHREAD 0x00200000
#define SIG_IGN_HANDLER 1 /* SIG_DFL is 0, SIG_IGN 1: no handler runs */

/* System call numbers pH treats specially, per architecture: rt_sigreturn
 * ends a signal handler; a successful execve / execveat is fed at exec, and
 * exit / exit_group, which never return, at the thread's exit. */
#if defined(__TARGET_ARCH_x86)
#define NR_RT_SIGRETURN 15
#define NR_EXECVE 59
#define NR_EXECVEAT 322
#define NR_EXIT 60
#define NR_EXIT_GROUP 231
#elif defined(__TARGET_ARCH_arm64)
#define NR_RT_SIGRETURN 139
#define NR_EXECVE 221
#define NR_EXECVEAT 281
#define NR_EXIT 93
#define NR_EXIT_GROUP 94
#else
#error "rt_sigreturn's and execve's numbers for this architecture"
#endif

extern int CONFIG_HZ __kconfig; /* ticks per second: the model's clock */

/* Set by user space before load. pH is part of the sensor's object but
 * optional: with ph_on 0 the verifier drops its code from the sensor's
 * program (a branch on a constant), and its programs are not loaded. */
const volatile __u32 ph_on = 0;
/* The optional response (off: 0): signal sent (SIGKILL or SIGSTOP) to a
 * task of a listed executable whose LFC goes above ph_response_lfc. */
const volatile __u32 ph_response_sig = 0;
const volatile __u32 ph_response_lfc = 0;

/* pH's writable globals live in a section of their own (the skeleton's
 * data_ph, a map of its own): the counters below that CPUs write do not
 * share cache lines with the sensor's routes, read on every call. */
#define PH_DATA __attribute__((section(".data.ph")))

/* The model's parameters, set by user space before load. Writable data,
 * not a constant: the verifier then checks every model and limit, so a
 * later run-time change (control socket) cannot reach unverified code. */
PH_DATA struct ph_params ph_params_cfg;

/* Set by user space when pH stops (at exit, before the last save) while
 * the sensor's program goes on: the profiles then stay still. */
PH_DATA __u32 ph_stopped;

/* Counters user space reads (the section is mapped by the skeleton). Any
 * CPU writes them (a signal delivery, a new profile): a cache line of their
 * own, apart from ph_stopped above and the clock and epoch below, which
 * every call reads (on one line with a counter, each write made the other
 * CPU's next call miss its cache). */
PH_DATA __u64 ph_next_profile __attribute__((aligned(64))); /* profile numbers handed out */
PH_DATA __u64 ph_alert_drops;	 /* alert records that did not fit the ring */
PH_DATA __u64 ph_model_errors;	 /* ph_on_call() failures (a failing lookup) */
PH_DATA __u64 ph_profile_errors; /* profiles that could not be created (map full) */
PH_DATA __u64 ph_signal_pushes;	 /* handler windows opened (signal deliveries) */
PH_DATA __u64 ph_responses;	 /* signals sent by the response */
/* Nanoseconds per tick, computed at the first call: a division on every
 * call cost more than the rest of the clock read. */
PH_DATA __u64 ph_ns_per_tick __attribute__((aligned(64)));
/* Bumped whenever a profile's state changes (the model's transitions, and
 * user space's admin actions through the skeleton's data_ph): the tasks'
 * cached profile state (struct ph_task_cache) is valid only within one
 * epoch. */
PH_DATA __u64 ph_epoch_now;

/* One task's state: the sensor's (ids, bpf/vg_facts.h) and pH's. */
#include "ph/ph_task_state.h"

/* The sensor's one task-storage map, for both (model/ph/ph_task_state.h).
 * With pH off, user space makes it with the sensor's part only
 * (src/sensor/task_map.c). vg_compat_sock.h's socketcall_sk stays apart:
 * see there why. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* required for task storage */
	__type(key, int);
	__type(value, struct vg_task);
} vg_tasks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384); /* user space sets the limit */
	__type(key, struct ph_exe_key);
	__type(value, struct ph_profile);
} ph_profiles SEC(".maps");

/* Learnt pairs / n-grams. Not preallocated: a preallocated table of a
 * million items would pin ~100 MiB whether anything is learnt or not.
 * Allocation happens only when an item is new (training). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1 << 20); /* user space sets the limit */
	__type(key, struct ph_item_key);
	__type(value, __u64);
} ph_items SEC(".maps");

/* Executables the response applies to (--ph-response-exe), by device and
 * inode; filled before attach. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct ph_exe_key);
	__type(value, __u8);
} ph_response_exes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} ph_alerts SEC(".maps");

/* The storage hooks of the model. `store` is the dummy above: checked so
 * the pointer stays live and non-NULL for the global ph_check_item(). */
PH_HOOK int ph_item_lookup(struct ph_store *store, const struct ph_item_key *key, __u64 *stamp)
{
	__u64 *v;

	if (!store)
		return -22;
	v = bpf_map_lookup_elem(&ph_items, key);
	if (!v)
		return -2;
	*stamp = *v;
	return 0;
}

PH_HOOK int ph_item_insert(struct ph_store *store, const struct ph_item_key *key, __u64 stamp)
{
	if (!store)
		return -22;
	return bpf_map_update_elem(&ph_items, key, &stamp, BPF_NOEXIST);
}

PH_HOOK __u64 ph_epoch(struct ph_store *store)
{
	return ph_epoch_now;
}

PH_HOOK void ph_epoch_bump(struct ph_store *store)
{
	__sync_fetch_and_add(&ph_epoch_now, 1);
}

#include "ph/ph_model.c"
#include "ph/ph_params.c" /* the model's parameters (episode_lfc, known_lfc) */
#include "ph/ph_signal.c" /* signal handlers' windows */

/* The model's clock in ns. The tick count is enough for a wait of seconds
 * to days and costs a load instead of a clock read
 * (bpf_ktime_get_coarse_ns() is not allowed in tracing programs). */
static __always_inline __u64 model_now(void)
{
	__u64 tick = ph_ns_per_tick;

	if (!tick) {
		tick = NSEC_PER_SEC / CONFIG_HZ;
		ph_ns_per_tick = tick;
	}
	return bpf_jiffies64() * tick;
}

/* How pH's per-call step answered, per CPU (`vigil status`, "ph":
 * calls_fast, calls_slow): fast calls are counted when their task's pending
 * count reaches the profile, so the fast path itself writes nothing shared. */
struct ph_call_counts {
	__u64 fast; /* answered by the task's cache (ph_fast_known()) */
	__u64 slow; /* ran the model with the profile (ph_on_call()) */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ph_call_counts);
} ph_calls SEC(".maps");

static __always_inline void ph_count_calls(__u64 fast, __u64 slow)
{
	__u32 zero = 0;
	struct ph_call_counts *n = bpf_map_lookup_elem(&ph_calls, &zero);

	if (n) {
		n->fast += fast;
		n->slow += slow;
	}
}

/* The task's calls counted on the fast path go to its profile (at exec and
 * at exit; a slow call flushes them inside ph_on_call()). */
static __always_inline void flush_pending(struct ph_task_state *st)
{
	struct ph_profile *prof;

	if (!st->t.cache.pending)
		return;
	ph_count_calls(st->t.cache.pending, 0);
	prof = bpf_map_lookup_elem(&ph_profiles, &st->exe);
	if (prof)
		ph_task_flush(&ph_params_cfg, prof, &st->t);
}

/* A new profile (empty, training) for an executable: once per executable,
 * in a subprogram of its own, so that the profile it builds on the stack
 * is not in the frame of every caller (the verifier limits the frames of a
 * chain of calls to 512 bytes: vg_exec, ph_exec(), ph_slow_call() and
 * ph_check_item() did not fit with it). */
static __noinline struct ph_profile *profile_create(const struct ph_exe_key *k)
{
	struct ph_profile fresh;
	__u64 id;

	id = __sync_fetch_and_add(&ph_next_profile, 1) + 1;
	if (id > 0xffffffffULL) { /* item keys hold 32-bit profile numbers */
		__sync_fetch_and_add(&ph_profile_errors, 1);
		return 0;
	}
	ph_profile_init(&fresh, id);
	/* NOEXIST: if another CPU created it meanwhile, theirs stays. */
	if (bpf_map_update_elem(&ph_profiles, k, &fresh, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&ph_profiles, k)) {
		__sync_fetch_and_add(&ph_profile_errors, 1);
		return 0;
	}
	return bpf_map_lookup_elem(&ph_profiles, k);
}

/* The profile of an executable, created when missing. */
static __always_inline struct ph_profile *profile_get(const struct ph_exe_key *k)
{
	struct ph_profile *prof = bpf_map_lookup_elem(&ph_profiles, k);

	return prof ? prof : profile_create(k);
}

/* The key of the file a task runs. Probe reads: this is the slow path,
 * taken once per task that was running before the monitor started. */
static __always_inline void exe_key_of_task(struct task_struct *task, struct ph_exe_key *k)
{
	struct inode *inode = BPF_CORE_READ(task, mm, exe_file, f_inode);

	k->ino = BPF_CORE_READ(inode, i_ino);
	k->dev = BPF_CORE_READ(inode, i_sb, s_dev);
}

/* Sends one alert record. Rare (bounded by anomaly_limit per profile and
 * normal period), so the cost of the window copy does not matter. */
static __always_inline void report(__u32 kind, const struct ph_task_state *st,
				   const struct ph_profile *prof, const struct ph_result *res,
				   __u32 call, __u32 response, __s32 response_err)
{
	const struct ph_params *p = &ph_params_cfg;
	struct ph_alert_event *e;
	__u64 calls = st->t.calls; /* already counts `call` */
	__u32 w, i;

	e = bpf_ringbuf_reserve(&ph_alerts, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&ph_alert_drops, 1);
		return;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->size = sizeof(*e);
	e->kind = kind;
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->exe = st->exe;
	e->profile_id = prof->id;
	e->task_calls = calls;
	e->task_anomalies = st->t.anomalies;
	e->profile_anomalies = prof->anomalies;
	e->profile_calls = prof->calls;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->tid = (__u32)bpf_get_current_pid_tgid();
	e->call = call;
	e->lfc = res->lfc;
	e->status = prof->status;
	e->misses = res->misses;
	w = p->model == PH_MODEL_PAIRS || p->model == PH_MODEL_BOTH ? p->window : p->ngram;
	e->window_size = w;
	/* the W - 1 calls before `call`: ring slots calls - 1 - d */
	w = w > 0 ? w - 1 : 0;
	if (w > PH_EV_WINDOW)
		w = PH_EV_WINDOW;
	if (w > calls - 1 - st->t.win_start) /* the window of a signal handler is shorter */
		w = calls - 1 - st->t.win_start;
	e->window_len = w;
	for (i = 0; i < PH_EV_WINDOW; i++) {
		if (i >= w)
			break;
		e->window[i] = st->t.ring[(calls - 1 - w + i) & (PH_WINDOW_MAX - 1)];
	}
	if (st->at_exec) /* its execve: the task already has the new name */
		__builtin_memcpy(e->comm, st->comm, sizeof(e->comm));
	else
		bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->flags = PH_EV_F_JUDGED | (res->never_made ? PH_EV_F_NEVER_MADE : 0) |
		   (res->evidence ? PH_EV_F_EVIDENCE : 0);
	e->response = response;
	e->response_err = response_err;
	bpf_ringbuf_submit(e, 0);
}

/* The optional response: the task's LFC just went above ph_response_lfc.
 * Only for listed executables, never for pid 1 or kernel threads (the
 * monitor itself is never modelled). bpf_send_signal() signals the whole
 * process of the current task. */
static __always_inline void respond(struct task_struct *task, const struct ph_task_state *st,
				    const struct ph_profile *prof, const struct ph_result *res,
				    __u32 call)
{
	long err;

	if (!bpf_map_lookup_elem(&ph_response_exes, &st->exe))
		return;
	if ((bpf_get_current_pid_tgid() >> 32) == 1 || (task->flags & PF_KTHREAD))
		return;
	err = bpf_send_signal(ph_response_sig);
	if (!err)
		__sync_fetch_and_add(&ph_responses, 1);
	report(PH_EV_RESPONSE, st, prof, res, call, ph_response_sig, (__s32)err);
}

#include "ph_sketch.h" /* the dashboard's picture of n-gram profiles */
#include "ph_watch.h"  /* per-program settings: ph_params_of() */

/* After the fast path failed: the profile, the model, and the records.
 * A function of its own (a BPF subprogram, verified at each call site):
 * inlined, its many live values made the compiler spill the fast path's
 * to the stack. */
static __noinline void ph_slow_call(struct task_struct *task, struct ph_task_state *st,
					 __u32 sym, __u64 now)
{
	struct ph_store dummy = { 0 };
	struct ph_profile *prof;
	struct ph_result res;
	__u32 limit;

	prof = profile_get(&st->exe);
	if (!prof) {
		/* no room for its profile: the task is not modelled until its
		 * next exec, rather than trying (and using up a profile number)
		 * on every call; no fast path either (ph_feed_known()) */
		st->exe.ino = 0;
		st->t.cache.budget = 0;
		return;
	}
	ph_count_calls(st->t.cache.pending, 1);
	if (ph_on_call(&dummy, ph_params_of(&st->exe), prof, &st->t, sym, now, &res)) {
		__sync_fetch_and_add(&ph_model_errors, 1);
		return;
	}
	ph_sketch_note(st, prof, &res, sym);
	if (!(res.anomaly | res.normal | res.stopped))
		return;
	if (res.normal)
		report(PH_EV_NORMAL, st, prof, &res, sym, 0, 0);
	if (res.anomaly) {
		/* a burst once per crossing, not on every call above the limit */
		limit = ph_params_cfg.tolerize_limit;
		report(res.lfc == limit + 1 ? PH_EV_BURST : PH_EV_ANOMALY, st, prof, &res, sym, 0,
		       0);
		if (ph_response_sig && res.lfc == ph_response_lfc + 1)
			respond(task, st, prof, &res, sym);
	}
	if (res.stopped)
		report(PH_EV_TOLERIZED, st, prof, &res, sym, 0, 0);
}

/* Feeds one symbol the model does not ignore to the model of a task whose
 * state is st. Most symbols of a trained program take the fast path: the
 * task's cache answers, with no map lookup at all and no clock read while
 * its profile is not frozen; the others look the profile up and run the
 * model (one item lookup for the n-gram model). A task that is not
 * modelled (no executable file, or no room for its profile) has no fast
 * path (budget 0), so its executable is checked on the slow path only. */
static __always_inline void ph_feed_known(struct task_struct *task, struct ph_task_state *st,
					  __u32 sym)
{
	struct ph_store dummy = { 0 };
	__u64 now = 0;

	/* The clock only matters to the fast path when the profile is frozen
	 * (it stops at fast_until, the time it becomes normal); otherwise
	 * fast_until is "never" and any time compares the same. */
	if (st->t.cache.fast_until != ~0ULL)
		now = model_now();
	if (ph_fast_known(&dummy, &ph_params_cfg, &st->t, sym, now))
		return;
	if (!st->exe.ino)
		return; /* no executable file: nothing to model */
	if (!now)
		now = model_now();
	ph_slow_call(task, st, sym, now);
}

/* The single entry point of pH's per-call step for any symbol: system
 * calls at exec and exit, io_uring operations (ph_sys_exit() tests the
 * ignored calls itself, before it looks the task up). */
static __always_inline void ph_feed_state(struct task_struct *task, struct ph_task_state *st,
					  __u32 sym)
{
	if (!ph_ignored(&ph_params_cfg, sym))
		ph_feed_known(task, st, sym);
}

/* The current task's state, adopted (its executable read from
 * mm->exe_file) when it was running before the monitor started. The entry
 * may exist already, made by the sensor for its ids (at a set*id call):
 * pH's part of it is then still zero, as in a new one. */
static __noinline struct ph_task_state *ph_task_adopt(struct task_struct *task)
{
	struct vg_task *vt;

	vt = bpf_task_storage_get(&vg_tasks, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!vt)
		return 0;
	if (!(vt->s.flags & VG_TASK_PH)) {
		exe_key_of_task(task, &vt->ph.exe);
		bpf_get_current_comm(vt->ph.comm, sizeof(vt->ph.comm));
		vt->s.flags |= VG_TASK_PH;
	}
	return &vt->ph;
}

static __always_inline struct ph_task_state *ph_task_of(struct task_struct *task)
{
	struct vg_task *vt = bpf_task_storage_get(&vg_tasks, task, 0, 0);

	if (vt && (vt->s.flags & VG_TASK_PH))
		return &vt->ph;
	return ph_task_adopt(task);
}

/* pH's part of a task's entry when pH follows the task, else 0. */
static __always_inline struct ph_task_state *ph_task_known(struct vg_task *vt)
{
	return vt && (vt->s.flags & VG_TASK_PH) ? &vt->ph : 0;
}

/* ph_ignored() of a system call number. The compiler drops that function's
 * index mask after its range check, and the verifier, which tracks the
 * check on another copy of the number, then sees an unbounded index: the
 * barrier keeps the mask. */
static __always_inline int ph_nr_ignored(long nr)
{
	__u64 word;

	if ((unsigned long)nr > PH_CALL_MAX)
		return 0;
	word = (unsigned long)nr >> 6;
	barrier_var(word);
	word &= PH_CALL_MAX >> 6;
	return (ph_params_cfg.ignore[word] >> (nr & 63)) & 1;
}

/* pH's step for one system call, called first thing by the sensor's
 * sys_exit program (vg_sys_exit), for every call of every task (`task` is
 * the current one, which the sensor then reuses; `nr` the call's number,
 * regs->orig_ax, which it read): one program per call for both. A call is
 * modelled when it returns, in the order the task made them, as at entry,
 * with three differences the kernel imposes at exit:
 *  - a successful execve / execveat returns in the new program: it is fed
 *    at exec instead (ph_exec), to the program that made it, as pH does;
 *  - exit / exit_group never return: they are fed at the thread's exit
 *    (ph_exit), when the thread ends by that call;
 *  - rt_sigreturn has its number wiped from the registers (orig_ax = -1,
 *    "no restart"): a call numbered -1 at exit is rt_sigreturn. A call a
 *    tracer skipped is numbered -1 too and counts as one; it pops no window
 *    unless a handler's window is open.
 * A child returns from fork / clone through here as well: its state is a
 * copy of its parent's made before the parent's call was modelled, so each
 * sees the call once, as with a model at entry. */
static __always_inline void ph_sys_exit(struct task_struct *task, long nr, long ret)
{
	struct ph_task_state *st;
	int ignored;

	/* no test of ph_on: the caller passes a task only when it is set */
	if (ph_stopped)
		return;
	/* the task's own field: one load instead of a helper call */
	if ((__u32)task->tgid == self_tgid)
		return;
	/* 32-bit tasks number their calls differently: not modelled yet. */
	if (task->thread_info.status & TS_COMPAT)
		return;
	if (nr == -1)
		nr = NR_RT_SIGRETURN;
	/* the result first: most calls return non-zero or are not execve */
	else if (ret == 0 && (nr == NR_EXECVE || nr == NR_EXECVEAT))
		return; /* fed at exec, to the program that made it */
	/* A call the model does not see (futex, poll...) returns before the
	 * task's state is even looked up; rt_sigreturn still pops its window. */
	ignored = ph_nr_ignored(nr);
	if (ignored && nr != NR_RT_SIGRETURN)
		return;
	st = ph_task_of(task);
	if (!st)
		return;
	if (!ignored)
		ph_feed_known(task, st, (__u32)nr);
	/* the handler's last call: back to the window it interrupted */
	if (nr == NR_RT_SIGRETURN)
		ph_signal_pop(&st->t, &st->sig);
}

/* An io_uring request is a step of the sequence too, as a symbol of its own
 * (by opcode, above the syscall numbers): a program that suddenly submits
 * io_uring requests, or new ones, takes a path its profile never saw. A
 * request the kernel's SQPOLL thread submits is in that thread's sequence.
 * User space turns this program off where the tracepoint is missing. */
SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(ph_uring_submit, struct io_kiocb *req)
{
	struct task_struct *task;
	struct ph_task_state *st;

	if (!ph_on || ph_stopped)
		return 0;
	task = bpf_get_current_task_btf();
	if ((__u32)task->tgid == self_tgid)
		return 0;
	st = ph_task_of(task);
	if (st)
		ph_feed_state(task, st, PH_URING_CALL_BASE + req->opcode);
	return 0;
}

/* A signal with a handler is delivered to the current task: the handler's
 * calls get a window of their own until rt_sigreturn. The tracepoint fires
 * for ignored and default-action signals too: those run no handler. */
SEC("tp_btf/signal_deliver")
int BPF_PROG(ph_signal_deliver, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	struct ph_task_state *st;
	unsigned long handler;

	if ((bpf_get_current_pid_tgid() >> 32) == self_tgid || !ka)
		return 0;
	handler = (unsigned long)ka->sa.sa_handler;
	if (handler <= SIG_IGN_HANDLER)
		return 0;
	st = ph_task_known(bpf_task_storage_get(&vg_tasks, bpf_get_current_task_btf(), 0, 0));
	if (!st)
		return 0;
	ph_signal_push(&st->t, &st->sig);
	__sync_fetch_and_add(&ph_signal_pushes, 1);
	return 0;
}

#include "ph_lifecycle.h" /* exec, fork, exit: steps the sensor's programs call */

#endif
