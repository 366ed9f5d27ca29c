/* evt.arg.NAME, evt.arg[N], evt.rawarg.NAME and evt.args: each event's
 * arguments under Falco's names and in its order, rendered as Falco renders
 * them (flags by name, modes in octal). The arguments of each syscall are in
 * its row of src/sensor/syscalls.c; this file reads their values from the
 * record. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "fields/fx.h"
#include "fields/mount_args.h"
#include "fields/names.h"
#include "proc/proctable.h"
#include "sensor/event.h"
#include "sensor/syscalls.h"
#include "util/macros.h"

/* Syscall number / record kind → its arguments (the rows of
 * src/sensor/syscalls.c), built once: by the syscall's name, else by the
 * record kind's (a sendto that connects has connect's). */
static struct {
	const struct vg_arg_def *by_nr[VG_NR_SYSCALLS];
	const struct vg_arg_def *by_kind[VG_EV_TYPE_MAX];
} maps;
static pthread_once_t maps_once = PTHREAD_ONCE_INIT;

static void maps_build(void)
{
	for (int nr = 0; nr < VG_NR_SYSCALLS; nr++)
		maps.by_nr[nr] = vg_args_by_name(vg_syscall_name(nr));
	for (unsigned t = 0; t < VG_EV_TYPE_MAX; t++)
		maps.by_kind[t] = vg_args_by_name(vg_event_type_name(t));
}

/* The event's arguments (cached per event); NULL when it has none. */
static const struct vg_arg_def *schema_of_event(struct vg_rule_ctx *c)
{
	const struct vg_hdr *h = &c->ev->u.hdr;
	const struct vg_arg_def *a = NULL;

	if (c->schema_known)
		return c->schema;
	pthread_once(&maps_once, maps_build);
	if (h->syscall_nr >= 0 && h->syscall_nr < VG_NR_SYSCALLS)
		a = maps.by_nr[h->syscall_nr];
	if (!a && h->type < VG_EV_TYPE_MAX)
		a = maps.by_kind[h->type];
	c->schema = a;
	c->schema_known = true;
	return a;
}

#define ARGS_END(a) ((a) + VG_SYSCALL_ARGS)

/* One argument's value: a number (*is_num) or a string in out. */
struct argval {
	bool is_num;  /* a number, rendered in decimal */
	bool has_num; /* evt.rawarg has a number (also for rendered flags) */
	int64_t num;
	const char *s;
	size_t len;
};

static bool arg_str(struct argval *a, const char *s, size_t len)
{
	a->is_num = false;
	a->has_num = false;
	a->s = s;
	a->len = len;
	return true;
}

static bool arg_num(struct argval *a, int64_t v)
{
	a->is_num = a->has_num = true;
	a->num = v;
	return true;
}

/* A rendered flag set: kept in scratch; the raw value stays available. */
static bool arg_rendered(struct vg_rule_ctx *c, struct argval *a, const char *text, int64_t raw)
{
	uint32_t len;
	const char *d = vg_sc_copy(c, &len, text);

	if (!d || !arg_str(a, d, len))
		return false;
	a->has_num = true;
	a->num = raw;
	return true;
}

static bool arg_slot(const struct vg_event *ev, enum vg_slot s, struct argval *a)
{
	return ev->len[s] ? arg_str(a, ev->s[s], ev->len[s]) : false;
}

/* Open flags as text, from the context's memo of recent flag sets. The text
 * stays valid until the next event: only one flag set is rendered per event. */
static bool arg_open_flags(struct vg_rule_ctx *c, struct argval *a, uint32_t flags)
{
	size_t n = ARRAY_SIZE(c->oflags), i;
	struct vg_rule_oflags *m;

	for (i = 0; i < n; i++)
		if (c->oflags[i].len && c->oflags[i].flags == flags)
			break;
	if (i < n) {
		m = &c->oflags[i];
	} else {
		m = &c->oflags[c->oflags_next++ % n]; /* the oldest goes */
		vg_open_flags(m->text, sizeof(m->text), flags);
		m->flags = flags;
		m->len = (uint32_t)strlen(m->text);
	}
	arg_str(a, m->text, m->len);
	a->has_num = true;
	a->num = flags;
	return true;
}

/* A file mode as printf's "%#o" writes it ("0" or "0644"), without printf:
 * every created file has one. */
static bool arg_mode(struct vg_rule_ctx *c, struct argval *a, uint32_t mode)
{
	char b[16];
	size_t i = sizeof(b);

	b[--i] = '\0';
	do {
		b[--i] = (char)('0' + (mode & 7));
		mode >>= 3;
	} while (mode);
	if (b[i] != '0')
		b[--i] = '0';
	return arg_rendered(c, a, b + i, a->num);
}

