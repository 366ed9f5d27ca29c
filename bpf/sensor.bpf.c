// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* vigil's kernel sensor.
 *
 * Syscalls: one program on sys_exit runs pH's per-call step (ph_step.h),
 * then reads the syscall number, looks up its
 * route (what record it makes, where its arguments are) and tail-calls the
 * handler of that record's family. Everything is read at exit: the x86-64
 * pt_regs still hold the arguments, the result is known (failed calls are
 * marked), and user memory the kernel just read is paged in. A syscall with
 * no route costs one array load. Process lifecycle comes from the scheduler
 * tracepoints (exec, fork, exit), always on: the process table needs them.
 *
 * Handlers are separate programs in a prog array so the verifier checks each
 * alone (one big switch exceeds its complexity budget with the path walks). */
#include "vg_core.h"
#include "vg_path.h"
#include "ph_step.h"
#include "vg_macros.h"

#define O_WRONLY 01
#define O_CREAT 0100
#define O_TRUNC 01000
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define S_IFDIR 0040000
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define EINPROGRESS 115
#define TS_COMPAT 0x0002
#define PERF_TYPE_MAX 6 /* probes are dynamic PMU types above the fixed ones */
#define FMODE_CREATED 0x100000 /* f_mode: the open created the file (a #define: not in BTF) */
#define OVERLAYFS_SUPER_MAGIC 0x794c7630

/* Routes indexed by x86-64 syscall number, filled by user space. In .bss,
 * which the skeleton maps, so the table can be narrowed while running (the
 * rule engine keeps only what its rules need). */
struct vg_route routes[VG_NR_SYSCALLS] __attribute__((aligned(64)));

/* The same for the 32-bit (i386) ABI, which any process can use with
 * "int $0x80": an attacker's way around a 64-bit-only sensor. */
struct vg_route routes32[VG_NR_SYSCALLS];

/* 32-bit calls left undecoded, counted so user space can say so: the i386
 * socketcall()s with a call number the kernel does not know or an argument
 * array that cannot be read (vg_compat.h). */
__u64 compat_seen;

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, VG_EV_TYPE_MAX);
	__type(key, __u32);
	__type(value, __u32);
} handlers SEC(".maps");

#include "vg_facts.h"
#include "vg_nsmount.h"
#include "vg_wx.h"

static __always_inline bool in_compat_syscall(void)
{
	return bpf_get_current_task_btf()->thread_info.status & TS_COMPAT;
}

static __always_inline const struct vg_route *route_for(long nr, bool compat)
{
	return compat ? &routes32[nr] : &routes[nr];
}

/* Argument pos (1-based) of the current syscall; compat: made through the
 * 32-bit ABI (looked up once per handler: it costs a helper call). */
static __always_inline unsigned long sys_arg(struct pt_regs *regs, bool compat, __u32 pos)
{
	if (compat) {
		switch (pos) { /* 1-based, the i386 calling convention */
		case 1: return (__u32)regs->bx;
		case 2: return (__u32)regs->cx;
		case 3: return (__u32)regs->dx;
		case 4: return (__u32)regs->si;
		case 5: return (__u32)regs->di;
		case 6: return (__u32)regs->bp;
		}
		return 0;
	}
	switch (pos) { /* 1-based, the x86-64 syscall calling convention */
	case 1: return regs->di;
	case 2: return regs->si;
	case 3: return regs->dx;
	case 4: return regs->r10;
	case 5: return regs->r8;
	case 6: return regs->r9;
	}
	return 0;
}

/* The common start of every syscall handler: the route of this syscall and
 * the scratch record, header filled and fixed part zeroed. NULL when there
 * is nothing to do. */
static __always_inline struct scratch *begin_record(struct pt_regs *regs, bool compat,
						    __u32 fixed_size, const struct vg_route **r)
{
	long nr = regs->orig_ax;
	struct scratch *sc;

	if ((unsigned long)nr >= VG_NR_SYSCALLS)
		return 0;
	*r = route_for(nr, compat);
	sc = get_scratch();
	if (!sc)
		return 0;
	__builtin_memset(sc->ev + sizeof(struct vg_hdr), 0, fixed_size - sizeof(struct vg_hdr));
	fill_header((struct vg_hdr *)sc->ev, (*r)->type, bpf_get_current_task_btf(), nr);
	if (compat) /* user space maps the number to x86-64 */
		((struct vg_hdr *)sc->ev)->flags |= VG_F_COMPAT;
	return sc;
}

/* The coalescing window's clock: the kernel's tick count (jiffies, a load
 * the verifier inlines) in ns, not a clock read (a helper call that reads
 * the clock source): every repeated open reads it. A window is then exact to
 * a tick (1-10 ms), next to a window of 1000 ms by default. */
__u64 coalesce_tick_ns;

static __always_inline __u64 coalesce_clock_ns(void)
{
	__u64 tick = coalesce_tick_ns;

	if (!tick) {
		tick = NSEC_PER_SEC / CONFIG_HZ;
		coalesce_tick_ns = tick;
	}
	return bpf_jiffies64() * tick;
}

static __always_inline bool repeat_matches(const struct repeat_slot *s, __u64 dentry, __u64 hash,
					   __u64 mnt, __u64 cred, __u32 exec_id, __u32 tgid,
					   __u32 flags, __u32 gen)
{
	return s->dentry == dentry && s->name_hash == hash && s->mnt == mnt && s->cred == cred &&
	       s->exec_id == exec_id && s->tgid == tgid && s->flags == flags && s->gen == gen;
}

/* True when this successful open repeats one sent less than coalesce_ns ago
 * from this CPU: it is counted, not sent. Otherwise the open claims its slot
 * and *repeats gets the count of the same open's coalesced repeats. */
