/* Field extraction for the rule engine: decoded record + process table →
 * the values of Falco's fields. See rule_fields.h.
 *
 * Semantics follow Falco where vigil has the data (client/server roles of a
 * socket, proc.aname[0] being the process itself, "host" as the container
 * id outside containers, flags rendered as O_RDONLY|O_CLOEXEC ...); what
 * vigil cannot know is absent (0 values), never invented. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "audit/bpf_fields.h"
#include "fields/drops.h"
#include "fields/facts.h"
#include "fields/stdio.h"
#include "fields/file_identity.h"
#include "fields/decoders.h"
#include "fields/grep_search.h"
#include "fields/mount_args.h"
#include "fields/uring_fields.h"
#include "monitor/rule_fields.h"
#include "output/flagnames.h"
#include "proc/container.h"
#include "proc/proctable.h"
#include "proc/usercache.h"
#include "rules/evtypes.h"
#include "sensor/event.h"
#include "sensor/syscalls.h"

/* vg_rule_ctx.have: what was computed for the current event */
#define H_SELF (1u << 0)
#define H_ANC (1u << 1)
#define H_CMDLINE (1u << 2)

/* ---- argument schemas: evt.arg.NAME, evt.arg[N], evt.args ---- */

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
	A_CLONEFLAGS, /* clone/clone3 records: the CLONE_NEW* flags (not fork records) */
	A_STR3,	      /* mount: file-system type */
	A_MNTFLAGS,   /* mount, open_tree, move_mount flags (src/fields/mount_args.c) */
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
      ARG("fd", A_ARG4), ARG("offset", A_ARG5), ALIAS("path", A_STR),
      ALIAS("file_writable", A_AUX)}},
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
      ARG("comm", A_COMM), ALIAS("flags", A_CLONEFLAGS)}},
    {"clone3", {ARG("flags", A_CLONEFLAGS)}},
    {"setgroups", {ARG("size", A_ARG0), ALIAS("root_group", A_AUX)}},
    {"mount", {ARG("dev", A_STR), ARG("dir", A_STR2), ARG("type", A_STR3), ARG("flags", A_MNTFLAGS)}},
    {"open_tree", {ARG("dirfd", A_ARG0), ARG("path", A_STR), ARG("flags", A_MNTFLAGS)}},
    {"move_mount",
     {ARG("fromdirfd", A_ARG0), ARG("frompath", A_STR), ARG("todirfd", A_ARG2),
      ARG("topath", A_STR2), ARG("flags", A_MNTFLAGS)}},
    {"fsopen", {ARG("fsname", A_STR), ARG("flags", A_ARG1)}},
    {"fsconfig",
     {ARG("fd", A_ARG0), ARG("cmd", A_ARG1), ARG("key", A_STR), ARG("value", A_STR2),
      ARG("aux", A_ARG4)}},
    {"fsmount", {ARG("fd", A_ARG0), ARG("flags", A_ARG1), ARG("attr_flags", A_HEX2)}},
    {"procexit",
     {ARG("status", A_STATUS), ARG("ret", A_RET), ARG("sig", A_XSIG), ARG("core", A_CORE)}},
    /* record kinds without a syscall of that name */
    {"dup", {ARG("oldfd", A_ARG0), ARG("newfd", A_ARG1), ALIAS("fd", A_ARG0)}},
};

#define NSCHEMAS ((int)(sizeof(schemas) / sizeof(schemas[0])))

