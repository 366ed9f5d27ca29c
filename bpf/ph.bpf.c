// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* pH (process homeostasis) in the kernel: the model of src/ph/ph_model.c run
 * on every system call of every process (vigil itself excepted).
 *
 *  sched_process_exec ─► task state reset, profile of the new exe created
 *  sched_process_fork ─► the child copies its parent's task state
 *  sys_enter          ─► task state + profile ─► ph_on_call() ─► alert record?
 *
 * Per task (BPF task storage): the model's window, LFC and counters, and the
 * key of the executable's profile. Per executable (hash map keyed by the
 * file's device and inode): the profile. Learnt items live in one hash map
 * keyed by (profile number, generation, item); see docs/ph.md.
 *
 * The model only observes: nothing here changes what a process may do. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <vigil/ph_events.h>

/* The model's linkage for BPF (docs/ph.md): hooks and the per-call step
 * inline; the per-item step a global function. Inlined into the per-call
 * loop, the item step made the verifier track every iteration's counters
 * exactly, which stops state pruning and ran into the 1M instruction limit;
 * a global function is verified once, on its own. */
#define PH_HOOK static __always_inline
#define PH_FN static __always_inline
#define PH_ITEM_FN __attribute__((noinline))
/* A global function may only take pointers to types of known size, and the
 * model passes its store through: a sized dummy type. */
struct ph_store {
	int unused;
};
#include "../src/ph/ph_model.h"

#define TS_COMPAT 0x0002
#define PF_KTHREAD 0x00200000
#define SIG_IGN_HANDLER 1 /* SIG_DFL is 0, SIG_IGN 1: no handler runs */

/* rt_sigreturn ends a signal handler: its number per architecture. */
#if defined(__TARGET_ARCH_x86)
#define NR_RT_SIGRETURN 15
#elif defined(__TARGET_ARCH_arm64)
#define NR_RT_SIGRETURN 139
#else
#error "rt_sigreturn's number for this architecture"
#endif

char LICENSE[] SEC("license") = "Dual BSD/GPL";

extern int CONFIG_HZ __kconfig; /* ticks per second: the model's clock */

/* Set by user space before load. */
const volatile __u32 self_tgid = 0; /* never model the monitor itself */
/* The optional response (off: 0): signal sent (SIGKILL or SIGSTOP) to a
 * task of a listed executable whose LFC goes above response_lfc. */
const volatile __u32 response_sig = 0;
const volatile __u32 response_lfc = 0;

/* The model's parameters, set by user space before load. Writable data,
 * not a constant: the verifier then checks every model and limit, so a
 * later run-time change (control socket) cannot reach unverified code. */
struct ph_params ph_params_cfg;

/* Counters user space reads (bss is mapped by the skeleton). */
__u64 ph_next_profile;	 /* profile numbers handed out */
__u64 ph_alert_drops;	 /* alert records that did not fit the ring */
__u64 ph_model_errors;	 /* ph_on_call() failures (a failing lookup) */
__u64 ph_profile_errors; /* profiles that could not be created (map full) */
__u64 ph_signal_pushes;	 /* handler windows opened (signal deliveries) */
__u64 ph_responses;	 /* signals sent by the response */
/* Nanoseconds per tick, computed at the first call: a division on every
 * call cost more than the rest of the clock read. */
__u64 ph_ns_per_tick;
/* Bumped whenever a profile's state changes (the model's transitions, and
 * user space's admin actions through the skeleton's bss): the tasks' cached
 * profile state (struct ph_task_cache) is valid only within one epoch. */
__u64 ph_epoch_now;

/* One task's model state. */
#include "../src/ph/ph_task_state.h"

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* required for task storage */
	__type(key, int);
	__type(value, struct ph_task_state);
} ph_tasks SEC(".maps");

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

#include "../src/ph/ph_model.c"

/* The model's clock in ns. The tick count is enough for a wait of seconds
 * to days and costs a load instead of a clock read
 * (bpf_ktime_get_coarse_ns() is not allowed in tracing programs). */
static __always_inline __u64 model_now(void)
{
	__u64 tick = ph_ns_per_tick;

	if (!tick) {
		tick = 1000000000ull / CONFIG_HZ;
		ph_ns_per_tick = tick;
	}
	return bpf_jiffies64() * tick;
}

/* The task's calls counted on the fast path go to its profile (at exec and
 * at exit; a slow call flushes them inside ph_on_call()). */
static __always_inline void flush_pending(struct ph_task_state *st)
{
	struct ph_profile *prof;

	if (!st->t.cache.pending)
		return;
	prof = bpf_map_lookup_elem(&ph_profiles, &st->exe);
	if (prof)
		ph_task_flush(&ph_params_cfg, prof, &st->t);
}

/* The profile of an executable, created (empty, training) when missing. */
static __always_inline struct ph_profile *profile_get(const struct ph_exe_key *k)
{
	struct ph_profile *prof = bpf_map_lookup_elem(&ph_profiles, k);
	struct ph_profile fresh;
	__u64 id;

	if (prof)
		return prof;
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
	w = (p->model & PH_MODEL_PAIRS) ? p->window : p->ngram;
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
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->response = response;
	e->response_err = response_err;
	bpf_ringbuf_submit(e, 0);
}

