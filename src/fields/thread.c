/* thread.* fields: the thread's ids and its capability sets. */
#include "fields/fx.h"
#include "fields/names.h"
#include "proc/proctable.h"
#include "sensor/event.h"

/* A capability set the process table knows: read from /proc/PID/status
 * when it was seeded, the effective set from the last exec, inherited at
 * fork. Capability changes by capset() or setuid() are not followed. */
static int table_caps(struct vg_rule_ctx *c, enum vg_field_id id, struct vg_value *out)
{
	const struct vg_proc *p = vg_fx_self(c)->p;

	if (!p)
		return 0;
	switch (id) {
	case VG_F_THREAD_CAP_EFFECTIVE:
		return p->caps_known & VG_CAPS_EFF ? vg_fx_put_caps(c, out, p->cap_eff) : 0;
	case VG_F_THREAD_CAP_PERMITTED:
		return p->caps_known & VG_CAPS_PRM ? vg_fx_put_caps(c, out, p->cap_prm) : 0;
	case VG_F_THREAD_CAP_INHERITABLE:
		return p->caps_known & VG_CAPS_INH ? vg_fx_put_caps(c, out, p->cap_inh) : 0;
	default:
		return 0;
	}
}

/* "CAP_CHOWN CAP_KILL ...", as Falco renders a capability set. */
int vg_fx_put_caps(struct vg_rule_ctx *c, struct vg_value *out, uint64_t caps)
{
	char *dst = c->scratch + c->used;
	size_t room = sizeof(c->scratch) - c->used, n;

	if (room < 2)
		return 0;
	n = vg_caps_text(dst, room, caps);
	c->used += n + 1;
	return vg_put_str(out, dst, n);
}

FX(thread_tid)
{
	return vg_put_int(out, c->ev->u.hdr.tid);
}

FX(thread_vtid)
{
	return vg_fx_in_host_pidns(c) ? vg_put_int(out, c->ev->u.hdr.tid) : 0;
}

FX(thread_ismain)
{
	return vg_put_bool(out, c->ev->u.hdr.tid == c->ev->u.hdr.pid);
}

/* thread.cap_effective: an exec record carries the new program's set */
FX(thread_cap_effective)
{
	const struct vg_event *ev = c->ev;

	if (ev->u.hdr.type == VG_EV_EXEC)
		return vg_fx_put_caps(c, out,
				      (uint64_t)ev->u.exec.cap_effective_hi << 32 |
					  ev->u.exec.cap_effective_lo);
	return table_caps(c, ref->field->id, out);
}

FX(thread_caps)
{
	return table_caps(c, ref->field->id, out);
}

static const struct vg_fx fx[] = {
	{ VG_F_THREAD_TID, thread_tid },
	{ VG_F_THREAD_VTID, thread_vtid },
	{ VG_F_THREAD_ISMAIN, thread_ismain },
	{ VG_F_THREAD_CAP_EFFECTIVE, thread_cap_effective },
	{ VG_F_THREAD_CAP_PERMITTED, thread_caps },
	{ VG_F_THREAD_CAP_INHERITABLE, thread_caps },
};

VG_FX_FAMILY(vg_fx_thread, "thread", fx);