/* Syscall number / record kind → engine event type and schema, built once. */
static struct {
	uint16_t evtype_by_nr[VG_NR_SYSCALLS];
	uint16_t evtype_by_kind[VG_EV_TYPE_MAX];
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

static unsigned evtype_of(const char *name)
{
	return name ? vg_evtype_lookup(name, strlen(name)) : 0;
}

static void maps_build(void)
{
	for (int nr = 0; nr < VG_NR_SYSCALLS; nr++) {
		const char *n = vg_syscall_name(nr);

		maps.evtype_by_nr[nr] = (uint16_t)evtype_of(n);
		maps.schema_by_nr[nr] = (int16_t)schema_of(n);
	}
	for (unsigned t = 0; t < VG_EV_TYPE_MAX; t++) {
		const char *n = vg_event_type_name(t);

		maps.evtype_by_kind[t] = (uint16_t)evtype_of(n);
		maps.schema_by_kind[t] = (int16_t)schema_of(n);
	}
}

static void maps_init(void)
{
	pthread_once(&maps_once, maps_build);
}

unsigned vg_rule_evtype(const struct vg_event *ev)
{
	const struct vg_hdr *h = &ev->u.hdr;
	unsigned id = 0;

	maps_init();
	if (h->syscall_nr >= 0 && h->syscall_nr < VG_NR_SYSCALLS)
		id = maps.evtype_by_nr[h->syscall_nr];
	if (!id && h->type < VG_EV_TYPE_MAX)
		id = maps.evtype_by_kind[h->type];
	return id;
}

/* ---- the scratch area ---- */

static struct vg_rule_ctx *mut(const void *ctx)
{
	return (struct vg_rule_ctx *)ctx; /* the callback's ctx is ours: caches change */
}

static int put_str(struct vg_value *out, const char *s, size_t len)
{
	out->s.ptr = s;
	out->s.len = (uint32_t)len;
	return 1;
}

static int put_cstr(struct vg_value *out, const char *s)
{
	return put_str(out, s, strlen(s));
}

static int put_int(struct vg_value *out, int64_t v)
{
	out->i = v;
	return 1;
}

static int put_uint(struct vg_value *out, uint64_t v)
{
	out->u = v;
	return 1;
}

static int put_bool(struct vg_value *out, bool v)
{
	out->b = v;
	return 1;
}

static size_t room(const struct vg_rule_ctx *c)
{
	return sizeof(c->scratch) - c->used;
}

/* Formats into the scratch area; NULL when it is full. Long values are cut. */
__attribute__((format(printf, 3, 4))) static const char *
sc_printf(struct vg_rule_ctx *c, uint32_t *len, const char *fmt, ...)
{
	char *dst = c->scratch + c->used;
	size_t r = room(c);
	va_list ap;
	int n;

	if (r < 2)
		return NULL;
	va_start(ap, fmt);
	n = vsnprintf(dst, r, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	*len = (uint32_t)((size_t)n < r ? (size_t)n : r - 1);
	c->used += *len + 1;
	return dst;
}

/* Copies a string into the scratch area (as sc_printf "%s", without printf:
 * flags are rendered for every open event); NULL when it is full. */
static const char *sc_copy(struct vg_rule_ctx *c, uint32_t *len, const char *s)
{
	char *dst = c->scratch + c->used;
	size_t r = room(c), n = strlen(s);

	if (r < 2)
		return NULL;
	if (n > r - 1)
		n = r - 1;
	memcpy(dst, s, n);
	dst[n] = 0;
	*len = (uint32_t)n;
	c->used += n + 1;
	return dst;
}

/* A copy of a string that a later call may overwrite (user cache names). */
static int put_copy(struct vg_rule_ctx *c, struct vg_value *out, const char *s)
{
	uint32_t len;
	const char *d = sc_copy(c, &len, s);

	return d ? put_str(out, d, len) : 0;
}

/* Joins NUL-separated args (skipping `skip`) after a prefix and a space. */
static int put_joined(struct vg_rule_ctx *c, struct vg_value *out, const char *prefix,
		      size_t prefix_len, const char *args, size_t args_len, unsigned skip)
{
	char *dst = c->scratch + c->used;
	size_t r = room(c), n = 0;

	if (r < 2)
		return 0;
	if (prefix_len) {
		n = prefix_len < r - 1 ? prefix_len : r - 1;
		memcpy(dst, prefix, n);
	}
	if (args_len && n + 2 < r) {
		size_t at = n ? n + 1 : 0; /* after a space, if there is a prefix */
		size_t full = vg_args_join(args, args_len, skip, dst + at, r - at);

		if (full) { /* the space only when something follows it */
			if (n)
				dst[n] = ' ';
			n = at + (full < r - at ? full : r - at - 1);
		}
	}
	dst[n] = 0;
	c->used += n + 1;
	return put_str(out, dst, n);
}

/* ---- the process and its ancestors ---- */

static void view_of_proc(const struct vg_proc *p, struct vg_rule_pview *v)
{
	const struct vg_proc_image *img = p->img;

	memset(v, 0, sizeof(*v));
	v->p = p;
	v->pid = p->pid;
	v->ppid = p->ppid;
	v->loginuid = p->loginuid;
	v->euid = p->euid;
	v->egid = p->egid;
	v->pid_ns = p->pid_ns;
	v->sid = p->sid;
	v->pgid = p->pgid;
	v->start_ns = p->start_ns;
	v->pidns_start_ns = p->pidns_start_ns;
	v->exe_ctime_ns = img->exe_ctime_ns;
	v->exe_mtime_ns = img->exe_mtime_ns;
	v->comm = p->comm;
	v->comm_len = (uint32_t)strnlen(p->comm, VG_COMM_LEN);
	v->exe = img->exe;
	v->exe_len = img->exe_len;
	v->args = img->args;
	v->args_len = img->args_len;
	v->argc = img->argc;
	v->cwd = img->cwd;
	v->cwd_len = img->cwd_len;
	v->env = img->env;
	v->env_len = img->env_len;
	v->tty_nr = img->tty_nr;
	v->exe_ino = img->exe_ino;
	v->img_flags = img->flags;
	/* a process known only from an event header has no program data */
	v->has_img = p->source != VG_SRC_MINIMAL || p->img->exe_len || p->img->args_len;
	v->container = &p->container;
}

static const struct vg_proc *lookup(struct vg_rule_ctx *c, uint32_t pid)
{
	return c->procs && pid ? vg_pt_lookup(c->procs, pid) : NULL;
}

/* The process of the event: the table's entry, with what the record itself
 * says on top (the header is the newest word on comm and ppid; an exec
 * record carries the whole new program). */
static const struct vg_rule_pview *self(struct vg_rule_ctx *c)
{
	const struct vg_event *ev = c->ev;
	const struct vg_hdr *h = &ev->u.hdr;
	struct vg_rule_pview *v = &c->self;
	const struct vg_proc *p;

	if (c->have & H_SELF)
		return v;
	c->have |= H_SELF;
	p = lookup(c, h->pid);
	if (p) {
		view_of_proc(p, v);
	} else {
		memset(v, 0, sizeof(*v));
		v->pid = h->pid;
		v->euid = h->uid;
		v->egid = h->gid;
		v->loginuid = VG_LOGINUID_UNSET;
		v->sid = VG_SID_UNKNOWN;
		v->pgid = VG_PGID_UNKNOWN;
		v->exe = v->args = v->cwd = v->env = "";
	}
	v->ppid = h->ppid;
	v->comm = h->comm;
	v->comm_len = (uint32_t)strnlen(h->comm, VG_COMM_LEN);
	if (h->type == VG_EV_EXEC) {
		const struct vg_exec *x = &ev->u.exec;

		v->exe = ev->s[VG_S_EXE];
		v->exe_len = (uint32_t)ev->len[VG_S_EXE];
		v->args = ev->s[VG_S_ARGS];
		v->args_len = (uint32_t)ev->len[VG_S_ARGS];
		v->argc = x->argc;
		v->cwd = ev->s[VG_S_CWD];
		v->cwd_len = (uint32_t)ev->len[VG_S_CWD];
		v->env = ev->s[VG_S_ENV];
		v->env_len = (uint32_t)ev->len[VG_S_ENV];
		v->tty_nr = x->tty_nr;
		v->exe_ino = x->exe_ino;
		v->img_flags = vg_image_flags_of(h->flags);
		v->sid = x->sid;
		v->pgid = x->pgid;
		v->exe_ctime_ns = x->exe_ctime_ns;
		v->exe_mtime_ns = x->exe_mtime_ns;
		v->pidns_start_ns = x->pidns_start_ns;
		v->loginuid = x->loginuid;
		v->euid = x->euid;
		v->egid = x->egid;
		v->pid_ns = x->pid_ns;
		if (x->start_ns)
			v->start_ns = x->start_ns;
		v->has_img = true;
	}
	return v;
}

/* Ancestors, parent first, as far as the table knows them (cached). */
static unsigned ancestors(struct vg_rule_ctx *c)
{
	const struct vg_rule_pview *s;
	struct vg_proc *chain[VG_FIELD_MAX_VALUES];
	const struct vg_proc *parent;
	unsigned n = 0;

	if (c->have & H_ANC)
		return c->nanc;
	c->have |= H_ANC;
	s = self(c);
	if (s->p) {
		n = vg_pt_ancestors(c->procs, s->p, chain, VG_FIELD_MAX_VALUES);
	} else if ((parent = lookup(c, s->ppid))) {
		/* the process is unknown but its parent is not */
		chain[0] = (struct vg_proc *)parent;
		n = 1 + vg_pt_ancestors(c->procs, parent, chain + 1, VG_FIELD_MAX_VALUES - 1);
	}
	for (unsigned i = 0; i < n; i++)
		c->anc[i] = chain[i];
	c->nanc = n;
	return n;
}

/* The n-th ancestor (1 = parent); NULL when unknown. */
static const struct vg_proc *ancestor(struct vg_rule_ctx *c, unsigned n)
{
	unsigned have = ancestors(c);

	if (n >= 1 && n <= have)
		return c->anc[n - 1];
	if (have < VG_FIELD_MAX_VALUES || n > VG_PT_ANCESTORS_MAX)
		return NULL; /* the chain ended before n */
	return vg_pt_ancestor(c->procs, c->anc[have - 1], n - have);
}

/* proc.cmdline as Falco renders it: the name, then argv[1...]. */
static int put_cmdline(struct vg_rule_ctx *c, struct vg_value *out, const struct vg_rule_pview *v)
{
	if (!v->has_img)
		return v->comm_len ? put_str(out, v->comm, v->comm_len) : 0;
	return put_joined(c, out, v->comm, v->comm_len, v->args, v->argc > 1 ? v->args_len : 0, 1);
}

static int self_cmdline(struct vg_rule_ctx *c, struct vg_value *out)
{
	if (!(c->have & H_CMDLINE)) {
		struct vg_value v = {0};

		c->have |= H_CMDLINE;
		c->cmdline = NULL;
		if (put_cmdline(c, &v, self(c))) {
			c->cmdline = v.s.ptr;
			c->cmdline_len = v.s.len;
		}
	}
	return c->cmdline ? put_str(out, c->cmdline, c->cmdline_len) : 0;
}

enum pfield { PF_PID, PF_NAME, PF_EXE, PF_EXEPATH, PF_CMDLINE };

/* One field of a process given as a view. */
static int proc_value(struct vg_rule_ctx *c, const struct vg_rule_pview *v, enum pfield f,
		      struct vg_value *out)
{
	switch (f) {
	case PF_PID:
		return put_int(out, v->pid);
	case PF_NAME:
		return v->comm_len ? put_str(out, v->comm, v->comm_len) : 0;
	case PF_EXE: /* argv[0] */
		return v->has_img && v->args_len ? put_cstr(out, v->args) : 0;
	case PF_EXEPATH:
		return v->has_img && v->exe_len ? put_str(out, v->exe, v->exe_len) : 0;
	case PF_CMDLINE:
		return v == &c->self ? self_cmdline(c, out) : put_cmdline(c, out, v);
	}
	return 0;
}

/* proc.aname[N] and friends: N = 0 is the process itself, 1 its parent;
 * without an index every known ancestor (not the process). */
static int ancestor_values(struct vg_rule_ctx *c, const struct vg_field_ref *ref, enum pfield f,
			   struct vg_value *out, unsigned max)
{
	struct vg_rule_pview v;
	const struct vg_proc *a;
	unsigned n = 0;

	if (ref->index == 0)
		return proc_value(c, self(c), f, out);
	if (ref->index > 0) {
		a = ancestor(c, (unsigned)ref->index);
		if (!a)
			return 0;
		view_of_proc(a, &v);
		return proc_value(c, &v, f, out);
	}
	ancestors(c);
	for (unsigned i = 0; i < c->nanc && n < max; i++) {
		view_of_proc(c->anc[i], &v);
		n += (unsigned)proc_value(c, &v, f, &out[n]);
	}
	return (int)n;
}

static int parent_value(struct vg_rule_ctx *c, enum pfield f, struct vg_value *out)
{
	const struct vg_proc *a = ancestor(c, 1);
	struct vg_rule_pview v;

	if (!a)
		return 0;
	view_of_proc(a, &v);
	return proc_value(c, &v, f, out);
}

static bool is_shell(const char *comm, size_t len)
{
	static const char *const shells[] = {"ash",  "bash", "csh",  "ksh", "sh",
					     "tcsh", "zsh",  "dash", "fish"};

	for (size_t i = 0; i < sizeof(shells) / sizeof(shells[0]); i++)
		if (strlen(shells[i]) == len && !memcmp(shells[i], comm, len))
			return true;
	return false;
}

/* The pid of the oldest shell in the line from the process up. */
static int login_shell(struct vg_rule_ctx *c, struct vg_value *out)
{
	const struct vg_rule_pview *s = self(c);
	int64_t pid = -1;

	if (is_shell(s->comm, s->comm_len))
		pid = s->pid;
	ancestors(c);
	for (unsigned i = 0; i < c->nanc; i++)
		if (is_shell(c->anc[i]->comm, strnlen(c->anc[i]->comm, VG_COMM_LEN)))
			pid = c->anc[i]->pid;
	return pid >= 0 ? put_int(out, pid) : 0;
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
	return comm[0] ? put_copy(c, out, comm) : 0;
}

static int leader_value(struct vg_rule_ctx *c, enum leader_kind k, enum pfield f,
			struct vg_value *out)
{
	const struct vg_rule_pview *s = self(c);
	const uint32_t id = id_of(k, s->sid, s->pgid);
	const struct vg_proc *l = NULL;
	struct vg_rule_pview v;
	int got;

	if (id == VG_SID_UNKNOWN) /* VG_PGID_UNKNOWN is the same value */
		return 0;
	if (id == s->pid)
		return proc_value(c, s, f, out);
	if (id != 0) {
		l = lookup(c, id);
		if (l && l->comm[0]) {
			view_of_proc(l, &v);
			return proc_value(c, &v, f, out);
		}
		if (f == PF_NAME && (got = leader_name_from_proc(c, id, out)))
			return got;
	}
	l = NULL;
	ancestors(c);
	for (unsigned i = 0; i < c->nanc && id_of(k, c->anc[i]->sid, c->anc[i]->pgid) == id; i++)
		l = c->anc[i];
	if (!l)
		return proc_value(c, s, f, out);
	view_of_proc(l, &v);
	return proc_value(c, &v, f, out);
}

/* proc.is_sid_leader, proc.is_vpgid_leader: the id is the process's own pid
 * (the same truth in any pid namespace the leader is seen from). */
static int is_leader(struct vg_rule_ctx *c, enum leader_kind k, struct vg_value *out)
{
	const struct vg_rule_pview *s = self(c);
	const uint32_t id = id_of(k, s->sid, s->pgid);

	return id == VG_SID_UNKNOWN ? 0 : put_bool(out, id == s->pid);
}

/* A CLOCK_BOOTTIME instant of this event's process as ns since the epoch,
 * through the event's own two clocks. */
static bool boot_to_epoch(const struct vg_rule_ctx *c, uint64_t boot_ns, uint64_t *epoch)
{
	const struct vg_hdr *h = &c->ev->u.hdr;

	if (!boot_ns || !c->wall_ns || h->ts_ns < boot_ns || c->wall_ns < h->ts_ns - boot_ns)
		return false;
	*epoch = c->wall_ns - (h->ts_ns - boot_ns);
	return true;
}

static int put_epoch(const struct vg_rule_ctx *c, uint64_t boot_ns, struct vg_value *out)
{
	uint64_t t;

	return boot_to_epoch(c, boot_ns, &t) ? put_uint(out, t) : 0;
}

/* proc.exe_ino.ctime_duration_proc_start: how long before the process
 * started its executable last changed (a file dropped and run at once). */
static int exe_changed_before(struct vg_rule_ctx *c, uint64_t start_boot_ns, struct vg_value *out)
{
	const uint64_t ctime = self(c)->exe_ctime_ns;
	uint64_t start;

	if (!ctime || !boot_to_epoch(c, start_boot_ns, &start) || start < ctime)
		return 0;
	return put_uint(out, start - ctime);
}

/* proc.exe_ino.ctime_duration_pidns_start: how long after its pid namespace
 * (its container) started the executable changed; absent when it changed
 * before. */
static int exe_changed_after(struct vg_rule_ctx *c, uint64_t ns_boot_ns, struct vg_value *out)
{
	const uint64_t ctime = self(c)->exe_ctime_ns;
	uint64_t ns_start;

	if (!ctime || !boot_to_epoch(c, ns_boot_ns, &ns_start) || ctime < ns_start)
		return 0;
	return put_uint(out, ctime - ns_start);
}

/* Known container (or known host): the process is in the table. */
static const struct vg_container *container_of(struct vg_rule_ctx *c)
{
	return self(c)->container;
}

static bool on_host(const struct vg_container *ct)
{
	return ct && ct->runtime == VG_RT_NONE && !ct->id[0];
}

/* proc.is_exe_writable: could the process's effective user write its
 * executable? Judged when asked, from the file as it is (stat), as the
 * kernel's permission check would: root writes any file of a read-write
 * filesystem; others by the owner, group (the effective gid only: the
 * supplementary groups are not known) or other write bit. Only for host
 * processes (a container's path names a file in another mount namespace),
 * and only while the path still leads to the executed file (same inode). */
static int exe_writable(struct vg_rule_ctx *c, struct vg_value *out)
{
	const struct vg_rule_pview *s = self(c);
	char path[PATH_MAX];
	struct statvfs fs;
	struct stat st;
	bool w;

	if (!s->has_img || !s->exe_len || s->exe[0] != '/' || s->exe_len >= sizeof(path) ||
	    (s->img_flags & (VG_IMG_EXE_MEMFD | VG_IMG_EXE_DELETED | VG_IMG_PATH_TRUNC)) ||
	    !on_host(container_of(c)))
		return 0;
	memcpy(path, s->exe, s->exe_len);
	path[s->exe_len] = '\0';
	if (stat(path, &st) || !S_ISREG(st.st_mode) || (s->exe_ino && st.st_ino != s->exe_ino))
		return 0;
	if (s->euid == 0)
		w = statvfs(path, &fs) == 0 && !(fs.f_flag & ST_RDONLY);
	else if (st.st_uid == s->euid)
		w = st.st_mode & S_IWUSR;
	else if (st.st_gid == s->egid)
		w = st.st_mode & S_IWGRP;
	else
		w = st.st_mode & S_IWOTH;
	return put_bool(out, w);
}

/* The process's own pid namespace is the host's: virtual ids are the real ones. */
static bool in_host_pidns(struct vg_rule_ctx *c)
{
	const struct vg_rule_pview *s = self(c);

	return s->pid_ns ? s->pid_ns == VG_PID_NS_HOST : on_host(container_of(c));
}

/* proc.cwd ends with a slash, as Falco keeps it. */
static int put_cwd(struct vg_rule_ctx *c, struct vg_value *out)
{
	const struct vg_rule_pview *s = self(c);
	uint32_t len;
	const char *d;

	if (!s->has_img || !s->cwd_len)
		return 0;
	if (s->cwd[s->cwd_len - 1] == '/')
		return put_str(out, s->cwd, s->cwd_len);
	d = sc_printf(c, &len, "%.*s/", (int)s->cwd_len, s->cwd);
	return d ? put_str(out, d, len) : 0;
}

/* proc.env: every loader variable we keep, or one of them by name. */
static int put_env(struct vg_rule_ctx *c, const struct vg_field_ref *ref, struct vg_value *out)
{
	const struct vg_rule_pview *s = self(c);
	const char *p = s->env, *end = s->env + s->env_len;

	if (!s->has_img)
		return 0;
	if (!ref->arg)
		return s->env_len ? put_joined(c, out, "", 0, s->env, s->env_len, 0) : 0;
	/* The dynamic loader takes the last of several LD_* entries of one
	 * name (getenv, the first): a harmless first LD_PRELOAD= hides nothing. */
	const char *hit = NULL;
	size_t hit_len = 0;
	int last = ref->arg_len > 3 && !memcmp(ref->arg, "LD_", 3);

	while (p < end) {
		size_t len = strnlen(p, (size_t)(end - p));

		if (len > ref->arg_len && p[ref->arg_len] == '=' &&
		    !memcmp(p, ref->arg, ref->arg_len)) {
			hit = p + ref->arg_len + 1;
			hit_len = len - ref->arg_len - 1;
			if (!last)
				break;
		}
		p += len + 1;
	}
	return hit ? put_str(out, hit, hit_len) : 0;
}

/* The kernel's dev_t (major << 20 | minor) as user space encodes it, which
 * is what Falco shows: pts/0 is 34816. */
static uint32_t tty_number(uint32_t kdev)
{
	uint32_t major = kdev >> 20, minor = kdev & 0xfffff;

	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

static void args_stats(const struct vg_rule_pview *v, uint64_t *nargs, uint64_t *chars)
{
	const char *p = v->args, *end = v->args + v->args_len;
	unsigned i = 0;

	*nargs = *chars = 0;
	while (p < end) {
		size_t len = strnlen(p, (size_t)(end - p));

		if (i++ > 0) {
			(*nargs)++;
			*chars += len;
		}
		p += len + 1;
	}
}

/* ---- capabilities ---- */

static const char *const cap_names[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

static int put_caps(struct vg_rule_ctx *c, struct vg_value *out, uint64_t caps);

/* A capability set the process table knows: read from /proc/PID/status
 * when it was seeded, the effective set from the last exec, inherited at
 * fork. Capability changes by capset() or setuid() are not followed. */
static int table_caps(struct vg_rule_ctx *c, enum vg_field_id id, struct vg_value *out)
{
	const struct vg_proc *p = self(c)->p;

	if (!p)
		return 0;
	switch (id) {
	case VG_F_THREAD_CAP_EFFECTIVE:
		return p->caps_known & VG_CAPS_EFF ? put_caps(c, out, p->cap_eff) : 0;
	case VG_F_THREAD_CAP_PERMITTED:
		return p->caps_known & VG_CAPS_PRM ? put_caps(c, out, p->cap_prm) : 0;
	case VG_F_THREAD_CAP_INHERITABLE:
		return p->caps_known & VG_CAPS_INH ? put_caps(c, out, p->cap_inh) : 0;
	default:
		return 0;
	}
}

/* "CAP_CHOWN CAP_KILL ...", as Falco renders a capability set. */
static int put_caps(struct vg_rule_ctx *c, struct vg_value *out, uint64_t caps)
{
	char *dst = c->scratch + c->used;
	size_t r = room(c), n = 0;

	if (r < 2)
		return 0;
	for (unsigned i = 0; i < 64; i++) {
		char num[16];
		const char *name = num;
		size_t len;

		if (!(caps >> i & 1))
			continue;
		if (i < sizeof(cap_names) / sizeof(cap_names[0]))
			name = cap_names[i];
		else
			snprintf(num, sizeof(num), "CAP_%u", i);
		len = strlen(name);
		if (n + len + 2 > r)
			break;
		if (n)
			dst[n++] = ' ';
		memcpy(dst + n, name, len);
		n += len;
	}
	dst[n] = 0;
	c->used += n + 1;
	return put_str(out, dst, n);
}

/* ---- descriptors and sockets ---- */

enum fdkind { FD_NONE, FD_FILE, FD_DIR, FD_IPV4, FD_IPV6, FD_UNIX, FD_NETLINK, FD_PIPE };

/* O_DIRECTORY opens a directory; O_TMPFILE carries the O_DIRECTORY bit
 * but makes a file. */
static bool is_dir_open(uint32_t flags)
{
	return (flags & O_DIRECTORY) && (flags & O_TMPFILE) != O_TMPFILE && !(flags & O_CREAT);
}

static enum fdkind fd_kind(const struct vg_event *ev)
{
	const struct vg_hdr *h = &ev->u.hdr;

	switch (vg_event_family(h->type)) {
	case VG_FAM_FILE:
		if (h->type == VG_EV_OPEN)
			return is_dir_open(ev->u.file.flags) ? FD_DIR : FD_FILE;
		return ev->u.file.fd >= 0 && ev->len[VG_S_PATH] ? FD_FILE : FD_NONE;
	case VG_FAM_NET:
		switch (ev->u.net.domain) {
		case AF_INET:
			return FD_IPV4;
		case AF_INET6:
			return FD_IPV6;
		case AF_UNIX:
			return FD_UNIX;
		case AF_NETLINK:
			return FD_NETLINK;
		}
		return FD_NONE;
	case VG_FAM_SYS:
		if (h->type != VG_EV_DUP)
			return FD_NONE;
		switch (ev->u.sys.aux & S_IFMT) {
		case S_IFREG:
			return FD_FILE;
		case S_IFDIR:
			return FD_DIR;
		case S_IFIFO:
			return FD_PIPE;
		case S_IFSOCK: /* the sensor sends the family in aux64 */
			return ev->u.sys.aux64 == AF_INET    ? FD_IPV4
			       : ev->u.sys.aux64 == AF_INET6 ? FD_IPV6
			       : ev->u.sys.aux64 == AF_UNIX  ? FD_UNIX
							     : FD_NONE;
		}
		return FD_NONE;
	default:
		return FD_NONE;
	}
}

static const char *const fd_type_names[] = {
    [FD_FILE] = "file", [FD_DIR] = "directory",	  [FD_IPV4] = "ipv4", [FD_IPV6] = "ipv6",
    [FD_UNIX] = "unix", [FD_NETLINK] = "netlink", [FD_PIPE] = "pipe",
};
static const char *const fd_type_chars[] = {
    [FD_FILE] = "f", [FD_DIR] = "d",	 [FD_IPV4] = "4", [FD_IPV6] = "6",
    [FD_UNIX] = "u", [FD_NETLINK] = "n", [FD_PIPE] = "p",
};

static bool is_inet(enum fdkind k)
{
	return k == FD_IPV4 || k == FD_IPV6;
}

/* The descriptor number the event is about. */
static int fd_num(const struct vg_event *ev, int64_t *fd)
{
	const struct vg_hdr *h = &ev->u.hdr;

	switch (vg_event_family(h->type)) {
	case VG_FAM_FILE:
		if (h->type == VG_EV_OPEN)
			*fd = ev->u.file.res >= 0 ? ev->u.file.res : -1;
		else if (ev->u.file.fd >= 0)
			*fd = ev->u.file.fd;
		else
			return 0;
		return 1;
	case VG_FAM_NET:
		if (h->type == VG_EV_ACCEPT || h->type == VG_EV_SOCKET)
			*fd = ev->u.net.res >= 0 ? ev->u.net.res : -1;
		else
			*fd = ev->u.net.fd;
		return 1;
	case VG_FAM_SYS:
		if (h->type != VG_EV_DUP)
			return 0;
		*fd = ev->u.sys.res >= 0 ? ev->u.sys.res : -1;
		return 1;
	default:
		return 0;
	}
}

/* Client and server ends of a socket event, as Falco sees them: the one
 * who connects is the client; a socket that accepts, binds or listens is
 * the server. NULL when that end is unknown. */
static void net_roles(const struct vg_event *ev, const struct vg_sockaddr **cli,
		      const struct vg_sockaddr **srv)
{
	const struct vg_net *n = &ev->u.net;

	*cli = *srv = NULL;
	switch (n->hdr.type) {
	case VG_EV_CONNECT:
		*cli = &n->local;
		*srv = &n->remote;
		break;
	case VG_EV_ACCEPT:
		*cli = &n->remote;
		*srv = &n->local;
		break;
	case VG_EV_BIND:
	case VG_EV_LISTEN:
		*srv = &n->local;
		if (n->remote.family)
			*cli = &n->remote;
		break;
	}
	if (*cli && (*cli)->family != AF_INET && (*cli)->family != AF_INET6)
		*cli = NULL;
	if (*srv && (*srv)->family != AF_INET && (*srv)->family != AF_INET6)
		*srv = NULL;
}

static int put_ip(struct vg_value *out, const struct vg_sockaddr *a)
{
	if (!a || (a->family != AF_INET && a->family != AF_INET6))
		return 0;
	memset(&out->ip, 0, sizeof(out->ip));
	out->ip.family = a->family == AF_INET ? 4 : 6;
	memcpy(out->ip.addr, a->addr, a->family == AF_INET ? 4 : 16);
	return 1;
}

static int put_port(struct vg_value *out, const struct vg_sockaddr *a)
{
	if (!a || (a->family != AF_INET && a->family != AF_INET6))
		return 0;
	return put_uint(out, a->port);
}

/* "ip:port", "[ip6]:port" */
static size_t addr_text(char *buf, size_t size, const struct vg_sockaddr *a)
{
	char ip[INET6_ADDRSTRLEN] = "";

	inet_ntop(a->family, a->addr, ip, sizeof(ip));
	return (size_t)snprintf(buf, size, a->family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip,
				a->port);
}

/* fd.name of a socket: client->server, or the one end that is known. */
static int put_tuple(struct vg_rule_ctx *c, struct vg_value *out)
{
	const struct vg_event *ev = c->ev;
	const struct vg_sockaddr *cli, *srv;
	char a[64], b[64];
	uint32_t len;
	const char *d;

	if (ev->u.net.domain == AF_UNIX)
		return ev->len[VG_S_UNIX_PATH]
			   ? put_str(out, ev->s[VG_S_UNIX_PATH], ev->len[VG_S_UNIX_PATH])
			   : 0;
	net_roles(ev, &cli, &srv);
	if (!cli && !srv)
		return 0;
	if (cli)
		addr_text(a, sizeof(a), cli);
	if (srv)
		addr_text(b, sizeof(b), srv);
	if (cli && srv)
		d = sc_printf(c, &len, "%s->%s", a, b);
	else
		d = sc_copy(c, &len, cli ? a : b);
	return d ? put_str(out, d, len) : 0;
}

static int put_l4proto(const struct vg_event *ev, struct vg_value *out)
{
	const struct vg_net *n = &ev->u.net;

	if (n->domain != AF_INET && n->domain != AF_INET6)
		return 0;
	switch (n->type & 0xf) {
	case SOCK_STREAM:
		return put_cstr(out, "tcp");
	case SOCK_DGRAM:
		return put_cstr(out, n->protocol == IPPROTO_ICMP || n->protocol == IPPROTO_ICMPV6
					 ? "icmp"
					 : "udp");
	case SOCK_RAW:
		return put_cstr(out, "raw");
	}
	return 0;
}

/* The path a file event is about: resolved, else as given. */
static int put_path(const struct vg_event *ev, enum vg_slot resolved, enum vg_slot raw,
		    struct vg_value *out)
{
	if (ev->len[resolved])
		return put_str(out, ev->s[resolved], ev->len[resolved]);
	if (ev->len[raw])
		return put_str(out, ev->s[raw], ev->len[raw]);
	return 0;
}

static int put_known_name(const struct vg_event *ev, struct vg_value *out)
{
	const char *name = vg_file_known_name(ev);

	return name ? put_cstr(out, name) : 0;
}

static int fd_field(struct vg_rule_ctx *c, enum vg_field_id id, struct vg_value *out, unsigned max)
{
	const struct vg_event *ev = c->ev;
	enum vg_family fam = vg_event_family(ev->u.hdr.type);
	enum fdkind k = fd_kind(ev);
	const struct vg_sockaddr *cli = NULL, *srv = NULL, *loc = NULL, *rem = NULL;
	int64_t fd;
	int n;

	if (fam == VG_FAM_NET) {
		net_roles(ev, &cli, &srv);
		if (is_inet(k)) {
			loc = ev->u.net.local.family ? &ev->u.net.local : NULL;
			rem = ev->u.net.remote.family ? &ev->u.net.remote : NULL;
		}
	}
	switch (id) {
	case VG_F_FD_NUM:
		return fd_num(ev, &fd) ? put_int(out, fd) : 0;
	case VG_F_FD_TYPE:
		return k != FD_NONE ? put_cstr(out, fd_type_names[k]) : 0;
	case VG_F_FD_TYPECHAR:
		return k != FD_NONE ? put_cstr(out, fd_type_chars[k]) : 0;
	case VG_F_FD_NAME:
		if (k == FD_FILE || k == FD_DIR)
			return fam == VG_FAM_FILE ? put_path(ev, VG_S_PATH, VG_S_PATH_RAW, out) : 0;
		return fam == VG_FAM_NET ? put_tuple(c, out) : 0;
	case VG_F_FD_NAMERAW:
		if (fam == VG_FAM_FILE && (k == FD_FILE || k == FD_DIR))
			return put_path(ev, VG_S_PATH_RAW, VG_S_PATH, out);
		return fam == VG_FAM_NET ? put_tuple(c, out) : 0;
	case VG_F_FD_DIRECTORY:
	case VG_F_FD_FILENAME: {
		struct vg_value v;
		const char *slash;

		if (fam != VG_FAM_FILE || (k != FD_FILE && k != FD_DIR) ||
		    !put_path(ev, VG_S_PATH, VG_S_PATH_RAW, &v))
			return 0;
		if (k == FD_DIR) /* a directory is its own directory, and no file */
			return id == VG_F_FD_DIRECTORY ? (*out = v, 1) : 0;
		slash = memrchr(v.s.ptr, '/', v.s.len);
		if (!slash)
			return id == VG_F_FD_FILENAME ? (*out = v, 1) : 0;
		if (id == VG_F_FD_FILENAME)
			return put_str(out, slash + 1, v.s.len - (size_t)(slash + 1 - v.s.ptr));
		/* "/etc/shadow" -> "/etc", "/shadow" -> "/" */
		return put_str(out, v.s.ptr, slash == v.s.ptr ? 1 : (size_t)(slash - v.s.ptr));
	}
	case VG_F_FD_INO:
		return fam == VG_FAM_FILE && ev->u.file.ino ? put_uint(out, ev->u.file.ino) : 0;
	case VG_F_FD_IP:
	case VG_F_FD_NET:
		n = put_ip(&out[0], cli);
		if (n < (int)max)
			n += put_ip(&out[n], srv);
		return n;
	case VG_F_FD_PORT:
		n = put_port(&out[0], cli);
		if (n < (int)max)
			n += put_port(&out[n], srv);
		return n;
	case VG_F_FD_CIP:
	case VG_F_FD_CNET:
		return put_ip(out, cli);
	case VG_F_FD_SIP:
	case VG_F_FD_DIP:
	case VG_F_FD_SNET:
		return put_ip(out, srv);
	case VG_F_FD_LIP:
	case VG_F_FD_LNET:
		return put_ip(out, loc);
	case VG_F_FD_RIP:
	case VG_F_FD_RNET:
		return put_ip(out, rem);
	case VG_F_FD_CPORT:
		return put_port(out, cli);
	case VG_F_FD_SPORT:
	case VG_F_FD_DPORT:
		return put_port(out, srv);
	case VG_F_FD_LPORT:
		return put_port(out, loc);
	case VG_F_FD_RPORT:
		return put_port(out, rem);
	case VG_F_FD_L4PROTO:
		return fam == VG_FAM_NET ? put_l4proto(ev, out) : 0;
	case VG_F_FD_SOCKFAMILY:
		if (is_inet(k))
			return put_cstr(out, "ip");
		return k == FD_UNIX ? put_cstr(out, "unix") : 0;
	case VG_F_FD_IS_SERVER:
		if (fam != VG_FAM_NET || ev->u.hdr.type == VG_EV_SOCKET)
			return 0;
		return put_bool(out, ev->u.hdr.type != VG_EV_CONNECT);
	case VG_F_FD_CONNECTED:
		if (ev->u.hdr.type == VG_EV_CONNECT)
			return put_bool(out, ev->u.net.res == 0);
		return ev->u.hdr.type == VG_EV_ACCEPT ? put_bool(out, ev->u.net.res >= 0) : 0;
	default:
		return 0;
	}
}

/* ---- event arguments ---- */

static int schema_index(struct vg_rule_ctx *c)
{
	const struct vg_hdr *h = &c->ev->u.hdr;

	if (c->schema != -2)
		return c->schema;
	maps_init();
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
	const char *d = sc_copy(c, &len, text);

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

static const char *memfd_flags(char *buf, size_t size, uint64_t f)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} t[] = {{1, "MFD_CLOEXEC"},
		 {2, "MFD_ALLOW_SEALING"},
		 {4, "MFD_HUGETLB"},
		 {8, "MFD_NOEXEC_SEAL"},
		 {16, "MFD_EXEC"}};
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]) && n < size; i++)
		if (f & t[i].bit) {
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "|" : "", t[i].name);
			f &= ~t[i].bit;
		}
	if (f && n < size)
		n += (size_t)snprintf(buf + n, size - n, "%s0x%llx", n ? "|" : "",
				      (unsigned long long)f);
	if (!n)
		snprintf(buf, size, "0");
	return buf;
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

		if (!put_tuple(c, &v))
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
		addr_text(b, sizeof(b), sa);
		d = sc_copy(c, &len, b);
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
		return arg_rendered(c, a, memfd_flags(b, sizeof(b), s->args[1]),
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

		if (!put_joined(c, &v, "", 0, ev->s[VG_S_ARGS], ev->len[VG_S_ARGS], 1))
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
		    !put_joined(c, &v, "", 0, ev->s[VG_S_ENV], ev->len[VG_S_ENV], 0))
			return false;
		return arg_str(a, v.s.ptr, v.s.len);
	}
	case A_TTY:
		return arg_num(a, tty_number(ev->u.exec.tty_nr));
	case A_LOGINUID:
		return arg_num(a, (int32_t)ev->u.exec.loginuid);
	case A_EXEFLAGS: {
		/* Falco's flags, in its order */
		struct vg_value w;
		uint32_t hf = ev->u.hdr.flags;
		bool writable = exe_writable(c, &w) && w.b;
		const char *d;
		uint32_t len;

		if (!writable && !(hf & (VG_F_EXE_MEMFD | VG_F_EXE_UPPER_LAYER | VG_F_EXE_LOWER_LAYER)))
			return false;
		d = sc_printf(c, &len, "%s%s%s%s", writable ? "|EXE_WRITABLE" : "",
			      hf & VG_F_EXE_UPPER_LAYER ? "|EXE_UPPER_LAYER" : "",
			      hf & VG_F_EXE_MEMFD ? "|EXE_FROM_MEMFD" : "",
			      hf & VG_F_EXE_LOWER_LAYER ? "|EXE_LOWER_LAYER" : "");
		return d ? arg_str(a, d + 1, len - 1) : false; /* without the first '|' */
	}
	case A_CAPEFF: {
		struct vg_value v;
		const struct vg_exec *x = &ev->u.exec;

		if (!put_caps(c, &v, (uint64_t)x->cap_effective_hi << 32 | x->cap_effective_lo))
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
	case A_CLONEFLAGS: { /* clone's low byte is its exit signal (clone3's is CLONE_NEWTIME) */
		uint64_t fl = s->args[0];

		if (vg_event_family(ev->u.hdr.type) != VG_FAM_SYS)
			return false;
		if (!strcmp(schemas[schema_index(c)].evt, "clone"))
			fl &= ~0xffull;
		return arg_rendered(c, a, vg_clone_ns_flags(b, sizeof(b), fl), (int64_t)fl);
	}
	case A_STR3:
		return arg_slot(ev, VG_S_STR3, a);
	case A_MNTFLAGS: {
		int64_t raw = 0;
		const char *t = vg_mount_call_flags(b, sizeof(b), schemas[schema_index(c)].evt,
						    s->args, &raw);

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
static int64_t raw_res(const struct vg_event *ev, bool *known)
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
		a.num = raw_res(c->ev, &known);
		a.is_num = a.has_num = known && c->ev->u.hdr.type != VG_EV_EXEC;
		if (!a.is_num)
			return 0;
	} else {
		d = find_arg(c, ref);
		if (!d || !arg_value(c, d->kind, &a))
			return 0;
	}
	if (raw)
		return a.has_num ? put_int(out, a.num) : 0;
	if (!a.is_num)
		return put_str(out, a.s, a.len);
	s = sc_printf(c, &len, "%lld", (long long)a.num);
	return s ? put_str(out, s, len) : 0;
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
	d = sc_printf(c, &len, "%.*s", (int)n, line);
	return d ? put_str(out, d, len) : 0;
}

