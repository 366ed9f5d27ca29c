/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* io_uring: opens, connects, renames... that never pass through a system
 * call. Included at the end of sensor.bpf.c, so the records go to the same
 * ring buffer, through the same routes (the in-kernel filter), open
 * coalescing and path generation as the syscalls they stand for.
 *
 * A request is seen at up to three tracepoints:
 *  - io_uring_submit_req: its arguments have been copied into the kernel
 *    (the open's struct filename, the connect's sockaddr), so they are read
 *    from the request, not from user memory another thread may change. The
 *    record is built as far as it can be and parked in uring_pending, keyed
 *    by the request;
 *  - io_uring_complete: the result is known; the parked record gets it, the
 *    base directories and, for an open, the kernel's path of the new
 *    descriptor, and is sent. accept, socket and listen need nothing from
 *    submission and are built here whole (a multishot accept completes many
 *    times);
 *  - io_uring_req_failed: a request the kernel refused before submitting it
 *    (bad flags, a name that could not be copied): built from the SQE, with
 *    its error, and sent at once.
 * Records carry VG_F_IO_URING and the opcode in the top byte of hdr.flags,
 * and are named after the syscall they stand for (hdr.syscall_nr), so rules
 * written for the syscalls match them.
 *
 * Attribution: the header is filled at submission, in the submitting
 * thread; with IORING_SETUP_SQPOLL the kernel's SQPOLL thread submits, and
 * accept, socket and listen are filled at completion, which may run in an
 * io-wq worker. Those kernel threads are threads of the ring owner's
 * process (create_io_thread) with names of their own ("iou-sqp-123"), so a
 * record made in one is filled from the process's main thread, with the
 * thread that created the ring (uring_rings, recorded at io_uring_create)
 * as thread id. */
#ifndef VG_URING_H
#define VG_URING_H

#define VG_PF_IO_WORKER 0x10 /* task->flags: an io_uring thread (a #define, not in BTF) */

/* Request flags (io_kiocb.flags): their bit numbers are an enum without a
 * name in BTF, which CO-RE cannot relocate, so user space reads them from
 * BTF by name before load (src/sensor/uring_setup.c); these are 6.18's. */
const volatile __u64 uring_req_cqe_skip = 1ull << 6;   /* REQ_F_CQE_SKIP: no CQE on success */
const volatile __u64 uring_req_fixed_file = 1ull << 0; /* REQ_F_FIXED_FILE: fd is a slot */
#define VG_URING_OPS 64 /* opcodes we have room for (IORING_OP_LAST is 63 on 6.18) */
/* Open coalescing remembers io_uring opens apart from syscall opens (a rule
 * may ask evt.is_io_uring): this bit, never an open flag, joins their key. */
#define VG_URING_REPEAT_KEY 0x80000000u

/* The syscall each watched opcode is named after and filtered as (its route
 * decides whether it is sent), written by user space from
 * src/sensor/uring_ops.c before load; 0 = not watched. */
__u16 uring_nr[VG_URING_OPS];

/* Records sent at submission without their result: the request asked for
 * no completion (IOSQE_CQE_SKIP_SUCCESS) or uring_pending was full. */
__u64 uring_unpaired;

/* ring (struct io_ring_ctx address) -> the thread that created it */
struct uring_owner {
	__u32 tgid, tid;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH); /* rings are never seen to go: the oldest make room */
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct uring_owner);
} uring_rings SEC(".maps");

/* A record built at submission, waiting for its completion: the fixed part
 * and the raw names as copied by the kernel; the rest comes at completion. */
#define VG_URING_REC_MAX (sizeof(struct vg_file) + 2 * VG_PATH_MAX)
struct uring_pending {
	char rec[VG_URING_REC_MAX];
	__u32 len;	/* bytes of rec in use */
	__s32 dfd, dfd2; /* bases of the raw names, walked at completion */
	__u32 fixed;	/* an open into a registered-file slot: no descriptor to walk */
};

/* Preallocated (512 x 8.3 KiB, about 4.3 MiB): taking an element from the
 * free list costs ~0.1 us, where allocating 8 KiB elements on demand
 * (BPF_F_NO_PREALLOC) measured ~19 us per request in a flood. When it is
 * full, a record is sent at submission without its result (counted). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, __u64);
	__type(value, struct uring_pending);
} uring_pending SEC(".maps");

/* What a request names, read from the request (kernel copies) or, for a
 * request refused before submission, from its SQE (user pointers). */
