/* evt.arg.NAME, evt.arg[N], evt.rawarg.NAME and evt.args: each event's
 * arguments under Falco's names and in its order, rendered as Falco renders
 * them (flags by name, modes in octal). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "fields/fx.h"
#include "fields/names.h"
#include "proc/proctable.h"
#include "sensor/event.h"
#include "sensor/syscalls.h"

/* Where an argument's value comes from. */
enum arg_kind {
	A_RES_FD, /* the new descriptor (open, socket, accept) */
	A_DIRFD,  /* not recorded: always absent */
	A_PATH,	  /* first path, resolved */
	A_PATH2,  /* second path, resolved */
	A_TARGET, /* symlink target, as given */
	A_OFLAGS, /* open flags, rendered */
	A_MODE,	  /* mode, octal */
	A_FFLAGS, /* unlinkat/renameat2/linkat flags, number */
	A_INO,	  /* inode of the opened file */
	A_UID,	  /* chown uid */
	A_GID,	  /* chown gid */
	A_FFD,	  /* file descriptor argument of a file call */
	A_NFD,	  /* the socket */
	A_TUPLE,  /* client:port->server:port */
	A_RADDR,  /* remote address */
	A_LADDR,  /* local address */
	A_DOMAIN, /* AF_INET ... */
	A_STYPE,  /* SOCK_STREAM ... */
	A_PROTO,  /* protocol number */
	A_BACKLOG,
	A_ARG0, /* raw syscall arguments as signed numbers: A_ARG0 + i */
	A_ARG1,
	A_ARG2,
	A_ARG3,
	A_ARG4,
	A_ARG5,
	A_HEX0, /* raw arguments in hex (addresses): A_HEX0 + i */
	A_HEX1,
	A_HEX2,
	A_HEX3,
	A_REQUEST, /* ptrace request */
	A_TPID,	   /* target pid */
	A_SIG,	   /* signal name */
	A_PROT,	   /* PROT_READ|PROT_EXEC */
	A_MFD,	   /* memfd_create flags */
	A_STR,	   /* memfd name, bpf prog name, module path */
	A_STR2,	   /* module parameters */
	A_OPTION,  /* prctl option */
	A_BPFCMD,
	A_NSTYPE,   /* setns nstype (arg 1) */
	A_NSFLAGS,  /* unshare flags (arg 0) */
	A_AUX,	    /* perf type, bpf program type */
	A_AUX64,    /* perf probe offset */
	A_EXE,	    /* exec: argv[0] */
	A_ARGS,	    /* exec: argv[1..] */
	A_FILENAME, /* exec: the path given to execve */
	A_CWD,
	A_TID,
	A_PID,
	A_PTID,
	A_COMM,
	A_ENV,
	A_TTY,
	A_LOGINUID,
	A_EXEFLAGS,
	A_CAPEFF,
	A_EXEINO,
	A_EUID,
	A_CHILD,  /* fork: the child's pid */
	A_STATUS, /* exit: wait status */
	A_RET,	  /* exit: exit code */
	A_XSIG,	  /* exit: terminating signal */
	A_CORE,	  /* exit: dumped core */
};

#define ARG_ALIAS 1 /* found by name, but not in evt.args or by position */

struct arg_def {
	const char *name;
	uint8_t kind;
	uint8_t flags;
};

#define ARG(name, kind)                                                                            \
	{                                                                                          \
		name, kind, 0                                                                      \
	}
#define ALIAS(name, kind)                                                                          \
	{                                                                                          \
		name, kind, ARG_ALIAS                                                              \
	}

struct schema {
	const char *evt;
	struct arg_def a[16];
};

/* Falco's argument names and order for each event vigil records (the exit
 * event's parameters, as rules see them). Looked up by syscall name, then by
 * record kind (the last entries are the kinds' defaults). */