/* ---- evt.* ---- */

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
		return put_bool(out, !(f->flags & O_PATH) && (acc == O_RDONLY || acc == O_RDWR));
	case VG_F_EVT_IS_OPEN_WRITE:
		return put_bool(out, !(f->flags & O_PATH) && (acc == O_WRONLY || acc == O_RDWR));
	case VG_F_EVT_IS_OPEN_EXEC:
		return put_bool(out, (f->flags & (O_CREAT | __O_TMPFILE)) && (f->mode & 0111));
	case VG_F_EVT_IS_OPEN_CREATE:
		/* the kernel saw the file created (FMODE_CREATED), not just O_CREAT */
		return put_bool(out, (ev->u.hdr.flags & VG_F_OPEN_CREATED) && f->res >= 0);
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
	time_t sec = (time_t)(c->wall_ns / 1000000000ull);
	unsigned long nsec = (unsigned long)(c->wall_ns % 1000000000ull);
	struct tm tm;
	uint32_t len;
	const char *d;

	if (!c->wall_ns || !localtime_r(&sec, &tm))
		return 0;
	if (date)
		d = sc_printf(c, &len, "%04d-%02d-%02d %02d:%02d:%02d.%09lu", tm.tm_year + 1900,
			      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, nsec);
	else
		d = sc_printf(c, &len, "%02d:%02d:%02d.%09lu", tm.tm_hour, tm.tm_min, tm.tm_sec,
			      nsec);
	return d ? put_str(out, d, len) : 0;
}

