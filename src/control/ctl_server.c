/* The control socket's server side: see ctl_server.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control/ctl_proto.h"
#include "control/ctl_server.h"
#include "util/safe_file.h"

static const char refusal[] =
	"{\"ok\":false,\"error\":\"permission denied: the vigil control socket serves root only\"}\n";
static const char busy[] = "{\"ok\":false,\"error\":\"too many control clients, try again\"}\n";

struct client {
	int fd; /* -1 = free slot */
	uint64_t last_ms;
	size_t in_len;
	char in[VG_CTL_REQUEST_MAX];
	char *out; /* response being written, or NULL */
	size_t out_len, out_off;
	int close_after; /* close once out is written */
};

struct vg_control {
	int lfd;
	dev_t dev; /* of the bound socket: close() removes only our own */
	ino_t ino;
	struct vg_control_opts opts;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct vg_ctl_registry *reg;
	struct client clients[VG_CTL_CLIENTS_MAX];
	struct vg_control_stats st;
};

static int fill_addr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path))
		return -ENAMETOOLONG;
	strcpy(a->sun_path, path);
	return 0;
}

/* The socket's directory: created 0700 when missing. An existing one is
 * not changed (it may be /tmp), but it must not let others replace our
 * socket: writable by others only with the sticky bit. */
static int prepare_dir(const char *path, char *err, size_t errlen)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = 0;
	else
		*slash = 0;
	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		return -errno;
	}
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s is not a directory", dir);
		return -ENOTDIR;
	}
	if (st.st_uid != 0 || ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))) {
		snprintf(err, errlen, "%s is not a root-owned directory others cannot write to",
			 dir);
		return -EPERM;
	}
	/* nor any directory above it (util/safe_file.h) */
	return vg_safe_check_dir(dir, err, errlen);
}

/* A socket at path: if somebody answers, a monitor is running; if not, it
 * is the leftover of a dead one and can go. Anything else stays. */
static int clear_stale(const char *path, const struct sockaddr_un *addr, char *err,
		       size_t errlen)
{
	struct stat st;
	int fd, ret;

	if (lstat(path, &st)) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot stat %s: %s", path, strerror(errno));
		return -errno;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket: not replacing it", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -errno;
	}
	ret = connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
	close(fd);
	if (ret == 0) {
		snprintf(err, errlen, "%s: another vigil monitor answers on it", path);
		return -EADDRINUSE;
	}
	if (errno != ECONNREFUSED) {
		snprintf(err, errlen, "%s: cannot tell whether a monitor uses it: %s", path,
			 strerror(errno));
		return -errno;
	}
	if (unlink(path) && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove the stale socket %s: %s", path,
			 strerror(errno));
		return -errno;
	}
	return 0;
}

int vg_control_open(struct vg_control **out, const struct vg_control_opts *o, char *err,
		    size_t errlen)
{
	struct vg_control *c;
	struct sockaddr_un addr;
	struct stat st;
	mode_t old_mask;
	int ret;

	*out = NULL;
	if (fill_addr(&addr, o->path)) {
		snprintf(err, errlen, "control socket path too long: %s", o->path);
		return -ENAMETOOLONG;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->lfd = -1;
	c->opts = *o;
	snprintf(c->path, sizeof(c->path), "%s", o->path);
	c->opts.path = c->path;
	for (int i = 0; i < VG_CTL_CLIENTS_MAX; i++)
		c->clients[i].fd = -1;
	ret = vg_ctl_registry_new(&c->reg);
	if (ret)
		goto fail;
	ret = prepare_dir(c->path, err, errlen);
	if (!ret)
		ret = clear_stale(c->path, &addr, err, errlen);
	if (ret)
		goto fail;
	c->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->lfd < 0) {
		ret = -errno;
		snprintf(err, errlen, "socket: %s", strerror(errno));
		goto fail;
	}
	/* The socket file is born 0600: no moment where others may connect. */
	old_mask = umask(0177);
	ret = bind(c->lfd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old_mask);
	if (ret) {
		ret = -errno;
		snprintf(err, errlen, "cannot bind %s: %s", c->path, strerror(errno));
		goto fail;
	}
	if (chown(c->path, 0, 0) || chmod(c->path, 0600) || lstat(c->path, &st)) {
		ret = -errno;
		snprintf(err, errlen, "cannot secure %s: %s", c->path, strerror(errno));
		unlink(c->path);
		goto fail;
	}
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	if (listen(c->lfd, VG_CTL_CLIENTS_MAX * 2)) {
		ret = -errno;
		snprintf(err, errlen, "listen on %s: %s", c->path, strerror(errno));
		unlink(c->path);
		goto fail;
	}
	*out = c;
	return 0;
fail:
	if (c->lfd >= 0)
		close(c->lfd);
	vg_ctl_registry_free(c->reg);
	free(c);
	return ret;
}

struct vg_ctl_registry *vg_control_registry(struct vg_control *c)
{
	return c->reg;
}

static void drop_client(struct client *cl)
{
	close(cl->fd);
	free(cl->out);
	cl->fd = -1;
	cl->out = NULL;
	cl->in_len = cl->out_len = cl->out_off = 0;
	cl->close_after = 0;
}

/* One best-effort write on a fresh non-blocking socket: a refusal or "busy"
 * line is short and the socket buffer empty, so it fits. */
static void say_and_close(int fd, const char *msg, size_t len)
{
	ssize_t n = send(fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL);

	(void)n;
	close(fd);
}

