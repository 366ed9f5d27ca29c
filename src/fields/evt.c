/* evt.* fields: the event's number, time, type, result and category, and
 * what an open asked for. Its arguments are args.c. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fields/fx.h"
#include "rules/evtypes.h"
#include "sensor/event.h"
#include "util/macros.h"

int64_t vg_fx_raw_res(const struct vg_event *ev, bool *known)
{
	*known = true;
	switch (vg_event_family(ev->u.hdr.type)) {
	case VG_FAM_FILE:
		return ev->u.file.res;
	case VG_FAM_NET:
		return ev->u.net.res;
	case VG_FAM_SYS:
		return ev->u.sys.res;
	case VG_FAM_EXEC:
		return 0; /* only successful execs are reported */
	case VG_FAM_FORK:
		return ev->u.fork.child_pid;
	default:
		*known = false;
		return 0;
	}
}

static int open_check(const struct vg_event *ev, enum vg_field_id id, struct vg_value *out)
{
	const struct vg_file *f = &ev->u.file;
	uint32_t acc = f->flags & O_ACCMODE;

	if (ev->u.hdr.type != VG_EV_OPEN)
		return 0;
	switch (id) {
	/* An O_PATH descriptor reads and writes nothing (its access mode is
	 * ignored); reading through it means opening /proc/self/fd/N again,
	 * which is an open of its own. Path resolvers (vigil's own among
	 * them) use it. */
	case VG_F_EVT_IS_OPEN_READ:
		return vg_put_bool(out, !(f->flags & O_PATH) && (acc == O_RDONLY || acc == O_RDWR));
	case VG_F_EVT_IS_OPEN_WRITE:
		return vg_put_bool(out, !(f->flags & O_PATH) && (acc == O_WRONLY || acc == O_RDWR));
	case VG_F_EVT_IS_OPEN_EXEC:
		return vg_put_bool(out, (f->flags & (O_CREAT | __O_TMPFILE)) && (f->mode & 0111));
	case VG_F_EVT_IS_OPEN_CREATE:
		/* the kernel saw the file created (FMODE_CREATED), not just O_CREAT */
		return vg_put_bool(out, (ev->u.hdr.flags & VG_F_OPEN_CREATED) && f->res >= 0);
	default:
		return 0;
	}
}

static const char *category(unsigned type)
{
	switch (vg_event_family(type)) {
	case VG_FAM_EXEC:
	case VG_FAM_FORK:
	case VG_FAM_EXIT:
		return "process";
	case VG_FAM_FILE:
		return "file";
	case VG_FAM_NET:
		return "net";
	default:
		break;
	}
	switch (type) {
	case VG_EV_SETUID:
	case VG_EV_SETGID:
		return "user";
	case VG_EV_MPROTECT:
	case VG_EV_MEMFD_CREATE:
		return "memory";
	case VG_EV_KILL:
		return "signal";
	case VG_EV_DUP:
		return "io_other";
	case VG_EV_MODULE_LOAD:
	case VG_EV_BPF:
	case VG_EV_PERF_EVENT_OPEN:
		return "system";
	}
	return "process";
}

static int put_time(struct vg_rule_ctx *c, struct vg_value *out, bool date)
{
	time_t sec = (time_t)(c->wall_ns / NSEC_PER_SEC);
	unsigned long nsec = (unsigned long)(c->wall_ns % NSEC_PER_SEC);
	struct tm tm;
	uint32_t len;
	const char *d;

	if (!c->wall_ns || !localtime_r(&sec, &tm))
		return 0;
	if (date)
		d = vg_sc_printf(c, &len, "%04d-%02d-%02d %02d:%02d:%02d.%09lu", tm.tm_year + 1900,
			      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, nsec);
	else
		d = vg_sc_printf(c, &len, "%02d:%02d:%02d.%09lu", tm.tm_hour, tm.tm_min, tm.tm_sec,
			      nsec);
	return d ? vg_put_str(out, d, len) : 0;
}

static int put_res(struct vg_rule_ctx *c, struct vg_value *out)
{
	bool known;
	int64_t res = vg_fx_raw_res(c->ev, &known);
	const char *name;
	uint32_t len;

	if (!known)
		return 0;
	if (res >= 0)
		return vg_put_cstr(out, "SUCCESS");
	name = res >= -4095 ? strerrorname_np((int)-res) : NULL;
	if (name)
		return vg_put_cstr(out, name);
	name = vg_sc_printf(c, &len, "%lld", (long long)res);
	return name ? vg_put_str(out, name, len) : 0;
}

FX(evt_num)
{
	return vg_put_uint(out, c->num);
}

FX(evt_time)
{
	return put_time(c, out, ref->field->id == VG_F_EVT_DATETIME);
}

FX(evt_rawtime)
{
	return c->wall_ns ? vg_put_uint(out, c->wall_ns) : 0;
}

FX(evt_type)
{
	const char *n = vg_evtype_name(vg_rule_evtype(c->ev));

	return n ? vg_put_cstr(out, n) : 0;
}

FX(evt_dir)
{
	return vg_put_cstr(out, "<");
}

FX(evt_res)
{
	return put_res(c, out);
}

FX(evt_rawres)
{
	bool known;
	int64_t res = vg_fx_raw_res(c->ev, &known);

	return known ? vg_put_int(out, res) : 0;
}

FX(evt_failed)
{
	bool known;
	int64_t res = vg_fx_raw_res(c->ev, &known);

	return known ? vg_put_bool(out, res < 0) : 0;
}

FX(evt_open)
{
	return open_check(c->ev, ref->field->id, out);
}

FX(evt_hostname)
{
	return c->hostname ? vg_put_cstr(out, c->hostname) : 0;
}

FX(evt_source)
{
	return vg_put_cstr(out, "syscall");
}

FX(evt_category)
{
	return vg_put_cstr(out, category(c->ev->u.hdr.type));
}

static const struct vg_fx fx[] = {
	{ VG_F_EVT_NUM, evt_num },
	{ VG_F_EVT_TIME, evt_time },
	{ VG_F_EVT_DATETIME, evt_time },
	{ VG_F_EVT_RAWTIME, evt_rawtime },
	{ VG_F_EVT_TYPE, evt_type },
	{ VG_F_EVT_DIR, evt_dir },
	{ VG_F_EVT_RES, evt_res },
	{ VG_F_EVT_RAWRES, evt_rawres },
	{ VG_F_EVT_FAILED, evt_failed },
	{ VG_F_EVT_IS_OPEN_READ, evt_open },
	{ VG_F_EVT_IS_OPEN_WRITE, evt_open },
	{ VG_F_EVT_IS_OPEN_EXEC, evt_open },
	{ VG_F_EVT_IS_OPEN_CREATE, evt_open },
	{ VG_F_EVT_HOSTNAME, evt_hostname },
	{ VG_F_EVT_SOURCE, evt_source },
	{ VG_F_EVT_CATEGORY, evt_category },
};

VG_FX_FAMILY(vg_fx_evt, "evt", fx);
