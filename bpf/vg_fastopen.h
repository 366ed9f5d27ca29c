// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* TCP Fast Open: sendto, sendmsg or sendmmsg with MSG_FASTOPEN connects a
 * TCP socket and sends its first data in one call, without connect(). All
 * three are routed as connects (VG_EV_CONNECT) for that flag only: every
 * other send is dropped before the record is built. sendto names the
 * address in its argument 5; sendmsg in the msg_name of its struct msghdr
 * (argument 2), whose first member is that pointer (32 bits wide in the
 * i386 ABI); sendmmsg in the msg_name of the first struct mmsghdr of its
 * vector (argument 2, a msghdr first too), the message that connects.
 * Once the call went through, the peer is read from the socket (net_fill):
 * the msghdr sits in user memory another thread may rewrite. */
#ifndef VG_FASTOPEN_H
#define VG_FASTOPEN_H

#define VG_MSG_FASTOPEN 0x20000000

/* True for a send that is not a Fast Open connect (not worth a record). */
static __always_inline bool fastopen_skip(const struct vg_route *r, struct pt_regs *regs,
					  bool compat)
{
	if (r->variant == VG_V_FASTOPEN)
		return !(sys_arg(regs, compat, 4) & VG_MSG_FASTOPEN);
	if (r->variant == VG_V_FASTOPEN_MSG)
		return !(sys_arg(regs, compat, 3) & VG_MSG_FASTOPEN);
	if (r->variant == VG_V_FASTOPEN_MMSG) /* sendmmsg(fd, vec, vlen, flags) */
		return !(sys_arg(regs, compat, 4) & VG_MSG_FASTOPEN);
	return false;
}

/* The address a connect-like call names, in user memory. */
static __always_inline void *connect_addr(const struct vg_route *r, struct pt_regs *regs,
					  bool compat)
{
	__u64 name = 0;

	if (r->variant == VG_V_FASTOPEN)
		return (void *)sys_arg(regs, compat, 5);
	if (r->variant != VG_V_FASTOPEN_MSG && r->variant != VG_V_FASTOPEN_MMSG)
		return (void *)sys_arg(regs, compat, 2);
	bpf_probe_read_user(&name, compat ? 4 : 8, (void *)sys_arg(regs, compat, 2));
	return (void *)name;
}

#endif /* VG_FASTOPEN_H */