static bool arg_value(struct vg_rule_ctx *c, enum vg_arg_kind k, struct argval *a)
{
	const struct vg_event *ev = c->ev;
	const struct vg_file *f = &ev->u.file;
	const struct vg_net *n = &ev->u.net;
	const struct vg_sys *s = &ev->u.sys;
	char b[256];

	a->num = 0;
	switch (k) {
	case VG_A_RES_FD:
		return arg_num(a, vg_event_family(ev->u.hdr.type) == VG_FAM_NET ? n->res : f->res);
	case VG_A_DIRFD:
		return false;
	case VG_A_PATH:
		return arg_slot(ev, VG_S_PATH, a) || arg_slot(ev, VG_S_PATH_RAW, a);
	case VG_A_PATH2:
		return arg_slot(ev, VG_S_PATH2, a) || arg_slot(ev, VG_S_PATH2_RAW, a);
	case VG_A_TARGET:
		return arg_slot(ev, VG_S_PATH_RAW, a);
	case VG_A_OFLAGS:
		return arg_open_flags(c, a, f->flags);
	case VG_A_MODE:
		a->num = f->mode;
		return arg_mode(c, a, f->mode);
	case VG_A_FFLAGS:
		return arg_num(a, f->flags);
	case VG_A_INO:
		return f->ino ? arg_num(a, (int64_t)f->ino) : false;
	case VG_A_UID:
		return arg_num(a, (int32_t)f->uid);
	case VG_A_GID:
		return arg_num(a, (int32_t)f->gid);
	case VG_A_FFD:
		return f->fd >= 0 ? arg_num(a, f->fd) : false;
	case VG_A_NFD:
		return arg_num(a, n->fd);
	case VG_A_TUPLE: {
		struct vg_value v;

		if (!vg_fx_put_tuple(c, &v))
			return false;
		return arg_str(a, v.s.ptr, v.s.len);
	}
	case VG_A_RADDR:
	case VG_A_LADDR: {
		const struct vg_sockaddr *sa = k == VG_A_RADDR ? &n->remote : &n->local;
		uint32_t len;
		const char *d;

		if (n->domain == AF_UNIX)
			return arg_slot(ev, VG_S_UNIX_PATH, a);
		if (sa->family != AF_INET && sa->family != AF_INET6)
			return false;
		vg_fx_addr_text(b, sizeof(b), sa);
		d = vg_sc_copy(c, &len, b);
		return d ? arg_str(a, d, len) : false;
	}
	case VG_A_DOMAIN:
		return arg_rendered(c, a, vg_socket_family(b, sizeof(b), n->domain), n->domain);
	case VG_A_STYPE:
		return arg_rendered(c, a, vg_socket_type(b, sizeof(b), n->type), n->type);
	case VG_A_PROTO:
		return arg_num(a, n->protocol);
	case VG_A_BACKLOG:
		return arg_num(a, n->backlog);
	case VG_A_ARG0:
	case VG_A_ARG1:
	case VG_A_ARG2:
	case VG_A_ARG3:
	case VG_A_ARG4:
	case VG_A_ARG5: {
		uint64_t v = s->args[k - VG_A_ARG0];

		/* ids and descriptors are 32-bit: -1 must read -1 */
		return arg_num(a, v >> 32 ? (int64_t)v : (int64_t)(int32_t)v);
	}
	case VG_A_HEX0:
	case VG_A_HEX1:
	case VG_A_HEX2:
	case VG_A_HEX3:
		snprintf(b, sizeof(b), "0x%llx", (unsigned long long)s->args[k - VG_A_HEX0]);
		return arg_rendered(c, a, b, (int64_t)s->args[k - VG_A_HEX0]);
	case VG_A_REQUEST:
		return arg_rendered(c, a, vg_ptrace_request(b, sizeof(b), s->args[0]),
				    (int64_t)s->args[0]);
	case VG_A_TPID:
		return arg_num(a, (int32_t)s->target_pid);
	case VG_A_SIG:
		return arg_rendered(c, a, vg_signal_name(b, sizeof(b), s->aux), s->aux);
	case VG_A_PROT:
		return arg_rendered(c, a, vg_prot_flags(b, sizeof(b), s->args[2]),
				    (int64_t)s->args[2]);
	case VG_A_MFD:
		return arg_rendered(c, a, vg_memfd_flags(b, sizeof(b), s->args[1]),
				    (int64_t)s->args[1]);
	case VG_A_STR:
		return arg_slot(ev, VG_S_STR, a);
	case VG_A_STR2:
		return arg_slot(ev, VG_S_STR2, a);
	case VG_A_OPTION:
		return arg_rendered(c, a, vg_prctl_option(b, sizeof(b), s->args[0]),
				    (int64_t)s->args[0]);
	case VG_A_BPFCMD:
		return arg_rendered(c, a, vg_bpf_cmd(b, sizeof(b), s->args[0]),
				    (int64_t)s->args[0]);
	case VG_A_NSTYPE:
		return arg_rendered(c, a, vg_clone_ns_flags(b, sizeof(b), s->args[1]),
				    (int64_t)s->args[1]);
	case VG_A_NSFLAGS:
		return arg_rendered(c, a, vg_clone_ns_flags(b, sizeof(b), s->args[0]),
				    (int64_t)s->args[0]);
	case VG_A_AUX:
		return arg_num(a, s->aux);
	case VG_A_AUX64:
		return arg_num(a, s->aux64);
	case VG_A_EXE:
		return ev->len[VG_S_ARGS] ? arg_str(a, ev->s[VG_S_ARGS], strlen(ev->s[VG_S_ARGS]))
					  : false;
	case VG_A_ARGS: {
		struct vg_value v;

		if (!vg_put_joined(c, &v, "", 0, ev->s[VG_S_ARGS], ev->len[VG_S_ARGS], 1))
			return false;
		return arg_str(a, v.s.ptr, v.s.len);
	}
	case VG_A_FILENAME:
		return arg_slot(ev, VG_S_FILENAME, a);
	case VG_A_CWD:
		return arg_slot(ev, VG_S_CWD, a);
	case VG_A_TID:
		return arg_num(a, ev->u.hdr.tid);
	case VG_A_PID:
		return arg_num(a, ev->u.hdr.pid);
	case VG_A_PTID:
		return arg_num(a, ev->u.hdr.ppid);
	case VG_A_COMM:
		return arg_str(a, ev->u.hdr.comm, strnlen(ev->u.hdr.comm, VG_COMM_LEN));
	case VG_A_ENV: {
		struct vg_value v;

		if (!ev->len[VG_S_ENV] ||
		    !vg_put_joined(c, &v, "", 0, ev->s[VG_S_ENV], ev->len[VG_S_ENV], 0))
			return false;
		return arg_str(a, v.s.ptr, v.s.len);
	}
	case VG_A_TTY:
		return arg_num(a, vg_tty_number(ev->u.exec.tty_nr));
	case VG_A_LOGINUID:
		return arg_num(a, (int32_t)ev->u.exec.loginuid);
	case VG_A_EXEFLAGS: {
		/* Falco's flags, in its order */
		struct vg_value w;
		uint32_t hf = ev->u.hdr.flags;
		bool writable = vg_fx_exe_writable(c, &w) && w.b;
		const char *d;
		uint32_t len;

		if (!writable && !(hf & (VG_F_EXE_MEMFD | VG_F_EXE_UPPER_LAYER | VG_F_EXE_LOWER_LAYER)))
			return false;
		d = vg_sc_printf(c, &len, "%s%s%s%s", writable ? "|EXE_WRITABLE" : "",
			      hf & VG_F_EXE_UPPER_LAYER ? "|EXE_UPPER_LAYER" : "",
			      hf & VG_F_EXE_MEMFD ? "|EXE_FROM_MEMFD" : "",
			      hf & VG_F_EXE_LOWER_LAYER ? "|EXE_LOWER_LAYER" : "");
		return d ? arg_str(a, d + 1, len - 1) : false; /* without the first '|' */
	}
	case VG_A_CAPEFF: {
		struct vg_value v;
		const struct vg_exec *x = &ev->u.exec;

		if (!vg_fx_put_caps(c, &v, (uint64_t)x->cap_effective_hi << 32 | x->cap_effective_lo))
			return false;
		return arg_str(a, v.s.ptr, v.s.len);
	}
	case VG_A_EXEINO:
		return arg_num(a, (int64_t)ev->u.exec.exe_ino);
	case VG_A_EUID:
		return arg_num(a, ev->u.exec.euid);
	case VG_A_CHILD:
		return arg_num(a, ev->u.fork.child_pid);
	case VG_A_STATUS:
		return arg_num(a, ev->u.exit.exit_code);
	case VG_A_RET:
		return arg_num(a, (ev->u.exit.exit_code >> 8) & 0xff);
	case VG_A_XSIG:
		return arg_num(a, ev->u.exit.exit_code & 0x7f);
	case VG_A_CORE:
		return arg_num(a, (ev->u.exit.exit_code & 0x80) != 0);
	case VG_A_CLONEFLAGS: { /* clone's low byte is its exit signal (clone3's is CLONE_NEWTIME) */
		uint64_t fl = s->args[0];
		const char *call = vg_event_name(ev);

		if (vg_event_family(ev->u.hdr.type) != VG_FAM_SYS)
			return false; /* a fork record: no flags */
		if (call && !strcmp(call, "clone"))
			fl &= ~0xffull;
		return arg_rendered(c, a, vg_clone_ns_flags(b, sizeof(b), fl), (int64_t)fl);
	}
	case VG_A_STR3:
		return arg_slot(ev, VG_S_STR3, a);
	case VG_A_MNTFLAGS: {
		int64_t raw = 0;
		const char *t = vg_mount_call_flags(b, sizeof(b), vg_event_name(ev), s->args, &raw);

		return t ? arg_rendered(c, a, t, raw) : false;
	}
	}
	return false;
}