static __always_inline bool open_repeats(struct task_struct *task, struct scratch *sc,
					 struct file *f, __u32 flags, __u32 *repeats)
{
	struct file *file = KPTR(struct file, f);
	struct dentry *d = file->f_path.dentry;
	struct repeat_slot *s, *way1;
	__u64 now = coalesce_clock_ns(), cred = (__u64)task->cred;
	__u64 hash = d->d_name.hash_len, mnt = (__u64)file->f_path.mnt;
	__u32 exec_id = task->self_exec_id, tgid = task->tgid, gen = path_gen, set;
	bool same;

	/* Sets of two neighbouring slots; a busy neighbour on this CPU evicts
	 * the older one. The set comes from scalars: the verifier forbids
	 * arithmetic on pointers. */
	set = ((((__u32)hash ^ tgid ^ (flags << 3)) * 0x9e3779b1u) >> 24) & (VG_REPEAT_SLOTS - 2);
	s = &sc->repeat[set];
	way1 = &sc->repeat[set + 1];
	same = repeat_matches(s, (__u64)d, hash, mnt, cred, exec_id, tgid, flags, gen);
	if (!same) { /* the other way holds it, or is the older one to replace */
		same = repeat_matches(way1, (__u64)d, hash, mnt, cred, exec_id, tgid, flags, gen);
		if (same || way1->until_ns < s->until_ns)
			s = way1;
	}
	if (same) {
		if (now < s->until_ns) {
			s->suppressed++;
			sc->coalesced++;
			return true;
		}
		*repeats = s->suppressed; /* the window ended: report its repeats */
	}
	s->dentry = (__u64)d;
	s->name_hash = hash;
	s->mnt = mnt;
	s->cred = cred;
	s->exec_id = exec_id;
	s->tgid = tgid;
	s->flags = flags;
	s->gen = gen;
	s->suppressed = 0;
	s->until_ns = now + coalesce_ns;
	return false;
}

/* Did the open that returned f create its file? The kernel marks the file
 * FMODE_CREATED when O_CREAT (or O_TMPFILE) made a new inode; O_CREAT on a
 * file that exists does not. Only opens that asked to create pay the load. */
#define VG_O_TMPFILE 020000000
static __always_inline bool open_created(struct file *f, __u32 flags)
{
	if (!(flags & (O_CREAT | VG_O_TMPFILE)))
		return false;
	return KPTR(struct file, f)->f_mode & FMODE_CREATED;
}

/* The open fast path, in the dispatch itself (no tail call): a successful
 * plain open that repeats one sent less than coalesce_ns ago is counted and
 * dropped here. Otherwise the slot is claimed and the count of the window's
 * repeats left in the scratch for vg_file, which builds the record. An open
 * that created its file is never a repeat: the file it names is new, even
 * when its dentry is the one an earlier open saw. */
static __always_inline bool open_is_repeat(struct task_struct *task, struct pt_regs *regs,
					   bool compat, const struct vg_route *r, long ret)
{
	struct scratch *sc;
	struct file *f;
	__u32 flags, repeats = 0;

	if (!coalesce_ns || ret < 0 || r->variant != VG_V_PLAIN)
		return false;
	sc = get_scratch();
	if (!sc)
		return false;
	f = task_fd_file(task, ret);
	flags = r->flags ? sys_arg(regs, compat, r->flags) : 0;
	if (f && !open_created(f, flags) && open_repeats(task, sc, f, flags, &repeats))
		return true;
	sc->open_repeats = repeats;
	return false;
}

/* Every system call of every task comes here. The common cases return
 * before any helper call of the sensor's own: a number nobody routed (two
 * loads), the monitor's own calls, and a repeated open (above). */
SEC("tp_btf/sys_exit")
int BPF_PROG(vg_sys_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *task;
	long nr = regs->orig_ax;
	const struct vg_route *r;
	bool compat;
	__u32 type;

	/* pH's per-call step, in this same program: one program per call.
	 * It needs the task (a helper call), and passes it on. It gets the
	 * number read above: reading it again cost a second load, through
	 * regs spilled to the stack. */
	task = ph_on ? bpf_get_current_task_btf() : 0;
	if (task)
		ph_sys_exit(task, nr, ret);
	if ((unsigned long)nr >= VG_NR_SYSCALLS)
		return 0;
	/* Most numbers are routed in neither table: two loads and out,
	 * before the check of which ABI this call used. */
	if (!routes[nr].type && !routes32[nr].type)
		return 0;
	if (!task)
		task = bpf_get_current_task_btf();
	compat = task->thread_info.status & TS_COMPAT;
	r = route_for(nr, compat);
	type = r->type;
	if (!type)
		return 0;
	if (r->gen && ret >= 0) /* even the monitor's own renames count */
		__sync_fetch_and_add(&path_gen, 1);
	/* the task's own field: a load instead of a helper call */
	if (type == VG_ROUTE_GEN || (__u32)task->tgid == self_tgid)
		return 0;
	if (type == VG_EV_OPEN && open_is_repeat(task, regs, compat, r, ret))
		return 0;
	bpf_tail_call(ctx, &handlers, type);
	return 0;
}

