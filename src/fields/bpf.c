/* bpf.* and probe.* fields. The sensor fills vg_sys per command (see
 * bpf_details() and perf_details() in bpf/sensor.bpf.c):
 *   bpf:  args[0] command, aux program type, aux64 attach type, str program
 *         name, str3 attach target, target target fd, obj_id program/link id
 *   perf: aux PMU type, probe kind, str probe path or function, aux64 offset,
 *         config tracepoint id */
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>

#include "fields/bpf.h"
#include "fields/fx.h"
#include "fields/names.h"
#include "sensor/event.h"
#include "util/macros.h"

bool vg_bpf_field_is(enum vg_field_id id)
{
	return id >= VG_F_BPF_CMD && id <= VG_F_PROBE_TP_ID;
}

const char *vg_probe_kind_name(uint32_t kind)
{
	static const char *const names[] = {
		[VG_PROBE_KPROBE] = "kprobe",	  [VG_PROBE_KRETPROBE] = "kretprobe",
		[VG_PROBE_UPROBE] = "uprobe",	  [VG_PROBE_URETPROBE] = "uretprobe",
		[VG_PROBE_TRACEPOINT] = "tracepoint",
	};

	return kind < ARRAY_SIZE(names) ? names[kind] : NULL;
}

const char *vg_bpf_prog_type_name(uint32_t type, char *buf, size_t size)
{
	const char *n = libbpf_bpf_prog_type_str((enum bpf_prog_type)type);

	if (n)
		return n;
	snprintf(buf, size, "%u", type);
	return buf;
}

const char *vg_bpf_attach_type_name(uint32_t type, char *buf, size_t size)
{
	const char *n = libbpf_bpf_attach_type_str((enum bpf_attach_type)type);

	if (n)
		return n;
	/* newer than this libbpf's table */
	if (type == 48)
		return "uprobe_multi";
	snprintf(buf, size, "%u", type);
	return buf;
}

static int str(struct vg_value *out, const char *s, size_t len)
{
	out->s.ptr = s;
	out->s.len = (uint32_t)len;
	return 1;
}

static int cstr(struct vg_value *out, const char *s)
{
	return s ? str(out, s, strlen(s)) : 0;
}

static int slot(const struct vg_event *ev, enum vg_slot s, struct vg_value *out)
{
	return ev->len[s] ? str(out, ev->s[s], ev->len[s]) : 0;
}

static int uint_val(struct vg_value *out, uint64_t v)
{
	out->u = v;
	return 1;
}

/* Does this bpf() command carry a program / an attach type / a link? */
static bool has_prog(uint64_t cmd)
{
	return cmd == BPF_PROG_LOAD || cmd == BPF_LINK_CREATE || cmd == BPF_PROG_ATTACH ||
	       cmd == BPF_RAW_TRACEPOINT_OPEN;
}

static bool has_attach(uint64_t cmd)
{
	return cmd == BPF_LINK_CREATE || cmd == BPF_PROG_ATTACH;
}

