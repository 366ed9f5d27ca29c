/* The process an event is about, as the extractors see it: the process
 * table's entry with what the record itself says on top, its ancestors,
 * its container, and the judgements several families share. Computed once
 * per event (the context's `have` bits). */
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "fields/fx.h"
#include "proc/container.h"
#include "proc/proctable.h"
#include "sensor/event.h"

/* vg_rule_ctx.have: what was computed for the current event */
#define H_SELF (1u << 0)
#define H_ANC (1u << 1)
#define H_CMDLINE (1u << 2)

void vg_fx_view_of_proc(const struct vg_proc *p, struct vg_rule_pview *v)
{
	const struct vg_proc_image *img = p->img;

	memset(v, 0, sizeof(*v));
	v->p = p;
	v->pid = p->pid;
	v->ppid = p->ppid;
	v->loginuid = p->loginuid;
	v->euid = p->euid;
	v->egid = p->egid;
	v->pid_ns = p->pid_ns;
	v->sid = p->sid;
	v->pgid = p->pgid;
	v->start_ns = p->start_ns;
	v->pidns_start_ns = p->pidns_start_ns;
	v->exe_ctime_ns = img->exe_ctime_ns;
	v->exe_mtime_ns = img->exe_mtime_ns;
	v->comm = p->comm;
	v->comm_len = (uint32_t)strnlen(p->comm, VG_COMM_LEN);
	v->exe = img->exe;
	v->exe_len = img->exe_len;
	v->args = img->args;
	v->args_len = img->args_len;
	v->argc = img->argc;
	v->cwd = img->cwd;
	v->cwd_len = img->cwd_len;
	v->env = img->env;
	v->env_len = img->env_len;
	v->tty_nr = img->tty_nr;
	v->exe_ino = img->exe_ino;
	v->exe_dev = img->exe_dev;
	v->img_flags = img->flags;
	/* a process known only from an event header has no program data */
	v->has_img = p->source != VG_SRC_MINIMAL || p->img->exe_len || p->img->args_len;
	v->container = &p->container;
}

const struct vg_proc *vg_fx_lookup(struct vg_rule_ctx *c, uint32_t pid)
{
	return c->procs && pid ? vg_pt_lookup(c->procs, pid) : NULL;
}

/* The process of the event: the table's entry, with what the record itself
 * says on top (the header is the newest word on comm and ppid; an exec
 * record carries the whole new program). */
const struct vg_rule_pview *vg_fx_self(struct vg_rule_ctx *c)
{
	const struct vg_event *ev = c->ev;
	const struct vg_hdr *h = &ev->u.hdr;
	struct vg_rule_pview *v = &c->self;
	const struct vg_proc *p;

	if (c->have & H_SELF)
		return v;
	c->have |= H_SELF;
	p = vg_fx_lookup(c, h->pid);
	if (p) {
		vg_fx_view_of_proc(p, v);
	} else {
		memset(v, 0, sizeof(*v));
		v->pid = h->pid;
		v->euid = h->uid;
		v->egid = h->gid;
		v->loginuid = VG_LOGINUID_UNSET;
		v->sid = VG_SID_UNKNOWN;
		v->pgid = VG_PGID_UNKNOWN;
		v->exe = v->args = v->cwd = v->env = "";
	}
	v->ppid = h->ppid;
	v->comm = h->comm;
	v->comm_len = (uint32_t)strnlen(h->comm, VG_COMM_LEN);
	if (h->type == VG_EV_EXEC) {
		const struct vg_exec *x = &ev->u.exec;

		v->exe = ev->s[VG_S_EXE];
		v->exe_len = (uint32_t)ev->len[VG_S_EXE];
		v->args = ev->s[VG_S_ARGS];
		v->args_len = (uint32_t)ev->len[VG_S_ARGS];
		v->argc = x->argc;
		v->cwd = ev->s[VG_S_CWD];
		v->cwd_len = (uint32_t)ev->len[VG_S_CWD];
		v->env = ev->s[VG_S_ENV];
		v->env_len = (uint32_t)ev->len[VG_S_ENV];
		v->tty_nr = x->tty_nr;
		v->exe_ino = x->exe_ino;
		v->exe_dev = x->exe_dev;
		v->img_flags = vg_image_flags_of(h->flags);
		v->sid = x->sid;
		v->pgid = x->pgid;
		v->exe_ctime_ns = x->exe_ctime_ns;
		v->exe_mtime_ns = x->exe_mtime_ns;
		v->pidns_start_ns = x->pidns_start_ns;
		v->loginuid = x->loginuid;
		v->euid = x->euid;
		v->egid = x->egid;
		v->pid_ns = x->pid_ns;
		if (x->start_ns)
			v->start_ns = x->start_ns;
		v->has_img = true;
	}
	return v;
}

