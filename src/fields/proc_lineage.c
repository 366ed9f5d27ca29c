/* proc.* fields of a process's lineage: its parent and ancestors
 * (proc.pname, proc.aname[N] ...), its session and process group leaders
 * (proc.sname, proc.vpgid.name ...) and its login shell. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fields/fx.h"
#include "proc/proctable.h"
#include "sensor/event.h"
#include "util/macros.h"

/* One field of a process given as a view. */
int vg_fx_proc_value(struct vg_rule_ctx *c, const struct vg_rule_pview *v, enum vg_fx_pfield f,
		      struct vg_value *out)
{
	switch (f) {
	case PF_PID:
		return vg_put_int(out, v->pid);
	case PF_NAME:
		return v->comm_len ? vg_put_str(out, v->comm, v->comm_len) : 0;
	case PF_EXE: /* argv[0] */
		return v->has_img && v->args_len ? vg_put_cstr(out, v->args) : 0;
	case PF_EXEPATH:
		return v->has_img && v->exe_len ? vg_put_str(out, v->exe, v->exe_len) : 0;
	case PF_CMDLINE:
		return v == &c->self ? vg_fx_self_cmdline(c, out) : vg_fx_put_cmdline(c, out, v);
	}
	return 0;
}

/* proc.aname[N] and friends: N = 0 is the process itself, 1 its parent;
 * without an index every known ancestor (not the process). */
static int ancestor_values(struct vg_rule_ctx *c, const struct vg_field_ref *ref, enum vg_fx_pfield f,
			   struct vg_value *out, unsigned max)
{
	struct vg_rule_pview v;
	const struct vg_proc *a;
	unsigned n = 0;

	if (ref->index == 0)
		return vg_fx_proc_value(c, vg_fx_self(c), f, out);
	if (ref->index > 0) {
		a = vg_fx_ancestor(c, (unsigned)ref->index);
		if (!a)
			return 0;
		vg_fx_view_of_proc(a, &v);
		return vg_fx_proc_value(c, &v, f, out);
	}
	vg_fx_ancestors(c);
	for (unsigned i = 0; i < c->nanc && n < max; i++) {
		vg_fx_view_of_proc(c->anc[i], &v);
		n += (unsigned)vg_fx_proc_value(c, &v, f, &out[n]);
	}
	return (int)n;
}

static int parent_value(struct vg_rule_ctx *c, enum vg_fx_pfield f, struct vg_value *out)
{
	const struct vg_proc *a = vg_fx_ancestor(c, 1);
	struct vg_rule_pview v;

	if (!a)
		return 0;
	vg_fx_view_of_proc(a, &v);
	return vg_fx_proc_value(c, &v, f, out);
}

static bool is_shell(const char *comm, size_t len)
{
	static const char *const shells[] = {"ash",  "bash", "csh",  "ksh", "sh",
					     "tcsh", "zsh",  "dash", "fish"};

	for (size_t i = 0; i < ARRAY_SIZE(shells); i++)
		if (strlen(shells[i]) == len && !memcmp(shells[i], comm, len))
			return true;
	return false;
}

/* The pid of the oldest shell in the line from the process up. */
static int login_shell(struct vg_rule_ctx *c, struct vg_value *out)
{
	const struct vg_rule_pview *s = vg_fx_self(c);
	int64_t pid = -1;

	if (is_shell(s->comm, s->comm_len))
		pid = s->pid;
	vg_fx_ancestors(c);
	for (unsigned i = 0; i < c->nanc; i++)
		if (is_shell(c->anc[i]->comm, strnlen(c->anc[i]->comm, VG_COMM_LEN)))
			pid = c->anc[i]->pid;
	return pid >= 0 ? vg_put_int(out, pid) : 0;
}