static int bpf_field(const struct vg_event *ev, enum vg_field_id id, struct vg_value *out,
		     char *buf, size_t size)
{
	const struct vg_sys *s = &ev->u.sys;
	uint64_t cmd = s->args[0];

	switch (id) {
	case VG_F_BPF_CMD:
		return cstr(out, vg_bpf_cmd(buf, size, cmd));
	case VG_F_BPF_PROG_TYPE:
		/* a failed attach never learnt its program */
		if (!has_prog(cmd) || (cmd != BPF_PROG_LOAD && !ev->len[VG_S_STR] && !s->aux))
			return 0;
		return cstr(out, vg_bpf_prog_type_name(s->aux, buf, size));
	case VG_F_BPF_PROG_NAME:
		return has_prog(cmd) ? slot(ev, VG_S_STR, out) : 0;
	case VG_F_BPF_PROG_ID:
		return (cmd == BPF_PROG_LOAD || cmd == BPF_PROG_ATTACH) && s->obj_id
			   ? uint_val(out, s->obj_id)
			   : 0;
	case VG_F_BPF_ATTACH_TYPE:
		if (has_attach(cmd) || (cmd == BPF_PROG_LOAD && s->aux64))
			return cstr(out, vg_bpf_attach_type_name((uint32_t)s->aux64, buf, size));
		return cmd == BPF_RAW_TRACEPOINT_OPEN ? cstr(out, "raw_tracepoint") : 0;
	case VG_F_BPF_ATTACH_TARGET:
		if (slot(ev, VG_S_STR3, out))
			return 1;
		if (!has_attach(cmd))
			return 0;
		snprintf(buf, size, "fd %u", s->target);
		return cstr(out, buf);
	case VG_F_BPF_LINK_ID:
		return (cmd == BPF_LINK_CREATE || cmd == BPF_RAW_TRACEPOINT_OPEN ||
			cmd == BPF_LINK_DETACH) && s->obj_id
			   ? uint_val(out, s->obj_id)
			   : 0;
	default:
		return 0;
	}
}

static bool is_uprobe(uint32_t k)
{
	return k == VG_PROBE_UPROBE || k == VG_PROBE_URETPROBE;
}

static bool is_kprobe(uint32_t k)
{
	return k == VG_PROBE_KPROBE || k == VG_PROBE_KRETPROBE;
}

static int probe_field(const struct vg_event *ev, enum vg_field_id id, struct vg_value *out)
{
	const struct vg_sys *s = &ev->u.sys;

	switch (id) {
	case VG_F_PROBE_TYPE:
		return cstr(out, vg_probe_kind_name(s->probe));
	case VG_F_PROBE_PATH:
		return is_uprobe(s->probe) ? slot(ev, VG_S_STR, out) : 0;
	case VG_F_PROBE_FUNC:
		return is_kprobe(s->probe) ? slot(ev, VG_S_STR, out) : 0;
	case VG_F_PROBE_OFFSET:
		return is_uprobe(s->probe) || is_kprobe(s->probe) ? uint_val(out, s->aux64) : 0;
	case VG_F_PROBE_TP_ID:
		return s->probe == VG_PROBE_TRACEPOINT ? uint_val(out, s->config) : 0;
	default:
		return 0;
	}
}

int vg_bpf_field_get(const struct vg_event *ev, enum vg_field_id id, struct vg_value *out,
		     char *buf, size_t size)
{
	switch (ev->u.hdr.type) {
	case VG_EV_BPF:
		return bpf_field(ev, id, out, buf, size);
	case VG_EV_PERF_EVENT_OPEN:
		return probe_field(ev, id, out);
	default:
		return 0;
	}
}

/* names rendered into a local buffer are copied to the scratch area, which
 * lives as long as the event */
FX(bpf_fx)
{
	char b[64];
	int n = vg_bpf_field_get(c->ev, ref->field->id, out, b, sizeof(b));

	if (n && ref->field->type == VG_FT_STR && out->s.ptr == b)
		return vg_put_copy(c, out, b);
	return n;
}

static const struct vg_fx fx[] = {
	{ VG_F_BPF_CMD, bpf_fx },	    { VG_F_BPF_PROG_TYPE, bpf_fx },
	{ VG_F_BPF_PROG_NAME, bpf_fx },	    { VG_F_BPF_PROG_ID, bpf_fx },
	{ VG_F_BPF_ATTACH_TYPE, bpf_fx },   { VG_F_BPF_ATTACH_TARGET, bpf_fx },
	{ VG_F_BPF_LINK_ID, bpf_fx },	    { VG_F_PROBE_TYPE, bpf_fx },
	{ VG_F_PROBE_PATH, bpf_fx },	    { VG_F_PROBE_FUNC, bpf_fx },
	{ VG_F_PROBE_OFFSET, bpf_fx },	    { VG_F_PROBE_TP_ID, bpf_fx },
};

VG_FX_FAMILY(vg_fx_bpf, "bpf, probe", fx);