struct uring_args {
	__u64 name, name2; /* raw paths */
	__u64 addr;	   /* sockaddr */
	__s32 dfd, dfd2, fd;
	__u32 flags, mode, fixed;
	__u32 domain, type, protocol, backlog;
	__u32 from_user; /* name, name2 and addr are user pointers */
};

/* The record type an opcode makes; 0 = none. */
static __always_inline __u32 uring_type_of(__u8 op)
{
	switch (op) {
	case IORING_OP_OPENAT:
	case IORING_OP_OPENAT2:
		return VG_EV_OPEN;
	case IORING_OP_UNLINKAT:
		return VG_EV_UNLINK;
	case IORING_OP_RENAMEAT:
		return VG_EV_RENAME;
	case IORING_OP_LINKAT:
		return VG_EV_LINK;
	case IORING_OP_SYMLINKAT:
		return VG_EV_SYMLINK;
	case IORING_OP_MKDIRAT:
		return VG_EV_MKDIR;
	case IORING_OP_SOCKET:
		return VG_EV_SOCKET;
	case IORING_OP_CONNECT:
		return VG_EV_CONNECT;
	case IORING_OP_ACCEPT:
		return VG_EV_ACCEPT;
	case IORING_OP_BIND:
		return VG_EV_BIND;
	case IORING_OP_LISTEN:
		return VG_EV_LISTEN;
	}
	return 0;
}

/* Built whole at completion: the result and the request are all they need. */
static __always_inline bool uring_at_completion(__u8 op)
{
	return op == IORING_OP_ACCEPT || op == IORING_OP_SOCKET || op == IORING_OP_LISTEN;
}

/* The syscall the opcode stands for, when its record is wanted now (its
 * route is on), else 0. */
static __always_inline __u32 uring_wanted(__u8 op, __u32 *type)
{
	__u32 nr;

	if (op >= VG_URING_OPS)
		return 0;
	nr = uring_nr[op];
	if (!nr || nr >= VG_NR_SYSCALLS)
		return 0;
	*type = uring_type_of(op);
	if (!*type || routes[nr].type != *type)
		return 0;
	return nr;
}

/* The header, for the process that owns the request (see the top). */
static __always_inline void uring_header(struct vg_hdr *h, __u32 type, __u32 nr, __u8 op,
					 struct io_kiocb *req)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct uring_owner *o;
	__u64 ring;

	if (!(task->flags & VG_PF_IO_WORKER)) {
		fill_header(h, type, task, nr);
	} else {
		fill_header(h, type, task->group_leader, nr);
		ring = (__u64)req->ctx;
		o = bpf_map_lookup_elem(&uring_rings, &ring);
		if (o && o->tgid == h->pid)
			h->tid = o->tid;
	}
	h->flags |= VG_F_IO_URING | (__u32)op << VG_URING_OP_SHIFT;
}

/* A string of the request: copied by the kernel, or a user pointer. */
static __always_inline __u32 uring_put_str(struct scratch *sc, __u32 off, struct vg_str *s,
					   __u64 p, bool user)
{
	if (user)
		return put_user_str(sc, off, s, p);
	return put_kernel_str(sc, off, s, p, VG_PATH_MAX);
}

/* A sockaddr (IPv4, IPv6; the family alone for others): the kernel's copy,
 * or user memory. */
static __always_inline void uring_sockaddr(struct vg_sockaddr *a, __u64 addr, bool user)
{
	struct sockaddr_in6 sa = {};
	long err;

	a->family = 0;
	if (!addr)
		return;
	err = user ? bpf_probe_read_user(&sa, sizeof(sa), (void *)addr)
		   : bpf_probe_read_kernel(&sa, sizeof(sa), (void *)addr);
	if (err)
		return;
	a->family = sa.sin6_family;
	a->port = bpf_ntohs(sa.sin6_port);
	if (a->family == AF_INET)
		__builtin_memcpy(a->addr, &((struct sockaddr_in *)&sa)->sin_addr, 4);
	else if (a->family == AF_INET6)
		__builtin_memcpy(a->addr, &sa.sin6_addr, 16);
}

/* Where the kernel keeps its copy of a connect's or bind's address. Since
 * 6.10 the prep copies it into the request's async data: first as the
 * addr member of a struct io_async_msghdr, and on kernels with a later
 * change as the async data itself (a bare sockaddr_storage), for connect
 * and bind alike. BTF cannot tell these apart, so the first connect whose
 * user address matches one of the two places decides for good (1: the
 * data itself, 2: the msghdr's member); until then a connect's address is
 * read from user memory, and a bind's from its socket once it succeeded. */
