/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Path resolution in the kernel: a bounded walk up the dentry tree that
 * crosses mount points and stops at the task's root when that root is a
 * mount's root (a container's pivot_root: the path as it sees it), or
 * walks on past a chroot into a directory to the real root (flagged).
 *
 * Tracepoint programs cannot call bpf_d_path() (it is allowed only for a few
 * fentry/LSM hooks, which this kernel refuses), hence the walk by hand. */
#ifndef VG_PATH_H
#define VG_PATH_H

#include "vg_core.h"

#define VG_PATH_DEPTH 64 /* components we walk; deeper paths are flagged truncated */
#define VG_NAME_MAX 255

struct walk_ctx {
	__u64 dentry, vfsmnt; /* kernel addresses, typed again with KPTR() */
	__u64 mnt_root;	      /* root dentry of vfsmnt, read once per mount */
	__u64 root_dentry, root_mnt;
	__u32 pos;   /* the path is built backwards and ends at VG_PATH_MAX */
	__u32 done;  /* reached the root */
	__u32 trunc; /* ran out of space */
};

static __always_inline struct mount *real_mount(struct vfsmount *vfsmnt)
{
	return KPTR(struct mount, (void *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
}

/* Puts "/name" in front of what the walk has built so far. */
static __always_inline int prepend_name(struct scratch *sc, struct walk_ctx *c,
					const unsigned char *name, __u32 len)
{
	if (len > VG_NAME_MAX)
		len = VG_NAME_MAX;
	/* Keep one byte in front for the final '/', and pos >= 1 always. */
	if (c->pos < len + 2) {
		c->trunc = 1;
		return -1;
	}
	c->pos -= len;
	bpf_probe_read_kernel(&sc->path[c->pos & PATH_MASK], len & VG_NAME_MAX, name);
	c->pos -= 1;
	sc->path[c->pos & PATH_MASK] = '/';
	return 0;
}

/* One step of the walk, as a bpf_loop() callback: the verifier checks it once
 * instead of once per unrolled iteration. */
static long walk_step(__u32 i, void *arg)
{
	struct walk_ctx *c = arg;
	struct scratch *sc = get_scratch();
	struct dentry *d, *parent;
	struct vfsmount *vfsmnt;
	struct mount *m, *up;

	if (!sc || !c->dentry)
		return 1;
	if (c->dentry == c->root_dentry && c->vfsmnt == c->root_mnt) {
		c->done = 1;
		return 1;
	}
	d = KPTR(struct dentry, c->dentry);
	parent = d->d_parent;
	if (c->dentry != c->mnt_root && d != parent) {
		if (prepend_name(sc, c, d->d_name.name, d->d_name.len))
			return 1;
		c->dentry = (__u64)parent;
		return 0;
	}
	/* Top of this mount: continue from where it is mounted. */
	vfsmnt = KPTR(struct vfsmount, c->vfsmnt);
	m = real_mount(vfsmnt);
	up = m->mnt_parent;
	if (m == up || !up) {
		/* The top of a mount with no parent: the real root, or an
		 * internal mount (memfd, pipe, socket) whose only dentry
		 * carries the name ("memfd:x"). */
		c->done = 1;
		if (c->pos == VG_PATH_MAX && d == parent && d->d_name.len > 1)
			prepend_name(sc, c, d->d_name.name, d->d_name.len);
		return 1;
	}
	c->dentry = (__u64)m->mnt_mountpoint;
	c->vfsmnt = (__u64)up + bpf_core_field_offset(struct mount, mnt);
	c->mnt_root = (__u64)KPTR(struct vfsmount, c->vfsmnt)->mnt_root;
	return 0;
}

/* Resolves `path` relative to the current task's root into sc->path.
 * Returns the start offset in sc->path; the path runs to VG_PATH_MAX. */
static __always_inline __u32 resolve_path(struct scratch *sc, const struct path *path,
					  __u32 *flags)
{
	struct task_struct *task = bpf_get_current_task_btf();
	const struct path *p = KPTR(struct path, path);
	struct fs_struct *fs = task->fs;
	struct walk_ctx c = {};

	c.dentry = (__u64)p->dentry;
	c.vfsmnt = (__u64)p->mnt;
	c.mnt_root = (__u64)p->mnt->mnt_root;
	c.root_dentry = (__u64)fs->root.dentry;
	c.root_mnt = (__u64)fs->root.mnt;
	/* A chroot into a directory (not a mount's root, as a container's
	 * pivot_root is) does not stop the walk: the file is named as the
	 * rest of the system knows it (chroot("/etc") then "/shadow" is
	 * /etc/shadow), and the record says so. */
	if (fs->root.dentry != fs->root.mnt->mnt_root) {
		c.root_dentry = 0;
		*flags |= VG_F_PATH_CHROOT;
	}
	c.pos = VG_PATH_MAX;
	bpf_loop(VG_PATH_DEPTH, walk_step, &c, 0);
	if (c.trunc || !c.done)
		*flags |= VG_F_PATH_TRUNC;
	if (c.pos == VG_PATH_MAX) {
		c.pos = VG_PATH_MAX - 1;
		sc->path[c.pos & PATH_MASK] = '/';
	}
	return c.pos;
}

/* Walks the struct path at kernel address `path` and appends the result to
 * the record as string s. */
VG_GLOBAL __u32 put_path(struct scratch *sc, __u32 off, struct vg_str *s, __u64 path)
{
	__u32 start, len;

	if (!sc || !s)
		return off;
	s->off = 0;
	s->len = 0;
	if (!path || off > VG_EVENT_MAX - STR_MAX_PATH)
		return off;
	start = resolve_path(sc, (const struct path *)path, &((struct vg_hdr *)sc->ev)->flags);
	len = VG_PATH_MAX - start;
	if (len > VG_PATH_MAX - 1)
		len = VG_PATH_MAX - 1;
	bpf_probe_read_kernel(&sc->ev[str_room(off)], len & PATH_MASK, &sc->path[start & PATH_MASK]);
	sc->ev[str_room(off + len)] = 0;
	s->off = off;
	s->len = len;
	return off + len + 1;
}

/* The file behind a descriptor of task (the current one), or NULL. The table's
 * element at a variable index is read with a guarded load (KLOAD_U64), not a
 * bpf_probe_read_kernel() call: the verifier allows no variable offset into
 * a BTF-typed object, so the element's address is computed as an integer.
 * This runs on every open the sensor sees. */
static __always_inline struct file *task_fd_file(struct task_struct *task, long fd)
{
	struct fdtable *fdt = task->files->fdt;

	if (fd < 0 || fd >= fdt->max_fds)
		return NULL;
	return (struct file *)KLOAD_U64((__u64)fdt->fd + (__u64)fd * sizeof(struct file *));
}

/* The same for the current task. */
static __always_inline struct file *fd_to_file(long fd)
{
	return task_fd_file(bpf_get_current_task_btf(), fd);
}

/* Kernel address of a file's struct path, for put_path(). */
static __always_inline __u64 file_path(struct file *f)
{
	return f ? (__u64)__builtin_preserve_access_index(&f->f_path) : 0;
}

/* Appends the path of an open descriptor. */
VG_GLOBAL __u32 put_fd_path(struct scratch *sc, __u32 off, struct vg_str *s, __s64 fd)
{
	return put_path(sc, off, s, file_path(fd_to_file(fd)));
}

/* For a path argument relative to dirfd (AT_FDCWD = the cwd), appends the
 * base directory, which user space joins with the raw path. Absolute paths
 * need no base. */
#define VG_AT_FDCWD -100
VG_GLOBAL __u32 put_base_dir(struct scratch *sc, __u32 off, struct vg_str *dir,
			     const struct vg_str *raw, __s64 dirfd)
{
	struct fs_struct *fs;

	if (!sc || !dir || !raw)
		return off;
	dir->off = dir->len = 0;
	if (!raw->off || sc->ev[str_room(raw->off)] == '/')
		return off;
	if ((int)dirfd == VG_AT_FDCWD) {
		fs = BPF_CORE_READ(bpf_get_current_task_btf(), fs);
		return put_path(sc, off, dir, (__u64)__builtin_preserve_access_index(&fs->pwd));
	}
	return put_fd_path(sc, off, dir, dirfd);
}

#endif