/* ---- files: open, unlink, rename, link, symlink, chmod, chown, mkdir, truncate ---- */
SEC("tp_btf/sys_exit")
int BPF_PROG(vg_file, struct pt_regs *regs, long ret)
{
	bool compat = in_compat_syscall();
	const struct vg_route *r;
	struct scratch *sc;
	struct vg_file *e;
	struct file *f = 0;
	__u32 off;
	long nr = regs->orig_ax;

	/* A repeated open was settled in vg_sys_exit, which left the count
	 * of the window's repeats (0 when it did not look) in the scratch. */
	/* fallocate: preallocation (modes 0 and KEEP_SIZE) is every logger's
	 * and database's business; punch, collapse and zero destroy content */
	if ((unsigned long)nr < VG_NR_SYSCALLS && route_for(nr, compat)->variant == VG_V_FALLOC &&
	    route_for(nr, compat)->type == VG_EV_TRUNCATE &&
	    !(sys_arg(regs, compat, 2) & (0x02 | 0x08 | 0x10))) /* PUNCH_HOLE, COLLAPSE, ZERO */
		return 0;
	sc = begin_record(regs, compat, sizeof(struct vg_file), &r);
	if (!sc)
		return 0;
	e = (void *)sc->ev;
	if (r->type == VG_EV_OPEN && r->variant == VG_V_PLAIN && ret >= 0 && coalesce_ns)
		e->repeats = sc->open_repeats;
	e->res = ret;
	e->flags = r->flags ? sys_arg(regs, compat, r->flags) : 0;
	e->mode = r->mode ? sys_arg(regs, compat, r->mode) : 0;
	e->uid = r->uid ? sys_arg(regs, compat, r->uid) : 0;
	e->gid = r->gid ? sys_arg(regs, compat, r->gid) : 0;
	e->fd = r->fd ? (__s32)sys_arg(regs, compat, r->fd) : -1;
	if (r->variant == VG_V_CREAT) {
		e->flags = O_CREAT | O_WRONLY | O_TRUNC;
	} else if (r->variant == VG_V_OPENAT2) {
		struct open_how how = {};

		bpf_probe_read_user(&how, sizeof(how), (void *)sys_arg(regs, compat, 3));
		e->flags = how.flags;
		e->mode = how.mode;
	}

	off = sizeof(*e);
	off = put_user_str(sc, off, &e->path_raw, r->path ? sys_arg(regs, compat, r->path) : 0);
	off = put_base_dir(sc, off, &e->dir, &e->path_raw,
			   r->dirfd ? (long)sys_arg(regs, compat, r->dirfd) : VG_AT_FDCWD);
	off = put_user_str(sc, off, &e->path2_raw, r->path2 ? sys_arg(regs, compat, r->path2) : 0);
	off = put_base_dir(sc, off, &e->dir2, &e->path2_raw,
			   r->dirfd2 ? (long)sys_arg(regs, compat, r->dirfd2) : VG_AT_FDCWD);

	/* The kernel's own view of the file when there is one: the opened
	 * descriptor, or the descriptor argument (fchmod, ftruncate...). */
	if (r->type == VG_EV_OPEN && ret >= 0)
		f = fd_to_file(ret);
	else if (r->fd)
		f = fd_to_file(e->fd);
	if (f) {
		e->ino = KPTR(struct file, f)->f_inode->i_ino;
		e->dev = KPTR(struct file, f)->f_inode->i_sb->s_dev;
		parent_dir(KPTR(struct file, f)->f_path.dentry, &e->dir_mode, &e->dir_uid);
		if (r->type == VG_EV_OPEN && open_created(f, e->flags))
			e->hdr.flags |= VG_F_OPEN_CREATED;
		off = put_path(sc, off, &e->path, file_path(f));
	}
	emit(sc, off);
	return 0;
}

/* ---- network ---- */
static __always_inline void sockaddr_from_user(struct vg_sockaddr *a, const void *uaddr)
{
	struct sockaddr_in6 sa = {};

	a->family = 0;
	if (!uaddr || bpf_probe_read_user(&sa, sizeof(sa), uaddr))
		return;
	a->family = sa.sin6_family;
	a->port = bpf_ntohs(sa.sin6_port);
	if (a->family == AF_INET)
		__builtin_memcpy(a->addr, &((struct sockaddr_in *)&sa)->sin_addr, 4);
	else if (a->family == AF_INET6)
		__builtin_memcpy(a->addr, &sa.sin6_addr, 16);
}

/* Fills local and remote addresses from the socket behind file f; returns
 * the socket's family, or 0 if f is not a socket. */