/* name (NUL-terminated) is the len bytes of arg: no strlen, since most
 * names differ from the first byte on */
static bool arg_named(const char *name, const char *arg, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		if (!name[i] || name[i] != arg[i])
			return false;
	return name[len] == '\0';
}

/* The argument the reference names (evt.arg.NAME, evt.arg[NAME], evt.arg[N]). */
static const struct vg_arg_def *find_arg(struct vg_rule_ctx *c, const struct vg_field_ref *ref)
{
	const struct vg_arg_def *args = schema_of_event(c), *d;
	int pos = 0;

	if (!args)
		return NULL;
	for (d = args; d < ARGS_END(args) && d->name; d++) {
		if (ref->arg) {
			if (arg_named(d->name, ref->arg, ref->arg_len))
				return d;
		} else if (!(d->flags & VG_ARG_ALIAS) && pos++ == ref->index) {
			return d;
		}
	}
	return NULL;
}

/* The return value, as evt.rawres shows it. */

static bool is_res(const struct vg_field_ref *ref)
{
	return ref->arg && ref->arg_len == 3 && !memcmp(ref->arg, "res", 3);
}

/* evt.arg (rendered) and evt.rawarg (the number; absent for strings). */
static int evt_arg(struct vg_rule_ctx *c, const struct vg_field_ref *ref, bool raw,
		   struct vg_value *out)
{
	const struct vg_arg_def *d;
	struct argval a;
	uint32_t len;
	const char *s;
	bool known;