static const struct schema schemas[] = {
    {"open",
     {ARG("fd", A_RES_FD), ARG("name", A_PATH), ARG("flags", A_OFLAGS), ARG("mode", A_MODE),
      ARG("ino", A_INO)}},
    {"openat",
     {ARG("fd", A_RES_FD), ARG("dirfd", A_DIRFD), ARG("name", A_PATH), ARG("flags", A_OFLAGS),
      ARG("mode", A_MODE), ARG("ino", A_INO)}},
    {"openat2",
     {ARG("fd", A_RES_FD), ARG("dirfd", A_DIRFD), ARG("name", A_PATH), ARG("flags", A_OFLAGS),
      ARG("mode", A_MODE), ARG("ino", A_INO)}},
    {"creat",
     {ARG("fd", A_RES_FD), ARG("name", A_PATH), ARG("mode", A_MODE), ARG("ino", A_INO),
      ALIAS("flags", A_OFLAGS)}},
    {"unlink", {ARG("path", A_PATH), ALIAS("name", A_PATH)}},
    {"unlinkat",
     {ARG("dirfd", A_DIRFD), ARG("name", A_PATH), ARG("flags", A_FFLAGS), ALIAS("path", A_PATH)}},
    {"rmdir", {ARG("path", A_PATH), ALIAS("name", A_PATH)}},
    {"rename", {ARG("oldpath", A_PATH), ARG("newpath", A_PATH2)}},
    {"renameat",
     {ARG("olddirfd", A_DIRFD), ARG("oldpath", A_PATH), ARG("newdirfd", A_DIRFD),
      ARG("newpath", A_PATH2)}},
    {"renameat2",
     {ARG("olddirfd", A_DIRFD), ARG("oldpath", A_PATH), ARG("newdirfd", A_DIRFD),
      ARG("newpath", A_PATH2), ARG("flags", A_FFLAGS)}},
    {"link", {ARG("oldpath", A_PATH), ARG("newpath", A_PATH2)}},
    {"linkat",
     {ARG("olddir", A_DIRFD), ARG("oldpath", A_PATH), ARG("newdir", A_DIRFD),
      ARG("newpath", A_PATH2), ARG("flags", A_FFLAGS)}},
    {"symlink", {ARG("target", A_TARGET), ARG("linkpath", A_PATH2)}},
    {"symlinkat", {ARG("target", A_TARGET), ARG("linkdirfd", A_DIRFD), ARG("linkpath", A_PATH2)}},
    {"chmod", {ARG("filename", A_PATH), ARG("mode", A_MODE)}},
    {"fchmod", {ARG("fd", A_FFD), ARG("mode", A_MODE)}},
    {"fchmodat", {ARG("dirfd", A_DIRFD), ARG("filename", A_PATH), ARG("mode", A_MODE)}},
    {"fchmodat2",
     {ARG("dirfd", A_DIRFD), ARG("filename", A_PATH), ARG("mode", A_MODE), ARG("flags", A_FFLAGS)}},
    {"chown", {ARG("path", A_PATH), ARG("uid", A_UID), ARG("gid", A_GID)}},
    {"lchown", {ARG("path", A_PATH), ARG("uid", A_UID), ARG("gid", A_GID)}},
    {"fchown", {ARG("fd", A_FFD), ARG("uid", A_UID), ARG("gid", A_GID)}},
    {"fchownat",
     {ARG("dirfd", A_DIRFD), ARG("pathname", A_PATH), ARG("uid", A_UID), ARG("gid", A_GID),
      ARG("flags", A_FFLAGS)}},
    {"mkdir", {ARG("path", A_PATH), ARG("mode", A_MODE)}},
    {"mkdirat", {ARG("dirfd", A_DIRFD), ARG("path", A_PATH), ARG("mode", A_MODE)}},
    {"truncate", {ARG("path", A_PATH)}},
    {"ftruncate", {ARG("fd", A_FFD)}},
    {"socket",
     {ARG("fd", A_RES_FD), ARG("domain", A_DOMAIN), ARG("type", A_STYPE), ARG("proto", A_PROTO)}},
    {"connect", {ARG("fd", A_NFD), ARG("tuple", A_TUPLE), ARG("addr", A_RADDR)}},
    {"accept", {ARG("fd", A_RES_FD), ARG("tuple", A_TUPLE)}},
    {"accept4", {ARG("fd", A_RES_FD), ARG("tuple", A_TUPLE)}},
    {"bind", {ARG("fd", A_NFD), ARG("addr", A_LADDR)}},
    {"listen", {ARG("fd", A_NFD), ARG("backlog", A_BACKLOG)}},
    {"setuid", {ARG("uid", A_ARG0)}},
    {"setreuid", {ARG("ruid", A_ARG0), ARG("euid", A_ARG1)}},
    {"setresuid", {ARG("ruid", A_ARG0), ARG("euid", A_ARG1), ARG("suid", A_ARG2)}},
    {"setfsuid", {ARG("uid", A_ARG0)}},
    {"setgid", {ARG("gid", A_ARG0)}},
    {"setregid", {ARG("rgid", A_ARG0), ARG("egid", A_ARG1)}},
    {"setresgid", {ARG("rgid", A_ARG0), ARG("egid", A_ARG1), ARG("sgid", A_ARG2)}},
    {"setfsgid", {ARG("gid", A_ARG0)}},
    {"setns", {ARG("fd", A_ARG0), ARG("nstype", A_NSTYPE)}},
    {"unshare", {ARG("flags", A_NSFLAGS)}},
    {"ptrace",
     {ARG("request", A_REQUEST), ARG("pid", A_TPID), ARG("addr", A_HEX2), ARG("data", A_HEX3)}},
    {"process_vm_writev", {ARG("pid", A_TPID)}},
    {"mprotect", {ARG("addr", A_HEX0), ARG("length", A_ARG1), ARG("prot", A_PROT)}},
    {"pkey_mprotect",
     {ARG("addr", A_HEX0), ARG("length", A_ARG1), ARG("prot", A_PROT), ARG("pkey", A_ARG3)}},
    {"mmap",
     {ARG("addr", A_HEX0), ARG("length", A_ARG1), ARG("prot", A_PROT), ARG("flags", A_HEX3),
      ARG("fd", A_ARG4), ARG("offset", A_ARG5)}},
    {"memfd_create", {ARG("name", A_STR), ARG("flags", A_MFD)}},
    {"dup2", {ARG("oldfd", A_ARG0), ARG("newfd", A_ARG1), ALIAS("fd", A_ARG0)}},
    {"dup3",
     {ARG("oldfd", A_ARG0), ARG("newfd", A_ARG1), ARG("flags", A_ARG2), ALIAS("fd", A_ARG0)}},
    {"kill", {ARG("pid", A_TPID), ARG("sig", A_SIG)}},
    {"tkill", {ARG("tid", A_TPID), ARG("sig", A_SIG)}},
    {"tgkill", {ARG("pid", A_ARG0), ARG("tid", A_ARG1), ARG("sig", A_SIG)}},
    {"prctl", {ARG("option", A_OPTION), ARG("arg2_int", A_ARG1), ALIAS("arg2", A_ARG1)}},
    {"init_module", {ARG("uargs", A_STR2)}},
    {"finit_module",
     {ARG("fd", A_ARG0), ARG("uargs", A_STR2), ARG("flags", A_ARG2), ALIAS("path", A_STR)}},
    {"bpf", {ARG("cmd", A_BPFCMD), ALIAS("name", A_STR), ALIAS("prog_type", A_AUX)}},
    {"perf_event_open",
     {ARG("type", A_AUX), ARG("pid", A_TPID), ALIAS("probe", A_STR), ALIAS("offset", A_AUX64)}},
    {"execve",
     {ARG("exe", A_EXE), ARG("args", A_ARGS), ARG("tid", A_TID), ARG("pid", A_PID),
      ARG("ptid", A_PTID), ARG("cwd", A_CWD), ARG("comm", A_COMM), ARG("env", A_ENV),
      ARG("tty", A_TTY), ARG("loginuid", A_LOGINUID), ARG("flags", A_EXEFLAGS),
      ARG("cap_effective", A_CAPEFF), ARG("exe_ino", A_EXEINO), ARG("uid", A_EUID),
      ALIAS("filename", A_FILENAME)}},
    {"clone",
     {ARG("child_pid", A_CHILD), ARG("tid", A_TID), ARG("pid", A_PID), ARG("ptid", A_PTID),
      ARG("comm", A_COMM)}},
    {"procexit",
     {ARG("status", A_STATUS), ARG("ret", A_RET), ARG("sig", A_XSIG), ARG("core", A_CORE)}},
    /* record kinds without a syscall of that name */
    {"dup", {ARG("oldfd", A_ARG0), ARG("newfd", A_ARG1), ALIAS("fd", A_ARG0)}},
};