static __always_inline __u16 sockaddr_from_file(struct vg_net *e, struct file *f)
{
	struct socket *sock;
	struct sock *sk;
	__u16 family;

	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return 0;
	sock = BPF_CORE_READ(f, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return 0;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	e->type = BPF_CORE_READ(sock, type);
	e->protocol = BPF_CORE_READ(sk, sk_protocol);
	e->domain = family;
	/* Read into typed locals: BPF_CORE_READ_INTO copies sizeof(*dst),
	 * which for a byte array would be one byte. */
	if (family == AF_INET) {
		__u32 la = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u32 ra = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		e->local.family = e->remote.family = family;
		__builtin_memcpy(e->local.addr, &la, 4);
		__builtin_memcpy(e->remote.addr, &ra, 4);
	} else if (family == AF_INET6) {
		struct in6_addr la = BPF_CORE_READ(sk, __sk_common.skc_v6_rcv_saddr);
		struct in6_addr ra = BPF_CORE_READ(sk, __sk_common.skc_v6_daddr);

		e->local.family = e->remote.family = family;
		__builtin_memcpy(e->local.addr, &la, 16);
		__builtin_memcpy(e->remote.addr, &ra, 16);
	} else {
		return family;
	}
	e->local.port = BPF_CORE_READ(sk, __sk_common.skc_num);
	e->remote.port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	return family;
}

/* The same for the socket behind descriptor fd of the current task. */
static __always_inline __u16 sockaddr_from_fd(struct vg_net *e, long fd)
{
	return sockaddr_from_file(e, fd_to_file(fd));
}

#include "vg_fastopen.h"

/* The record of a network call from its arguments: a1..a3 the first three,
 * uaddr the address a connect or bind names. Shared by vg_net (arguments in
 * registers) and vg_socketcall (in the i386 socketcall's array, vg_compat.h). */
static __always_inline __u32 net_fill(struct scratch *sc, const struct vg_route *r, long ret,
				      unsigned long a1, unsigned long a2, unsigned long a3,
				      void *uaddr)
{
	struct vg_net *e = (void *)sc->ev;
	__u32 off = sizeof(*e);
	__u16 family = 0;

	e->res = ret;
	switch (r->type) {
	case VG_EV_SOCKET:
		e->fd = ret;
		e->domain = a1;
		e->type = a2;
		e->protocol = a3;
		break;
	case VG_EV_ACCEPT:
		e->fd = ret;
		sockaddr_from_fd(e, ret);
		break;
	case VG_EV_LISTEN:
		e->fd = a1;
		e->backlog = a2;
		sockaddr_from_fd(e, e->fd);
		break;
	case VG_EV_CONNECT:
	case VG_EV_BIND:
		/* Once the call went through, both ends come from the socket.
		 * A connect's peer comes from the socket too when it is inet:
		 * another thread may rewrite the sockaddr after the kernel
		 * copied it, so user memory would show an address the
		 * connection never went to. It is read only for failed calls
		 * (nothing else says what was asked), for bind, and for other
		 * families (a unix socket's path). */
		e->fd = a1;
		if (ret >= 0 || ret == -EINPROGRESS)
			family = sockaddr_from_fd(e, e->fd);
		if (r->type == VG_EV_BIND)
			sockaddr_from_user(&e->local, uaddr);
		else if (family != AF_INET && family != AF_INET6)
			sockaddr_from_user(&e->remote, uaddr);
		if (!e->domain)
			e->domain = r->type == VG_EV_CONNECT ? e->remote.family : e->local.family;
		if (e->remote.family == AF_UNIX || e->local.family == AF_UNIX) {
			e->domain = AF_UNIX;
			/* sun_path follows the 2-byte family; abstract names
			 * start with a NUL and come out empty. */
			off = put_user_str(sc, off, &e->unix_path, (__u64)uaddr + 2);
		}
		break;
	}
	return off;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(vg_net, struct pt_regs *regs, long ret)
{
	bool compat = in_compat_syscall();
	const struct vg_route *r;
	struct scratch *sc;
	__u32 off;
	long nr = regs->orig_ax;

	/* sendto and sendmsg are connects only with MSG_FASTOPEN; every other
	 * send is not sent at all (bpf/vg_fastopen.h) */
	if ((unsigned long)nr < VG_NR_SYSCALLS && fastopen_skip(route_for(nr, compat), regs, compat))
		return 0;
	sc = begin_record(regs, compat, sizeof(struct vg_net), &r);
	if (!sc)
		return 0;
	off = net_fill(sc, r, ret, sys_arg(regs, compat, 1), sys_arg(regs, compat, 2),
		       sys_arg(regs, compat, 3), connect_addr(r, regs, compat));
	emit(sc, off);
	return 0;
}

/* The i386 socketcall() multiplexer, decoded into the same records. */
#include "vg_compat.h"

/* ---- bpf() and perf_event_open: what is loaded, attached, detached ---- */

/* The program behind a descriptor of the current task: its type, name
 * and id. Only called with descriptors the kernel just accepted as programs
 * (the call succeeded), and read with checked loads, so a descriptor
 * swapped by another thread gives wrong values, never a fault. */
static __always_inline __u32 put_prog_of_fd(struct scratch *sc, struct vg_sys *e, __u32 off,
					    long fd, bool want_id)
{
	struct file *f = fd_to_file(fd);
	struct bpf_prog *prog;
	struct bpf_prog_aux *aux;

	if (!f)
		return off;
	prog = BPF_CORE_READ(f, private_data);
	if (!prog)
		return off;
	aux = BPF_CORE_READ(prog, aux);
	e->aux = BPF_CORE_READ(prog, type);
	if (want_id)
		e->obj_id = BPF_CORE_READ(aux, id);
	return put_kernel_str(sc, off, &e->str, (__u64)__builtin_preserve_access_index(&aux->name),
			      16);
}

/* The id of the program behind a descriptor. */
static __always_inline __u32 prog_id_of_fd(long fd)
{
	struct file *f = fd_to_file(fd);
	struct bpf_prog *prog;

	if (!f)
		return 0;
	prog = BPF_CORE_READ(f, private_data);
	return prog ? BPF_CORE_READ(prog, aux, id) : 0;
}

/* The process behind a pidfd (its number in the initial pid namespace);
 * 0 when the descriptor is not one the call would accept. */
static __always_inline __u32 pid_of_pidfd(long fd)
{
	struct file *f = fd_to_file(fd);
	struct pid *p;

	if (!f)
		return 0;
	/* anon-inode pidfds keep it in private_data; pidfs (6.9+) in the inode */
	p = BPF_CORE_READ(f, private_data);
	if (!p)
		p = BPF_CORE_READ(f, f_inode, i_private);
	return p ? BPF_CORE_READ(p, numbers[0].nr) : 0;
}

/* The id of the map behind a descriptor. */
static __always_inline __u32 map_id_of_fd(long fd)
{
	struct file *f = fd_to_file(fd);
	struct bpf_map *map;

	if (!f)
		return 0;
	map = BPF_CORE_READ(f, private_data);
	return map ? BPF_CORE_READ(map, id) : 0;
}

/* The id of the link behind a descriptor. */
static __always_inline __u32 link_id_of_fd(long fd)
{
	struct file *f = fd_to_file(fd);
	struct bpf_link *link;

	if (!f)
		return 0;
	link = BPF_CORE_READ(f, private_data);
	return link ? BPF_CORE_READ(link, id) : 0;
}

/* The path of a target descriptor when it is a directory (a cgroup):
 * other targets are interface indexes or descriptors named by number. */
static __always_inline __u32 put_dir_target(struct scratch *sc, struct vg_sys *e, __u32 off,
					    long fd)
{
	struct file *f = fd_to_file(fd);

	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFDIR)
		return off;
	return put_path(sc, off, &e->str3, file_path(f));
}

static __always_inline __u32 bpf_details(struct scratch *sc, struct vg_sys *e, __u32 off, long ret)
{
	union bpf_attr attr = {};
	void *uattr = (void *)e->args[1];

	switch (e->args[0]) {
	case BPF_PROG_LOAD:
		bpf_probe_read_user(&attr, __builtin_offsetof(union bpf_attr, prog_ifindex), uattr);
		e->aux = attr.prog_type;
		e->aux64 = attr.expected_attach_type;
		off = put_user_str(sc, off, &e->str,
				   (__u64)uattr + __builtin_offsetof(union bpf_attr, prog_name));
		if (ret >= 0)
			e->obj_id = prog_id_of_fd(ret);
		break;
	case BPF_LINK_CREATE:
		bpf_probe_read_user(&attr, 32, uattr);
		e->aux64 = attr.link_create.attach_type;
		e->target = attr.link_create.target_fd;
		if (ret >= 0) {
			off = put_prog_of_fd(sc, e, off, attr.link_create.prog_fd, false);
			e->obj_id = link_id_of_fd(ret);
		}
		if (attr.link_create.attach_type == BPF_TRACE_UPROBE_MULTI) {
			off = put_user_str(sc, off, &e->str3, attr.link_create.uprobe_multi.path);
		} else if (attr.link_create.attach_type == BPF_TRACE_KPROBE_MULTI) {
			__u64 sym = 0; /* the first symbol of the list */

			bpf_probe_read_user(&sym, sizeof(sym), (void *)attr.link_create.kprobe_multi.syms);
			off = put_user_str(sc, off, &e->str3, sym);
		} else if (ret >= 0) {
			off = put_dir_target(sc, e, off, attr.link_create.target_fd);
		}
		break;
	case BPF_PROG_ATTACH:
		bpf_probe_read_user(&attr, 16, uattr);
		e->aux64 = attr.attach_type;
		e->target = attr.target_fd;
		if (ret >= 0) {
			off = put_prog_of_fd(sc, e, off, attr.attach_bpf_fd, true);
			off = put_dir_target(sc, e, off, attr.target_fd);
		}
		break;
	case BPF_RAW_TRACEPOINT_OPEN:
		bpf_probe_read_user(&attr, 16, uattr);
		off = put_user_str(sc, off, &e->str3, attr.raw_tracepoint.name);
		if (ret >= 0) {
			off = put_prog_of_fd(sc, e, off, attr.raw_tracepoint.prog_fd, false);
			e->obj_id = link_id_of_fd(ret);
		}
		break;
	case BPF_LINK_DETACH:
		bpf_probe_read_user(&attr, 4, uattr);
		e->target = attr.link_detach.link_fd;
		e->obj_id = link_id_of_fd(attr.link_detach.link_fd);
		break;
	case BPF_LINK_UPDATE: /* another program behind an existing link */
		bpf_probe_read_user(&attr, 4, uattr);
		e->target = attr.link_update.link_fd;
		e->obj_id = link_id_of_fd(attr.link_update.link_fd);
		break;
	case BPF_MAP_UPDATE_ELEM:
	case BPF_MAP_DELETE_ELEM:
	case BPF_MAP_FREEZE:
	case BPF_MAP_UPDATE_BATCH:
	case BPF_MAP_DELETE_BATCH:
		/* which map: self-protection knows the ids of its own (deleting
		 * an entry of a program array silences a monitor that stays
		 * attached); batch commands keep map_fd further in */
		if (e->args[0] == BPF_MAP_UPDATE_BATCH || e->args[0] == BPF_MAP_DELETE_BATCH)
			bpf_probe_read_user(&attr, 32, uattr);
		else
			bpf_probe_read_user(&attr, 4, uattr);
		e->target = e->args[0] == BPF_MAP_UPDATE_BATCH || e->args[0] == BPF_MAP_DELETE_BATCH
				    ? attr.batch.map_fd
				    : attr.map_fd;
		e->obj_id = map_id_of_fd(e->target);
		break;
	}
	return off;
}

/* Set by user space before load from /sys/bus/event_source/devices/
 * {uprobe,kprobe}/type; 0 = that PMU is not on this kernel. */
const volatile __u32 uprobe_pmu_type = 0;
const volatile __u32 kprobe_pmu_type = 0;

static __always_inline __u32 perf_details(struct scratch *sc, struct vg_sys *e, __u32 off)
{
	struct perf_event_attr pa = {};
	bool want_str;

	bpf_probe_read_user(&pa, 72, (void *)e->args[0]); /* up to config2 */
	e->target_pid = e->args[1];
	e->aux = pa.type;
	e->aux64 = pa.config2; /* probe offset, or kprobe address */
	e->config = pa.config;
	if (pa.type == PERF_TYPE_TRACEPOINT)
		e->probe = VG_PROBE_TRACEPOINT;
	else if (uprobe_pmu_type && pa.type == uprobe_pmu_type)
		e->probe = pa.config & 1 ? VG_PROBE_URETPROBE : VG_PROBE_UPROBE;
	else if (kprobe_pmu_type && pa.type == kprobe_pmu_type)
		e->probe = pa.config & 1 ? VG_PROBE_KRETPROBE : VG_PROBE_KPROBE;
	/* config1 is the uprobe path or the kprobe function, a user string;
	 * when the PMU types are unknown, any dynamic PMU may be a probe. */
	if (e->probe == VG_PROBE_UPROBE || e->probe == VG_PROBE_URETPROBE ||
	    e->probe == VG_PROBE_KPROBE || e->probe == VG_PROBE_KRETPROBE)
		want_str = true;
	else
		want_str = !uprobe_pmu_type && pa.type >= PERF_TYPE_MAX;
	if (want_str && pa.config1)
		off = put_user_str(sc, off, &e->str, pa.config1);
	return off;
}

/* ---- privileges, process control, kernel and BPF ---- */

/* A descriptor duplicated onto standard input, output or error: dup2/dup3
 * name it (argument 2), dup and fcntl(F_DUPFD) return it (the lowest free
 * one: 0 after close(0)). fcntl's other commands are not dups. */
static __always_inline bool dup_onto_stdio(__u8 variant, unsigned long arg2, long ret)
{
	if (variant == VG_V_DUP_RES)
		return ret >= 0 && ret <= 2;
	if (variant == VG_V_FCNTL_DUP)
		return (arg2 == 0 /* F_DUPFD */ || arg2 == 1030 /* F_DUPFD_CLOEXEC */) &&
		       ret >= 0 && ret <= 2;
	return arg2 <= 2;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(vg_sys, struct pt_regs *regs, long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	const struct vg_route *r;
	struct scratch *sc;
	struct vg_sys *e;
	__u32 off, i, type;
	long nr = regs->orig_ax;
	bool compat = in_compat_syscall(), after_write = false;

	/* Filters that need the arguments, before any work: only W+X
	 * mappings (or memory made executable after it was written), only
	 * dups onto standard input/output/error. */
	if ((unsigned long)nr >= VG_NR_SYSCALLS)
		return 0;
	type = route_for(nr, compat)->type;
	if (type == VG_EV_MPROTECT) {
		after_write = exec_after_write(route_for(nr, compat), sys_arg(regs, compat, 1),
					       sys_arg(regs, compat, 3), ret);
		if ((sys_arg(regs, compat, 3) & (PROT_WRITE | PROT_EXEC)) != (PROT_WRITE | PROT_EXEC) &&
		    !exec_map_of_written_file(route_for(nr, compat), sys_arg(regs, compat, 3),
					      sys_arg(regs, compat, 5)) &&
		    !after_write)
			return 0;
	}
	if (type == VG_EV_DUP && !dup_onto_stdio(route_for(nr, compat)->variant,
						 sys_arg(regs, compat, 2), ret))
		return 0;
	if (nsmount_skip(route_for(nr, compat), sys_arg(regs, compat, 1),
			 sys_arg(regs, compat, 2), ret))
		return 0;
	sc = begin_record(regs, compat, sizeof(struct vg_sys), &r);
	if (!sc)
		return 0;
	e = (void *)sc->ev;
	e->res = ret;
	for (i = 0; i < 6; i++)
		e->args[i] = sys_arg(regs, compat, i + 1);
	off = sizeof(*e);
	off = put_user_str(sc, off, &e->str, r->path ? sys_arg(regs, compat, r->path) : 0);
	if (r->fd)
		off = put_fd_path(sc, off, &e->str, sys_arg(regs, compat, r->fd));
	off = put_user_str(sc, off, &e->str2, r->path2 ? sys_arg(regs, compat, r->path2) : 0);

	switch (r->type) {
	case VG_EV_SETUID:
		e->new_uid = BPF_CORE_READ(task, cred, uid.val);
		e->new_euid = BPF_CORE_READ(task, cred, euid.val);
		setid_ids(e, task);
		break;
	case VG_EV_SETGID:
		e->new_uid = BPF_CORE_READ(task, cred, gid.val);
		e->new_euid = BPF_CORE_READ(task, cred, egid.val);
		setid_ids(e, task);
		break;
	case VG_EV_PTRACE:
		e->target_pid = e->args[1];
		break;
	case VG_EV_PROCESS_VM_WRITEV:
		e->target_pid = e->args[0];
		break;
	case VG_EV_KILL:
		e->target_pid = e->args[0];
		e->aux = r->variant == VG_V_TGKILL ? e->args[2] : e->args[1];
		if (r->variant == VG_V_PIDFD) /* a pidfd's file holds its struct pid */
			e->target_pid = pid_of_pidfd(e->args[0]);
		break;
	case VG_EV_DUP: {
		/* What now sits on 0/1/2: a socket there is a reverse shell. */
		struct file *f = fd_to_file(r->variant == VG_V_PLAIN ? e->args[1] : ret);

		if (f && ret >= 0) {
			e->aux = BPF_CORE_READ(f, f_inode, i_mode);
			/* and for a socket, its family (AF_INET...) */
			if ((e->aux & S_IFMT) == S_IFSOCK) {
				struct socket *sock = BPF_CORE_READ(f, private_data);

				e->aux64 = BPF_CORE_READ(sock, sk, __sk_common.skc_family);
			}
		}
		break;
	}
	case VG_EV_BPF:
		off = bpf_details(sc, e, off, ret);
		break;
	case VG_EV_PERF_EVENT_OPEN:
		off = perf_details(sc, e, off);
		break;
	}
	off = nsmount_details(sc, e, off, r, task);
	if (r->type == VG_EV_MPROTECT && r->fd) /* mmap: was the file open for writing? */
		e->aux = exec_map_of_written_file(r, e->args[2], e->args[4]);
	else if (r->type == VG_EV_MPROTECT) /* mprotect: made written memory executable? */
		e->aux = after_write;
	emit(sc, off);
	return 0;
}

/* ---- process lifecycle ---- */

/* Loader variables copied from the environment at exec: enough to see
 * LD_PRELOAD hijacks without shipping the whole environment (secrets).
 * The scan state lives in the scratch map, not on the stack: the verifier
 * tracks stack values exactly and would re-verify the callback for every
 * offset; map values are just bounded scalars, so one pass converges. */
static __always_inline int has_prefix(const char *s, const char *pfx, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] != pfx[i])
			return 0;
	return 1;
}

