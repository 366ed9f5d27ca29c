/* Every process-state transition an event makes (proctable.h,
 * vg_pt_track): fork, exec, exit, credential, session and group changes.
 * The monitor calls it for each event and nothing else writes a process's
 * state. */
#include "proc/proctable.h"
#include "sensor/event.h"

void vg_pt_track(struct vg_proctable *pt, const struct vg_event *ev)
{
	const struct vg_hdr *h = &ev->u.hdr;
	struct vg_proc *p, *c;

	switch (h->type) {
	case VG_EV_FORK:
		/* A parent we never saw gets an entry first, so the child
		 * inherits its name and ids. */
		p = vg_pt_resolve(pt, h);
		/* the parent's session now, which the child inherits: it also
		 * catches a setsid() whose own record was lost */
		if (p) {
			p->sid = ev->u.fork.sid;
			p->pgid = ev->u.fork.pgid;
		}
		c = vg_pt_on_fork(pt, h->pid, ev->u.fork.child_pid, ev->u.fork.child_start_ns);
		if (c) {
			c->sid = ev->u.fork.sid;
			c->pgid = ev->u.fork.pgid;
		}
		break;
	case VG_EV_EXEC:
		vg_pt_on_exec(pt, ev);
		break;
	case VG_EV_EXIT:
		break; /* vg_pt_track_exit, once the event has been read */
	case VG_EV_SETUID:
		p = vg_pt_resolve(pt, h);
		if (p && ev->u.sys.res == 0)
			p->euid = ev->u.sys.new_euid;
		break;
	case VG_EV_SETSID:
		/* the new session's id is the caller's pid, which setsid returns
		 * (as the caller's namespace numbers it: use the header's pid) */
		p = vg_pt_resolve(pt, h);
		if (p && ev->u.sys.res > 0) {
			p->sid = h->pid;
			p->pgid = h->pid; /* setsid() also makes a new group */
		}
		break;
	case VG_EV_SETPGID:
		p = vg_pt_resolve(pt, h);
		if (p && ev->u.sys.res == 0)
			vg_pt_on_setpgid(pt, p, (uint32_t)ev->u.sys.args[0], (uint32_t)ev->u.sys.args[1]);
		break;
	default:
		vg_pt_resolve(pt, h);
		break;
	}
}

void vg_pt_track_exit(struct vg_proctable *pt, const struct vg_event *ev)
{
	if (ev->u.hdr.type == VG_EV_EXIT)
		vg_pt_on_exit(pt, ev->u.hdr.pid, ev->u.hdr.ts_ns, ev->u.exit.exit_code);
}
