// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Authentication results from libpam, read with uprobes (user space picks
 * the library and the offsets, src/auth/auth_kernel.c):
 *
 *  pam_start / pam_start_confdir ─► entry: service, user; return: the handle
 *                                   (through the pamh pointer argument)
 *  pam_set_item                   ─► service, user, tty, rhost, ruser only
 *  pam_get_user (return)          ─► the user the modules settled on
 *  pam_authenticate, pam_acct_mgmt,
 *  pam_open_session, pam_close_session (return) ─► one record with the result
 *  pam_end                        ─► the handle is forgotten
 *
 * What a handle is known by lives in an LRU hash keyed by (tgid, handle
 * address), so a process that dies without pam_end costs nothing forever.
 * Secrets: pam_set_item() is read only for the item types listed in
 * auth_events.h; PAM_AUTHTOK and PAM_OLDAUTHTOK never reach a read, and the
 * conversation function (where passwords are typed) is not probed at all.
 * The probes only observe. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <vigil/auth_events.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

__u64 auth_drops;	 /* records that did not fit the ring */
__u64 auth_state_errors; /* handle or call state that could not be stored */

struct handle_key {
	__u32 tgid;
	__u32 pad;
	__u64 pamh;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096); /* user space sets the limit */
	__type(key, struct handle_key);
	__type(value, struct auth_items);
} auth_handles SEC(".maps");

/* pam_start* between entry and return, by thread. */
struct start_state {
	__u64 pamh_out; /* where the handle will be written (pam_handle_t **) */
	struct auth_items items;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct start_state);
} auth_starts SEC(".maps");

/* pam_get_user and the result calls between entry and return, by thread
 * and call (a module may call pam_get_user inside pam_authenticate). */
struct call_key {
	__u32 tid;
	__u32 kind; /* enum auth_ev_kind, or 0 for pam_get_user */
};

struct call_state {
	__u64 pamh;
	__u64 user_out; /* pam_get_user: where the user pointer is written */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct call_key);
	__type(value, struct call_state);
} auth_calls SEC(".maps");

/* A zeroed value too large for the BPF stack, built here first. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct start_state);
} auth_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} auth_events SEC(".maps");

static __always_inline struct start_state *scratch_zeroed(void)
{
	__u32 zero = 0;
	struct start_state *s = bpf_map_lookup_elem(&auth_scratch, &zero);

	if (s)
		__builtin_memset(s, 0, sizeof(*s));
	return s;
}

static __always_inline struct handle_key handle_of(__u64 pamh)
{
	struct handle_key k = { .tgid = bpf_get_current_pid_tgid() >> 32, .pamh = pamh };

	return k;
}

/* The handle's items, created empty for a handle opened before vigil. */
static __always_inline struct auth_items *handle_get(__u64 pamh)
{
	struct handle_key k = handle_of(pamh);
	struct auth_items *items = bpf_map_lookup_elem(&auth_handles, &k);
	struct start_state *s;

	if (items)
		return items;
	s = scratch_zeroed();
	if (!s || bpf_map_update_elem(&auth_handles, &k, &s->items, BPF_NOEXIST)) {
		items = bpf_map_lookup_elem(&auth_handles, &k);
		if (!items)
			__sync_fetch_and_add(&auth_state_errors, 1);
		return items;
	}
	return bpf_map_lookup_elem(&auth_handles, &k);
}

static __always_inline void start_entry(const char *service, const char *user, __u64 pamh_out)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct start_state *s = scratch_zeroed();

	if (!s)
		return;
	s->pamh_out = pamh_out;
	if (service)
		bpf_probe_read_user_str(s->items.service, sizeof(s->items.service), service);
	if (user)
		bpf_probe_read_user_str(s->items.user, sizeof(s->items.user), user);
	if (bpf_map_update_elem(&auth_starts, &tid, s, BPF_ANY))
		__sync_fetch_and_add(&auth_state_errors, 1);
}

static __always_inline void start_return(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct start_state *s = bpf_map_lookup_elem(&auth_starts, &tid);
	struct handle_key k;
	__u64 pamh = 0;

	if (!s)
		return; /* pam_start calling pam_start_confdir: done by the inner one */
	if (ret == 0 && s->pamh_out &&
	    !bpf_probe_read_user(&pamh, sizeof(pamh), (void *)s->pamh_out) && pamh) {
		k = handle_of(pamh);
		if (bpf_map_update_elem(&auth_handles, &k, &s->items, BPF_ANY))
			__sync_fetch_and_add(&auth_state_errors, 1);
	}
	bpf_map_delete_elem(&auth_starts, &tid);
}