/* Little-endian 8-byte words, so a name compares in one or two loads
 * instead of a branch per byte (byte loops blow the verifier's jump
 * history inside the bpf_loop callback). */
#define W(a, b, c, d, e, f, g, h)                                                                  \
	((__u64)(a) | (__u64)(b) << 8 | (__u64)(c) << 16 | (__u64)(d) << 24 | (__u64)(e) << 32 |   \
	 (__u64)(f) << 40 | (__u64)(g) << 48 | (__u64)(h) << 56)

static __always_inline int is_loader_var(const char *name)
{
	__u64 w0 = *(const __u64 *)name, w1 = *(const __u64 *)(name + 8);

	if (w0 == W('L', 'D', '_', 'P', 'R', 'E', 'L', 'O'))
		return (w1 & 0xffffff) == W('A', 'D', '=', 0, 0, 0, 0, 0);
	if (w0 == W('L', 'D', '_', 'A', 'U', 'D', 'I', 'T'))
		return (w1 & 0xff) == '=';
	if (w0 == W('L', 'D', '_', 'L', 'I', 'B', 'R', 'A'))
		return w1 == W('R', 'Y', '_', 'P', 'A', 'T', 'H', '=');
	return 0;
}

static long env_step(__u32 i, void *arg)
{
	struct scratch *sc = get_scratch();
	struct env_ctx *c;
	long n;

	if (!sc)
		return 1;
	c = &sc->env;
	if (c->p >= c->end)
		return 1;
	n = bpf_probe_read_user_str(sc->name, sizeof(sc->name), (void *)c->p);
	if (n <= 0)
		return 1;
	if (n == sizeof(sc->name)) {
		/* A long variable: learn its length through the path buffer. */
		if ((*(const __u64 *)sc->name & 0xffffff) == W('L', 'D', '_', 0, 0, 0, 0, 0))
			c->trunc = 1;
		n = bpf_probe_read_user_str(sc->path, VG_PATH_MAX, (void *)c->p);
		if (n <= 0 || n == VG_PATH_MAX)
			return 1;
	} else if (n > 9 && is_loader_var(sc->name)) {
		if (c->off - c->start + n > VG_ENV_MAX) {
			c->trunc = 1;
		} else {
			bpf_probe_read_kernel(&sc->ev[c->off & EV_MASK], n & 255, sc->name);
			c->off += n;
		}
	}
	c->p += n;
	return 0;
}