__u32 uring_addr_layout;

static __always_inline bool same16(__u64 kaddr, __u64 uaddr)
{
	__u64 x[2] = {}, y[2] = {};

	if (bpf_probe_read_kernel(x, sizeof(x), (void *)kaddr) ||
	    bpf_probe_read_user(y, sizeof(y), (void *)uaddr))
		return false;
	return x[0] == y[0] && x[1] == y[1];
}

/* The kernel address of the request's copy of its sockaddr (as an integer:
 * the string helpers take no pointers), or 0. */
static __always_inline __u64 uring_kernel_addr(struct io_kiocb *req, __u8 op)
{
	__u32 *layout = &uring_addr_layout;
	__u64 data = (__u64)BPF_CORE_READ(req, async_data), msg = 0, user;

	if (!data)
		return 0; /* before 6.10: the address stays in user memory until issue */
	if (bpf_core_field_exists(struct io_async_msghdr, addr))
		msg = data + bpf_core_field_offset(struct io_async_msghdr, addr);
	if (*layout == 1)
		return data;
	if (*layout == 2)
		return msg;
	if (op != IORING_OP_CONNECT || !bpf_core_type_exists(struct io_connect))
		return 0; /* bind keeps no user pointer to learn from */
	user = (__u64)BPF_CORE_READ(KPTR(struct io_connect, req), addr);
	if (same16(data, user)) {
		*layout = 1;
		return data;
	}
	if (msg && same16(msg, user)) {
		*layout = 2;
		return msg;
	}
	return 0;
}

/* The arguments of a submitted request, from the kernel's copies. Each
 * command's layout comes from BTF; a kernel without it sends nothing for
 * that opcode. Returns false when there is nothing to read. Names are read
 * with BPF_CORE_READ: a plain load of a char pointer gives the verifier a
 * pointer, and the string helpers take integers. */
static __always_inline bool uring_args_of_req(struct io_kiocb *req, __u8 op, struct uring_args *a)
{
	a->dfd = a->dfd2 = VG_AT_FDCWD;
	switch (op) {
	case IORING_OP_OPENAT:
	case IORING_OP_OPENAT2: {
		struct io_open *o;

		if (!bpf_core_type_exists(struct io_open))
			return false;
		o = KPTR(struct io_open, req);
		a->name = (__u64)BPF_CORE_READ(o, filename, name);
		a->dfd = o->dfd;
		a->flags = o->how.flags;
		a->mode = o->how.mode;
		a->fixed = o->file_slot;
		return true;
	}
	case IORING_OP_UNLINKAT: {
		struct io_unlink *u;

		if (!bpf_core_type_exists(struct io_unlink))
			return false;
		u = KPTR(struct io_unlink, req);
		a->name = (__u64)BPF_CORE_READ(u, filename, name);
		a->dfd = u->dfd;
		a->flags = u->flags;
		return true;
	}
	case IORING_OP_MKDIRAT: {
		struct io_mkdir *m;

		if (!bpf_core_type_exists(struct io_mkdir))
			return false;
		m = KPTR(struct io_mkdir, req);
		a->name = (__u64)BPF_CORE_READ(m, filename, name);
		a->dfd = m->dfd;
		a->mode = m->mode;
		return true;
	}
	case IORING_OP_RENAMEAT: {
		struct io_rename *r;

		if (!bpf_core_type_exists(struct io_rename))
			return false;
		r = KPTR(struct io_rename, req);
		a->name = (__u64)BPF_CORE_READ(r, oldpath, name);
		a->name2 = (__u64)BPF_CORE_READ(r, newpath, name);
		a->dfd = r->old_dfd;
		a->dfd2 = r->new_dfd;
		a->flags = r->flags;
		return true;
	}
	case IORING_OP_LINKAT:
	case IORING_OP_SYMLINKAT: {
		struct io_link *l;

		if (!bpf_core_type_exists(struct io_link))
			return false;
		l = KPTR(struct io_link, req);
		a->name = (__u64)BPF_CORE_READ(l, oldpath, name);
		a->name2 = (__u64)BPF_CORE_READ(l, newpath, name);
		/* symlinkat: the target is content, not resolved (as the syscall) */
		a->dfd = op == IORING_OP_LINKAT ? l->old_dfd : VG_AT_FDCWD;
		a->dfd2 = l->new_dfd;
		a->flags = op == IORING_OP_LINKAT ? l->flags : 0;
		return true;
	}
	case IORING_OP_CONNECT:
	case IORING_OP_BIND:
		a->fd = req->flags & uring_req_fixed_file ? -1 : req->cqe.fd;
		a->addr = uring_kernel_addr(req, op);
		if (!a->addr && op == IORING_OP_CONNECT && bpf_core_type_exists(struct io_connect)) {
			a->addr = (__u64)BPF_CORE_READ(KPTR(struct io_connect, req), addr);
			a->from_user = 1;
		}
		return true;
	}
	return false;
}