/* The optional response: the task's LFC just went above response_lfc.
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
	err = bpf_send_signal(response_sig);
	if (!err)
		__sync_fetch_and_add(&ph_responses, 1);
	report(PH_EV_RESPONSE, st, prof, res, call, response_sig, (__s32)err);
}

/* The per-call step. Kept cheap: one task-storage lookup, then for most
 * calls the fast path (the task's cache: no map lookup at all); otherwise one
 * profile lookup and the model (one item lookup for the n-gram model). */
static __always_inline int ph_call(long id)
{
	struct task_struct *task;
	struct ph_task_state *st;
	struct ph_profile *prof;
	struct ph_result res;
	struct ph_store dummy = { 0 };
	__u64 now;
	__u32 limit;

	task = bpf_get_current_task_btf();
	/* the task's own field: one load instead of a helper call */
	if ((__u32)task->tgid == self_tgid)
		return 0;
	/* 32-bit tasks number their calls differently: not modelled yet. */
	if (task->thread_info.status & TS_COMPAT)
		return 0;
	st = bpf_task_storage_get(&ph_tasks, task, 0, 0);
	if (!st) {
		/* A task we have not seen exec (it predates the monitor). */
		st = bpf_task_storage_get(&ph_tasks, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (!st)
			return 0;
		exe_key_of_task(task, &st->exe);
	}
	if (!st->exe.ino)
		goto out; /* no executable file: nothing to model */
	now = model_now();
	/* a known call: the task's cache answers, the profile is not needed */
	if (ph_fast_call(&dummy, &ph_params_cfg, &st->t, (__u32)id, now))
		goto out;
	prof = profile_get(&st->exe);
	if (!prof) {
		/* no room for its profile: the task is not modelled until its
		 * next exec, rather than trying (and using up a profile number)
		 * on every call */
		st->exe.ino = 0;
		goto out;
	}
	if (ph_on_call(&dummy, &ph_params_cfg, prof, &st->t, (__u32)id, now, &res)) {
		__sync_fetch_and_add(&ph_model_errors, 1);
		goto out;
	}
	if (res.anomaly | res.normal | res.stopped) {
		if (res.normal)
			report(PH_EV_NORMAL, st, prof, &res, (__u32)id, 0, 0);
		if (res.anomaly) {
			/* a burst once per crossing, not on every call above the limit */
			limit = ph_params_cfg.tolerize_limit;
			report(res.lfc == limit + 1 ? PH_EV_BURST : PH_EV_ANOMALY, st, prof, &res,
			       (__u32)id, 0, 0);
			if (response_sig && res.lfc == response_lfc + 1)
				respond(task, st, prof, &res, (__u32)id);
		}
		if (res.stopped)
			report(PH_EV_TOLERIZED, st, prof, &res, (__u32)id, 0, 0);
	}
out:
	/* the handler's last call: back to the window it interrupted */
	if (id == NR_RT_SIGRETURN)
		ph_signal_pop(&st->t, &st->sig);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(ph_sys_enter, struct pt_regs *regs, long id)
{
	return ph_call(id);
}

/* An io_uring request is a step of the sequence too, as a symbol of its own
 * (by opcode, above the syscall numbers): a program that suddenly submits
 * io_uring requests, or new ones, takes a path its profile never saw. A
 * request the kernel's SQPOLL thread submits is in that thread's sequence.
 * User space turns this program off where the tracepoint is missing. */
SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(ph_uring_submit, struct io_kiocb *req)
{
	return ph_call(PH_URING_CALL_BASE + req->opcode);
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
	st = bpf_task_storage_get(&ph_tasks, bpf_get_current_task_btf(), 0, 0);
	if (!st)
		return 0;
	ph_signal_push(&st->t, &st->sig);
	__sync_fetch_and_add(&ph_signal_pushes, 1);
	return 0;
}

/* A new program: a new window, and the profile of the new executable. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(ph_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct ph_task_state *st;
	struct ph_profile *prof;
	struct inode *inode;

	if ((bpf_get_current_pid_tgid() >> 32) == self_tgid)
		return 0;
	st = bpf_task_storage_get(&ph_tasks, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st)
		return 0;
	flush_pending(st); /* the old program's pending calls belong to its profile */
	inode = bprm->file->f_inode;
	st->exe.ino = inode->i_ino;
	st->exe.dev = inode->i_sb->s_dev;
	prof = profile_get(&st->exe);
	if (!prof)
		st->exe.ino = 0; /* no room: not modelled (see ph_sys_enter) */
	ph_task_init(&st->t, prof ? prof->id : 0);
	__builtin_memset(&st->sig, 0, sizeof(st->sig)); /* handlers are gone with the old image */
	return 0;
}

/* fork / clone: the child goes on with its parent's program, window and
 * LFC, as pH does. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(ph_fork, struct task_struct *parent, struct task_struct *child)
{
	struct ph_task_state *ps, *cs;

	ps = bpf_task_storage_get(&ph_tasks, parent, 0, 0);
	if (!ps)
		return 0; /* the child is adopted at its first call */
	cs = bpf_task_storage_get(&ph_tasks, child, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!cs)
		return 0;
	__builtin_memcpy(cs, ps, sizeof(*cs));
	ph_task_fork(&cs->t); /* the parent's pending calls are not the child's */
	return 0;
}

/* A thread ends: its pending calls go to its profile. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(ph_exit, struct task_struct *p)
{
	struct ph_task_state *st;

	st = bpf_task_storage_get(&ph_tasks, bpf_get_current_task_btf(), 0, 0);
	if (st)
		flush_pending(st);
	return 0;
}
