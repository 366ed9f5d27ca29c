/* stdout and file outputs: lines (JSON or text) gathered in a buffer and
 * written at the end of each batch, so a burst costs a few write(2) calls.
 * A file is appended to, created 0600, and reopened on request (logrotate
 * renames it, SIGUSR1 makes vigil start a new one). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/sinks.h"
#include "util/safe_file.h"

#define BUF_SIZE (64 * 1024)

struct file_state {
	int fd; /* -1 after a failed reopen: retried at the next write */
	char *buf;
	size_t len;
	uint64_t lines; /* in buf */
	bool dirty;	/* written since the last fsync */
	uint64_t last_sync_ns;
};

/* Never through a symlink, never a file another user made or a FIFO,
 * never in a directory others could swap it in (util/safe_file.h). */
static int open_file(struct vg_out *o, char *err, size_t errlen)
{
	return vg_safe_open_write(o->conf->path, O_WRONLY | O_APPEND, 0600, NULL, err, errlen);
}

static int file_open(struct vg_out *o, char *err, size_t errlen)
{
	struct file_state *f = calloc(1, sizeof(*f));

	if (!f || !(f->buf = malloc(BUF_SIZE))) {
		free(f);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	o->state = f;
	f->last_sync_ns = vg_out_now_ns();
	if (o->conf->type == VG_OUT_STDOUT) {
		f->fd = STDOUT_FILENO;
		return 0;
	}
	f->fd = open_file(o, err, errlen);
	return f->fd < 0 ? f->fd : 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n;

		/* a write stuck at exit may be cancelled, nothing else */
		pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
		n = write(fd, p, len);
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A file whose reopen failed is opened again before a write; false (the
 * cause recorded) when that fails too. */
static bool ensure_open(struct vg_out *o, struct file_state *f)
{
	char why[512];

	if (f->fd < 0 && o->conf->type == VG_OUT_FILE) {
		f->fd = open_file(o, why, sizeof(why));
		if (f->fd < 0)
			vg_out_fail(o, "open: %s", why);
	}
	return f->fd >= 0;
}

/* write_all, with the cause of a failure recorded (ENOSPC, EIO ...). */
static int write_out(struct vg_out *o, int fd, const char *p, size_t len)
{
	int ret = write_all(fd, p, len);

	if (ret)
		vg_out_fail(o, "write: %s", strerror(-ret));
	return ret;
}

/* Writes the buffer out; its lines count as sent or, on error, as lost. */
static void write_buf(struct vg_out *o, struct file_state *f)
{
	if (!f->lines)
		return;
	if (!ensure_open(o, f) || write_out(o, f->fd, f->buf, f->len)) {
		vg_out_lost(o, f->lines);
	} else {
		vg_out_sent(o, f->lines);
		f->dirty = true;
	}
	f->len = 0;
	f->lines = 0;
}

static void file_send(struct vg_out *o, const struct vg_out_msg *m)
{
	struct file_state *f = o->state;
	bool json = o->conf->format == VG_FMT_JSON;
	const char *line = json ? m->json : m->text;
	size_t len = json ? m->json_len : m->text_len;

	if (f->len + len + 1 > BUF_SIZE)
		write_buf(o, f);
	if (len + 1 > BUF_SIZE) { /* a huge line goes out on its own */
		char *tmp = malloc(len + 1);

		if (!tmp) {
			vg_out_lost(o, 1);
			return;
		}
		memcpy(tmp, line, len);
		tmp[len] = '\n';
		if (!ensure_open(o, f) || write_out(o, f->fd, tmp, len + 1)) {
			vg_out_lost(o, 1);
		} else {
			vg_out_sent(o, 1);
			f->dirty = true;
		}
		free(tmp);
		return;
	}
	memcpy(f->buf + f->len, line, len);
	f->buf[f->len + len] = '\n';
	f->len += len + 1;
	f->lines++;
}

static void file_flush(struct vg_out *o)
{
	struct file_state *f = o->state;
	uint64_t now;

	write_buf(o, f);
	if (!f->dirty || f->fd < 0 || o->conf->fsync == VG_FSYNC_NONE)
		return;
	now = vg_out_now_ns();
	if (o->conf->fsync == VG_FSYNC_INTERVAL &&
	    now - f->last_sync_ns < o->conf->fsync_interval_ms * 1000000ull)
		return;
	if (fdatasync(f->fd) && errno != EINVAL)
		vg_out_fail(o, "fsync: %s", strerror(errno));
	f->dirty = false;
	f->last_sync_ns = now;
}

static void file_reopen(struct vg_out *o)
{
	struct file_state *f = o->state;
	char why[512];

	if (o->conf->type != VG_OUT_FILE)
		return;
	if (f->fd >= 0) {
		if (f->dirty && o->conf->fsync != VG_FSYNC_NONE)
			fdatasync(f->fd);
		close(f->fd);
	}
	f->dirty = false;
	f->fd = open_file(o, why, sizeof(why));
	if (f->fd < 0)
		vg_out_fail(o, "reopen: %s", why);
}

static void file_close(struct vg_out *o)
{
	struct file_state *f = o->state;

	if (!f)
		return;
	write_buf(o, f);
	if (f->fd >= 0 && o->conf->type == VG_OUT_FILE) {
		if (f->dirty && o->conf->fsync != VG_FSYNC_NONE)
			fdatasync(f->fd);
		close(f->fd);
	}
	free(f->buf);
	free(f);
	o->state = NULL;
}

const struct vg_out_sink vg_sink_file = {
	.open = file_open,
	.send = file_send,
	.flush = file_flush,
	.reopen = file_reopen,
	.close = file_close,
};