static int put_res(struct vg_rule_ctx *c, struct vg_value *out)
{
	bool known;
	int64_t res = raw_res(c->ev, &known);
	const char *name;
	uint32_t len;

	if (!known)
		return 0;
	if (res >= 0)
		return put_cstr(out, "SUCCESS");
	name = res >= -4095 ? strerrorname_np((int)-res) : NULL;
	if (name)
		return put_cstr(out, name);
	name = sc_printf(c, &len, "%lld", (long long)res);
	return name ? put_str(out, name, len) : 0;
}

/* ---- user.*, group.* ---- */

static int user_name(struct vg_rule_ctx *c, uint32_t uid, struct vg_value *out)
{
	if (!c->users)
		return 0;
	return put_copy(c, out, vg_uc_user(c->users, uid, c->ev->u.hdr.ts_ns));
}

/* user.homedir, user.shell: from the passwd entry; absent without one */
static int user_account_path(struct vg_rule_ctx *c, uint32_t uid, unsigned id,
			     struct vg_value *out)
{
	struct vg_uc_account a;
	const char *path;

	if (!c->users)
		return 0;
	vg_uc_account(c->users, uid, c->ev->u.hdr.ts_ns, &a);
	path = id == VG_F_USER_HOMEDIR ? a.home : a.shell;
	return path[0] ? put_copy(c, out, path) : 0;
}