SEC("uprobe")
int BPF_KPROBE(vg_pam_start, const char *service, const char *user, void *conv, void *pamh_out)
{
	start_entry(service, user, (__u64)pamh_out);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(vg_pam_start_rt, long ret)
{
	start_return(ret);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(vg_pam_confdir, const char *service, const char *user, void *conv,
	       const char *confdir, void *pamh_out)
{
	start_entry(service, user, (__u64)pamh_out);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(vg_pam_confd_rt, long ret)
{
	start_return(ret);
	return 0;
}

/* Only the listed item types are read; anything else (PAM_AUTHTOK = 6,
 * PAM_OLDAUTHTOK = 7, conversation, prompts, ...) returns before a read. */
SEC("uprobe")
int BPF_KPROBE(vg_pam_set_item, void *pamh, int item_type, const char *item)
{
	struct auth_items *h;

	if (item_type != AUTH_PAM_SERVICE && item_type != AUTH_PAM_USER &&
	    item_type != AUTH_PAM_TTY && item_type != AUTH_PAM_RHOST && item_type != AUTH_PAM_RUSER)
		return 0;
	h = handle_get((__u64)pamh);
	if (!h)
		return 0;
	if (!item) {
		/* the item is being cleared */
		switch (item_type) {
		case AUTH_PAM_SERVICE: h->service[0] = 0; break;
		case AUTH_PAM_USER: h->user[0] = 0; break;
		case AUTH_PAM_TTY: h->tty[0] = 0; break;
		case AUTH_PAM_RHOST: h->rhost[0] = 0; break;
		default: h->ruser[0] = 0; break;
		}
		return 0;
	}
	switch (item_type) {
	case AUTH_PAM_SERVICE:
		bpf_probe_read_user_str(h->service, sizeof(h->service), item);
		break;
	case AUTH_PAM_USER:
		bpf_probe_read_user_str(h->user, sizeof(h->user), item);
		break;
	case AUTH_PAM_TTY:
		bpf_probe_read_user_str(h->tty, sizeof(h->tty), item);
		break;
	case AUTH_PAM_RHOST:
		bpf_probe_read_user_str(h->rhost, sizeof(h->rhost), item);
		break;
	default:
		bpf_probe_read_user_str(h->ruser, sizeof(h->ruser), item);
		break;
	}
	return 0;
}

static __always_inline void call_entry(__u32 kind, __u64 pamh, __u64 user_out)
{
	struct call_key k = { .tid = (__u32)bpf_get_current_pid_tgid(), .kind = kind };
	struct call_state c = { .pamh = pamh, .user_out = user_out };

	if (bpf_map_update_elem(&auth_calls, &k, &c, BPF_ANY))
		__sync_fetch_and_add(&auth_state_errors, 1);
}

SEC("uprobe")
int BPF_KPROBE(vg_pam_get_user, void *pamh, const char **user_out)
{
	call_entry(0, (__u64)pamh, (__u64)user_out);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(vg_pam_getu_rt, long ret)
{
	struct call_key k = { .tid = (__u32)bpf_get_current_pid_tgid(), .kind = 0 };
	struct call_state *c = bpf_map_lookup_elem(&auth_calls, &k);
	struct auth_items *h;
	const char *user = 0;

	if (!c)
		return 0;
	if (ret == 0 && c->user_out &&
	    !bpf_probe_read_user(&user, sizeof(user), (void *)c->user_out) && user) {
		h = handle_get(c->pamh);
		if (h)
			bpf_probe_read_user_str(h->user, sizeof(h->user), user);
	}
	bpf_map_delete_elem(&auth_calls, &k);
	return 0;
}

/* The return of a result call: one record with what the handle is known by. */
static __always_inline void call_return(__u32 kind, long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call_key k = { .tid = (__u32)id, .kind = kind };
	struct call_state *c = bpf_map_lookup_elem(&auth_calls, &k);
	struct handle_key hk;
	struct auth_items *h;
	struct auth_event *e;

	if (!c)
		return; /* entered before the probes were attached */
	hk = handle_of(c->pamh);
	e = bpf_ringbuf_reserve(&auth_events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&auth_drops, 1);
		bpf_map_delete_elem(&auth_calls, &k);
		return;
	}
	e->size = sizeof(*e);
	e->kind = kind;
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->pamh = c->pamh;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->result = (__s32)ret;
	e->pad0 = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	h = bpf_map_lookup_elem(&auth_handles, &hk);
	if (h) {
		e->known = 1;
		bpf_probe_read_kernel(&e->items, sizeof(e->items), h);
	} else {
		e->known = 0;
		__builtin_memset(&e->items, 0, sizeof(e->items));
	}
	bpf_ringbuf_submit(e, 0);
	bpf_map_delete_elem(&auth_calls, &k);
}

#define RESULT_PROBES(name, rname, kind)                                                           \
	SEC("uprobe")                                                                              \
	int BPF_KPROBE(name, void *pamh)                                                           \
	{                                                                                          \
		call_entry(kind, (__u64)pamh, 0);                                                  \
		return 0;                                                                          \
	}                                                                                          \
	SEC("uretprobe")                                                                           \
	int BPF_KRETPROBE(rname, long ret)                                                         \
	{                                                                                          \
		call_return(kind, ret);                                                            \
		return 0;                                                                          \
	}

RESULT_PROBES(vg_pam_auth, vg_pam_auth_rt, AUTH_EV_AUTHENTICATE)
RESULT_PROBES(vg_pam_acct, vg_pam_acct_rt, AUTH_EV_ACCT_MGMT)
RESULT_PROBES(vg_pam_open, vg_pam_open_rt, AUTH_EV_OPEN_SESSION)
RESULT_PROBES(vg_pam_close, vg_pam_close_rt, AUTH_EV_CLOSE_SESSION)

SEC("uprobe")
int BPF_KPROBE(vg_pam_end, void *pamh)
{
	struct handle_key k = handle_of((__u64)pamh);

	bpf_map_delete_elem(&auth_handles, &k);
	return 0;
}