/* A task's session id or process group id (signal->pids[PIDTYPE_SID] or
 * [PIDTYPE_PGID]): its leader's pid as the host's (initial) pid namespace
 * numbers it, the numbers the process table uses. */
static __always_inline __u32 host_pid_nr(struct pid *pid)
{
	return pid ? pid->numbers[0].nr : 0;
}

/* Overlayfs keeps, next to the VFS inode of each of its files, the dentry
 * of the file in the upper (writable) layer, NULL while the file exists
 * only in a lower layer. Only these two members are needed; CO-RE finds
 * their offsets in the kernel's (or the overlay module's) BTF. */
struct ovl_inode___vg {
	struct inode vfs_inode;
	struct dentry *__upperdentry;
} __attribute__((preserve_access_index));

/* VG_F_EXE_UPPER_LAYER or VG_F_EXE_LOWER_LAYER for an executable on an
 * overlayfs, 0 for any other file system or a kernel without overlay BTF.
 * An exec (not an open) reads this: its cost is a few loads per exec. */
static __always_inline __u32 exe_layer(struct file *exe)
{
	struct inode *inode = BPF_CORE_READ(exe, f_inode);
	struct ovl_inode___vg *oi;

	if (!inode || BPF_CORE_READ(inode, i_sb, s_magic) != OVERLAYFS_SUPER_MAGIC)
		return 0;
	if (!bpf_core_field_exists(struct ovl_inode___vg, __upperdentry) ||
	    !bpf_core_field_exists(struct ovl_inode___vg, vfs_inode))
		return 0;
	/* the overlay inode holds the VFS inode: step back to its start */
	oi = (void *)((char *)inode - bpf_core_field_offset(struct ovl_inode___vg, vfs_inode));
	return BPF_CORE_READ(oi, __upperdentry) ? VG_F_EXE_UPPER_LAYER : VG_F_EXE_LOWER_LAYER;
}

