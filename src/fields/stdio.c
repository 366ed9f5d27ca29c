/* See stdio.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "fields/stdio.h"
#include "fields/fx.h"
#include "proc/proctable.h"
#include "sensor/event.h"

#define PROBE 8
#define MASK (VG_STDIO_SLOTS - 1)

struct proc_slot {
	uint32_t pid; /* 0 = empty */
	uint64_t ts;  /* of the exec */
	struct vg_stdio fd[3];
};

struct pipe_slot {
	uint64_t ino; /* 0 = empty */
	uint64_t ts;
	uint32_t writer, reader; /* pids, 0 = not known */
};

struct vg_stdio_table {
	struct proc_slot procs[VG_STDIO_SLOTS];
	struct pipe_slot pipes[VG_STDIO_SLOTS];
};

struct vg_stdio_table *vg_stdio_new(void)
{
	return calloc(1, sizeof(struct vg_stdio_table));
}

void vg_stdio_free(struct vg_stdio_table *t)
{
	free(t);
}

bool vg_stdio_field_is(enum vg_field_id id)
{
	return (id >= VG_F_PROC_STDIN_TYPE && id <= VG_F_PROC_STDERR_NAME) ||
	       id == VG_F_VIGIL_STDIN_WRITER || id == VG_F_VIGIL_STDOUT_READER;
}

static unsigned hash(uint64_t k)
{
	return (unsigned)((k * 0x9e3779b97f4a7c15ull) >> 40) & MASK;
}

/* The slot of pid, or (claim) the empty or oldest one of its neighbourhood. */
static struct proc_slot *proc_slot(struct vg_stdio_table *t, uint32_t pid, bool claim)
{
	struct proc_slot *best = NULL;
	unsigned h = hash(pid);

	for (unsigned i = 0; i < PROBE; i++) {
		struct proc_slot *s = &t->procs[(h + i) & MASK];

		if (s->pid == pid)
			return s;
		if (!best || s->ts < best->ts)
			best = s;
	}
	return claim ? best : NULL;
}

/* The same for a pipe, by its inode. */
static struct pipe_slot *pipe_slot(struct vg_stdio_table *t, uint64_t ino, bool claim)
{
	struct pipe_slot *best = NULL;
	unsigned h = hash(ino);

	for (unsigned i = 0; i < PROBE; i++) {
		struct pipe_slot *s = &t->pipes[(h + i) & MASK];

		if (s->ino == ino)
			return s;
		if (!best || s->ts < best->ts)
			best = s;
	}
	return claim ? best : NULL;
}

static bool is_pipe(const struct vg_stdio *s)
{
	return S_ISFIFO(s->mode) && s->ino;
}

static void pipe_end(struct vg_stdio_table *t, uint64_t ino, uint32_t pid, bool writer,
		     uint64_t ts)
{
	struct pipe_slot *s = pipe_slot(t, ino, true);

	if (s->ino != ino) {
		memset(s, 0, sizeof(*s));
		s->ino = ino;
	}
	s->ts = ts ? ts : 1;
	if (writer)
		s->writer = pid;
	else
		s->reader = pid;
}

void vg_stdio_note(struct vg_stdio_table *t, const struct vg_event *ev)
{
	const struct vg_exec *x = &ev->u.exec;
	struct proc_slot *s;

	if (!t || ev->u.hdr.type != VG_EV_EXEC)
		return;
	s = proc_slot(t, ev->u.hdr.pid, true);
	s->pid = ev->u.hdr.pid;
	s->ts = ev->u.hdr.ts_ns ? ev->u.hdr.ts_ns : 1;
	memcpy(s->fd, x->stdio, sizeof(s->fd));
	if (is_pipe(&x->stdio[0]))
		pipe_end(t, x->stdio[0].ino, s->pid, false, s->ts);
	/* what a process writes on its error goes down the pipe too (2>&1) */
	for (int i = 1; i <= 2; i++)
		if (is_pipe(&x->stdio[i]) && (i == 1 || x->stdio[2].ino != x->stdio[1].ino))
			pipe_end(t, x->stdio[i].ino, s->pid, true, s->ts);
}

const char *vg_stdio_type(uint32_t mode, uint32_t aux)
{
	switch (mode & S_IFMT) {
	case S_IFIFO:
		return "pipe";
	case S_IFDIR:
		return "directory";
	case S_IFSOCK:
		return aux == AF_UNIX ? "unix" : aux == AF_INET ? "ipv4" : aux == AF_INET6 ? "ipv6"
		       : aux == AF_NETLINK ? "netlink" : "socket";
	case S_IFREG:
	case S_IFCHR:
	case S_IFBLK:
		return "file"; /* Falco's type for a tty too (its name tells) */
	case 0:
		return mode ? "anon" : NULL; /* eventfd, signalfd ...; 0: closed */
	}
	return "file";
}

