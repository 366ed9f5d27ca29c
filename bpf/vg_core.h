/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* The sensor's plumbing shared by every program: maps, the per-CPU scratch
 * record, the common header, string copies and the ring-buffer submit with
 * drop counting. Included by sensor.bpf.c only (one compilation unit). */
#ifndef VG_CORE_H
#define VG_CORE_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <vigil/events.h>

/* Masks used to prove bounds to the verifier: offsets are ANDed with them
 * before every variable-offset write. They only work because the sizes are
 * powers of two and the buffers are twice as large as the masked range. */
#define EV_MASK (VG_EVENT_MAX - 1)
#define PATH_MASK (VG_PATH_MAX - 1)
#define STR_MAX_PATH (VG_PATH_MAX)

_Static_assert((VG_EVENT_MAX & (VG_EVENT_MAX - 1)) == 0, "VG_EVENT_MAX must be a power of two");
_Static_assert((VG_PATH_MAX & (VG_PATH_MAX - 1)) == 0, "VG_PATH_MAX must be a power of two");

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Kernel structures are read with plain loads through BTF-typed pointers
 * where we can: the JIT turns them into guarded loads that cost a few ns,
 * where a bpf_probe_read_kernel() call costs tens. bpf_rdonly_cast() gives
 * an address kept as an integer (global functions take no kernel pointers)
 * its type back; the verifier turns it into a plain register move. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
#define KPTR(type, addr) ((type *)bpf_rdonly_cast((const void *)(addr), bpf_core_type_id_kernel(type)))
/* The 8 bytes at a kernel address, as a number: a pointer field read this
 * way stays an integer the global functions accept (a pointer read through
 * its BTF type would be typed). One guarded load; timespec64's first member
 * is 8 bytes read as a number in every kernel. */
#define KLOAD_U64(addr) ((__u64)KPTR(struct timespec64, (addr))->tv_sec)

/* Set by user space before load. */
const volatile __u32 self_tgid = 0;	     /* never report the monitor itself */
const volatile __u64 wakeup_bytes = 65536; /* wake the reader past this backlog */
const volatile __u64 coalesce_ns = 0;	     /* window of open coalescing; 0 = off */
/* Load shedding (emit()): past these backlogs of the ring, records are
 * counted in shed[] instead of sent. User space sets them from the ring's
 * size (1/2 and 3/4); ~0 never sheds. */
const volatile __u64 shed_bulk_bytes = ~0ull;  /* shed the file family */
const volatile __u64 shed_vital_bytes = ~0ull; /* send vital records only */
const volatile __u32 shed_check_bytes = ~0u;   /* read the backlog at least this often */

/* Bumped by every call that can change the path a dentry names (rename,
 * mount, chroot...): coalesced opens remembered before it are forgotten.
 * A cache line of its own: a rename anywhere writes it, and the routes
 * (sensor.bpf.c, aligned too) are read on every call of every CPU. */
__u32 path_gen __attribute__((aligned(64)));

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20); /* user space resizes before load */
} events SEC(".maps");

/* Records that did not fit in the ring buffer, per CPU and per type. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VG_EV_TYPE_MAX);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* Records shed to keep room for vital ones (emit()), per CPU and per type:
 * never silent, but apart from ring-full drops. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VG_EV_TYPE_MAX);
	__type(key, __u32);
	__type(value, __u64);
} shed SEC(".maps");

/* One record is built here and copied out with bpf_ringbuf_output(): the
 * ring buffer's reserve needs a constant size and our records are variable.
 * Buffers are twice the masked range so masked offset + bounded length stays
 * inside (see EV_MASK). */
struct env_ctx {
	__u64 p, end;
	__u32 off, start;
	__u32 trunc, pad;
};

/* Open coalescing: an open that repeats one sent less than coalesce_ns ago
 * (same process image, credentials, file name, mount and flags) is counted
 * instead of sent. Everything a rule can see of it is the same as in the
 * record already sent but the time, thread and descriptor number. */
struct repeat_slot {
	__u64 dentry, name_hash, mnt; /* the name: dentry, its name's hash+len, mount */
	__u64 cred;		      /* as whom */
	__u32 exec_id, tgid;	      /* which process, running which program image */
	__u32 flags, gen;	      /* open flags; path_gen when sent */
	__u64 until_ns;		      /* end of the window */
	__u32 suppressed, pad;	      /* repeats counted in this window */
} __attribute__((aligned(64)));	      /* one cache line */
#define VG_REPEAT_SLOTS 256 /* per CPU, in sets of two */

struct scratch {
	__u64 sent;	 /* records sent from this CPU, to pace backlog checks */
	__u64 coalesced; /* opens coalesced on this CPU (read by user space) */
	__u32 open_repeats; /* vg_sys_exit to vg_file: the repeats of the open being sent */
	__u32 shed_level;   /* emit(): what this CPU sheds now (VG_SHED_*) */
	__u64 shed_at_ns;   /* emit(): when shed_level was last set */
	__u32 unchecked;    /* emit(): bytes of records since the backlog was last read */
	__u32 pad;
	struct repeat_slot repeat[VG_REPEAT_SLOTS];
	struct env_ctx env; /* exec: state of the environment scan */
	char ev[2 * VG_EVENT_MAX];
	char path[2 * VG_PATH_MAX]; /* a path is assembled backwards here */
	char name[256];		    /* small reads (env variable prefixes) */
};