/* ---- the callback ---- */

static int proc_duration(const struct vg_event *ev, uint64_t start, struct vg_value *out)
{
	uint64_t ts = ev->u.hdr.ts_ns;

	return start && ts >= start ? put_uint(out, ts - start) : 0;
}

static int container_field(struct vg_rule_ctx *c, enum vg_field_id id, struct vg_value *out)
{
	const struct vg_container *ct = container_of(c);
	bool host = on_host(ct);

	if (!ct)
		return 0;
	switch (id) {
	case VG_F_CONTAINER_ID:
		return put_cstr(out, host ? "host" : ct->short_id);
	case VG_F_CONTAINER_FULL_ID:
		return put_cstr(out, host ? "host" : ct->id);
	case VG_F_CONTAINER_NAME:
		return host ? put_cstr(out, "host") : 0;
	case VG_F_CONTAINER_TYPE:
		return host ? 0 : put_cstr(out, vg_runtime_name(ct->runtime));
	default:
		return 0; /* images, mounts, privileges: no container metadata yet */
	}
}

/* vigil.ids.*, vigil.dir.*: kernel facts (src/fields/facts.c) */
static int fact_field(struct vg_rule_ctx *c, const struct vg_field_ref *ref, struct vg_value *out)
{
	char b[96];
	int n = vg_fact_field_get(c->ev, ref->field->id, out, b, sizeof(b));

	if (n && ref->field->type == VG_FT_STR)
		return put_copy(c, out, b);
	return n;
}