const char *vg_stdio_name(uint32_t mode, uint32_t aux, uint64_t ino, char *buf, size_t size)
{
	uint32_t maj = aux >> 20, min = aux & 0xfffff;

	switch (mode & S_IFMT) {
	case S_IFIFO:
		snprintf(buf, size, "pipe:[%llu]", (unsigned long long)ino);
		return buf;
	case S_IFSOCK:
		snprintf(buf, size, "socket:[%llu]", (unsigned long long)ino);
		return buf;
	case S_IFCHR:
		if (maj >= 136 && maj <= 143)
			snprintf(buf, size, "/dev/pts/%u", (maj - 136) * 256 + min);
		else if (maj == 1 && min == 3)
			snprintf(buf, size, "/dev/null");
		else if (maj == 5 && min == 0)
			snprintf(buf, size, "/dev/tty");
		else if (maj == 4 && min < 64)
			snprintf(buf, size, "/dev/tty%u", min);
		else
			snprintf(buf, size, "char:%u:%u", maj, min);
		return buf;
	}
	return NULL; /* files are not walked at exec: three path walks per exec cost too much */
}

/* The process at the other end of fd's pipe, or NULL. */
static struct vg_proc *pipe_peer_proc(struct vg_stdio_table *t, struct vg_proctable *procs,
				      const struct vg_stdio *fd, uint32_t self, bool want_writer)
{
	struct pipe_slot *s;
	uint32_t pid;

	if (!is_pipe(fd) || !(s = pipe_slot(t, fd->ino, false)))
		return NULL;
	pid = want_writer ? s->writer : s->reader;
	if (!pid || pid == self || !procs)
		return NULL;
	return vg_pt_lookup(procs, pid);
}

/* The other end of fd's pipe: the command line of the process there. */
static int pipe_peer(struct vg_stdio_table *t, struct vg_proctable *procs, const struct vg_stdio *fd,
		     uint32_t self, bool want_writer, struct vg_value *out, char *buf, size_t size)
{
	struct vg_proc *p = pipe_peer_proc(t, procs, fd, self, want_writer);
	size_t n;

	if (!p)
		return 0;
	n = vg_proc_cmdline(p, buf, size);
	out->s.ptr = buf;
	out->s.len = (uint32_t)(n < size ? n : size - 1);
	return 1;
}

const struct vg_proc *vg_stdio_peer(struct vg_stdio_table *t, struct vg_proctable *procs,
				    const struct vg_event *ev, bool writer_of_stdin)
{
	const struct vg_stdio *fd;
	struct proc_slot *s;

	if (!t)
		return NULL;
	if (ev->u.hdr.type == VG_EV_EXEC)
		fd = ev->u.exec.stdio;
	else if ((s = proc_slot(t, ev->u.hdr.pid, false)))
		fd = s->fd;
	else
		return NULL;
	return writer_of_stdin ? pipe_peer_proc(t, procs, &fd[0], ev->u.hdr.pid, true)
			       : pipe_peer_proc(t, procs, &fd[1], ev->u.hdr.pid, false);
}

int vg_stdio_field_get(struct vg_stdio_table *t, struct vg_proctable *procs,
		       const struct vg_event *ev, enum vg_field_id id, struct vg_value *out,
		       char *buf, size_t size)
{
	const struct vg_stdio *fd;
	struct proc_slot *s = NULL;
	const char *v;
	int i;

	if (ev->u.hdr.type == VG_EV_EXEC)
		fd = ev->u.exec.stdio;
	else if (t && (s = proc_slot(t, ev->u.hdr.pid, false)))
		fd = s->fd;
	else
		return 0;
	switch (id) {
	case VG_F_VIGIL_STDIN_WRITER:
		return t ? pipe_peer(t, procs, &fd[0], ev->u.hdr.pid, true, out, buf, size) : 0;
	case VG_F_VIGIL_STDOUT_READER:
		return t ? pipe_peer(t, procs, &fd[1], ev->u.hdr.pid, false, out, buf, size) : 0;
	case VG_F_PROC_STDIN_TYPE:
	case VG_F_PROC_STDOUT_TYPE:
	case VG_F_PROC_STDERR_TYPE:
		i = id - VG_F_PROC_STDIN_TYPE;
		v = vg_stdio_type(fd[i].mode, fd[i].aux);
		break;
	case VG_F_PROC_STDIN_NAME:
	case VG_F_PROC_STDOUT_NAME:
	case VG_F_PROC_STDERR_NAME:
		i = id - VG_F_PROC_STDIN_NAME;
		v = fd[i].mode ? vg_stdio_name(fd[i].mode, fd[i].aux, fd[i].ino, buf, size) : NULL;
		break;
	default:
		return 0;
	}
	if (!v)
		return 0;
	out->s.ptr = v;
	out->s.len = (uint32_t)strlen(v);
	return 1;
}

FX(stdio_fx)
{
	char b[512];
	int n = vg_stdio_field_get(c->stdio, c->procs, c->ev, ref->field->id, out, b, sizeof(b));

	return n && out->s.ptr == b ? vg_put_copy(c, out, b) : n;
}

static const struct vg_fx fx[] = {
	{ VG_F_PROC_STDIN_TYPE, stdio_fx },  { VG_F_PROC_STDOUT_TYPE, stdio_fx },
	{ VG_F_PROC_STDERR_TYPE, stdio_fx }, { VG_F_PROC_STDIN_NAME, stdio_fx },
	{ VG_F_PROC_STDOUT_NAME, stdio_fx }, { VG_F_PROC_STDERR_NAME, stdio_fx },
	{ VG_F_VIGIL_STDIN_WRITER, stdio_fx }, { VG_F_VIGIL_STDOUT_READER, stdio_fx },
};

VG_FX_FAMILY(vg_fx_stdio, "proc (standard descriptors)", fx);
