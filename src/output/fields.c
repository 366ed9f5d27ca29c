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
#include <sys/stat.h>

#include "fields/bpf.h"
#include "fields/extract.h"
#include "sensor/uring_ops.h"
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

static void add_slot(struct vg_fields *f, const char *key, const struct vg_event *ev,
		     enum vg_slot slot)
{
	add(f, key, VG_KV_STR, ev->s[slot], ev->len[slot], 0);
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

/* bpf.* and probe.*: the attach details of bpf() and perf_event_open
 * records, under the names rules use. */
static void vg_fields_add_bpf(struct vg_fields *f, const struct vg_event *ev)
{
	static const enum vg_field_id ids[] = {
		VG_F_BPF_PROG_TYPE,   VG_F_BPF_PROG_NAME,  VG_F_BPF_PROG_ID,   VG_F_BPF_ATTACH_TYPE,
		VG_F_BPF_ATTACH_TARGET, VG_F_BPF_LINK_ID,  VG_F_PROBE_TYPE,    VG_F_PROBE_PATH,
		VG_F_PROBE_FUNC,      VG_F_PROBE_OFFSET,   VG_F_PROBE_TP_ID,
	};

	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		const struct vg_field *d = vg_field_by_id(ids[i]);
		struct vg_value v;
		char b[64];

		if (!vg_bpf_field_get(ev, ids[i], &v, b, sizeof(b)))
			continue;
		if (d->type == VG_FT_STR && v.s.ptr == b)
			add_str(f, d->name, keep(f, b));
		else if (d->type == VG_FT_STR)
			add(f, d->name, VG_KV_STR, v.s.ptr, v.s.len, 0);
		else
			add_int(f, d->name, (int64_t)v.u);
	}
}

/* argv as one line: arguments joined by spaces, as proc.cmdline shows it. */
static const char *join_args(struct vg_fields *f, const char *args, size_t len)
{
	size_t room = sizeof(f->buf) - f->used;
	char *dst = f->buf + f->used;
	size_t n = len < room - 1 ? len : room - 1;

	if (room < 2)
		return "";
	memcpy(dst, args, n);
	while (n > 0 && dst[n - 1] == 0)
		n--; /* the last argument's terminator */
	for (size_t i = 0; i < n; i++)
		if (dst[i] == 0)
			dst[i] = ' ';
	dst[n] = 0;
	f->used += n + 1;
	return dst;
}

static const char *addr_str(struct vg_fields *f, const struct vg_sockaddr *a)
{
	char ip[INET6_ADDRSTRLEN] = "";

	if (a->family == AF_INET)
		inet_ntop(AF_INET, a->addr, ip, sizeof(ip));
	else if (a->family == AF_INET6)
		inet_ntop(AF_INET6, a->addr, ip, sizeof(ip));
	return keep(f, ip);
}

/* The kernel names pseudo-terminals "pts3"; people and /dev say "pts/3". */
static const char *tty_name(struct vg_fields *f, const char *kname)
{
	if (!strncmp(kname, "pts", 3) && kname[3] >= '0' && kname[3] <= '9')
		return fmt(f, "pts/%s", kname + 3);
	return kname;
}

