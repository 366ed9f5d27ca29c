/* Record → named fields. Names follow Falco's field names (evt.*, proc.*,
 * fd.*, user.*) so raw events read like alerts and the rule engine can use
 * the same names. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "fields/extract.h"
#include "output/fields.h"
#include "fields/names.h"
#include "util/macros.h"

static void add(struct vg_fields *f, const char *key, enum vg_kv_kind kind, const char *s,
		size_t len, int64_t i)
{
	if (f->n >= VG_FIELDS_MAX)
		return;
	f->kv[f->n++] = (struct vg_kv){ .key = key, .kind = kind, .s = s, .s_len = len, .i = i };
}

static void add_str(struct vg_fields *f, const char *key, const char *s)
{
	if (s)
		add(f, key, VG_KV_STR, s, strlen(s), 0);
}

static void add_int(struct vg_fields *f, const char *key, int64_t v)
{
	add(f, key, VG_KV_INT, NULL, 0, v);
}

static void add_bool(struct vg_fields *f, const char *key, int v)
{
	add(f, key, VG_KV_BOOL, NULL, 0, !!v);
}

/* Formats into the list's buffer; returns the string (or "" when full). */
__attribute__((format(printf, 2, 3))) static const char *fmt(struct vg_fields *f, const char *fmt,
							       ...)
{
	size_t room = sizeof(f->buf) - f->used;
	char *dst = f->buf + f->used;
	va_list ap;
	int n;

	if (room < 2)
		return "";
	va_start(ap, fmt);
	n = vsnprintf(dst, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return "";
	f->used += ((size_t)n < room ? (size_t)n : room - 1) + 1;
	return dst;
}

/* A copy into the list's buffer (for values built in a local buffer). */
static const char *keep(struct vg_fields *f, const char *s)
{
	return fmt(f, "%s", s);
}

const struct vg_kv *vg_fields_get(const struct vg_fields *f, const char *key)
{
	for (int i = 0; i < f->n; i++)
		if (!strcmp(f->kv[i].key, key))
			return &f->kv[i];
	return NULL;
}

/* The registry's field for an output name: "proc.aname[2]" is proc.aname,
 * "evt.arg.flags" evt.arg. Sets *indexed when the name has an argument. */
static const struct vg_field *output_field(const char *name, bool *indexed)
{
	const char *br = strchr(name, '[');
	size_t len = br ? (size_t)(br - name) : strlen(name);
	const char *dot;
	size_t dot_len;
	const struct vg_field *f = vg_field_lookup(name, len, &dot, &dot_len);

	*indexed = br || dot;
	return f;
}

void vg_kv_typed(struct vg_kv *kv, const char *name, const char *value, bool present)
{
	const struct vg_field *f;
	bool indexed;
	char *end;
	long long v;

	*kv = (struct vg_kv){ .key = name, .kind = present ? VG_KV_STR : VG_KV_NULL, .s = value,
			      .s_len = strlen(value) };
	if (!present || !(f = output_field(name, &indexed)))
		return;
	if ((f->flags & (VG_FF_ANY | VG_FF_LIST)) && !indexed)
		return; /* one value per ancestor or address: the joined text */
	switch (f->type) {
	case VG_FT_INT:
	case VG_FT_UINT:
		errno = 0;
		v = strtoll(value, &end, 10);
		if (!value[0] || *end || errno)
			return; /* beyond int64 (no such value today): the text */
		kv->kind = VG_KV_INT;
		kv->i = v;
		return;
	case VG_FT_BOOL:
		if (strcmp(value, "true") && strcmp(value, "false"))
			return;
		kv->kind = VG_KV_BOOL;
		kv->i = !strcmp(value, "true");
		return;
	default:
		return;
	}
}

/* ---- raw events through the extractors ---- */

/* Adds field id (with its argument, for evt.arg.NAME) as the extractor
 * gives it; nothing when the field does not apply. key: the name shown. */
static void add_extracted(struct vg_fields *f, struct vg_rule_ctx *c, const char *key,
			  enum vg_field_id id, const char *arg)
{
	const struct vg_field *d = vg_field_by_id(id);
	struct vg_field_ref ref = { .field = d, .index = -1, .arg = arg,
				    .arg_len = arg ? (uint32_t)strlen(arg) : 0 };
	struct vg_value v;
	char ip[INET6_ADDRSTRLEN];

	if (vg_rule_field_get(c, &ref, &v, 1) <= 0)
		return;
	switch (d->type) {
	case VG_FT_STR:
		add(f, key, VG_KV_STR, v.s.ptr, v.s.len, 0);
		break;
	case VG_FT_INT:
		add_int(f, key, v.i);
		break;
	case VG_FT_UINT:
		add_int(f, key, (int64_t)v.u);
		break;
	case VG_FT_BOOL:
		add_bool(f, key, v.b);
		break;
	case VG_FT_IPADDR:
	case VG_FT_IPNET:
		if (inet_ntop(v.ip.family == 6 ? AF_INET6 : AF_INET, v.ip.addr, ip, sizeof(ip)))
			add_str(f, key, keep(f, ip));
		break;
	case VG_FT_NONE:
		break;
	}
}

static void add_ids(struct vg_fields *f, struct vg_rule_ctx *c, const enum vg_field_id *ids,
		    size_t n)
{
	for (size_t i = 0; i < n; i++)
		add_extracted(f, c, vg_field_by_id(ids[i])->name, ids[i], NULL);
}

#define ADD_IDS(f, c, ...)                                                                         \
	do {                                                                                       \
		static const enum vg_field_id ids_[] = { __VA_ARGS__ };                            \
		add_ids(f, c, ids_, ARRAY_SIZE(ids_));                               \
	} while (0)

/* evt.arg.NAME of every argument of the event's schema, aliases too (a
 * name rules may use is worth showing) */
static void add_args(struct vg_fields *f, struct vg_rule_ctx *c)
{
	const char *names[16];
	unsigned n = vg_event_arg_names(c, true, names, 16);

	for (unsigned i = 0; i < n; i++)
		add_extracted(f, c, fmt(f, "evt.arg.%s", names[i]), VG_F_EVT_ARG, names[i]);
}

void vg_fields_from_ctx(struct vg_fields *f, struct vg_rule_ctx *c)
{
	const struct vg_event *ev = c->ev;
	const struct vg_hdr *h = &ev->u.hdr;

	f->n = 0;
	f->used = 0;
	/* evt.type leads (the text line shows it bare) */
	add_extracted(f, c, "evt.type", VG_F_EVT_TYPE, NULL);
	if (f->n == 0)
		add_str(f, "evt.type", vg_event_name(ev) ? vg_event_name(ev) : "unknown");
	ADD_IDS(f, c, VG_F_PROC_PID, VG_F_THREAD_TID, VG_F_PROC_PPID, VG_F_PROC_NAME, VG_F_USER_UID,
		VG_F_GROUP_GID, VG_F_PROC_EXEPATH, VG_F_PROC_CMDLINE, VG_F_PROC_PNAME, VG_F_USER_NAME,
		VG_F_CONTAINER_ID, VG_F_EVT_RES, VG_F_EVT_RAWRES);
	if (h->flags & VG_F_COMPAT)
		ADD_IDS(f, c, VG_F_VIGIL_IS_COMPAT32);
	if (h->flags & VG_F_IO_URING) /* a request through io_uring, named after its syscall */
		ADD_IDS(f, c, VG_F_EVT_IS_IO_URING, VG_F_VIGIL_IO_URING_OP,
			VG_F_VIGIL_IO_URING_NORESULT);
	switch (vg_event_family(h->type)) {
	case VG_FAM_EXEC:
		ADD_IDS(f, c, VG_F_PROC_EXE);
		add_extracted(f, c, "evt.arg.filename", VG_F_EVT_ARG, "filename");
		ADD_IDS(f, c, VG_F_PROC_CWD, VG_F_VIGIL_PROC_ARGC, VG_F_PROC_ARGS_TRUNCATED,
			VG_F_PROC_LD_ENV_TRUNCATED, VG_F_USER_LOGINUID, VG_F_PROC_TTY,
			VG_F_VIGIL_PROC_TTY_NAME, VG_F_VIGIL_PROC_PID_NS, VG_F_VIGIL_PROC_MNT_NS,
			VG_F_PROC_EXE_INO, VG_F_VIGIL_PROC_EXE_DEV, VG_F_PROC_IS_EXE_FROM_MEMFD,
			VG_F_VIGIL_PROC_IS_EXE_DELETED, VG_F_PROC_IS_EXE_UPPER_LAYER, VG_F_PROC_SID,
			VG_F_THREAD_CAP_EFFECTIVE, VG_F_PROC_ENV);
		break;
	case VG_FAM_FORK:
		add_extracted(f, c, "evt.arg.child_pid", VG_F_EVT_ARG, "child_pid");
		break;
	case VG_FAM_EXIT:
		add_args(f, c);
		break;
	case VG_FAM_FILE:
		ADD_IDS(f, c, VG_F_FD_NAME, VG_F_FD_NAMERAW, VG_F_FD_NUM, VG_F_FD_INO,
			VG_F_FS_PATH_NAME, VG_F_FS_PATH_NAMERAW, VG_F_FS_PATH_SOURCE,
			VG_F_FS_PATH_TARGET);
		add_args(f, c);
		if (h->type == VG_EV_OPEN)
			ADD_IDS(f, c, VG_F_EVT_IS_OPEN_CREATE);
		if (ev->u.file.repeats)
			ADD_IDS(f, c, VG_F_VIGIL_EVT_REPEATS);
		if (h->flags & VG_F_PATH_TRUNC)
			ADD_IDS(f, c, VG_F_VIGIL_FD_NAME_TRUNCATED);
		break;
	case VG_FAM_NET:
		ADD_IDS(f, c, VG_F_FD_NUM, VG_F_FD_TYPE, VG_F_FD_L4PROTO, VG_F_FD_NAME, VG_F_FD_LIP,
			VG_F_FD_LPORT, VG_F_FD_RIP, VG_F_FD_RPORT);
		add_args(f, c);
		break;
	case VG_FAM_SYS:
		add_args(f, c);
		if (h->type == VG_EV_SETUID || h->type == VG_EV_SETGID)
			ADD_IDS(f, c, VG_F_VIGIL_IDS_BEFORE, VG_F_VIGIL_IDS_AFTER,
				VG_F_VIGIL_BECAME_ROOT);
		if (h->type == VG_EV_DUP)
			ADD_IDS(f, c, VG_F_FD_TYPE);
		if (h->type == VG_EV_BPF || h->type == VG_EV_PERF_EVENT_OPEN)
			ADD_IDS(f, c, VG_F_BPF_CMD, VG_F_BPF_PROG_TYPE, VG_F_BPF_PROG_NAME,
				VG_F_BPF_PROG_ID, VG_F_BPF_ATTACH_TYPE, VG_F_BPF_ATTACH_TARGET,
				VG_F_BPF_LINK_ID, VG_F_PROBE_TYPE, VG_F_PROBE_PATH, VG_F_PROBE_FUNC,
				VG_F_PROBE_OFFSET, VG_F_PROBE_TP_ID);
		break;
	case VG_FAM_NONE:
		break;
	}
}