/* The arguments of a request refused before submission, from its SQE: the
 * kernel copied nothing, so names are read from user memory (the call
 * failed; what it named is the evidence, not what it did). */
static __always_inline bool uring_args_of_sqe(const struct io_uring_sqe *sqe, __u8 op,
					      struct uring_args *a)
{
	a->dfd = a->dfd2 = VG_AT_FDCWD;
	a->from_user = 1;
	switch (op) {
	case IORING_OP_OPENAT:
	case IORING_OP_OPENAT2:
		a->dfd = sqe->fd;
		a->name = sqe->addr;
		a->flags = op == IORING_OP_OPENAT ? sqe->open_flags : 0;
		a->mode = op == IORING_OP_OPENAT ? sqe->len : 0;
		return true;
	case IORING_OP_UNLINKAT:
		a->dfd = sqe->fd;
		a->name = sqe->addr;
		a->flags = sqe->unlink_flags;
		return true;
	case IORING_OP_MKDIRAT:
		a->dfd = sqe->fd;
		a->name = sqe->addr;
		a->mode = sqe->len;
		return true;
	case IORING_OP_RENAMEAT:
	case IORING_OP_LINKAT:
		a->dfd = sqe->fd;
		a->name = sqe->addr;
		a->dfd2 = sqe->len;
		a->name2 = sqe->addr2;
		a->flags = op == IORING_OP_RENAMEAT ? sqe->rename_flags : sqe->hardlink_flags;
		return true;
	case IORING_OP_SYMLINKAT:
		a->name = sqe->addr;
		a->dfd2 = sqe->fd;
		a->name2 = sqe->addr2;
		return true;
	case IORING_OP_CONNECT:
	case IORING_OP_BIND:
		a->fd = sqe->flags & 1 /* IOSQE_FIXED_FILE */ ? -1 : sqe->fd;
		a->addr = sqe->addr;
		return true;
	}
	return false; /* accept, socket, listen: their completion reports the error */
}

/* Header, fixed part and what the request names, in sc->ev. Returns the
 * record's length so far, or 0 for the monitor's own requests. */
static __always_inline __u32 uring_begin(struct scratch *sc, struct io_kiocb *req, __u32 type,
					 __u32 nr, __u8 op, const struct uring_args *a)
{
	struct vg_hdr *h = (void *)sc->ev;
	bool user = a->from_user;
	__u32 off;

	if (type <= VG_EV_TRUNCATE)
		__builtin_memset(sc->ev + sizeof(*h), 0, sizeof(struct vg_file) - sizeof(*h));
	else
		__builtin_memset(sc->ev + sizeof(*h), 0, sizeof(struct vg_net) - sizeof(*h));
	uring_header(h, type, nr, op, req);
	if (h->pid == self_tgid)
		return 0;
	if (type <= VG_EV_TRUNCATE) {
		struct vg_file *e = (void *)sc->ev;

		e->fd = -1;
		e->flags = a->flags;
		e->mode = a->mode;
		off = sizeof(*e);
		off = uring_put_str(sc, off, &e->path_raw, a->name, user);
		return uring_put_str(sc, off, &e->path2_raw, a->name2, user);
	}
	{
		struct vg_net *e = (void *)sc->ev;
		struct vg_sockaddr *sa = type == VG_EV_CONNECT ? &e->remote : &e->local;

		e->fd = a->fd;
		e->domain = a->domain;
		e->type = a->type;
		e->protocol = a->protocol;
		e->backlog = a->backlog;
		off = sizeof(*e);
		if (type != VG_EV_CONNECT && type != VG_EV_BIND)
			return off;
		uring_sockaddr(sa, a->addr, user);
		e->domain = sa->family;
		if (sa->family == AF_UNIX) /* sun_path follows the 2-byte family */
			off = user ? put_user_str(sc, off, &e->unix_path, a->addr + 2)
				   : put_kernel_str(sc, off, &e->unix_path, a->addr + 2, 108);
		return off;
	}
}