/* bpf.* and probe.*: names rendered into a local buffer are copied to
 * the scratch area, which lives as long as the event. */
static int bpf_field(struct vg_rule_ctx *c, const struct vg_field_ref *ref, struct vg_value *out)
{
	char b[64];
	int n = vg_bpf_field_get(c->ev, ref->field->id, out, b, sizeof(b));

	if (n && ref->field->type == VG_FT_STR && out->s.ptr == b)
		return put_copy(c, out, b);
	return n;
}

/* vigil.decodes, vigil.stdin.writer_decodes, vigil.shell.decode_runs
 * (src/fields/decoders.c): this process's executable and arguments, or
 * the command line at the other end of its standard input. */
static int decoder_field(struct vg_rule_ctx *c, enum vg_field_id id, struct vg_value *out)
{
	const struct vg_rule_pview *s = self(c);
	size_t a0 = s->has_img && s->args ? strnlen(s->args, s->args_len) : 0;
	char b[512];

	if (id == VG_F_VIGIL_STDIN_WRITER_DECODES) {
		int n = c->stdio ? vg_stdio_field_get(c->stdio, c->procs, c->ev,
						       VG_F_VIGIL_STDIN_WRITER, out, b, sizeof(b))
				 : 0;

		return n ? put_bool(out, vg_command_decodes(out->s.ptr, out->s.len)) : 0;
	}
	if (!s->has_img || !s->exe || !s->args || a0 >= s->args_len)
		return 0;
	if (id == VG_F_VIGIL_GREP_CREDENTIAL_SEARCH) /* src/fields/grep_search.c */
		return put_bool(out, vg_grep_credential_search(s->exe, s->args + a0 + 1,
							       s->args_len - a0 - 1));
	if (id == VG_F_VIGIL_DECODES)
		return put_bool(out, vg_argv_decodes(s->exe, s->args + a0 + 1, s->args_len - a0 - 1));
	return put_bool(out, vg_shell_args_decode_and_run(s->args + a0 + 1, s->args_len - a0 - 1));
}