#define NSCHEMAS ((int)(sizeof(schemas) / sizeof(schemas[0])))

/* Syscall number / record kind → schema, built once. */
static struct {
	int16_t schema_by_nr[VG_NR_SYSCALLS];
	int16_t schema_by_kind[VG_EV_TYPE_MAX];
} maps;
static pthread_once_t maps_once = PTHREAD_ONCE_INIT;

static int schema_of(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < NSCHEMAS; i++)
		if (!strcmp(schemas[i].evt, name))
			return i;
	return -1;
}

static void maps_build(void)
{
	for (int nr = 0; nr < VG_NR_SYSCALLS; nr++)
		maps.schema_by_nr[nr] = (int16_t)schema_of(vg_syscall_name(nr));
	for (unsigned t = 0; t < VG_EV_TYPE_MAX; t++)
		maps.schema_by_kind[t] = (int16_t)schema_of(vg_event_type_name(t));
}

static int schema_index(struct vg_rule_ctx *c)
{
	const struct vg_hdr *h = &c->ev->u.hdr;

	if (c->schema != -2)
		return c->schema;
	pthread_once(&maps_once, maps_build);
	c->schema = -1;
	if (h->syscall_nr >= 0 && h->syscall_nr < VG_NR_SYSCALLS)
		c->schema = maps.schema_by_nr[h->syscall_nr];
	if (c->schema < 0 && h->type < VG_EV_TYPE_MAX)
		c->schema = maps.schema_by_kind[h->type];
	return c->schema;
}

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
	size_t n = sizeof(c->oflags) / sizeof(c->oflags[0]), i;
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

