/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Kernel facts the rules judge instead of names (see src/fields/):
 *  - credentials before and after a set*id call, so a rule can tell "became
 *    root" (an id went from non-zero to 0) from a root process setting the
 *    ids it already holds (service launchers do that before every command).
 *    The sensor reads everything at sys_exit, when the old credentials are
 *    gone (commit_creds() drops them), so a small sys_enter program keeps
 *    the ids the task holds as the call starts, in task storage, only for
 *    the calls routed as set*id records: for any other call, two loads;
 *  - the mode and owner of the directory holding a file;
 *  - descriptors 0-2 at exec.
 * Included by sensor.bpf.c after the routes are declared. */
#ifndef VG_FACTS_H
#define VG_FACTS_H

#include "vg_core.h"
#include "vg_path.h"

struct cred_before {
	__u32 ids[8]; /* uid, euid, suid, fsuid, gid, egid, sgid, fsgid */
	__u64 ts_ns;  /* when the call started: a stale entry is not used */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct cred_before);
} cred_before SEC(".maps");

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

static __always_inline bool is_setid_type(__u8 type)
{
	return type == VG_EV_SETUID || type == VG_EV_SETGID;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(vg_cred_enter, struct pt_regs *regs, long nr)
{
	struct task_struct *task;
	struct cred_before *cb;

	if ((unsigned long)nr >= VG_NR_SYSCALLS)
		return 0;
	/* Either ABI's table may route the number: a wrong guess only
	 * stores ids nobody reads. */
	if (!is_setid_type(routes[nr].type) && !is_setid_type(routes32[nr].type))
		return 0;
	task = bpf_get_current_task_btf();
	if (task->tgid == self_tgid)
		return 0;
	cb = bpf_task_storage_get(&cred_before, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!cb)
		return 0;
	cred_ids(task->cred, cb->ids);
	cb->ts_ns = bpf_ktime_get_boot_ns();
	return 0;
}

/* At sys_exit of a set*id call: the ids before (from the entry) and after,
 * the uid forms for setuid-family records, the gid forms for the others. */
static __always_inline void setid_ids(struct vg_sys *e, struct task_struct *task)
{
	struct cred_before *cb = bpf_task_storage_get(&cred_before, task, 0, 0);
	__u32 now[8], i, base = e->hdr.type == VG_EV_SETGID ? 4 : 0;

	cred_ids(task->cred, now);
	for (i = 0; i < 4; i++)
		e->ids_after[i] = now[(base + i) & 7];
	/* The entry of this very call: it started before the header's time. */
	if (!cb || !cb->ts_ns || cb->ts_ns > e->hdr.ts_ns)
		return;
	for (i = 0; i < 4; i++)
		e->ids_before[i] = cb->ids[(base + i) & 7];
	e->ids_known = 1;
	cb->ts_ns = 0; /* used once */
}

/* The directory that holds a file (its dentry's parent): its mode and
 * owner, so "a world-writable directory" is a fact (o+w), not a guess from
 * the path's spelling. Renames can move a dentry under us; the values are
 * then those of the new parent, which is as good. */
static __always_inline void parent_dir(struct dentry *d, __u32 *mode, __u32 *uid)
{
	struct inode *dir = BPF_CORE_READ(d, d_parent, d_inode);

	if (!dir)
		return;
	*mode = BPF_CORE_READ(dir, i_mode);
	*uid = BPF_CORE_READ(dir, i_uid.val);
}

/* Descriptors 0-2 of the current task (the one exec'ing): type, identity
 * and, for a socket, its family. Three fdtable loads and a few reads. */
static __always_inline void put_stdio(struct vg_stdio *out, int fd)
{
	struct file *f = fd_to_file(fd);
	struct inode *inode;

	if (!f)
		return;
	inode = BPF_CORE_READ(f, f_inode);
	out->mode = BPF_CORE_READ(inode, i_mode);
	out->ino = BPF_CORE_READ(inode, i_ino);
	if ((out->mode & 00170000) == 0020000) /* S_IFCHR */
		out->aux = BPF_CORE_READ(inode, i_rdev);
	else if ((out->mode & 00170000) == 0140000) { /* S_IFSOCK */
		struct socket *sock = BPF_CORE_READ(f, private_data);

		out->aux = BPF_CORE_READ(sock, sk, __sk_common.skc_family);
	}
}

#endif