	if (is_res(ref)) { /* every exit event has its return value as "res" */
		a.num = vg_fx_raw_res(c->ev, &known);
		a.is_num = a.has_num = known && c->ev->u.hdr.type != VG_EV_EXEC;
		if (!a.is_num)
			return 0;
	} else {
		d = find_arg(c, ref);
		if (!d || !arg_value(c, d->kind, &a))
			return 0;
	}
	if (raw)
		return a.has_num ? vg_put_int(out, a.num) : 0;
	if (!a.is_num)
		return vg_put_str(out, a.s, a.len);
	s = vg_sc_printf(c, &len, "%lld", (long long)a.num);
	return s ? vg_put_str(out, s, len) : 0;
}

/* evt.args: "name=value name=value ..." (values cut to fit a line) */
static int evt_args(struct vg_rule_ctx *c, struct vg_value *out)
{
	const struct vg_arg_def *args = schema_of_event(c);
	char line[4096];
	size_t n = 0;
	uint32_t len;
	const char *d;

	if (!args)
		return 0;
	line[0] = 0;
	for (const struct vg_arg_def *a = args; a < ARGS_END(args) && a->name; a++) {
		struct argval v;
		int w;

		if (a->flags & VG_ARG_ALIAS || !arg_value(c, a->kind, &v))
			continue;
		if (v.is_num)
			w = snprintf(line + n, sizeof(line) - n, "%s%s=%lld", n ? " " : "", a->name,
				     (long long)v.num);
		else
			w = snprintf(line + n, sizeof(line) - n, "%s%s=%.*s", n ? " " : "", a->name,
				     (int)v.len, v.s);
		if (w < 0)
			break;
		n += (size_t)w;
		if (n >= sizeof(line)) {
			n = sizeof(line) - 1;
			break;
		}
	}
	if (!n)
		return 0;
	d = vg_sc_printf(c, &len, "%.*s", (int)n, line);
	return d ? vg_put_str(out, d, len) : 0;
}

unsigned vg_event_arg_names(struct vg_rule_ctx *c, bool aliases, const char **names,
			    unsigned max)
{
	const struct vg_arg_def *args = schema_of_event(c);
	unsigned n = 0;

	if (!args)
		return 0;
	for (const struct vg_arg_def *a = args; a < ARGS_END(args) && a->name && n < max; a++)
		if (aliases || !(a->flags & VG_ARG_ALIAS))
			names[n++] = a->name;
	return n;
}

FX(evt_arg_rendered)
{
	return evt_arg(c, ref, false, out);
}

FX(evt_rawarg)
{
	return evt_arg(c, ref, true, out);
}

FX(evt_args_all)
{
	return evt_args(c, out);
}

static const struct vg_fx fx[] = {
	{ VG_F_EVT_ARGS, evt_args_all },
	{ VG_F_EVT_ARG, evt_arg_rendered },
	{ VG_F_EVT_RAWARG, evt_rawarg },
};

VG_FX_FAMILY(vg_fx_args, "evt (arguments)", fx);