static void exec_fields(struct vg_fields *f, const struct vg_event *ev,
			const struct vg_proc_view *p)
{
	const struct vg_exec *e = &ev->u.exec;
	const char *cmdline = join_args(f, ev->s[VG_S_ARGS], ev->len[VG_S_ARGS]);
	uint64_t caps = (uint64_t)e->cap_effective_hi << 32 | e->cap_effective_lo;

	add_slot(f, "proc.exepath", ev, VG_S_EXE);
	add_str(f, "proc.exe", ev->s[VG_S_ARGS]); /* argv[0] */
	add_slot(f, "evt.arg.filename", ev, VG_S_FILENAME);
	/* The table renders it as Falco does (name, then the arguments). */
	add_str(f, "proc.cmdline", p && p->cmdline ? p->cmdline : cmdline);
	add_slot(f, "proc.cwd", ev, VG_S_CWD);
	add_int(f, "proc.argc", e->argc);
	add_bool(f, "proc.args_truncated", e->hdr.flags & VG_F_ARGS_TRUNC);
	add_int(f, "user.euid", e->euid);
	add_int(f, "group.egid", e->egid);
	add_int(f, "user.loginuid", (int32_t)e->loginuid);
	add_int(f, "proc.tty", e->tty_nr);
	add_str(f, "proc.tty_name", tty_name(f, ev->s[VG_S_TTY]));
	add_int(f, "proc.pid_ns", e->pid_ns);
	add_int(f, "proc.mnt_ns", e->mnt_ns);
	add_int(f, "proc.exe_ino", (int64_t)e->exe_ino);
	add_int(f, "proc.exe_dev", e->exe_dev);
	add_bool(f, "proc.is_exe_from_memfd", e->hdr.flags & VG_F_EXE_MEMFD);
	add_bool(f, "proc.is_exe_deleted", e->hdr.flags & VG_F_EXE_DELETED);
	add_bool(f, "proc.is_exe_upper_layer", e->hdr.flags & VG_F_EXE_UPPER_LAYER);
	add_int(f, "proc.sid", e->sid);
	add_str(f, "thread.cap_effective", fmt(f, "0x%llx", (unsigned long long)caps));
	if (ev->len[VG_S_ENV])
		add_str(f, "proc.env.loader", join_args(f, ev->s[VG_S_ENV], ev->len[VG_S_ENV]));
}

static void file_fields(struct vg_fields *f, const struct vg_event *ev)
{
	const struct vg_file *e = &ev->u.file;
	char b[256];

	add_int(f, "evt.res", e->res);
	add_slot(f, "fd.name", ev, VG_S_PATH);
	add_slot(f, "fd.nameraw", ev, VG_S_PATH_RAW);
	if (e->fd >= 0)
		add_int(f, "fd.num", e->fd);
	if (e->hdr.type == VG_EV_OPEN && e->res >= 0)
		add_int(f, "fd.num", e->res);
	if (e->ino)
		add_int(f, "fd.ino", (int64_t)e->ino);
	if (e->repeats)
		add_int(f, "evt.repeats", e->repeats);
	switch (e->hdr.type) {
	case VG_EV_OPEN:
		add_str(f, "evt.arg.flags", keep(f, vg_open_flags(b, sizeof(b), e->flags)));
		add_str(f, "evt.arg.mode", fmt(f, "%#o", e->mode));
		add_bool(f, "evt.is_open_create", e->hdr.flags & VG_F_OPEN_CREATED);
		break;
	case VG_EV_RENAME:
	case VG_EV_LINK:
		add_slot(f, "evt.arg.oldpath", ev, VG_S_PATH);
		add_slot(f, "evt.arg.newpath", ev, VG_S_PATH2);
		break;
	case VG_EV_SYMLINK:
		add_slot(f, "evt.arg.target", ev, VG_S_PATH_RAW);
		add_slot(f, "evt.arg.linkpath", ev, VG_S_PATH2);
		break;
	case VG_EV_CHMOD:
	case VG_EV_MKDIR:
		add_str(f, "evt.arg.mode", fmt(f, "%#o", e->mode));
		break;
	case VG_EV_CHOWN:
		add_int(f, "evt.arg.uid", (int32_t)e->uid);
		add_int(f, "evt.arg.gid", (int32_t)e->gid);
		break;
	}
	if (e->hdr.flags & VG_F_PATH_TRUNC)
		add_bool(f, "fd.name_truncated", 1);
}