static bool arg_value(struct vg_rule_ctx *c, enum arg_kind k, struct argval *a)
{
	const struct vg_event *ev = c->ev;
	const struct vg_file *f = &ev->u.file;
	const struct vg_net *n = &ev->u.net;
	const struct vg_sys *s = &ev->u.sys;
	char b[256];

	a->num = 0;
	switch (k) {
	case A_RES_FD:
		return arg_num(a, vg_event_family(ev->u.hdr.type) == VG_FAM_NET ? n->res : f->res);
	case A_DIRFD:
		return false;
	case A_PATH:
		return arg_slot(ev, VG_S_PATH, a) || arg_slot(ev, VG_S_PATH_RAW, a);
	case A_PATH2:
		return arg_slot(ev, VG_S_PATH2, a) || arg_slot(ev, VG_S_PATH2_RAW, a);
	case A_TARGET:
		return arg_slot(ev, VG_S_PATH_RAW, a);
	case A_OFLAGS:
		return arg_open_flags(c, a, f->flags);
	case A_MODE:
		a->num = f->mode;
		return arg_mode(c, a, f->mode);
	case A_FFLAGS:
		return arg_num(a, f->flags);
	case A_INO:
		return f->ino ? arg_num(a, (int64_t)f->ino) : false;
	case A_UID:
		return arg_num(a, (int32_t)f->uid);
	case A_GID:
		return arg_num(a, (int32_t)f->gid);
	case A_FFD:
		return f->fd >= 0 ? arg_num(a, f->fd) : false;
	case A_NFD:
		return arg_num(a, n->fd);
	case A_TUPLE: {
		struct vg_value v;

		if (!vg_fx_put_tuple(c, &v))
			return false;
		return arg_str(a, v.s.ptr, v.s.len);
	}
	case A_RADDR:
	case A_LADDR: {
		const struct vg_sockaddr *sa = k == A_RADDR ? &n->remote : &n->local;
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
	case A_DOMAIN:
		return arg_rendered(c, a, vg_socket_family(b, sizeof(b), n->domain), n->domain);
	case A_STYPE:
		return arg_rendered(c, a, vg_socket_type(b, sizeof(b), n->type), n->type);
	case A_PROTO:
		return arg_num(a, n->protocol);
	case A_BACKLOG:
		return arg_num(a, n->backlog);
	case A_ARG0:
	case A_ARG1:
	case A_ARG2:
	case A_ARG3:
	case A_ARG4:
	case A_ARG5: {
		uint64_t v = s->args[k - A_ARG0];

		/* ids and descriptors are 32-bit: -1 must read -1 */
		return arg_num(a, v >> 32 ? (int64_t)v : (int64_t)(int32_t)v);
	}
	case A_HEX0:
	case A_HEX1:
	case A_HEX2:
	case A_HEX3:
		snprintf(b, sizeof(b), "0x%llx", (unsigned long long)s->args[k - A_HEX0]);
		return arg_rendered(c, a, b, (int64_t)s->args[k - A_HEX0]);
	case A_REQUEST:
		return arg_rendered(c, a, vg_ptrace_request(b, sizeof(b), s->args[0]),
				    (int64_t)s->args[0]);
	case A_TPID:
		return arg_num(a, (int32_t)s->target_pid);
	case A_SIG:
		return arg_rendered(c, a, vg_signal_name(b, sizeof(b), s->aux), s->aux);
	case A_PROT:
		return arg_rendered(c, a, vg_prot_flags(b, sizeof(b), s->args[2]),
				    (int64_t)s->args[2]);
	case A_MFD:
		return arg_rendered(c, a, vg_memfd_flags(b, sizeof(b), s->args[1]),
				    (int64_t)s->args[1]);
	case A_STR:
		return arg_slot(ev, VG_S_STR, a);
	case A_STR2:
		return arg_slot(ev, VG_S_STR2, a);
	case A_OPTION:
		return arg_rendered(c, a, vg_prctl_option(b, sizeof(b), s->args[0]),
				    (int64_t)s->args[0]);
	case A_BPFCMD:
		return arg_rendered(c, a, vg_bpf_cmd(b, sizeof(b), s->args[0]),
				    (int64_t)s->args[0]);
	case A_NSTYPE:
		return arg_rendered(c, a, vg_clone_ns_flags(b, sizeof(b), s->args[1]),
				    (int64_t)s->args[1]);
	case A_NSFLAGS:
		return arg_rendered(c, a, vg_clone_ns_flags(b, sizeof(b), s->args[0]),
				    (int64_t)s->args[0]);
	case A_AUX:
		return arg_num(a, s->aux);
	case A_AUX64:
		return arg_num(a, s->aux64);
	case A_EXE:
		return ev->len[VG_S_ARGS] ? arg_str(a, ev->s[VG_S_ARGS], strlen(ev->s[VG_S_ARGS]))
					  : false;
	case A_ARGS: {
		struct vg_value v;

		if (!vg_put_joined(c, &v, "", 0, ev->s[VG_S_ARGS], ev->len[VG_S_ARGS], 1))
			return false;
		return arg_str(a, v.s.ptr, v.s.len);
	}
	case A_FILENAME:
		return arg_slot(ev, VG_S_FILENAME, a);
	case A_CWD:
		return arg_slot(ev, VG_S_CWD, a);
	case A_TID:
		return arg_num(a, ev->u.hdr.tid);
	case A_PID:
		return arg_num(a, ev->u.hdr.pid);
	case A_PTID:
		return arg_num(a, ev->u.hdr.ppid);
	case A_COMM:
		return arg_str(a, ev->u.hdr.comm, strnlen(ev->u.hdr.comm, VG_COMM_LEN));
	case A_ENV: {
		struct vg_value v;

		if (!ev->len[VG_S_ENV] ||
		    !vg_put_joined(c, &v, "", 0, ev->s[VG_S_ENV], ev->len[VG_S_ENV], 0))
			return false;
		return arg_str(a, v.s.ptr, v.s.len);
	}
	case A_TTY:
		return arg_num(a, vg_tty_number(ev->u.exec.tty_nr));
	case A_LOGINUID:
		return arg_num(a, (int32_t)ev->u.exec.loginuid);
	case A_EXEFLAGS: {
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
	case A_CAPEFF: {
		struct vg_value v;
		const struct vg_exec *x = &ev->u.exec;

		if (!vg_fx_put_caps(c, &v, (uint64_t)x->cap_effective_hi << 32 | x->cap_effective_lo))
			return false;
		return arg_str(a, v.s.ptr, v.s.len);
	}
	case A_EXEINO:
		return arg_num(a, (int64_t)ev->u.exec.exe_ino);
	case A_EUID:
		return arg_num(a, ev->u.exec.euid);
	case A_CHILD:
		return arg_num(a, ev->u.fork.child_pid);
	case A_STATUS:
		return arg_num(a, ev->u.exit.exit_code);
	case A_RET:
		return arg_num(a, (ev->u.exit.exit_code >> 8) & 0xff);
	case A_XSIG:
		return arg_num(a, ev->u.exit.exit_code & 0x7f);
	case A_CORE:
		return arg_num(a, (ev->u.exit.exit_code & 0x80) != 0);
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
static const struct arg_def *find_arg(struct vg_rule_ctx *c, const struct vg_field_ref *ref)
{
	int si = schema_index(c);
	const struct arg_def *d;
	int pos = 0;

	if (si < 0)
		return NULL;
	for (d = schemas[si].a; d < schemas[si].a + 16 && d->name; d++) {
		if (ref->arg) {
			if (arg_named(d->name, ref->arg, ref->arg_len))
				return d;
		} else if (!(d->flags & ARG_ALIAS) && pos++ == ref->index) {
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
	const struct arg_def *d;
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
	int si = schema_index(c);
	char line[4096];
	size_t n = 0;
	uint32_t len;
	const char *d;

	if (si < 0)
		return 0;
	line[0] = 0;
	for (const struct arg_def *a = schemas[si].a; a < schemas[si].a + 16 && a->name; a++) {
		struct argval v;
		int w;

		if (a->flags & ARG_ALIAS || !arg_value(c, a->kind, &v))
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
	int si = schema_index(c);
	unsigned n = 0;

	if (si < 0)
		return 0;
	for (const struct arg_def *a = schemas[si].a; a < schemas[si].a + 16 && a->name && n < max;
	     a++)
		if (aliases || !(a->flags & ARG_ALIAS))
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
