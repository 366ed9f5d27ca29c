// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Namespaces, supplementary groups and mounts, for the vg_sys handler.
 *
 * clone and clone3 make new namespaces as unshare does, but every fork and
 * every thread goes through them: only calls asking for a CLONE_NEW* flag
 * are sent, and only the parent's side (the child returns 0 from the same
 * call). clone3 keeps its flags in a struct in user memory, read here (at
 * exit the kernel has just copied it, so it is paged in).
 *
 * setgroups changes no uid or gid, so the set*id facts cannot see it: the
 * new list is read from the task's credentials after the call, and aux says
 * whether group 0 (root) is in it.
 *
 * Mounts: mount(2) sends source, target and file-system type; the new mount
 * API (fsopen, fsconfig, fsmount, open_tree, move_mount) its names; fsconfig
 * only when it sets a string ("source" = a block device). */
#ifndef VG_NSMOUNT_H
#define VG_NSMOUNT_H

#define VG_CLONE_NEW_MASK                                                                          \
	(0x00000080 /* NEWTIME */ | 0x00020000 /* NEWNS */ | 0x02000000 /* NEWCGROUP */ |           \
	 0x04000000 /* NEWUTS */ | 0x08000000 /* NEWIPC */ | 0x10000000 /* NEWUSER */ |            \
	 0x20000000 /* NEWPID */ | 0x40000000 /* NEWNET */)
#define VG_FSCONFIG_SET_STRING 1
#define VG_GROUPS_SCANNED 32 /* supplementary groups looked at for group 0 */

/* The flags a clone asked for: argument 1, or clone_args.flags for clone3. */
static __always_inline __u64 clone_flags(__u8 variant, unsigned long arg1)
{
	__u64 flags = 0;

	if (variant == VG_V_CLONE3) {
		if (bpf_probe_read_user(&flags, sizeof(flags), (void *)arg1))
			return 0;
		return flags;
	}
	return arg1 & ~0xffull; /* clone: the low byte is the exit signal, not CLONE_NEWTIME */
}

/* True when this call is not worth a record: a clone without CLONE_NEW*
 * (any fork or thread), the child's return from one, an fsconfig that sets
 * no string. Checked before any of the record is built. */
static __always_inline bool nsmount_skip(const struct vg_route *r, unsigned long arg1,
					 unsigned long arg2, long ret)
{
	if (r->variant == VG_V_CLONE || r->variant == VG_V_CLONE3)
		return ret == 0 || !(clone_flags(r->variant, arg1) & VG_CLONE_NEW_MASK);
	if (r->variant == VG_V_FSCONFIG)
		return arg2 != VG_FSCONFIG_SET_STRING;
	return false;
}

/* Is group 0 among the task's supplementary groups (as the call left them)? */
static __always_inline __u32 has_root_group(struct task_struct *task)
{
	struct group_info *gi = BPF_CORE_READ(task, cred, group_info);
	int n = BPF_CORE_READ(gi, ngroups);

	for (int i = 0; i < VG_GROUPS_SCANNED; i++) {
		kgid_t g = {};

		if (i >= n)
			break;
		bpf_probe_read_kernel(&g, sizeof(g), &gi->gid[i]);
		if (g.val == 0)
			return 1;
	}
	return 0;
}

/* What the record adds for these calls; off is the end of its strings. */
static __always_inline __u32 nsmount_details(struct scratch *sc, struct vg_sys *e, __u32 off,
					     const struct vg_route *r, struct task_struct *task)
{
	if (r->variant == VG_V_CLONE3)
		e->args[0] = clone_flags(VG_V_CLONE3, e->args[0]);
	else if (r->variant == VG_V_SETGROUPS)
		e->aux = has_root_group(task);
	else if (r->type == VG_EV_MOUNT && r->path == 1 && r->path2 == 2) /* mount(2): its fs type */
		off = put_user_str(sc, off, &e->str3, e->args[2]);
	return off;
}

#endif /* VG_NSMOUNT_H */
