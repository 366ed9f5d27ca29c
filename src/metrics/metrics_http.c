/* The Prometheus endpoint: libmicrohttpd without threads of its own, run
 * from the monitor's poll loop (vg_metrics_serve), so a scrape reads the
 * same figures as `vigil status` without locks. GET /metrics only.
 *
 * Root only: on a Unix socket (0600, in a directory only root can write),
 * or on TCP with a bearer token read from a root-only file: the figures say
 * what the machine runs and whether vigil is dropping events.
 *
 * Served from a snapshot: the report (which walks pH's items map) is
 * rendered at most once per VG_METRICS_SNAPSHOT_MS, however often clients
 * scrape, and each connection has a short deadline among many slots, so
 * slow clients cannot take every slot from the scraper. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "metrics/metrics_http.h"
#include "metrics/prom.h"
#include "util/safe_file.h"

#define MAX_CLIENTS 64	    /* eight (or sixty) slow clients leave room to scrape */
#define CLIENT_TIMEOUT_S 2  /* idle: a client that stops sending is dropped */
#define TOKEN_MAX 256

struct vg_metrics {
	struct MHD_Daemon *daemon;
	struct vg_ctl_registry *reg;
	unsigned long long scrapes, errors;
	char token[TOKEN_MAX]; /* TCP: what "Authorization: Bearer" must carry */
	size_t token_len;
	char unix_path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* "" for TCP */
	int unix_fd;
	/* the last rendering, and when (CLOCK_MONOTONIC ms) */
	char *snap;
	size_t snap_len;
	long long snap_ms;
};

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int vg_metrics_parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len,
			    char *err, size_t errlen)
{
	char host[128];
	const char *colon = strrchr(listen, ':');
	char *end;
	unsigned long port;
	size_t hlen;

	memset(ss, 0, sizeof(*ss));
	if (!colon || colon == listen) {
		snprintf(err, errlen, "'%s' is not HOST:PORT", listen);
		return -EINVAL;
	}
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || port == 0 || port > 65535 || end == colon + 1) {
		snprintf(err, errlen, "'%s': the port must be 1 to 65535", listen);
		return -EINVAL;
	}
	hlen = (size_t)(colon - listen);
	if (listen[0] == '[' && hlen >= 2 && listen[hlen - 1] == ']') {
		listen++;
		hlen -= 2;
	}
	if (hlen >= sizeof(host)) {
		snprintf(err, errlen, "'%s': host too long", listen);
		return -EINVAL;
	}
	memcpy(host, listen, hlen);
	host[hlen] = 0;
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		*len = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*in6);
		return 0;
	}
	snprintf(err, errlen, "'%s': the host must be an IPv4 or IPv6 address", host);
	return -EINVAL;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
			     char *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* The status report, rendered: the snapshot when it is recent enough. */
static int render(struct vg_metrics *m)
{
	struct json_object *status;
	char *text;
	size_t len;
	long long now = mono_ms();
	int ret;

	if (m->snap && now - m->snap_ms < VG_METRICS_SNAPSHOT_MS)
		return 0;
	ret = vg_ctl_status(m->reg, &status);
	if (ret)
		return ret;
	ret = vg_prom_render(status, &text, &len);
	json_object_put(status);
	if (ret)
		return ret;
	free(m->snap);
	m->snap = text;
	m->snap_len = len;
	m->snap_ms = now;
	return 0;
}

/* Constant time in the length of what was sent: no timing tells how much
 * of a guess was right. */
static bool token_ok(const struct vg_metrics *m, const char *auth)
{
	unsigned char diff = 0;
	size_t n;

	if (!m->token_len)
		return true; /* a Unix socket: the file modes are the check */
	if (!auth || strncmp(auth, "Bearer ", 7))
		return false;
	auth += 7;
	n = strlen(auth);
	for (size_t i = 0; i < m->token_len; i++)
		diff |= (unsigned char)(m->token[i] ^ (i < n ? auth[i] : 0));
	return diff == 0 && n == m->token_len;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **state)
{
	struct vg_metrics *m = cls;

	(void)version;
	(void)upload;
	(void)state;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "GET only\n", 9,
			     MHD_RESPMEM_PERSISTENT);
	if (*upload_size)
		return MHD_NO;
	if (!token_ok(m, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"))) {
		struct MHD_Response *r = MHD_create_response_from_buffer(
			13, "unauthorized\n", MHD_RESPMEM_PERSISTENT);
		enum MHD_Result ret;

		if (!r)
			return MHD_NO;
		MHD_add_response_header(r, "WWW-Authenticate", "Bearer");
		ret = MHD_queue_response(c, MHD_HTTP_UNAUTHORIZED, r);
		MHD_destroy_response(r);
		return ret;
	}
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", "see /metrics\n", 13,
			     MHD_RESPMEM_PERSISTENT);
	if (render(m)) {
		m->errors++;
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain",
			     "status unavailable\n", 19, MHD_RESPMEM_PERSISTENT);
	}
	m->scrapes++;
	return reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4", m->snap, m->snap_len,
		     MHD_RESPMEM_MUST_COPY);
}

