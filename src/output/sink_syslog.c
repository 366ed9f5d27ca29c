/* syslog output: local through syslog(3), or remote RFC 5424 messages to a
 * collector over UDP (one datagram each, RFC 5426) or TCP (octet counting,
 * RFC 6587), reconnecting with backoff. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "output/sinks.h"
#include "util/macros.h"

/* Appends a header field: printable ASCII without spaces, at most max
 * bytes, "-" when empty (RFC 5424 section 6). */
static size_t put_field(char *buf, size_t size, size_t at, const char *s, size_t max)
{
	size_t n = 0;

	for (; s && *s && n < max && at + 1 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 33 && c <= 126) {
			buf[at++] = (char)c;
			n++;
		}
	}
	if (!n && at + 1 < size)
		buf[at++] = '-';
	if (at + 1 < size)
		buf[at++] = ' ';
	return at;
}

size_t vg_rfc5424_format(char *buf, size_t size, int facility, int severity, uint64_t time_ns,
			 const char *hostname, const char *app, int pid, const char *msgid,
			 const char *msg, size_t msglen)
{
	time_t secs = (time_t)(time_ns / NSEC_PER_SEC);
	char ts[64], day[32], procid[16];
	struct tm tm;
	size_t at;
	int n;

	if (!size)
		return 0;
	gmtime_r(&secs, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	/* at most 6 digits of fraction (TIME-SECFRAC) */
	snprintf(ts, sizeof(ts), "%s.%06lluZ", day,
		 (unsigned long long)(time_ns % NSEC_PER_SEC / 1000));
	snprintf(procid, sizeof(procid), "%d", pid);
	n = snprintf(buf, size, "<%d>1 %s ", (facility & LOG_FACMASK) | (severity & 7), ts);
	if (n < 0 || (size_t)n >= size)
		return size - 1;
	at = put_field(buf, size, (size_t)n, hostname, 255);
	at = put_field(buf, size, at, app, 48);
	at = put_field(buf, size, at, procid, 128);
	at = put_field(buf, size, at, msgid, 32);
	at = put_field(buf, size, at, "-", 1); /* no structured data */
	if (msglen > size - 1 - at)
		msglen = size - 1 - at;
	memcpy(buf + at, msg, msglen);
	at += msglen;
	buf[at] = 0;
	return at;
}

struct syslog_state {
	int fd;		  /* remote: -1 when not connected */
	uint64_t backoff; /* current, ms; 0 after a success */
	char *buf;
	size_t size;
};

static int syslog_open(struct vg_out *o, char *err, size_t errlen)
{
	struct syslog_state *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->fd = -1;
	o->state = s;
	if (!o->conf->address) {
		openlog(o->app_name, LOG_PID | LOG_NDELAY, o->conf->facility);
		return 0;
	}
	s->size = o->conf->max_message + 17; /* room for the TCP frame length */
	s->buf = malloc(s->size);
	if (!s->buf) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0; /* connects at the first message: a collector may start later */
}

/* Waits for the socket to be ready for ev, at most ms, giving up early
 * when the output is aborting. Returns 0 or -ETIMEDOUT. */
static int wait_ready(struct vg_out *o, int fd, short ev, uint64_t ms)
{
	uint64_t until = vg_out_now_ns() + ms * 1000000ull;

	while (!vg_out_aborting(o)) {
		struct pollfd p = { .fd = fd, .events = ev };
		uint64_t now = vg_out_now_ns();
		int n;

		if (now >= until)
			break;
		n = poll(&p, 1, (int)((until - now) / 1000000ull > 100 ? 100 : (until - now) / 1000000ull + 1));
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
	return -ETIMEDOUT;
}

static int connect_remote(struct vg_out *o, struct syslog_state *s)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC }, *res, *ai;
	bool tcp = o->conf->transport == VG_TR_TCP;
	int ret = -EHOSTUNREACH;

	hints.ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM;
	if (getaddrinfo(o->conf->host, o->conf->port, &hints, &res))
		return -EHOSTUNREACH;
	for (ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		int soerr = 0;
		socklen_t len = sizeof(soerr);

		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
		    (errno == EINPROGRESS &&
		     !wait_ready(o, fd, POLLOUT, o->conf->connect_timeout_ms) &&
		     !getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) && !soerr)) {
			s->fd = fd;
			ret = 0;
			break;
		}
		close(fd);
	}
	freeaddrinfo(res);
	return ret;
}