static void net_fields(struct vg_fields *f, const struct vg_event *ev)
{
	const struct vg_net *e = &ev->u.net;
	char b[64];
	const char *lip, *rip;

	add_int(f, "evt.res", e->res);
	add_int(f, "fd.num", e->fd);
	add_str(f, "evt.arg.domain", keep(f, vg_socket_family(b, sizeof(b), e->domain)));
	add_str(f, "evt.arg.type", keep(f, vg_socket_type(b, sizeof(b), e->type)));
	add_int(f, "evt.arg.proto", e->protocol);
	if (e->domain == AF_UNIX) {
		add_str(f, "fd.type", "unix");
		add_slot(f, "fd.name", ev, VG_S_UNIX_PATH);
	} else if (e->local.family || e->remote.family) {
		lip = addr_str(f, &e->local);
		rip = addr_str(f, &e->remote);
		add_str(f, "fd.type", e->domain == AF_INET6 ? "ipv6" : "ipv4");
		add_str(f, "fd.l4proto", (e->type & 0xf) == SOCK_DGRAM ? "udp"
				      : (e->type & 0xf) == SOCK_STREAM ? "tcp" : "");
		add_str(f, "fd.lip", lip);
		add_int(f, "fd.lport", e->local.port);
		add_str(f, "fd.rip", rip);
		add_int(f, "fd.rport", e->remote.port);
		add_str(f, "fd.name", fmt(f, e->domain == AF_INET6 ? "[%s]:%u->[%s]:%u" : "%s:%u->%s:%u",
					  lip, e->local.port, rip, e->remote.port));
	}
	if (e->hdr.type == VG_EV_LISTEN)
		add_int(f, "evt.arg.backlog", e->backlog);
}

static void sys_fields(struct vg_fields *f, const struct vg_event *ev)
{
	const struct vg_sys *e = &ev->u.sys;
	const __u64 *a = e->args;
	char b[256];

	add_int(f, "evt.res", e->res);
	switch (e->hdr.type) {
	case VG_EV_SETUID:
	case VG_EV_SETGID:
		add_int(f, "evt.arg.id", (int32_t)a[0]);
		add_int(f, e->hdr.type == VG_EV_SETUID ? "user.uid_after" : "group.gid_after",
			e->new_uid);
		add_int(f, e->hdr.type == VG_EV_SETUID ? "user.euid_after" : "group.egid_after",
			e->new_euid);
		break;
	case VG_EV_SETNS:
		add_int(f, "evt.arg.fd", (int32_t)a[0]);
		add_str(f, "evt.arg.nstype", keep(f, vg_clone_ns_flags(b, sizeof(b), a[1])));
		break;
	case VG_EV_UNSHARE:
		add_str(f, "evt.arg.flags", keep(f, vg_clone_ns_flags(b, sizeof(b), a[0])));
		break;
	case VG_EV_PTRACE:
		add_str(f, "evt.arg.request", keep(f, vg_ptrace_request(b, sizeof(b), a[0])));
		add_int(f, "evt.arg.pid", e->target_pid);
		break;
	case VG_EV_PROCESS_VM_WRITEV:
		add_int(f, "evt.arg.pid", e->target_pid);
		break;
	case VG_EV_MPROTECT:
		add_str(f, "evt.arg.addr", fmt(f, "0x%llx", (unsigned long long)a[0]));
		add_int(f, "evt.arg.length", (int64_t)a[1]);
		add_str(f, "evt.arg.prot", keep(f, vg_prot_flags(b, sizeof(b), a[2])));
		break;
	case VG_EV_MEMFD_CREATE:
		add_slot(f, "evt.arg.name", ev, VG_S_STR);
		add_int(f, "evt.arg.flags", (int64_t)a[1]);
		break;
	case VG_EV_DUP:
		add_int(f, "evt.arg.oldfd", (int32_t)a[0]);
		add_int(f, "evt.arg.newfd", (int32_t)a[1]);
		/* a socket's family says more than "socket" (Falco's names) */
		add_str(f, "fd.type", (e->aux & S_IFMT) != S_IFSOCK ? vg_file_type(e->aux)
				      : e->aux64 == AF_INET	    ? "ipv4"
				      : e->aux64 == AF_INET6	    ? "ipv6"
				      : e->aux64 == AF_UNIX	    ? "unix"
								    : "socket");
		break;
	case VG_EV_KILL:
		add_int(f, "evt.arg.pid", (int32_t)e->target_pid);
		add_str(f, "evt.arg.sig", keep(f, vg_signal_name(b, sizeof(b), e->aux)));
		break;
	case VG_EV_PRCTL:
		add_str(f, "evt.arg.option", keep(f, vg_prctl_option(b, sizeof(b), a[0])));
		add_int(f, "evt.arg.arg2", (int64_t)a[1]);
		break;
	case VG_EV_MODULE_LOAD:
		add_slot(f, "evt.arg.path", ev, VG_S_STR);
		add_slot(f, "evt.arg.uargs", ev, VG_S_STR2);
		break;
	case VG_EV_BPF:
		add_str(f, "evt.arg.cmd", keep(f, vg_bpf_cmd(b, sizeof(b), a[0])));
		if (a[0] == 5 /* BPF_PROG_LOAD */) {
			add_int(f, "evt.arg.prog_type", e->aux);
			add_slot(f, "evt.arg.name", ev, VG_S_STR);
		} else if (ev->len[VG_S_STR]) {
			add_slot(f, "evt.arg.name", ev, VG_S_STR);
		}
		vg_fields_add_bpf(f, ev);
		break;
	case VG_EV_PERF_EVENT_OPEN:
		add_int(f, "evt.arg.type", e->aux);
		add_int(f, "evt.arg.pid", (int32_t)e->target_pid);
		if (ev->len[VG_S_STR]) {
			add_slot(f, "evt.arg.probe", ev, VG_S_STR);
			add_int(f, "evt.arg.offset", (int64_t)e->aux64);
		}
		vg_fields_add_bpf(f, ev);
		break;
	}
}