static void accept_clients(struct vg_control *c, uint64_t now_ms)
{
	struct ucred cred;
	socklen_t len;
	int fd, i;

	/* bounded: at most a few accepts per round, detection goes first */
	for (int round = 0; round < VG_CTL_CLIENTS_MAX; round++) {
		fd = accept4(c->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		len = sizeof(cred);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || len != sizeof(cred) ||
		    cred.uid != 0) {
			c->st.refused++;
			if (c->opts.on_refused)
				c->opts.on_refused(c->opts.ctx, len == sizeof(cred) ? cred.uid : (uid_t)-1,
						   len == sizeof(cred) ? cred.gid : (gid_t)-1,
						   len == sizeof(cred) ? cred.pid : 0);
			say_and_close(fd, refusal, sizeof(refusal) - 1);
			continue;
		}
		for (i = 0; i < VG_CTL_CLIENTS_MAX && c->clients[i].fd >= 0; i++)
			;
		if (i == VG_CTL_CLIENTS_MAX) {
			c->st.busy++;
			say_and_close(fd, busy, sizeof(busy) - 1);
			continue;
		}
		c->st.accepted++;
		c->clients[i].fd = fd;
		c->clients[i].last_ms = now_ms;
	}
}

static void queue_response(struct vg_control *c, struct client *cl, char *resp, int close_after)
{
	if (!resp) {
		c->st.errors++;
		drop_client(cl);
		return;
	}
	cl->out = resp;
	cl->out_len = strlen(resp);
	cl->out_off = 0;
	cl->close_after = close_after;
}

/* Reads what the client sent; answers the first complete line. One
 * request is answered at a time, so a client cannot queue up work. */
static void read_client(struct vg_control *c, struct client *cl, uint64_t now_ms)
{
	ssize_t n;
	char *nl;
	size_t line_len;

	n = recv(cl->fd, cl->in + cl->in_len, sizeof(cl->in) - cl->in_len, MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		drop_client(cl);
		return;
	}
	if (n < 0)
		return;
	cl->in_len += (size_t)n;
	cl->last_ms = now_ms;
	nl = memchr(cl->in, '\n', cl->in_len);
	if (!nl) {
		if (cl->in_len == sizeof(cl->in)) {
			c->st.errors++;
			queue_response(c, cl, vg_ctl_response_error("request too long"), 1);
		}
		return;
	}
	line_len = (size_t)(nl - cl->in) + 1;
	c->st.requests++;
	queue_response(c, cl, vg_ctl_handle(c->reg, cl->in, line_len), 0);
	if (cl->fd < 0)
		return;
	memmove(cl->in, cl->in + line_len, cl->in_len - line_len);
	cl->in_len -= line_len;
}

static void write_client(struct client *cl, uint64_t now_ms)
{
	ssize_t n = send(cl->fd, cl->out + cl->out_off, cl->out_len - cl->out_off,
			 MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			drop_client(cl);
		return;
	}
	cl->out_off += (size_t)n;
	cl->last_ms = now_ms;
	if (cl->out_off < cl->out_len)
		return;
	free(cl->out);
	cl->out = NULL;
	if (cl->close_after)
		drop_client(cl);
}

void vg_control_serve(struct vg_control *c, uint64_t now_ms)
{
	struct pollfd pfd[VG_CTL_CLIENTS_MAX + 1];
	int map[VG_CTL_CLIENTS_MAX + 1];
	int n = 0;

	if (!c)
		return;
	pfd[n].fd = c->lfd;
	pfd[n].events = POLLIN;
	map[n++] = -1;
	for (int i = 0; i < VG_CTL_CLIENTS_MAX; i++) {
		struct client *cl = &c->clients[i];

		if (cl->fd < 0)
			continue;
		if (now_ms - cl->last_ms > VG_CTL_IDLE_MS) {
			c->st.timeouts++;
			drop_client(cl);
			continue;
		}
		pfd[n].fd = cl->fd;
		pfd[n].events = cl->out ? POLLOUT : POLLIN;
		map[n++] = i;
	}
	if (poll(pfd, (nfds_t)n, 0) <= 0)
		return;
	for (int k = 1; k < n; k++) {
		struct client *cl = &c->clients[map[k]];

		if (!pfd[k].revents || cl->fd < 0)
			continue;
		if (cl->out && (pfd[k].revents & POLLOUT))
			write_client(cl, now_ms);
		else if (!cl->out && (pfd[k].revents & (POLLIN | POLLHUP)))
			read_client(c, cl, now_ms);
		else if (pfd[k].revents & (POLLERR | POLLHUP | POLLNVAL))
			drop_client(cl);
		/* a response just queued goes out on the next round (or now, if
		 * the socket has room: try at once, it usually does) */
		if (cl->fd >= 0 && cl->out)
			write_client(cl, now_ms);
	}
	if (pfd[0].revents & POLLIN)
		accept_clients(c, now_ms);
}

void vg_control_stats(const struct vg_control *c, struct vg_control_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (c)
		*st = c->st;
}

void vg_control_close(struct vg_control *c)
{
	struct stat st;

	if (!c)
		return;
	for (int i = 0; i < VG_CTL_CLIENTS_MAX; i++)
		if (c->clients[i].fd >= 0)
			drop_client(&c->clients[i]);
	/* remove the socket only if it is still the one we bound */
	if (!lstat(c->path, &st) && st.st_dev == c->dev && st.st_ino == c->ino)
		unlink(c->path);
	close(c->lfd);
	vg_ctl_registry_free(c->reg);
	free(c);
}