/* A TCP peer that closed shows as readable with EOF: reconnect before
 * writing into a connection that would swallow the message. */
static bool peer_gone(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLRDHUP };
	char c;

	if (poll(&p, 1, 0) <= 0)
		return false;
	if (p.revents & (POLLRDHUP | POLLHUP | POLLERR))
		return true;
	return recv(fd, &c, 1, MSG_DONTWAIT | MSG_PEEK) == 0;
}

static int send_all(struct vg_out *o, int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			int ret = wait_ready(o, fd, POLLOUT, o->conf->timeout_ms);

			if (ret)
				return ret;
			continue;
		}
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void drop_connection(struct syslog_state *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static void send_remote(struct vg_out *o, struct syslog_state *s, int severity, uint64_t time_ns,
			const char *body, size_t blen)
{
	bool tcp = o->conf->transport == VG_TR_TCP;
	char *msg = s->buf + 16; /* the TCP frame length goes before it */
	size_t len, hlen;
	char head[16];
	bool first = true;

	len = vg_rfc5424_format(msg, o->conf->max_message + 1, o->conf->facility, severity,
				time_ns, o->hostname, o->app_name, getpid(), "alert", body, blen);
	hlen = (size_t)snprintf(head, sizeof(head), "%zu ", len);
	memcpy(msg - hlen, head, hlen);
	for (;; first = false) {
		if (!first) {
			vg_out_retry(o);
			s->backoff = vg_out_backoff_next(o->conf, s->backoff);
			if (vg_out_sleep(o, s->backoff))
				break;
		}
		if (vg_out_aborting(o))
			break;
		if (s->fd >= 0 && tcp && peer_gone(s->fd))
			drop_connection(s);
		if (s->fd < 0 && connect_remote(o, s)) {
			vg_out_fail(o, "cannot connect to %s:%s", o->conf->host, o->conf->port);
			if (!tcp)
				break; /* a datagram is not retried */
			continue;
		}
		if (!send_all(o, s->fd, tcp ? msg - hlen : msg, tcp ? len + hlen : len)) {
			vg_out_sent(o, 1);
			s->backoff = 0;
			return;
		}
		vg_out_fail(o, "send: %s", strerror(errno));
		drop_connection(s);
		if (!tcp)
			break;
	}
	vg_out_lost(o, 1);
}

static void syslog_send(struct vg_out *o, const struct vg_out_msg *m)
{
	struct syslog_state *s = o->state;
	bool json = o->conf->format == VG_FMT_JSON;
	const char *body = json ? m->json : m->text + m->body_off;
	size_t blen = json ? m->json_len : m->text_len - m->body_off;

	if (!o->conf->address) {
		syslog(m->prio, "%.*s", (int)(blen > o->conf->max_message ? o->conf->max_message : blen),
		       body);
		vg_out_sent(o, 1);
		return;
	}
	send_remote(o, s, m->prio, m->time_ns, body, blen);
}

static void syslog_close(struct vg_out *o)
{
	struct syslog_state *s = o->state;

	if (!s)
		return;
	if (!o->conf->address)
		closelog();
	drop_connection(s);
	free(s->buf);
	free(s);
	o->state = NULL;
}

const struct vg_out_sink vg_sink_syslog = {
	.open = syslog_open,
	.send = syslog_send,
	.close = syslog_close,
};
