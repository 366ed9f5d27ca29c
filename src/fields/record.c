/* vigil.* fields of what a record itself carries and Falco has no name for:
 * the 32-bit entry, io_uring requests without a result, an exec's argument
 * count, terminal name, namespaces and executable, an open's folded repeats,
 * a cut path. Raw events (vigil run --events) show them; rules may use them. */
#include <stdio.h>
#include <string.h>

#include "fields/fx.h"
#include "sensor/event.h"

static bool is_exec(const struct vg_event *ev)
{
	return ev->u.hdr.type == VG_EV_EXEC;
}

FX(is_compat32)
{
	return vg_put_bool(out, c->ev->u.hdr.flags & VG_F_COMPAT);
}

FX(io_uring_noresult)
{
	uint32_t fl = c->ev->u.hdr.flags;

	return fl & VG_F_IO_URING ? vg_put_bool(out, fl & VG_F_URING_NORES) : 0;
}

FX(proc_argc)
{
	return is_exec(c->ev) ? vg_put_uint(out, c->ev->u.exec.argc) : 0;
}

/* The kernel names pseudo-terminals "pts3"; people and /dev say "pts/3". */
FX(proc_tty_name)
{
	const struct vg_event *ev = c->ev;
	const char *k = ev->s[VG_S_TTY];
	uint32_t len;
	const char *d;

	if (!is_exec(ev) || !ev->len[VG_S_TTY])
		return 0;
	if (strncmp(k, "pts", 3) || k[3] < '0' || k[3] > '9')
		return vg_put_str(out, k, ev->len[VG_S_TTY]);
	d = vg_sc_printf(c, &len, "pts/%.*s", (int)ev->len[VG_S_TTY] - 3, k + 3);
	return d ? vg_put_str(out, d, len) : 0;
}

FX(proc_ns)
{
	const struct vg_exec *x = &c->ev->u.exec;

	if (!is_exec(c->ev))
		return 0;
	return vg_put_uint(out, ref->field->id == VG_F_VIGIL_PROC_PID_NS ? x->pid_ns : x->mnt_ns);
}

FX(proc_exe_dev)
{
	return is_exec(c->ev) ? vg_put_uint(out, c->ev->u.exec.exe_dev) : 0;
}

FX(proc_is_exe_deleted)
{
	return is_exec(c->ev) ? vg_put_bool(out, c->ev->u.hdr.flags & VG_F_EXE_DELETED) : 0;
}

FX(evt_repeats)
{
	const struct vg_event *ev = c->ev;

	return ev->u.hdr.type == VG_EV_OPEN ? vg_put_uint(out, ev->u.file.repeats) : 0;
}

FX(fd_name_truncated)
{
	const struct vg_event *ev = c->ev;

	if (vg_event_family(ev->u.hdr.type) != VG_FAM_FILE)
		return 0;
	return vg_put_bool(out, ev->u.hdr.flags & VG_F_PATH_TRUNC);
}

static const struct vg_fx fx[] = {
	{ VG_F_VIGIL_IS_COMPAT32, is_compat32 },
	{ VG_F_VIGIL_IO_URING_NORESULT, io_uring_noresult },
	{ VG_F_VIGIL_PROC_ARGC, proc_argc },
	{ VG_F_VIGIL_PROC_TTY_NAME, proc_tty_name },
	{ VG_F_VIGIL_PROC_PID_NS, proc_ns },
	{ VG_F_VIGIL_PROC_MNT_NS, proc_ns },
	{ VG_F_VIGIL_PROC_EXE_DEV, proc_exe_dev },
	{ VG_F_VIGIL_PROC_IS_EXE_DELETED, proc_is_exe_deleted },
	{ VG_F_VIGIL_EVT_REPEATS, evt_repeats },
	{ VG_F_VIGIL_FD_NAME_TRUNCATED, fd_name_truncated },
};

VG_FX_FAMILY(vg_fx_record, "vigil (record)", fx);