/* Ancestors, parent first, as far as the table knows them (cached). */
unsigned vg_fx_ancestors(struct vg_rule_ctx *c)
{
	const struct vg_rule_pview *s;
	struct vg_proc *chain[VG_FIELD_MAX_VALUES];
	const struct vg_proc *parent;
	unsigned n = 0;

	if (c->have & H_ANC)
		return c->nanc;
	c->have |= H_ANC;
	s = vg_fx_self(c);
	if (s->p) {
		n = vg_pt_ancestors(c->procs, s->p, chain, VG_FIELD_MAX_VALUES);
	} else if ((parent = vg_fx_lookup(c, s->ppid))) {
		/* the process is unknown but its parent is not */
		chain[0] = (struct vg_proc *)parent;
		n = 1 + vg_pt_ancestors(c->procs, parent, chain + 1, VG_FIELD_MAX_VALUES - 1);
	}
	for (unsigned i = 0; i < n; i++)
		c->anc[i] = chain[i];
	c->nanc = n;
	return n;
}

/* The n-th ancestor (1 = parent); NULL when unknown. */
const struct vg_proc *vg_fx_ancestor(struct vg_rule_ctx *c, unsigned n)
{
	unsigned have = vg_fx_ancestors(c);

	if (n >= 1 && n <= have)
		return c->anc[n - 1];
	if (have < VG_FIELD_MAX_VALUES || n > VG_PT_ANCESTORS_MAX)
		return NULL; /* the chain ended before n */
	return vg_pt_ancestor(c->procs, c->anc[have - 1], n - have);
}

/* proc.cmdline as Falco renders it: the name, then argv[1...]. */
int vg_fx_put_cmdline(struct vg_rule_ctx *c, struct vg_value *out, const struct vg_rule_pview *v)
{
	if (!v->has_img)
		return v->comm_len ? vg_put_str(out, v->comm, v->comm_len) : 0;
	return vg_put_joined(c, out, v->comm, v->comm_len, v->args, v->argc > 1 ? v->args_len : 0, 1);
}

int vg_fx_self_cmdline(struct vg_rule_ctx *c, struct vg_value *out)
{
	if (!(c->have & H_CMDLINE)) {
		struct vg_value v = {0};

		c->have |= H_CMDLINE;
		c->cmdline = NULL;
		if (vg_fx_put_cmdline(c, &v, vg_fx_self(c))) {
			c->cmdline = v.s.ptr;
			c->cmdline_len = v.s.len;
		}
	}
	return c->cmdline ? vg_put_str(out, c->cmdline, c->cmdline_len) : 0;
}

/* A CLOCK_BOOTTIME instant of this event's process as ns since the epoch,
 * through the event's own two clocks. */
bool vg_fx_boot_to_epoch(const struct vg_rule_ctx *c, uint64_t boot_ns, uint64_t *epoch)
{
	const struct vg_hdr *h = &c->ev->u.hdr;

	if (!boot_ns || !c->wall_ns || h->ts_ns < boot_ns || c->wall_ns < h->ts_ns - boot_ns)
		return false;
	*epoch = c->wall_ns - (h->ts_ns - boot_ns);
	return true;
}

/* Known container (or known host): the process is in the table. */
const struct vg_container *vg_fx_container(struct vg_rule_ctx *c)
{
	return vg_fx_self(c)->container;
}

bool vg_fx_on_host(const struct vg_container *ct)
{
	return ct && ct->runtime == VG_RT_NONE && !ct->id[0];
}

/* proc.is_exe_writable: could the process's effective user write its
 * executable? Judged when asked, from the file as it is (stat), as the
 * kernel's permission check would: root writes any file of a read-write
 * filesystem; others by the owner, group (the effective gid only: the
 * supplementary groups are not known) or other write bit. Only for host
 * processes (a container's path names a file in another mount namespace),
 * and only while the path still leads to the executed file (same inode). */
int vg_fx_exe_writable(struct vg_rule_ctx *c, struct vg_value *out)
{
	const struct vg_rule_pview *s = vg_fx_self(c);
	char path[PATH_MAX];
	struct statvfs fs;
	struct stat st;
	bool w;

	if (!s->has_img || !s->exe_len || s->exe[0] != '/' || s->exe_len >= sizeof(path) ||
	    (s->img_flags & (VG_IMG_EXE_MEMFD | VG_IMG_EXE_DELETED | VG_IMG_PATH_TRUNC)) ||
	    !vg_fx_on_host(vg_fx_container(c)))
		return 0;
	memcpy(path, s->exe, s->exe_len);
	path[s->exe_len] = '\0';
	if (stat(path, &st) || !S_ISREG(st.st_mode) || (s->exe_ino && st.st_ino != s->exe_ino))
		return 0;
	if (s->euid == 0)
		w = statvfs(path, &fs) == 0 && !(fs.f_flag & ST_RDONLY);
	else if (st.st_uid == s->euid)
		w = st.st_mode & S_IWUSR;
	else if (st.st_gid == s->egid)
		w = st.st_mode & S_IWGRP;
	else
		w = st.st_mode & S_IWOTH;
	return vg_put_bool(out, w);
}

/* The process's own pid namespace is the host's: virtual ids are the real ones. */
bool vg_fx_in_host_pidns(struct vg_rule_ctx *c)
{
	const struct vg_rule_pview *s = vg_fx_self(c);

	return s->pid_ns ? s->pid_ns == VG_PID_NS_HOST : vg_fx_on_host(vg_fx_container(c));
}

