/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Kernel facts the rules judge instead of names (see src/fields/):
 *  - credentials before and after a set*id call, so a rule can tell "became
 *    root" (an id went from non-zero to 0) from a root process setting the
 *    ids it already holds (service launchers do that before every command).
 *    The sensor reads everything at sys_exit, when the old credentials are
 *    gone (commit_creds() drops them), so each task's ids are remembered in
 *    task storage where they can change: at exec, at fork (the child's) and
 *    after each set*id call; the ids before a call are the ones remembered
 *    last. They are the sensor's part of the one per-task entry it shares
 *    with pH (struct vg_task, map vg_tasks: bpf/ph_step.h). No program on sys_enter for this: the monitor keeps to one
 *    program per system call (a second one costs every call of every task
 *    about as much as the sensor's own dispatch). A task that was running
 *    before the monitor started has no ids remembered until its first
 *    set*id call or exec: that first call's ids before are unknown (pH's
 *    adoption of such a task makes its entry but leaves `known` at 0: at
 *    a set*id call's exit its ids before are already gone);
 *  - capabilities an exec gave (file capabilities), told from those it kept;
 *  - the mode and owner of the directory holding a file;
 *  - descriptors 0-2 at exec.
 * Read with guarded loads through BTF-typed pointers, not probe reads: exec
 * and every open sent pay these (a probe read costs tens of ns, a load a few).
 * Included by sensor.bpf.c after the routes are declared. */
#ifndef VG_FACTS_H
#define VG_FACTS_H

#include "vg_core.h"
#include "vg_path.h"

static __always_inline void cred_ids(const struct cred *c, __u32 ids[8])
{
	ids[0] = c->uid.val;
	ids[1] = c->euid.val;
	ids[2] = c->suid.val;
	ids[3] = c->fsuid.val;
	ids[4] = c->gid.val;
	ids[5] = c->egid.val;
	ids[6] = c->sgid.val;
	ids[7] = c->fsgid.val;
}

/* Remembers the ids task holds now (at exec, for a new child at fork) in
 * its entry, made here if new; returns the entry (0: no memory) for pH's
 * step of the same program (ph_exec(), ph_fork()). */
static __always_inline struct vg_task *cred_remember(struct task_struct *task)
{
	struct vg_task *vt;

	vt = bpf_task_storage_get(&vg_tasks, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!vt)
		return 0;
	cred_ids(task->cred, vt->s.ids);
	vt->s.known = 1;
	return vt;
}

/* At sys_exit of a set*id call: the ids before (remembered) and after,
 * the uid forms for setuid-family records, the gid forms for the others;
 * then the ids after are remembered for the next call. */
static __always_inline void setid_ids(struct vg_sys *e, struct task_struct *task)
{
	struct vg_task_ids *cb;
	struct vg_task *vt;
	__u32 now[8], i, base = e->hdr.type == VG_EV_SETGID ? 4 : 0;

	cred_ids(task->cred, now);
	for (i = 0; i < 4; i++)
		e->ids_after[i] = now[(base + i) & 7];
	vt = bpf_task_storage_get(&vg_tasks, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!vt)
		return;
	cb = &vt->s;
	if (cb->known) {
		for (i = 0; i < 4; i++)
			e->ids_before[i] = cb->ids[(base + i) & 7];
		e->ids_known = 1;
	}
	for (i = 0; i < 8; i++)
		cb->ids[i] = now[i];
	cb->known = 1;
}

/* At exec (the new credentials are in place): does the new program hold a
 * permitted capability that its ambient set does not explain? For a task
 * that is not root, exec computes the permitted set as (inheritable &
 * file inheritable) | (file permitted & bounding set) | ambient, and clears
 * the ambient set when the file has capabilities: permitted beyond ambient
 * came from the file (setcap'd, or a setuid-root file, which gives all). A
 * service's ambient capabilities, kept across its execs, are not. For root
 * every exec counts: rules judge non-root tasks. Stateless, so tasks older
 * than the monitor are judged too. */
static __always_inline bool exec_caps_from_file(struct task_struct *task)
{
	const struct cred *c = task->cred;

	return (c->cap_permitted.val & ~c->cap_ambient.val) != 0;
}

/* The directory that holds a file (its dentry's parent): its mode and
 * owner, so "a world-writable directory" is a fact (o+w), not a guess from
 * the path's spelling. Renames can move a dentry under us; the values are
 * then those of the new parent, which is as good. */
static __always_inline void parent_dir(struct dentry *d, __u32 *mode, __u32 *uid)
{
	/* guarded loads (KPTR: d may come as a number), not probe reads */
	struct inode *dir = KPTR(struct dentry, d)->d_parent->d_inode;

	if (!dir)
		return;
	*mode = dir->i_mode;
	*uid = dir->i_uid.val;
}

/* Descriptors 0-2 of the current task (the one exec'ing): type, identity
 * and, for a socket, its family. Three fdtable loads and a few reads. */
static __always_inline void put_stdio(struct vg_stdio *out, int fd)
{
	struct file *f = fd_to_file(fd);
	struct inode *inode;

	if (!f)
		return;
	inode = KPTR(struct file, f)->f_inode;
	out->mode = inode->i_mode;
	out->ino = inode->i_ino;
	if ((out->mode & 00170000) == 0020000) /* S_IFCHR */
		out->aux = inode->i_rdev;
	else if ((out->mode & 00170000) == 0140000) { /* S_IFSOCK */
		void *sock = KPTR(struct file, f)->private_data; /* untyped */

		out->aux = KPTR(struct socket, sock)->sk->__sk_common.skc_family;
	}
}

#endif