/* The executable's ctime and mtime (Falco's proc.exe_ino.ctime/mtime: a file
 * changed just before it runs). Kernels since 6.11 keep each time as seconds
 * and nanoseconds; older layouts are left unknown. The top bit of the ctime's
 * nanoseconds is a flag of multigrain timestamps (I_CTIME_QUERIED, a #define,
 * not in BTF), not part of the time. */
#define I_CTIME_QUERIED (1u << 31)

static __always_inline void exe_times(struct inode *inode, struct vg_exec *e)
{
	if (!inode || !bpf_core_field_exists(inode->i_ctime_sec))
		return;
	e->exe_ctime_ns = BPF_CORE_READ(inode, i_ctime_sec) * NSEC_PER_SEC +
			  (BPF_CORE_READ(inode, i_ctime_nsec) & ~I_CTIME_QUERIED);
	e->exe_mtime_ns = BPF_CORE_READ(inode, i_mtime_sec) * NSEC_PER_SEC +
			  BPF_CORE_READ(inode, i_mtime_nsec);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(vg_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct scratch *sc = get_scratch();
	struct env_ctx *ec;
	struct file *exe;
	struct tty_struct *tty;
	struct vg_exec *e;
	unsigned long a0, a1;
	char prefix[6] = {};
	__u32 off, n;

	if (p->tgid == self_tgid)
		return 0;
	/* the task's one entry, for its ids (a set-id executable changed
	 * them) and pH's new window: made once, for both */
	ph_exec(p, cred_remember(p), bprm);
	if (!sc)
		return 0;
	e = (void *)sc->ev;
	__builtin_memset((char *)e + sizeof(e->hdr), 0, sizeof(*e) - sizeof(e->hdr));
	fill_header(&e->hdr, VG_EV_EXEC, p, -1);
	if (exec_caps_from_file(p))
		e->hdr.flags |= VG_F_EXEC_CAPS_RAISED;
	/* Guarded loads through the task's BTF type, not probe reads: every
	 * exec pays these (a probe read costs tens of ns, a load a few). */
	e->euid = p->cred->euid.val;
	e->egid = p->cred->egid.val;
	e->loginuid = p->loginuid.val;
	e->argc = bprm->argc;
	e->pid_ns = p->nsproxy->pid_ns_for_children->ns.inum;
	e->mnt_ns = p->nsproxy->mnt_ns->ns.inum;
	e->start_ns = p->start_boottime;
	e->sid = host_pid_nr(p->signal->pids[PIDTYPE_SID]);
	e->pgid = host_pid_nr(p->signal->pids[PIDTYPE_PGID]);
	/* the namespace the process's children go to: its own unless it
	 * unshared one, as pid_ns above */
	e->pidns_start_ns = p->nsproxy->pid_ns_for_children->child_reaper->start_boottime;
	{
		__u64 cap = p->cred->cap_effective.val;

		e->cap_effective_lo = (__u32)cap;
		e->cap_effective_hi = cap >> 32;
	}

	off = sizeof(*e);
	/* a number, for the global functions; KPTR() types it for loads */
	exe = (struct file *)KLOAD_U64(&p->mm->exe_file);
	if (exe) {
		e->exe_ino = KPTR(struct file, exe)->f_inode->i_ino;
		e->exe_dev = KPTR(struct file, exe)->f_inode->i_sb->s_dev;
		parent_dir(KPTR(struct file, exe)->f_path.dentry, &e->dir_mode, &e->dir_uid);
		exe_times(BPF_CORE_READ(exe, f_inode), e);
		bpf_probe_read_kernel(prefix, sizeof(prefix), BPF_CORE_READ(exe, f_path.dentry, d_name.name));
		if (has_prefix(prefix, "memfd:", 6))
			e->hdr.flags |= VG_F_EXE_MEMFD;
		else if (KPTR(struct file, exe)->f_inode->i_nlink == 0)
			e->hdr.flags |= VG_F_EXE_DELETED;
		e->hdr.flags |= exe_layer(exe);
		off = put_path(sc, off, &e->exe, file_path(exe));
	}
	off = put_kernel_str(sc, off, &e->filename, KLOAD_U64(&bprm->filename), VG_PATH_MAX);

	/* argv: the new stack holds it between arg_start and arg_end */
	a0 = p->mm->arg_start;
	a1 = p->mm->arg_end;
	n = a1 - a0;
	if (n > VG_ARGS_MAX) {
		n = VG_ARGS_MAX;
		e->hdr.flags |= VG_F_ARGS_TRUNC;
	}
	if (off <= VG_EVENT_MAX - VG_ARGS_MAX && n > 0 &&
	    !bpf_probe_read_user(&sc->ev[str_room(off)], n & (VG_ARGS_MAX - 1) ?: VG_ARGS_MAX, (void *)a0)) {
		e->args.off = off;
		e->args.len = n;
		off += n;
	}

	{
		struct fs_struct *fs = (struct fs_struct *)KLOAD_U64(&p->fs);

		off = put_path(sc, off, &e->cwd, (__u64)__builtin_preserve_access_index(&fs->pwd));
	}

	put_stdio(&e->stdio[0], 0);
	put_stdio(&e->stdio[1], 1);
	put_stdio(&e->stdio[2], 2);

	tty = (struct tty_struct *)KLOAD_U64(&p->signal->tty); /* a number, as exe */
	if (tty) {
		struct tty_struct *t = KPTR(struct tty_struct, tty);
		__u32 major = t->driver->major;
		__u32 minor = t->driver->minor_start + t->index;

		e->tty_nr = (major << 20) | minor;
		off = put_kernel_str(sc, off, &e->tty, (__u64)__builtin_preserve_access_index(&tty->name), 64);
	}

	if (off <= VG_EVENT_MAX - VG_ENV_MAX - 256) {
		ec = &sc->env;
		ec->p = p->mm->env_start;
		ec->end = p->mm->env_end;
		ec->off = ec->start = off;
		ec->trunc = 0;
		bpf_loop(512, env_step, NULL, 0);
		if (ec->p < ec->end)
			ec->trunc = 1;
		if (ec->off > ec->start && ec->off - ec->start <= VG_ENV_MAX) {
			e->env.off = ec->start;
			e->env.len = ec->off - ec->start;
			off = ec->off;
		}
		if (ec->trunc)
			e->hdr.flags |= VG_F_ENV_TRUNC;
	}
	emit(sc, off);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(vg_fork, struct task_struct *parent, struct task_struct *child)
{
	struct scratch *sc;
	struct vg_fork *e;

	if (parent->tgid == self_tgid)
		return 0;
	/* every new task, thread or process, starts with its creator's ids
	 * and pH's state: one entry for both, made once */
	ph_fork(parent, cred_remember(child));
	/* Threads share the process: only new processes go to user space. */
	if (child->pid != child->tgid)
		return 0;
	sc = get_scratch();
	if (!sc)
		return 0;
	e = (void *)sc->ev;
	fill_header(&e->hdr, VG_EV_FORK, parent, -1);
	e->child_pid = child->tgid;
	e->child_tid = child->pid;
	e->child_start_ns = child->start_boottime;
	e->sid = host_pid_nr(parent->signal->pids[PIDTYPE_SID]);
	e->pgid = host_pid_nr(parent->signal->pids[PIDTYPE_PGID]);
	emit(sc, sizeof(*e));
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(vg_exit, struct task_struct *p, bool group_dead)
{
	struct scratch *sc;
	struct vg_exit *e;

	if (p->tgid == self_tgid)
		return 0;
	ph_exit(p); /* every thread's last call and pending calls */
	/* One record per process, when its last thread goes. */
	if (!group_dead)
		return 0;
	sc = get_scratch();
	if (!sc)
		return 0;
	e = (void *)sc->ev;
	fill_header(&e->hdr, VG_EV_EXIT, p, -1);
	e->exit_code = p->exit_code;
	e->pad = 0;
	emit(sc, sizeof(*e));
	return 0;
}

/* io_uring: the same records for requests that never pass through a syscall. */
#include "vg_uring.h"