/* Completes the record in sc->ev (off bytes so far) with the result and
 * what only the completion knows, and sends it. */
static __always_inline void uring_finish(struct scratch *sc, struct io_kiocb *req, __u32 type,
					 __u32 off, __s32 dfd, __s32 dfd2, struct file *f, long res)
{
	if (type <= VG_EV_TRUNCATE) {
		struct vg_file *e = (void *)sc->ev;

		e->res = res;
		off = put_base_dir(sc, off, &e->dir, &e->path_raw, dfd);
		off = put_base_dir(sc, off, &e->dir2, &e->path2_raw, dfd2);
		if (f) {
			e->ino = KPTR(struct file, f)->f_inode->i_ino;
			if (open_created(f, e->flags))
				e->hdr.flags |= VG_F_OPEN_CREATED;
			off = put_path(sc, off, &e->path, file_path(f));
		}
	} else {
		struct vg_net *e = (void *)sc->ev;
		struct vg_sockaddr asked = e->remote;

		e->res = res;
		/* the other end from the socket once the call went through;
		 * what the program asked for wins, as for the syscall */
		if (type == VG_EV_CONNECT && (res == 0 || res == -EINPROGRESS)) {
			sockaddr_from_file(e, req->file);
			if (asked.family)
				e->remote = asked;
		} else if (type == VG_EV_LISTEN || (type == VG_EV_BIND && res == 0)) {
			/* a bind: the address the socket got (the port it was given) */
			sockaddr_from_file(e, req->file);
		}
	}
	emit(sc, off);
}

/* ---- the programs ---- */

SEC("tp_btf/io_uring_create")
int BPF_PROG(vg_uring_create, int fd, void *ring, __u32 sq_entries, __u32 cq_entries, __u32 flags)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct uring_owner o = { .tgid = pid_tgid >> 32, .tid = (__u32)pid_tgid };
	__u64 key = (__u64)ring;

	bpf_map_update_elem(&uring_rings, &key, &o, BPF_ANY);
	return 0;
}

static __always_inline int uring_submitted(struct io_kiocb *req)
{
	struct uring_args a = {};
	struct uring_pending *p;
	struct scratch *sc;
	__u64 key = (__u64)req;
	__u32 nr, type, off;
	__u8 op = req->opcode;

	nr = uring_wanted(op, &type);
	if (!nr || uring_at_completion(op) || !uring_args_of_req(req, op, &a))
		return 0;
	sc = get_scratch();
	if (!sc)
		return 0;
	off = uring_begin(sc, req, type, nr, op, &a);
	if (!off)
		return 0;
	p = (void *)sc->ev;
	p->len = off;
	p->dfd = a.dfd;
	p->dfd2 = a.dfd2;
	p->fixed = a.fixed;
	if (!(req->flags & uring_req_cqe_skip) &&
	    !bpf_map_update_elem(&uring_pending, &key, p, BPF_ANY))
		return 0;
	/* No completion to wait for: send it now, without its result. */
	__sync_fetch_and_add(&uring_unpaired, 1);
	((struct vg_hdr *)sc->ev)->flags |= VG_F_URING_NORES;
	uring_finish(sc, req, type, off, a.dfd, a.dfd2, 0, 0);
	return 0;
}

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(vg_uring_submit, struct io_kiocb *req)
{
	return uring_submitted(req);
}

/* Kernels 5.18 to 6.3 name the same tracepoint io_uring_submit_sqe (user
 * space loads this one only there, after checking its argument is the
 * request). */
SEC("tp_btf/io_uring_submit_sqe")
int BPF_PROG(vg_uring_submit_sqe, struct io_kiocb *req)
{
	return uring_submitted(req);
}

