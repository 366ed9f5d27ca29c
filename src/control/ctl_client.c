/* One request, one response, with a deadline. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control/ctl_client.h"
#include "control/ctl_proto.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for fd to be ready for `events` until the deadline. */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	long long left = deadline - now_ms();
	int n;

	if (left <= 0)
		return -ETIMEDOUT;
	n = poll(&p, 1, (int)left);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	return n == 0 ? -ETIMEDOUT : 0;
}

static int connect_socket(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd, e;

	if (strlen(path) >= sizeof(a.sun_path)) {
		snprintf(err, errlen, "control socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -errno;
	}
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
		/* the answer is trusted (and printed): only from a root server,
		 * not from whatever another user bound at this path */
		struct ucred cred;
		socklen_t clen = sizeof(cred);

		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) || cred.uid != 0) {
			snprintf(err, errlen,
				 "the server on %s is not root (uid %d): refused, it is not vigil",
				 path, clen == sizeof(cred) ? (int)cred.uid : -1);
			close(fd);
			return -EPERM;
		}
		return fd;
	}
	e = errno;
	close(fd);
	if (e == ENOENT || e == ECONNREFUSED || e == ENOTDIR) {
		snprintf(err, errlen, "no vigil monitor is running (nothing answers on %s)", path);
		return -ENOTCONN;
	}
	if (e == EACCES || e == EPERM) {
		snprintf(err, errlen, "permission denied on %s: the control socket is for root only",
			 path);
		return -EACCES;
	}
	snprintf(err, errlen, "cannot connect to %s: %s", path, strerror(e));
	return -e;
}

int vg_ctl_call(const char *path, const char *cmd, struct json_object *args,
		struct json_object **result, char *err, size_t errlen)
{
	long long deadline = now_ms() + VG_CTL_CLIENT_TIMEOUT_MS;
	char *req = NULL, *buf = NULL, *nl = NULL;
	size_t len = 0, cap = 0, off = 0, req_len;
	ssize_t n;
	int fd, ret;

	*result = NULL;
	fd = connect_socket(path, err, errlen);
	if (fd < 0)
		return fd;
	req = vg_ctl_format_request(cmd, args);
	if (!req) {
		ret = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	req_len = strlen(req);
	while (off < req_len) {
		n = send(fd, req + off, req_len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			ret = -errno;
			snprintf(err, errlen, "sending to the monitor failed: %s", strerror(errno));
			goto out;
		}
		if (n > 0)
			off += (size_t)n;
		else if ((ret = wait_fd(fd, POLLOUT, deadline)))
			goto timeout;
	}
	while (!nl) {
		if (len + 1 >= cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *nb;

			if (ncap > VG_CTL_RESPONSE_MAX + 1) {
				ret = -EPROTO;
				snprintf(err, errlen, "the monitor's answer is too large");
				goto out;
			}
			nb = realloc(buf, ncap);
			if (!nb) {
				ret = -ENOMEM;
				snprintf(err, errlen, "out of memory");
				goto out;
			}
			buf = nb;
			cap = ncap;
		}
		if ((ret = wait_fd(fd, POLLIN, deadline)))
			goto timeout;
		n = recv(fd, buf + len, cap - len - 1, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0) {
			ret = -EPROTO;
			snprintf(err, errlen, "the monitor closed the connection without answering");
			goto out;
		}
		nl = memchr(buf + len, '\n', (size_t)n);
		len += (size_t)n;
	}
	ret = vg_ctl_parse_response(buf, (size_t)(nl - buf) + 1, result, err, errlen);
	goto out;
timeout:
	if (ret == -ETIMEDOUT)
		snprintf(err, errlen, "the monitor did not answer within %d s",
			 VG_CTL_CLIENT_TIMEOUT_MS / 1000);
	else
		snprintf(err, errlen, "waiting for the monitor: %s", strerror(-ret));
out:
	free(req);
	free(buf);
	close(fd);
	return ret;
}