/* Sessions and process groups: proc.sname, proc.sid.exe, proc.vpgid.name...
 * The leader is the process whose pid is the id. Found in the table (it keeps
 * exited entries a while); when the table does not hold it, its name is read
 * from /proc (a pid stays taken while a session or group uses it as its id,
 * so /proc/ID is the leader, never a newer process). When the leader is gone,
 * or never was (id 0: the session and group of the kernel's first task, which
 * no process leads), Falco's answer: the highest ancestor with the same id,
 * else the process itself. */
enum leader_kind { LEADER_SESSION, LEADER_GROUP };

static uint32_t id_of(enum leader_kind k, uint32_t sid, uint32_t pgid)
{
	return k == LEADER_SESSION ? sid : pgid;
}

static int leader_name_from_proc(struct vg_rule_ctx *c, uint32_t id, struct vg_value *out)
{
	char path[32], comm[VG_COMM_LEN + 1];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/comm", id);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, comm, sizeof(comm) - 1);
		close(fd);
	}
	if (n <= 0)
		return 0;
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
	return comm[0] ? vg_put_copy(c, out, comm) : 0;
}

static int leader_value(struct vg_rule_ctx *c, enum leader_kind k, enum vg_fx_pfield f,
			struct vg_value *out)
{
	const struct vg_rule_pview *s = vg_fx_self(c);
	const uint32_t id = id_of(k, s->sid, s->pgid);
	const struct vg_proc *l = NULL;
	struct vg_rule_pview v;
	int got;

	if (id == VG_SID_UNKNOWN) /* VG_PGID_UNKNOWN is the same value */
		return 0;
	if (id == s->pid)
		return vg_fx_proc_value(c, s, f, out);
	if (id != 0) {
		l = vg_fx_lookup(c, id);
		if (l && l->comm[0]) {
			vg_fx_view_of_proc(l, &v);
			return vg_fx_proc_value(c, &v, f, out);
		}
		if (f == PF_NAME && (got = leader_name_from_proc(c, id, out)))
			return got;
	}
	l = NULL;
	vg_fx_ancestors(c);
	for (unsigned i = 0; i < c->nanc && id_of(k, c->anc[i]->sid, c->anc[i]->pgid) == id; i++)
		l = c->anc[i];
	if (!l)
		return vg_fx_proc_value(c, s, f, out);
	vg_fx_view_of_proc(l, &v);
	return vg_fx_proc_value(c, &v, f, out);
}

/* proc.is_sid_leader, proc.is_vpgid_leader: the id is the process's own pid
 * (the same truth in any pid namespace the leader is seen from). */
static int is_leader(struct vg_rule_ctx *c, enum leader_kind k, struct vg_value *out)
{
	const struct vg_rule_pview *s = vg_fx_self(c);
	const uint32_t id = id_of(k, s->sid, s->pgid);

	return id == VG_SID_UNKNOWN ? 0 : vg_put_bool(out, id == s->pid);
}

static int apid(struct vg_rule_ctx *c, const struct vg_field_ref *ref, struct vg_value *out, unsigned max)
{
	return ancestor_values(c, ref, PF_PID, out, max);
}

static int aname(struct vg_rule_ctx *c, const struct vg_field_ref *ref, struct vg_value *out, unsigned max)
{
	return ancestor_values(c, ref, PF_NAME, out, max);
}

static int aexe(struct vg_rule_ctx *c, const struct vg_field_ref *ref, struct vg_value *out, unsigned max)
{
	return ancestor_values(c, ref, PF_EXE, out, max);
}

static int aexepath(struct vg_rule_ctx *c, const struct vg_field_ref *ref, struct vg_value *out,
		    unsigned max)
{
	return ancestor_values(c, ref, PF_EXEPATH, out, max);
}

static int acmdline(struct vg_rule_ctx *c, const struct vg_field_ref *ref, struct vg_value *out,
		    unsigned max)
{
	return ancestor_values(c, ref, PF_CMDLINE, out, max);
}

