// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* i386 calls whose arguments sit in user memory, not in registers, decoded
 * here into the records of the calls they stand for: socketcall() and the
 * old mmap(). Both are routed on the 32-bit table only (route types
 * VG_ROUTE_SOCKETCALL and VG_ROUTE_OLD_MMAP, each its own handler): the
 * 64-bit path never comes here.
 *
 * The i386 socketcall(call, args): one system call (102) for every socket
 * operation, the only way old 32-bit programs make them, and a way around a
 * sensor that watches only socket(), connect()...: any 64-bit process can
 * make it with "int $0x80". Its arguments are not in registers but in an
 * array of 32-bit words in user memory (args), as many as the call takes.
 *
 * vg_sys_exit tail-calls vg_socketcall for it (route VG_ROUTE_SOCKETCALL,
 * set on the 32-bit table only: the 64-bit path never comes here). The
 * handler reads the call number and its words, finds the call's x86-64
 * route (so a narrowed route table turns it off as it does the direct
 * call) and builds the record the direct call would: same decoding
 * (net_fill), the x86-64 number, flagged VG_F_COMPAT | VG_F_SOCKETCALL.
 * What stays undecoded (a call number the kernel does not know, or words
 * that cannot be read) is counted in compat_seen.
 *
 * The words are read at exit, as every argument here: another thread can
 * change them after the kernel copied them. What decides the record (the
 * socket a connect or listen went through, its peer, whether a send made
 * a Fast Open connect, a new socket's domain and type) is taken from the
 * kernel instead: vg_compat_sock.h. */
#ifndef VG_COMPAT_H
#define VG_COMPAT_H

/* socketcall call numbers (linux/net.h) of the calls vigil decodes */
#define VG_SYS_SOCKET 1
#define VG_SYS_BIND 2
#define VG_SYS_CONNECT 3
#define VG_SYS_LISTEN 4
#define VG_SYS_ACCEPT 5
#define VG_SYS_SENDTO 11
#define VG_SYS_SENDMSG 16
#define VG_SYS_ACCEPT4 18
#define VG_SYS_SENDMMSG 20
#define VG_SYS_LAST 20 /* SYS_SENDMMSG, the highest the kernel knows */
#define VG_NR64_MMAP 9
#define VG_NR32_MMAP2 192

#include "vg_compat_sock.h"

/* The x86-64 number of a socketcall call vigil decodes and how many words
 * of the array it reads; 0 for a call it does not watch (getsockname,
 * recv...: not watched as direct calls either). */
static __always_inline long socketcall_target(__u32 call, __u32 *words)
{
	switch (call) {
	case VG_SYS_SOCKET:
		*words = 3;
		return 41;
	case VG_SYS_BIND:
		*words = 3;
		return 49;
	case VG_SYS_CONNECT:
		*words = 3;
		return 42;
	case VG_SYS_LISTEN:
		*words = 2;
		return 50;
	case VG_SYS_ACCEPT:
		*words = 3;
		return 43;
	case VG_SYS_SENDTO: /* fd, buf, len, flags, addr, addrlen */
		*words = 6;
		return 44;
	case VG_SYS_SENDMSG: /* fd, msg, flags */
		*words = 3;
		return 46;
	case VG_SYS_ACCEPT4:
		*words = 4;
		return 288;
	case VG_SYS_SENDMMSG: /* fd, vec, vlen, flags */
		*words = 4;
		return 307;
	}
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(vg_socketcall, struct pt_regs *regs, long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 call = regs->bx, words = 0, w[6] = {};
	struct socketcall_sk took = {};
	const struct vg_route *r;
	struct scratch *sc;
	bool changed;
	__u64 name = 0;
	void *uaddr;
	__u32 off;
	long nr;

	/* taken first, before any return: it belongs to this call only */
	changed = socketcall_sk_take(task, &took) && took.state == socketcall_sk_state_of(call);
	if (call == 0 || call > VG_SYS_LAST) { /* the kernel refused it (EINVAL) */
		__sync_fetch_and_add(&compat_seen, 1);
		return 0;
	}
	nr = socketcall_target(call, &words);
	if (nr <= 0 || nr >= VG_NR_SYSCALLS)
		return 0;
	r = &routes[nr];
	if (!r->type || r->type >= VG_ROUTE_GEN) /* turned off: no rule needs it */
		return 0;
	/* only the words this call takes: the array may end at a page's end */
	if (words > ARRAY_SIZE(w) ||
	    bpf_probe_read_user(w, words * sizeof(w[0]), (void *)(unsigned long)(__u32)regs->cx)) {
		__sync_fetch_and_add(&compat_seen, 1);
		return 0;
	}
	/* sendto, sendmsg and sendmmsg: connects only with MSG_FASTOPEN
	 * (vg_fastopen.h); the address is sendto's word 5, or msg_name, the
	 * first member of the 32-bit struct msghdr (a 4-byte pointer), which
	 * starts sendmmsg's first struct mmsghdr too. A send that moved its
	 * socket to SYN_SENT connected, whatever the flags word says now. */
	if (r->variant == VG_V_FASTOPEN) {
		if (!(w[3] & VG_MSG_FASTOPEN) && !changed)
			return 0;
		uaddr = (void *)(unsigned long)w[4];
	} else if (r->variant == VG_V_FASTOPEN_MSG || r->variant == VG_V_FASTOPEN_MMSG) {
		if (!((r->variant == VG_V_FASTOPEN_MSG ? w[2] : w[3]) & VG_MSG_FASTOPEN) && !changed)
			return 0;
		bpf_probe_read_user(&name, 4, (void *)(unsigned long)w[1]);
		uaddr = (void *)name;
	} else {
		uaddr = (void *)(unsigned long)w[1];
	}
	sc = get_scratch();
	if (!sc)
		return 0;
	__builtin_memset(sc->ev + sizeof(struct vg_hdr), 0,
			 sizeof(struct vg_net) - sizeof(struct vg_hdr));
	fill_header((struct vg_hdr *)sc->ev, r->type, task, nr);
	((struct vg_hdr *)sc->ev)->flags |= VG_F_COMPAT | VG_F_SOCKETCALL;
	off = net_fill(sc, r, ret, w[0], w[1], w[2], uaddr);
	if (changed)
		socketcall_sk_fill((struct vg_net *)sc->ev, &took);
	else if (r->type == VG_EV_SOCKET && ret >= 0)
		socketcall_socket_kind((struct vg_net *)sc->ev, ret);
	emit(sc, off);
	return 0;
}

/* The i386 old mmap(args) (90): its six arguments (addr, len, prot, flags,
 * fd, offset) in a struct of 32-bit words in user memory, the way around
 * the W+X filter that mmap2 (192, arguments in registers) does not give.
 * The same filter and record as mmap in vg_sys: a mapping both writable and
 * executable, or executable of a file open for writing (vg_wx.h). The record
 * is numbered as mmap2, which names the same x86-64 mmap (only the unit of
 * the offset differs: bytes here, pages there).
 *
 * The struct can be rewritten by another thread once the kernel copied it
 * (PROT_EXEC cleared: no record). So when the call made a mapping, what it
 * is comes from the kernel: the mapping at the returned address (its
 * vm_flags give the protection, its vm_file the file, bpf_find_vma). The
 * struct is read only for a call that failed (what it asked for). */
#define VG_VM_PROT (PROT_WRITE | PROT_EXEC | 0x1 /* VM_READ */) /* VM_* bits are PROT_* bits */

struct old_mmap_vma {
	__u32 prot;    /* VM_READ | VM_WRITE | VM_EXEC of the mapping */
	__u32 written; /* its file can be written (vg_wx.h) */
	__u64 file;    /* struct file *, as a number; 0 = anonymous */
};

static long old_mmap_vma_cb(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct old_mmap_vma *v = data;
	struct file *f = BPF_CORE_READ(vma, vm_file);

	v->prot = BPF_CORE_READ(vma, vm_flags) & VG_VM_PROT;
	v->file = (__u64)f;
	if (f)
		v->written = (BPF_CORE_READ(f, f_mode) & FMODE_WRITE) ||
			     BPF_CORE_READ(f, f_mapping, i_mmap_writable.counter) > 0 ||
			     BPF_CORE_READ(f, f_inode, i_writecount.counter) > 0;
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(vg_old_mmap, struct pt_regs *regs, long ret)
{
	const struct vg_route *r = &routes[VG_NR64_MMAP];
	struct task_struct *task = bpf_get_current_task_btf();
	struct old_mmap_vma v = {};
	__u32 w[6] = {};
	struct scratch *sc;
	struct vg_sys *e;
	bool written, mapped;
	__u32 off, i;

	if (!r->type || r->type >= VG_ROUTE_GEN) /* turned off: no rule needs it */
		return 0;
	if (bpf_probe_read_user(w, sizeof(w), (void *)(unsigned long)(__u32)regs->bx)) {
		__sync_fetch_and_add(&compat_seen, 1);
		return 0;
	}
	/* a mapping was made (the result is its address, not -errno) */
	mapped = (unsigned long)ret < (unsigned long)-4095L &&
		 !bpf_find_vma(task, ret, old_mmap_vma_cb, &v, 0);
	if (mapped) {
		w[2] = v.prot;
		written = (v.prot & PROT_EXEC) && v.written;
	} else {
		written = exec_map_of_written_file(r, w[2], w[4]);
	}
	if ((w[2] & (PROT_WRITE | PROT_EXEC)) != (PROT_WRITE | PROT_EXEC) && !written)
		return 0;
	sc = get_scratch();
	if (!sc)
		return 0;
	__builtin_memset(sc->ev + sizeof(struct vg_hdr), 0,
			 sizeof(struct vg_sys) - sizeof(struct vg_hdr));
	fill_header((struct vg_hdr *)sc->ev, r->type, task, VG_NR32_MMAP2);
	((struct vg_hdr *)sc->ev)->flags |= VG_F_COMPAT;
	e = (void *)sc->ev;
	e->res = ret;
	for (i = 0; i < 6; i++)
		e->args[i] = w[i];
	e->aux = written;
	if (mapped) /* the file mapped, not the descriptor word */
		off = put_path(sc, sizeof(*e), &e->str, file_path((struct file *)v.file));
	else
		off = put_fd_path(sc, sizeof(*e), &e->str, w[4]);
	emit(sc, off);
	return 0;
}

#endif /* VG_COMPAT_H */