SEC("tp_btf/io_uring_complete")
int BPF_PROG(vg_uring_complete, struct io_ring_ctx *ring, void *reqp, struct io_uring_cqe *cqe)
{
	struct io_kiocb *req;
	struct uring_pending *p;
	struct scratch *sc;
	struct file *f = 0;
	__u64 key = (__u64)reqp;
	__u32 nr, type, len, repeats = 0;
	__s32 dfd, dfd2;
	long res;
	__u8 op;

	if (!reqp)
		return 0; /* a CQE of the ring's own (msg_ring...), not of a request */
	req = KPTR(struct io_kiocb, reqp);
	op = req->opcode;
	res = cqe->res;
	/* a rename changes what paths name, whoever made it (see path_gen) */
	if (op >= VG_URING_OPS)
		return 0;
	nr = uring_nr[op];
	if (!nr || nr >= VG_NR_SYSCALLS)
		return 0;
	/* (masked: the compiler folds the bound check into a form the
	 * verifier cannot follow) */
	if (op == IORING_OP_RENAMEAT && res >= 0 && routes[nr & (VG_NR_SYSCALLS - 1)].gen)
		__sync_fetch_and_add(&path_gen, 1);
	sc = get_scratch();
	if (!sc)
		return 0;

	if (uring_at_completion(op)) {
		struct uring_args a = {};
		__u32 off;

		nr = uring_wanted(op, &type);
		if (!nr)
			return 0;
		if (op == IORING_OP_SOCKET && bpf_core_type_exists(struct io_socket)) {
			struct io_socket *s = KPTR(struct io_socket, req);

			a.domain = s->domain;
			a.type = s->type;
			a.protocol = s->protocol;
		} else if (op == IORING_OP_LISTEN && bpf_core_type_exists(struct io_listen)) {
			a.backlog = KPTR(struct io_listen, req)->backlog;
		}
		a.fd = -1;
		off = uring_begin(sc, req, type, nr, op, &a);
		if (!off)
			return 0;
		if (type == VG_EV_SOCKET || type == VG_EV_ACCEPT) {
			struct vg_net *e = (void *)sc->ev;
			bool slot = false; /* into a registered-file slot: res is not a descriptor */

			if (op == IORING_OP_ACCEPT && bpf_core_type_exists(struct io_accept))
				slot = KPTR(struct io_accept, req)->file_slot;
			else if (op == IORING_OP_SOCKET && bpf_core_type_exists(struct io_socket))
				slot = KPTR(struct io_socket, req)->file_slot;
			e->fd = slot ? -1 : res;
			if (type == VG_EV_ACCEPT && !slot && res >= 0)
				sockaddr_from_fd(e, res);
		}
		uring_finish(sc, req, type, off, VG_AT_FDCWD, VG_AT_FDCWD, 0, res);
		return 0;
	}

	p = bpf_map_lookup_elem(&uring_pending, &key);
	if (!p)
		return 0;
	type = ((struct vg_hdr *)p->rec)->type;
	/* The new descriptor's file: the kernel's own path of what was opened
	 * (and the key of open coalescing, as for the syscall). */
	if (type == VG_EV_OPEN && res >= 0 && !p->fixed) {
		__u32 flags = ((struct vg_file *)p->rec)->flags;

		f = fd_to_file(res);
		if (f && coalesce_ns && op == IORING_OP_OPENAT && !open_created(f, flags) &&
		    open_repeats(bpf_get_current_task_btf(), sc, f, flags | VG_URING_REPEAT_KEY,
				 &repeats)) {
			bpf_map_delete_elem(&uring_pending, &key);
			return 0;
		}
	}
	len = p->len;
	dfd = p->dfd;
	dfd2 = p->dfd2;
	if (len > VG_URING_REC_MAX)
		len = VG_URING_REC_MAX;
	bpf_probe_read_kernel(sc->ev, len, p->rec);
	bpf_map_delete_elem(&uring_pending, &key); /* p is gone from here on */
	((struct vg_hdr *)sc->ev)->ts_ns = bpf_ktime_get_boot_ns();
	if (type == VG_EV_OPEN)
		((struct vg_file *)sc->ev)->repeats = repeats;
	uring_finish(sc, req, type, len, dfd, dfd2, f, res);
	return 0;
}

SEC("tp_btf/io_uring_req_failed")
int BPF_PROG(vg_uring_failed, const struct io_uring_sqe *sqe, struct io_kiocb *req, int error)
{
	struct uring_args a = {};
	struct scratch *sc;
	__u64 key = (__u64)req;
	__u32 nr, type, off;
	__u8 op = sqe->opcode;

	/* a record parked under this request's address is stale: its own
	 * completion never came (the address is being reused) */
	bpf_map_delete_elem(&uring_pending, &key);
	nr = uring_wanted(op, &type);
	if (!nr || !uring_args_of_sqe(sqe, op, &a))
		return 0;
	sc = get_scratch();
	if (!sc)
		return 0;
	off = uring_begin(sc, req, type, nr, op, &a);
	if (off)
		uring_finish(sc, req, type, off, a.dfd, a.dfd2, 0, error);
	return 0;
}

#endif