static int pname(struct vg_rule_ctx *c, const struct vg_field_ref *ref, struct vg_value *out, unsigned max)
{
	return parent_value(c, PF_NAME, out);
}

static int pexe(struct vg_rule_ctx *c, const struct vg_field_ref *ref, struct vg_value *out, unsigned max)
{
	return parent_value(c, PF_EXE, out);
}

static int pexepath(struct vg_rule_ctx *c, const struct vg_field_ref *ref, struct vg_value *out,
		    unsigned max)
{
	return parent_value(c, PF_EXEPATH, out);
}

static int pcmdline(struct vg_rule_ctx *c, const struct vg_field_ref *ref, struct vg_value *out,
		    unsigned max)
{
	return parent_value(c, PF_CMDLINE, out);
}

static int ppid_duration(struct vg_rule_ctx *c, const struct vg_field_ref *ref, struct vg_value *out,
			 unsigned max)
{
	const struct vg_proc *a = vg_fx_ancestor(c, 1);
	uint64_t ts = c->ev->u.hdr.ts_ns;

	return a && a->start_ns && ts >= a->start_ns ? vg_put_uint(out, ts - a->start_ns) : 0;
}

static int loginshellid(struct vg_rule_ctx *c, const struct vg_field_ref *ref, struct vg_value *out,
			unsigned max)
{
	return login_shell(c, out);
}

/* the session's and the group's leader, by the field asked */
static int leader(struct vg_rule_ctx *c, const struct vg_field_ref *ref, struct vg_value *out,
		  unsigned max)
{
	switch (ref->field->id) {
	case VG_F_PROC_SNAME:
		return leader_value(c, LEADER_SESSION, PF_NAME, out);
	case VG_F_PROC_SID_EXE:
		return leader_value(c, LEADER_SESSION, PF_EXE, out);
	case VG_F_PROC_SID_EXEPATH:
		return leader_value(c, LEADER_SESSION, PF_EXEPATH, out);
	case VG_F_PROC_IS_SID_LEADER:
		return is_leader(c, LEADER_SESSION, out);
	case VG_F_PROC_VPGID_NAME:
		return leader_value(c, LEADER_GROUP, PF_NAME, out);
	case VG_F_PROC_VPGID_EXE:
		return leader_value(c, LEADER_GROUP, PF_EXE, out);
	case VG_F_PROC_VPGID_EXEPATH:
		return leader_value(c, LEADER_GROUP, PF_EXEPATH, out);
	case VG_F_PROC_IS_VPGID_LEADER:
		return is_leader(c, LEADER_GROUP, out);
	default:
		return 0;
	}
}

static const struct vg_fx fx[] = {
	{ VG_F_PROC_APID, apid },
	{ VG_F_PROC_ANAME, aname },
	{ VG_F_PROC_AEXE, aexe },
	{ VG_F_PROC_AEXEPATH, aexepath },
	{ VG_F_PROC_ACMDLINE, acmdline },
	{ VG_F_PROC_PNAME, pname },
	{ VG_F_PROC_PEXE, pexe },
	{ VG_F_PROC_PEXEPATH, pexepath },
	{ VG_F_PROC_PCMDLINE, pcmdline },
	{ VG_F_PROC_PPID_DURATION, ppid_duration },
	{ VG_F_PROC_LOGINSHELLID, loginshellid },
	{ VG_F_PROC_SNAME, leader },
	{ VG_F_PROC_SID_EXE, leader },
	{ VG_F_PROC_SID_EXEPATH, leader },
	{ VG_F_PROC_IS_SID_LEADER, leader },
	{ VG_F_PROC_VPGID_NAME, leader },
	{ VG_F_PROC_VPGID_EXE, leader },
	{ VG_F_PROC_VPGID_EXEPATH, leader },
	{ VG_F_PROC_IS_VPGID_LEADER, leader },
};

VG_FX_FAMILY(vg_fx_lineage, "proc (lineage)", fx);