/* The token: the file must be root's, with no access for others, and not
 * a symlink; its first line (util/safe_file.h's vg_safe_read_secret). */
static int read_token(struct vg_metrics *m, const char *path, char *err, size_t errlen)
{
	char esc[300];
	int n = vg_safe_read_secret(path, m->token, sizeof(m->token), err, errlen);

	if (n < 0)
		return n;
	m->token_len = (size_t)n;
	if (m->token_len < 16) {
		snprintf(err, errlen, "token file %s: the token must be 16 characters or more",
			 vg_escape(path, esc, sizeof(esc)));
		return -EINVAL;
	}
	return 0;
}

/* A Unix socket at path, 0600, in a directory only root can write; a
 * leftover socket (nobody answers) is replaced, anything else is not. */
static int listen_unix(struct vg_metrics *m, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char dir[sizeof(a.sun_path)], esc[300];
	struct stat st;
	mode_t old;
	int fd, ret;
	char *slash;

	if (strlen(path) >= sizeof(a.sun_path)) {
		snprintf(err, errlen, "%s: path too long", vg_escape(path, esc, sizeof(esc)));
		return -ENAMETOOLONG;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = 0;
	else if (slash)
		*slash = 0;
	if (mkdir(dir, 0700) && errno != EEXIST) {
		ret = -errno;
		snprintf(err, errlen, "cannot create %s: %s", vg_escape(dir, esc, sizeof(esc)),
			 strerror(errno));
		return ret;
	}
	ret = vg_safe_check_dir(dir, err, errlen);
	if (ret)
		return ret;
	if (!lstat(path, &st)) {
		if (!S_ISSOCK(st.st_mode) || st.st_uid != geteuid()) {
			snprintf(err, errlen, "%s exists and is not a socket of ours: refused",
				 vg_escape(path, esc, sizeof(esc)));
			return -EEXIST;
		}
		unlink(path); /* a leftover of ours: the lock file keeps one vigil */
	}
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	old = umask(0177); /* born 0600: no moment where others may connect */
	ret = bind(fd, (struct sockaddr *)&a, sizeof(a));
	umask(old);
	if (ret || listen(fd, MAX_CLIENTS)) {
		ret = -errno;
		snprintf(err, errlen, "cannot listen on %s: %s", vg_escape(path, esc, sizeof(esc)),
			 strerror(errno));
		close(fd);
		return ret;
	}
	snprintf(m->unix_path, sizeof(m->unix_path), "%s", path);
	m->unix_fd = fd;
	return 0;
}

int vg_metrics_open(struct vg_metrics **out, const char *listen, const char *token_file,
		    struct vg_ctl_registry *reg, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct vg_metrics *m;
	unsigned flags = MHD_NO_FLAG; /* no thread of its own: the poll loop runs it */
	int ret;

	*out = NULL;
	if (!strcmp(listen, "on"))
		listen = VG_METRICS_DEFAULT_LISTEN;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->reg = reg;
	m->unix_fd = -1;
	if (!strncmp(listen, "unix:", 5)) {
		ret = listen_unix(m, listen + 5, err, errlen);
		if (ret) {
			free(m);
			return ret;
		}
		m->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, m,
					     MHD_OPTION_LISTEN_SOCKET, m->unix_fd,
					     MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CLIENTS,
					     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CLIENT_TIMEOUT_S,
					     MHD_OPTION_END);
		if (!m->daemon) {
			snprintf(err, errlen, "cannot serve on %s", listen);
			vg_metrics_close(m);
			return -EIO;
		}
		*out = m;
		return 0;
	}
	ret = vg_metrics_parse_listen(listen, &ss, &sslen, err, errlen);
	if (ret) {
		free(m);
		return ret;
	}
	/* TCP reaches every local user: a token, or no endpoint */
	if (!token_file || !token_file[0]) {
		snprintf(err, errlen,
			 "%s is reachable by every local user: set metrics.token_file to a "
			 "root-only file holding a bearer token, or listen on unix:PATH",
			 listen);
		free(m);
		return -EPERM;
	}
	ret = read_token(m, token_file, err, errlen);
	if (ret) {
		free(m);
		return ret;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	m->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, m, MHD_OPTION_SOCK_ADDR,
				     (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT,
				     (unsigned)MAX_CLIENTS, MHD_OPTION_CONNECTION_TIMEOUT,
				     (unsigned)CLIENT_TIMEOUT_S, MHD_OPTION_END);
	if (!m->daemon) {
		snprintf(err, errlen, "cannot listen on %s (in use, or not an address of this machine)",
			 listen);
		free(m);
		return -EADDRINUSE;
	}
	*out = m;
	return 0;
}

void vg_metrics_serve(struct vg_metrics *m)
{
	if (m)
		MHD_run(m->daemon); /* no internal thread: does not block */
}

void vg_metrics_close(struct vg_metrics *m)
{
	if (!m)
		return;
	if (m->daemon)
		MHD_stop_daemon(m->daemon);
	if (m->unix_fd >= 0) {
		close(m->unix_fd);
		unlink(m->unix_path);
	}
	free(m->snap);
	explicit_bzero(m->token, sizeof(m->token));
	free(m);
}