/* One scratch per CPU. A plain array indexed by CPU rather than a per-CPU
 * array: per-CPU values are limited to 32 KiB. User space sizes it to the
 * number of possible CPUs. Programs run with migration disabled, so the CPU
 * cannot change under us. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

static __always_inline struct scratch *get_scratch(void)
{
	__u32 cpu = bpf_get_smp_processor_id();

	return bpf_map_lookup_elem(&scratch_map, &cpu);
}

static __always_inline void fill_header(struct vg_hdr *h, __u16 type, struct task_struct *task,
					__s32 nr)
{
	const struct cred *cred = task->cred;

	/* Direct loads from the (trusted) task: no helper calls but two. */
	h->type = type;
	h->size = 0;
	h->flags = 0;
	h->ts_ns = bpf_ktime_get_boot_ns();
	h->pid = task->tgid;
	h->tid = task->pid;
	h->ppid = task->real_parent->tgid;
	h->uid = cred->uid.val;
	h->gid = cred->gid.val;
	h->syscall_nr = nr;
	h->cgroup_id = bpf_get_current_cgroup_id();
	__builtin_memcpy(h->comm, task->comm, sizeof(h->comm));
}

/* The offset where the next string goes, bounded for the verifier. */
static __always_inline __u32 str_room(__u32 off)
{
	return off & EV_MASK;
}

/* The string helpers below are global functions (noinline, not static):
 * the verifier checks a global function once, on its own, instead of again
 * at every call site with every possible offset. That keeps the handlers,
 * which append up to five strings, far under the complexity limit. Pointers
 * into the kernel are passed as integers: a global function may only take
 * pointers to memory the verifier can size. */
#define VG_GLOBAL __attribute__((noinline))

/* Copies a user string into the record; returns the new offset. */
VG_GLOBAL __u32 put_user_str(struct scratch *sc, __u32 off, struct vg_str *s, __u64 uptr)
{
	long n;

	if (!sc || !s)
		return off;
	s->off = 0;
	s->len = 0;
	if (!uptr || off > VG_EVENT_MAX - STR_MAX_PATH)
		return off;
	n = bpf_probe_read_user_str(&sc->ev[str_room(off)], STR_MAX_PATH, (void *)uptr);
	if (n <= 0)
		return off;
	if (n == STR_MAX_PATH)
		((struct vg_hdr *)sc->ev)->flags |= VG_F_PATH_TRUNC;
	s->off = off;
	s->len = n - 1;
	return off + n;
}

/* Same for a kernel string (bprm->filename, tty name). */
VG_GLOBAL __u32 put_kernel_str(struct scratch *sc, __u32 off, struct vg_str *s, __u64 kptr,
			       __u32 max)
{
	long n;

	if (!sc || !s)
		return off;
	s->off = 0;
	s->len = 0;
	if (!kptr || off > VG_EVENT_MAX - STR_MAX_PATH)
		return off;
	if (max > STR_MAX_PATH)
		max = STR_MAX_PATH;
	n = bpf_probe_read_kernel_str(&sc->ev[str_room(off)], max, (void *)kptr);
	if (n <= 0)
		return off;
	s->off = off;
	s->len = n - 1;
	return off + n;
}

#include "vg_shed.h"

/* Sends the record in sc->ev (size bytes), sheds it (vg_shed.h) or counts
 * it as dropped. Wakes the reader only when a backlog builds up: a wake-up
 * per record would cost more than the record (the reader also polls on a
 * short timer). The backlog is looked at every 64th record (shed ones
 * included, so a shedding CPU sees the backlog fall), or sooner once this
 * CPU has sent shed_check_bytes (1/16 of the ring: 64 large records could
 * overshoot a small ring's margins): reading it touches the cache line the
 * reader writes, which costs more than the rest of the submit. The same
 * reading sets the CPU's shedding level; while it is 0 a record pays one
 * load and compare for shedding. */
static __always_inline void emit(struct scratch *sc, __u32 size)
{
	struct vg_hdr *h = (void *)sc->ev;
	__u32 type = h->type;
	__u64 flags;

	if (size > VG_EVENT_MAX)
		size = VG_EVENT_MAX;
	h->size = size;
	flags = BPF_RB_NO_WAKEUP;
	sc->unchecked += size;
	if ((++sc->sent & 63) == 0 || sc->unchecked > shed_check_bytes) {
		__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);

		if (avail > wakeup_bytes)
			flags = BPF_RB_FORCE_WAKEUP;
		shed_set_level(sc, avail, h->ts_ns);
		sc->unchecked = 0;
	}
	if (sc->shed_level && shed_record(sc, type, h->ts_ns))
		return;
	if (bpf_ringbuf_output(&events, sc->ev, size & (2 * VG_EVENT_MAX - 1), flags)) {
		__u64 *n = bpf_map_lookup_elem(&drops, &type);

		if (n)
			*n += 1;
	}
}

#endif
