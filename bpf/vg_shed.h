/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Load shedding: when the ring's backlog grows (a process floods cheap
 * calls faster than user space reads them), emit() stops sending the
 * records that matter least, so the ring keeps room for the ones detections
 * cannot do without. Without it a full ring drops records of every type
 * alike, and an unprivileged loop of failed opens hides an exec, a ptrace
 * or a module load from every rule.
 *
 * One ring, one order: shed records are simply not sent (and counted in
 * shed[]), never deferred, so what is sent keeps the order the process
 * table depends on (fork, exec, exit, setsid...).
 *
 * The level is decided per CPU from the backlog emit() already reads every
 * 64th record (reading it touches the reader's cache line: too costly for
 * every record). Included by vg_core.h, after the scratch and the maps. */
#ifndef VG_SHED_H
#define VG_SHED_H

/* scratch.shed_level: what a CPU sheds now. A record is shed when the
 * level is above its priority (VG_PRIO_*). */
#define VG_SHED_NONE 0	/* backlog <= shed_bulk_bytes: send everything */
#define VG_SHED_BULK 1	/* over it (1/2 ring): shed the file family */
#define VG_SHED_VITAL 2 /* over shed_vital_bytes (3/4 ring): send vital records only */

#define VG_PRIO_BULK 0	/* shed first */
#define VG_PRIO_OTHER 1 /* shed at VG_SHED_VITAL */
#define VG_PRIO_VITAL 2 /* never shed (a full ring can still drop it) */

/* A CPU that stopped emitting keeps its last level; past this age a record
 * about to be shed reads the backlog again instead of trusting it (after a
 * flood, a quiet CPU would otherwise shed its next 63 records). */
#define VG_SHED_RECHECK_NS (5ull * 1000000ull)

#define VG_TYPE_BIT(t) (1ull << ((t) & 63))

/* Vital: records whose loss blinds detections of an attack in progress:
 * - process lifecycle (exec, fork/clone, exit): the process table is built
 *   from them; a lost exec misattributes every later record of that
 *   process, and exec is what most rules match on;
 * - privilege and isolation changes (setuid, setgid, setns, unshare);
 * - code injection into other processes (ptrace, process_vm_writev);
 * - kernel changes (module loads, bpf(), mount): rootkits and escapes.
 * Every vital type but the lifecycle three is a struct vg_sys record. Of
 * those, an unprivileged caller's (real uid not 0) is vital only when the
 * call succeeded, and of ptrace only for the requests that take control of
 * a task or write to it: a failed setuid or a ptrace peek of one's own
 * child is as cheap for any user to repeat as a failed open. Root's are
 * vital either way (a refused bpf() on the monitor's map, a peek at the
 * monitor: self-protection rules match them), but of bpf() only the
 * commands that load, attach or write, for anyone: one bpftool listing
 * makes hundreds of bpf() reads. A flood of vital
 * records is itself suspect, and still counted (as drops) if it fills the
 * ring. setsid and setpgid are not vital although the process table follows
 * them: anyone can repeat setpgid(0, 0) at no cost, and their loss only
 * leaves a stale session or group id. */
#define VG_VITAL_LO                                                                         \
	(VG_TYPE_BIT(VG_EV_EXEC) | VG_TYPE_BIT(VG_EV_FORK) | VG_TYPE_BIT(VG_EV_EXIT) |         \
	 VG_TYPE_BIT(VG_EV_SETUID) | VG_TYPE_BIT(VG_EV_SETGID) | VG_TYPE_BIT(VG_EV_SETNS) |    \
	 VG_TYPE_BIT(VG_EV_UNSHARE) | VG_TYPE_BIT(VG_EV_PTRACE) |                              \
	 VG_TYPE_BIT(VG_EV_PROCESS_VM_WRITEV))
#define VG_VITAL_HI                                                                         \
	(VG_TYPE_BIT(VG_EV_MODULE_LOAD) | VG_TYPE_BIT(VG_EV_BPF) | VG_TYPE_BIT(VG_EV_MOUNT))
/* Bulk: the file family (open, unlink, rename, link, symlink, chmod,
 * chown, mkdir, truncate). Any user makes these by the million with names
 * that need not exist, and they are most of every busy host's records. */
#define VG_BULK_LO                                                                          \
	(VG_TYPE_BIT(VG_EV_OPEN) | VG_TYPE_BIT(VG_EV_UNLINK) | VG_TYPE_BIT(VG_EV_RENAME) |     \
	 VG_TYPE_BIT(VG_EV_LINK) | VG_TYPE_BIT(VG_EV_SYMLINK) | VG_TYPE_BIT(VG_EV_CHMOD) |     \
	 VG_TYPE_BIT(VG_EV_CHOWN) | VG_TYPE_BIT(VG_EV_MKDIR) | VG_TYPE_BIT(VG_EV_TRUNCATE))