void vg_fields_from_event(struct vg_fields *f, const struct vg_event *ev,
			  const struct vg_proc_view *p)
{
	const struct vg_hdr *h = &ev->u.hdr;

	f->n = 0;
	f->used = 0;
	add_str(f, "evt.type", vg_event_name(ev));
	add_int(f, "proc.pid", h->pid);
	add_int(f, "thread.tid", h->tid);
	add_int(f, "proc.ppid", h->ppid);
	add_str(f, "proc.name", fmt(f, "%.*s", VG_COMM_LEN, h->comm));
	add_int(f, "user.uid", h->uid);
	add_int(f, "group.gid", h->gid);
	if (h->flags & VG_F_COMPAT)
		add_bool(f, "evt.is_compat32", 1);
	if (h->flags & VG_F_IO_URING) { /* a request through io_uring, named after its syscall */
		add_bool(f, "evt.is_io_uring", 1);
		add_str(f, "vigil.io_uring_op", vg_uring_op_name(VG_URING_OP_OF(h->flags)));
		if (h->flags & VG_F_URING_NORES)
			add_bool(f, "vigil.io_uring_noresult", 1);
	}
	if (p) {
		if (h->type != VG_EV_EXEC) {
			add_str(f, "proc.exepath", p->exepath);
			add_str(f, "proc.cmdline", p->cmdline);
		}
		add_str(f, "proc.pname", p->pname);
		add_str(f, "user.name", p->user);
		add_str(f, "container.id", p->container_id);
	}
	switch (vg_event_family(h->type)) {
	case VG_FAM_EXEC:
		exec_fields(f, ev, p);
		break;
	case VG_FAM_FORK:
		add_int(f, "evt.res", ev->u.fork.child_pid);
		add_int(f, "evt.arg.child_pid", ev->u.fork.child_pid);
		break;
	case VG_FAM_EXIT:
		add_int(f, "evt.arg.status", ev->u.exit.exit_code);
		add_int(f, "proc.exit_code", (ev->u.exit.exit_code >> 8) & 0xff);
		add_int(f, "proc.exit_signal", ev->u.exit.exit_code & 0x7f);
		break;
	case VG_FAM_FILE:
		file_fields(f, ev);
		break;
	case VG_FAM_NET:
		net_fields(f, ev);
		break;
	case VG_FAM_SYS:
		sys_fields(f, ev);
		break;
	case VG_FAM_NONE:
		break;
	}
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
