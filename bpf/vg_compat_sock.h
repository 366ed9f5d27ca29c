// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* What an i386 socketcall() record says, from the kernel rather than from
 * its argument words. The words sit in user memory; the kernel copied them
 * at the call's entry, and that copy is gone at sys_exit, where vigil reads
 * (vg_compat.h). Another thread of the caller can rewrite them in between:
 * the descriptor word to name another socket (a harmless peer shown for a
 * connection to the metadata service), the flags word to drop MSG_FASTOPEN
 * (no record at all), socket()'s domain and type (a packet socket shown as
 * a unix one). So:
 *  - socket(): the domain and type come from the socket the call returned
 *    (the descriptor is the result, a register);
 *  - a TCP connect (connect, or sendto/sendmsg/sendmmsg with MSG_FASTOPEN)
 *    moves its socket from CLOSE to SYN_SENT inside the call, and listen()
 *    moves it to LISTEN: the inet_sock_set_state tracepoint sees that, in
 *    the calling task. vg_socketcall_sk_state remembers, per task, the
 *    socket and the destination the kernel connects to when this happens
 *    inside a compat socketcall; vg_socketcall takes it at the same call's
 *    exit: the record is made even when the flags word lost MSG_FASTOPEN,
 *    and names that socket's ends, whatever the descriptor word says now.
 * Still from the words: the descriptor number itself (evt.arg.fd), bind's
 * address (as for the direct call: it is read from memory for every bind),
 * and the address of a call that failed before its socket changed state
 * (no route, a refused bind...) or of a socket with no such state (UDP).
 * No program on sys_enter for this (the 64-bit path keeps its one program
 * per call): the tracepoint fires only on TCP state changes. */
#ifndef VG_COMPAT_SOCK_H
#define VG_COMPAT_SOCK_H

#define VG_TCP_SYN_SENT 2
#define VG_TCP_LISTEN 10
#define VG_NR32_SOCKETCALL 102

/* A socket that changed state inside the task's current socketcall. */
struct socketcall_sk {
	__u64 sk;    /* the struct sock, as a number; 0 = none */
	__u32 state; /* VG_TCP_SYN_SENT or VG_TCP_LISTEN */
	__u16 family;
	__u16 dport; /* host byte order */
	__u8 daddr[16];
};

/* A task-storage map of its own, not a part of the per-task entry the
 * sensor and pH share (vg_tasks, model/ph/ph_task_state.h): only 32-bit
 * tasks that connect or listen inside a socketcall ever get an entry here,
 * and no 64-bit call looks it up. Joined, its 32 bytes would sit in every
 * task's entry (every thread of the machine) for those few, and the
 * entry's one allocation per fork is made either way. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct socketcall_sk);
} socketcall_sk SEC(".maps");

/* Both states are set by the calling task, in process context (a state
 * reached in softirq, SYN_SENT to ESTABLISHED, is not looked at). */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(vg_socketcall_sk_state, const struct sock *sk, const int oldstate, const int newstate)
{
	struct task_struct *task;
	struct socketcall_sk *s;
	struct pt_regs *regs;

	if (newstate != VG_TCP_SYN_SENT && newstate != VG_TCP_LISTEN)
		return 0;
	task = bpf_get_current_task_btf();
	if (!(task->thread_info.status & TS_COMPAT) || task->tgid == self_tgid)
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	if (!regs || BPF_CORE_READ(regs, orig_ax) != VG_NR32_SOCKETCALL)
		return 0;
	s = bpf_task_storage_get(&socketcall_sk, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!s)
		return 0;
	__builtin_memset(s->daddr, 0, sizeof(s->daddr));
	s->family = sk->__sk_common.skc_family;
	s->state = newstate;
	/* the destination is set before SYN_SENT (tcp_v4_connect, tcp_v6_connect) */
	s->dport = bpf_ntohs(sk->__sk_common.skc_dport);
	if (s->family == AF_INET) {
		__u32 a = sk->__sk_common.skc_daddr;

		__builtin_memcpy(s->daddr, &a, 4);
	} else if (s->family == AF_INET6) {
		struct in6_addr a = sk->__sk_common.skc_v6_daddr;

		__builtin_memcpy(s->daddr, &a, 16);
	}
	s->sk = (__u64)sk;
	return 0;
}

/* Takes what vg_socketcall_sk_state left for this call (and clears it, so
 * a later call never sees it); false when nothing changed state. */
static __always_inline bool socketcall_sk_take(struct task_struct *task, struct socketcall_sk *out)
{
	struct socketcall_sk *s = bpf_task_storage_get(&socketcall_sk, task, 0, 0);

	if (!s || !s->sk)
		return false;
	*out = *s;
	s->sk = 0;
	return true;
}

/* The state the socketcall `call` moves a TCP socket to, 0 for none. */
static __always_inline __u32 socketcall_sk_state_of(__u32 call)
{
	switch (call) {
	case VG_SYS_CONNECT:
	case VG_SYS_SENDTO:
	case VG_SYS_SENDMSG:
	case VG_SYS_SENDMMSG:
		return VG_TCP_SYN_SENT;
	case VG_SYS_LISTEN:
		return VG_TCP_LISTEN;
	}
	return 0;
}

/* The record's socket and ends from the socket that changed state: its
 * family, type, protocol and local end read from it, the peer as the
 * kernel set it before the SYN (a refused connect clears the socket's). */
static __always_inline void socketcall_sk_fill(struct vg_net *e, const struct socketcall_sk *t)
{
	struct sock *sk = (struct sock *)t->sk;

	e->domain = t->family;
	e->type = BPF_CORE_READ(sk, sk_type);
	e->protocol = BPF_CORE_READ(sk, sk_protocol);
	e->unix_path.off = 0;
	e->unix_path.len = 0;
	__builtin_memset(&e->local, 0, sizeof(e->local));
	__builtin_memset(&e->remote, 0, sizeof(e->remote));
	e->local.family = e->remote.family = t->family;
	if (t->family == AF_INET) {
		__u32 la = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);

		__builtin_memcpy(e->local.addr, &la, 4);
	} else {
		struct in6_addr la = BPF_CORE_READ(sk, __sk_common.skc_v6_rcv_saddr);

		__builtin_memcpy(e->local.addr, &la, 16);
	}
	e->local.port = BPF_CORE_READ(sk, __sk_common.skc_num);
	if (t->state == VG_TCP_SYN_SENT) {
		__builtin_memcpy(e->remote.addr, t->daddr, 16);
		e->remote.port = t->dport;
	}
}

/* socket(): the domain and type of the socket the call made (the result
 * names it), not the words; the words' SOCK_NONBLOCK/SOCK_CLOEXEC bits
 * and protocol are kept (no rule judges them; the direct call shows the
 * protocol as asked, 0 for "the default", and so does this one). */
static __always_inline void socketcall_socket_kind(struct vg_net *e, long fd)
{
	struct file *f = fd_to_file(fd);
	struct socket *sock;
	struct sock *sk;

	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return;
	sock = BPF_CORE_READ(f, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return;
	e->domain = BPF_CORE_READ(sk, __sk_common.skc_family);
	e->type = BPF_CORE_READ(sock, type) | (e->type & ~0xfu);
}

#endif /* VG_COMPAT_SOCK_H */