/* Everything else (network, kill, prctl, dup, memfd, W+X memory,
 * perf_event_open, setsid, setpgid, and the vital types' calls above) is
 * shed only when the ring is nearly full. */

_Static_assert(VG_EV_TYPE_MAX <= 128, "shed masks cover types 0-127");
_Static_assert(VG_EV_MODULE_LOAD >= 64 && VG_EV_BPF >= 64 && VG_EV_MOUNT >= 64,
	       "VG_VITAL_HI holds types 64-127");
_Static_assert(VG_EV_TRUNCATE < 64 && VG_EV_PROCESS_VM_WRITEV < 64,
	       "VG_VITAL_LO and VG_BULK_LO hold types 0-63");
_Static_assert(VG_EV_EXEC < VG_EV_FORK && VG_EV_FORK < VG_EV_EXIT && VG_EV_EXIT < VG_EV_OPEN,
	       "shed_priority: the lifecycle types are the ones up to VG_EV_EXIT");

/* ptrace requests that attach to a task or write into it (uapi values:
 * macros are not in vmlinux.h). */
static __always_inline bool ptrace_takes_control(__u64 request)
{
	switch (request) {
	case 0:	     /* PTRACE_TRACEME */
	case 4:	     /* PTRACE_POKETEXT */
	case 5:	     /* PTRACE_POKEDATA */
	case 6:	     /* PTRACE_POKEUSR */
	case 13:     /* PTRACE_SETREGS */
	case 15:     /* PTRACE_SETFPREGS */
	case 16:     /* PTRACE_ATTACH */
	case 0x4205: /* PTRACE_SETREGSET */
	case 0x4206: /* PTRACE_SEIZE */
		return true;
	}
	return false;
}

/* bpf() commands that change what runs in the kernel or what its programs
 * read: the reads, queries and id walks every BPF tool (bpftool, a
 * monitor's status) makes by the hundred are not vital. */
static __always_inline bool bpf_changes_kernel(__u64 cmd)
{
	switch (cmd) {
	case BPF_MAP_UPDATE_ELEM:
	case BPF_MAP_DELETE_ELEM:
	case BPF_PROG_LOAD:
	case BPF_PROG_ATTACH:
	case BPF_PROG_DETACH:
	case BPF_RAW_TRACEPOINT_OPEN:
	case BPF_LINK_CREATE:
	case BPF_LINK_UPDATE:
	case BPF_LINK_DETACH:
		return true;
	}
	return false;
}

/* The priority of the record in sc->ev (of this type). Only called when
 * the CPU sheds, so it may read the record. */
static __always_inline __u32 shed_priority(struct scratch *sc, __u32 type)
{
	const struct vg_sys *e = (const void *)sc->ev;
	__u64 bit = VG_TYPE_BIT(type);

	if (type < 64 ? !(VG_VITAL_LO & bit) : !(VG_VITAL_HI & bit))
		return (type < 64 && (VG_BULK_LO & bit)) ? VG_PRIO_BULK : VG_PRIO_OTHER;
	if (type <= VG_EV_EXIT) /* exec, fork, exit: no result, always vital */
		return VG_PRIO_VITAL;
	if (type == VG_EV_BPF && !bpf_changes_kernel(e->args[0]))
		return VG_PRIO_OTHER;
	if (e->hdr.uid == 0) /* root's: anything an unprivileged flood cannot make */
		return VG_PRIO_VITAL;
	if (e->res < 0)
		return VG_PRIO_OTHER;
	if (type == VG_EV_PTRACE && !ptrace_takes_control(e->args[0]))
		return VG_PRIO_OTHER;
	return VG_PRIO_VITAL;
}

/* The level for a backlog of avail bytes. */
static __always_inline void shed_set_level(struct scratch *sc, __u64 avail, __u64 now_ns)
{
	sc->shed_level = avail > shed_vital_bytes ? VG_SHED_VITAL :
			 avail > shed_bulk_bytes  ? VG_SHED_BULK :
						    VG_SHED_NONE;
	sc->shed_at_ns = now_ns;
}

/* Called only when this CPU sheds (shed_level != 0): true if the record
 * of this type is shed, counted in shed[type]. */
static __always_inline bool shed_record(struct scratch *sc, __u32 type, __u64 now_ns)
{
	__u64 *n;

	__u32 prio = shed_priority(sc, type);

	if (sc->shed_level <= prio)
		return false;
	if (now_ns - sc->shed_at_ns > VG_SHED_RECHECK_NS) {
		shed_set_level(sc, bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA), now_ns);
		if (sc->shed_level <= prio)
			return false;
	}
	n = bpf_map_lookup_elem(&shed, &type);
	if (n)
		*n += 1;
	return true;
}

#endif