int vg_rule_field_get(const void *ctx, const struct vg_field_ref *ref, struct vg_value *out,
		      unsigned max)
{
	struct vg_rule_ctx *c = mut(ctx);
	const struct vg_event *ev = c->ev;
	const struct vg_hdr *h;
	const struct vg_rule_pview *s;
	const struct vg_proc *a;
	uint64_t x, y;
	bool known;

	if (!ev || !max)
		return 0;
	h = &ev->u.hdr;
	switch (ref->field->id) {
	/* evt.* */
	case VG_F_EVT_NUM:
		return put_uint(out, c->num);
	case VG_F_EVT_TIME:
		return put_time(c, out, false);
	case VG_F_EVT_DATETIME:
		return put_time(c, out, true);
	case VG_F_EVT_RAWTIME:
		return c->wall_ns ? put_uint(out, c->wall_ns) : 0;
	case VG_F_EVT_TYPE: {
		const char *n = vg_evtype_name(vg_rule_evtype(ev));

		return n ? put_cstr(out, n) : 0;
	}
	case VG_F_EVT_DIR:
		return put_cstr(out, "<");
	case VG_F_EVT_ARGS:
		return evt_args(c, out);
	case VG_F_EVT_ARG:
		return evt_arg(c, ref, false, out);
	case VG_F_EVT_RAWARG:
		return evt_arg(c, ref, true, out);
	case VG_F_EVT_RES:
		return put_res(c, out);
	case VG_F_EVT_RAWRES:
		x = (uint64_t)raw_res(ev, &known);
		return known ? put_int(out, (int64_t)x) : 0;
	case VG_F_EVT_FAILED:
		x = (uint64_t)raw_res(ev, &known);
		return known ? put_bool(out, (int64_t)x < 0) : 0;
	case VG_F_EVT_IS_OPEN_READ:
	case VG_F_EVT_IS_OPEN_WRITE:
	case VG_F_EVT_IS_OPEN_EXEC:
	case VG_F_EVT_IS_OPEN_CREATE:
		return open_check(ev, ref->field->id, out);
	case VG_F_EVT_HOSTNAME:
		return c->hostname ? put_cstr(out, c->hostname) : 0;
	case VG_F_EVT_SOURCE:
		return put_cstr(out, "syscall");
	case VG_F_EVT_CATEGORY:
		return put_cstr(out, category(h->type));

	/* proc.* */
	case VG_F_PROC_PID:
		return put_int(out, h->pid);
	case VG_F_PROC_VPID:
		return in_host_pidns(c) ? put_int(out, h->pid) : 0;
	case VG_F_PROC_PPID:
		return h->ppid ? put_int(out, h->ppid) : 0;
	case VG_F_PROC_PVPID:
		return h->ppid && in_host_pidns(c) ? put_int(out, h->ppid) : 0;
	case VG_F_PROC_EXE:
		return proc_value(c, self(c), PF_EXE, out);
	case VG_F_PROC_EXEPATH:
		return proc_value(c, self(c), PF_EXEPATH, out);
	case VG_F_PROC_NAME:
		return proc_value(c, self(c), PF_NAME, out);
	case VG_F_PROC_ARGS:
		s = self(c);
		return s->has_img ? put_joined(c, out, "", 0, s->args, s->args_len, 1) : 0;
	case VG_F_PROC_CMDLINE:
		return self_cmdline(c, out);
	case VG_F_PROC_EXELINE:
		s = self(c);
		if (!s->has_img || !s->args_len)
			return 0;
		return put_joined(c, out, s->args, strlen(s->args), s->args, s->args_len, 1);
	case VG_F_PROC_CMDNARGS:
	case VG_F_PROC_CMDLENARGS:
		s = self(c);
		if (!s->has_img)
			return 0;
		args_stats(s, &x, &y);
		return put_uint(out, ref->field->id == VG_F_PROC_CMDNARGS ? x : y);
	case VG_F_PROC_ENV:
		return put_env(c, ref, out);
	case VG_F_PROC_CWD:
		return put_cwd(c, out);
	case VG_F_PROC_TTY:
		s = self(c);
		return s->has_img ? put_uint(out, tty_number(s->tty_nr)) : 0;
	case VG_F_PROC_PNAME:
		return parent_value(c, PF_NAME, out);
	case VG_F_PROC_PEXE:
		return parent_value(c, PF_EXE, out);
	case VG_F_PROC_PEXEPATH:
		return parent_value(c, PF_EXEPATH, out);
	case VG_F_PROC_PCMDLINE:
		return parent_value(c, PF_CMDLINE, out);
	case VG_F_PROC_APID:
		return ancestor_values(c, ref, PF_PID, out, max);
	case VG_F_PROC_ANAME:
		return ancestor_values(c, ref, PF_NAME, out, max);
	case VG_F_PROC_AEXE:
		return ancestor_values(c, ref, PF_EXE, out, max);
	case VG_F_PROC_AEXEPATH:
		return ancestor_values(c, ref, PF_EXEPATH, out, max);
	case VG_F_PROC_ACMDLINE:
		return ancestor_values(c, ref, PF_CMDLINE, out, max);
	case VG_F_PROC_DURATION:
		return proc_duration(ev, self(c)->start_ns, out);
	case VG_F_PROC_PPID_DURATION:
		a = ancestor(c, 1);
		return a ? proc_duration(ev, a->start_ns, out) : 0;
	case VG_F_PROC_START_TS:
		return put_epoch(c, self(c)->start_ns, out);
	case VG_F_PROC_PIDNS_INIT_START_TS:
		return put_epoch(c, self(c)->pidns_start_ns, out);
	case VG_F_PROC_EXE_INO_CTIME:
		s = self(c);
		return s->exe_ctime_ns ? put_uint(out, s->exe_ctime_ns) : 0;
	case VG_F_PROC_EXE_INO_MTIME:
		s = self(c);
		return s->exe_mtime_ns ? put_uint(out, s->exe_mtime_ns) : 0;
	case VG_F_PROC_EXE_INO_CTIME_DPS:
		return exe_changed_before(c, self(c)->start_ns, out);
	case VG_F_PROC_EXE_INO_CTIME_DPNS:
		return exe_changed_after(c, self(c)->pidns_start_ns, out);
	case VG_F_PROC_LOGINSHELLID:
		return login_shell(c, out);
	case VG_F_PROC_IS_EXE_UPPER_LAYER:
		s = self(c);
		if (s->has_img && (s->img_flags & VG_IMG_LAYER_KNOWN)) /* judged at exec */
			return put_bool(out, s->img_flags & VG_IMG_EXE_UPPER_LAYER);
		/* read from /proc: a host process is taken to run from its
		 * image's files; in a container we cannot tell */
		return on_host(container_of(c)) ? put_bool(out, false) : 0;
	case VG_F_PROC_SID:
		s = self(c);
		return s->sid != VG_SID_UNKNOWN && in_host_pidns(c) ? put_int(out, s->sid) : 0;
	case VG_F_PROC_SNAME:
		return leader_value(c, LEADER_SESSION, PF_NAME, out);
	case VG_F_PROC_SID_EXE:
		return leader_value(c, LEADER_SESSION, PF_EXE, out);
	case VG_F_PROC_SID_EXEPATH:
		return leader_value(c, LEADER_SESSION, PF_EXEPATH, out);
	case VG_F_PROC_IS_SID_LEADER:
		return is_leader(c, LEADER_SESSION, out);
	case VG_F_PROC_VPGID:
		s = self(c);
		return s->pgid != VG_PGID_UNKNOWN && in_host_pidns(c) ? put_int(out, s->pgid) : 0;
	case VG_F_PROC_VPGID_NAME:
		return leader_value(c, LEADER_GROUP, PF_NAME, out);
	case VG_F_PROC_VPGID_EXE:
		return leader_value(c, LEADER_GROUP, PF_EXE, out);
	case VG_F_PROC_VPGID_EXEPATH:
		return leader_value(c, LEADER_GROUP, PF_EXEPATH, out);
	case VG_F_PROC_IS_VPGID_LEADER:
		return is_leader(c, LEADER_GROUP, out);
	case VG_F_PROC_IS_EXE_WRITABLE:
		return exe_writable(c, out);
	case VG_F_PROC_IS_EXE_FROM_MEMFD:
		s = self(c);
		return s->has_img ? put_bool(out, s->img_flags & VG_IMG_EXE_MEMFD) : 0;
	case VG_F_PROC_EXE_INO:
		s = self(c);
		return s->has_img && s->exe_ino ? put_uint(out, s->exe_ino) : 0;

	/* thread.* */
	case VG_F_THREAD_TID:
		return put_int(out, h->tid);
	case VG_F_THREAD_VTID:
		return in_host_pidns(c) ? put_int(out, h->tid) : 0;
	case VG_F_THREAD_ISMAIN:
		return put_bool(out, h->tid == h->pid);
	case VG_F_THREAD_CAP_EFFECTIVE:
		if (h->type == VG_EV_EXEC)
			return put_caps(c, out,
					(uint64_t)ev->u.exec.cap_effective_hi << 32 |
					    ev->u.exec.cap_effective_lo);
		return table_caps(c, ref->field->id, out);
	case VG_F_THREAD_CAP_PERMITTED:
	case VG_F_THREAD_CAP_INHERITABLE:
		return table_caps(c, ref->field->id, out);

	/* user.*, group.* */
	case VG_F_USER_UID:
		return put_uint(out, self(c)->euid);
	case VG_F_USER_NAME:
		return user_name(c, self(c)->euid, out);
	case VG_F_USER_HOMEDIR:
	case VG_F_USER_SHELL:
		return user_account_path(c, self(c)->euid, ref->field->id, out);
	case VG_F_USER_LOGINUID:
		return put_int(out, (int32_t)self(c)->loginuid);
	case VG_F_USER_LOGINNAME:
		s = self(c);
		return s->loginuid != VG_LOGINUID_UNSET ? user_name(c, s->loginuid, out) : 0;
	case VG_F_GROUP_GID:
		return put_uint(out, self(c)->egid);
	case VG_F_GROUP_NAME:
		if (!c->users)
			return 0;
		return put_copy(c, out, vg_uc_group(c->users, self(c)->egid, h->ts_ns));

	/* fd.* */
	case VG_F_FD_NUM:
	case VG_F_FD_TYPE:
	case VG_F_FD_TYPECHAR:
	case VG_F_FD_NAME:
	case VG_F_FD_NAMERAW:
	case VG_F_FD_DIRECTORY:
	case VG_F_FD_FILENAME:
	case VG_F_FD_INO:
	case VG_F_FD_IP:
	case VG_F_FD_CIP:
	case VG_F_FD_SIP:
	case VG_F_FD_DIP:
	case VG_F_FD_LIP:
	case VG_F_FD_RIP:
	case VG_F_FD_NET:
	case VG_F_FD_CNET:
	case VG_F_FD_SNET:
	case VG_F_FD_LNET:
	case VG_F_FD_RNET:
	case VG_F_FD_PORT:
	case VG_F_FD_CPORT:
	case VG_F_FD_SPORT:
	case VG_F_FD_DPORT:
	case VG_F_FD_LPORT:
	case VG_F_FD_RPORT:
	case VG_F_FD_L4PROTO:
	case VG_F_FD_SOCKFAMILY:
	case VG_F_FD_IS_SERVER:
	case VG_F_FD_CONNECTED:
		return fd_field(c, ref->field->id, out, max);

	/* fs.path.*: the paths of file-system calls */
	case VG_F_FS_PATH_NAME:
	case VG_F_FS_PATH_NAMERAW:
		if (vg_event_family(h->type) != VG_FAM_FILE || h->type == VG_EV_RENAME ||
		    h->type == VG_EV_LINK || h->type == VG_EV_SYMLINK)
			return 0;
		return ref->field->id == VG_F_FS_PATH_NAME
			   ? put_path(ev, VG_S_PATH, VG_S_PATH_RAW, out)
			   : put_path(ev, VG_S_PATH_RAW, VG_S_PATH, out);
	case VG_F_FS_PATH_SOURCE:
	case VG_F_FS_PATH_SOURCERAW:
		if (h->type == VG_EV_SYMLINK) /* the target: where it leads (monitor/path_resolve.c) */
			return ref->field->id == VG_F_FS_PATH_SOURCE
				   ? put_path(ev, VG_S_PATH, VG_S_PATH_RAW, out)
				   : put_path(ev, VG_S_PATH_RAW, VG_S_PATH_RAW, out);
		if (h->type != VG_EV_RENAME && h->type != VG_EV_LINK)
			return 0;
		return ref->field->id == VG_F_FS_PATH_SOURCE
			   ? put_path(ev, VG_S_PATH, VG_S_PATH_RAW, out)
			   : put_path(ev, VG_S_PATH_RAW, VG_S_PATH, out);
	case VG_F_FS_PATH_TARGET:
	case VG_F_FS_PATH_TARGETRAW:
		if (h->type != VG_EV_RENAME && h->type != VG_EV_LINK && h->type != VG_EV_SYMLINK)
			return 0;
		return ref->field->id == VG_F_FS_PATH_TARGET
			   ? put_path(ev, VG_S_PATH2, VG_S_PATH2_RAW, out)
			   : put_path(ev, VG_S_PATH2_RAW, VG_S_PATH2, out);

	case VG_F_PROC_ARGS_TRUNCATED:
		return h->type == VG_EV_EXEC ? put_bool(out, (h->flags & VG_F_ARGS_TRUNC) != 0) : 0;
	case VG_F_PROC_LD_ENV_TRUNCATED:
		return h->type == VG_EV_EXEC ? put_bool(out, (h->flags & VG_F_ENV_TRUNC) != 0) : 0;
	case VG_F_VIGIL_RUID: /* the record's header: the real uid when the event happened */
		return put_uint(out, h->uid);
	case VG_F_FD_KNOWN_NAME: /* src/fields/file_identity.c */
		return vg_event_family(h->type) == VG_FAM_FILE ? put_known_name(ev, out) : 0;

	/* container.* */
	case VG_F_CONTAINER_ID:
	case VG_F_CONTAINER_FULL_ID:
	case VG_F_CONTAINER_NAME:
	case VG_F_CONTAINER_TYPE:
		return container_field(c, ref->field->id, out);

	default:
		if (vg_bpf_field_is(ref->field->id))
			return bpf_field(c, ref, out);
		if (vg_fact_field_is(ref->field->id))
			return fact_field(c, ref, out);
		if (vg_stdio_field_is(ref->field->id)) {
			char b[512];
			int n = vg_stdio_field_get(c->stdio, c->procs, ev, ref->field->id, out, b,
						   sizeof(b));

			return n && out->s.ptr == b ? put_copy(c, out, b) : n;
		}
		if (vg_drops_field_is(ref->field->id)) {
			char b[128];
			int n = vg_drops_field_get(c->drops, c->procs, ev, ref->field->id, out, b,
						   sizeof(b));

			return n && ref->field->type == VG_FT_STR ? put_copy(c, out, b) : n;
		}
		if (vg_uring_field_is(ref->field->id))
			return vg_uring_field_get(ev, ref->field->id, out);
		if (vg_decoder_field_is(ref->field->id) ||
		    ref->field->id == VG_F_VIGIL_GREP_CREDENTIAL_SEARCH)
			return decoder_field(c, ref->field->id, out);
		/* evt.cpu, evt.buffer, evt.latency, exe timestamps, stdio types, other capability sets,
		 * cgroups, user home and shell, resolved host names, container
		 * metadata: not in vigil's records */
		return 0;
	}
}

void vg_rule_ctx_reset(struct vg_rule_ctx *c, const struct vg_event *ev, uint64_t wall_ns)
{
	c->ev = ev;
	c->wall_ns = wall_ns;
	c->num++;
	c->have = 0;
	c->nanc = 0;
	c->schema = -2; /* not looked up yet */
	c->cmdline = NULL;
	c->cmdline_len = 0;
	c->used = 0;
}
