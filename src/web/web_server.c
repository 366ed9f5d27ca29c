/* The dashboard's HTTP side: listening (plain or TLS), the access checks
 * every request passes, the embedded page files, and the dispatch of /api
 * to web_api.c. See web.h and docs/dashboard.md. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "metrics/metrics_http.h"
#include "util/log.h"
#include "web/web_impl.h"
#include "web/web_mute.h"
#include "web/web_stream.h"
#include "util/macros.h"

struct vg_web_asset {
	const char *path, *type;
	const unsigned char *data;
	size_t len;
};
#include "web_assets.h" /* generated from web/ (Makefile) */

#define MAX_CLIENTS 24	     /* connections at once (live streams included); more wait in the kernel's backlog */
#define CLIENT_TIMEOUT_S 10  /* an idle or stalled connection is closed after this */
#define POST_MAX (16 * 1024) /* bytes of a POST body */

/* Per-request state across libmicrohttpd's calls (a POST body arrives in
 * pieces). */
struct request {
	char *body;
	size_t len;
	int too_long;
};

static enum MHD_Result send_reply(struct vg_web *w, struct MHD_Connection *c, unsigned status,
				  const char *type, const void *body, size_t len,
				  enum MHD_ResponseMemoryMode mode, const char *cookie)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, mode);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	vg_web_add_headers(r, type);
	if (cookie)
		MHD_add_response_header(r, "Set-Cookie", cookie);
	(void)w;
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_text(struct vg_web *w, struct MHD_Connection *c, unsigned status,
				 const char *text)
{
	return send_reply(w, c, status, "text/plain; charset=utf-8", text, strlen(text),
			  MHD_RESPMEM_PERSISTENT, NULL);
}

static enum MHD_Result send_json(struct vg_web *w, struct MHD_Connection *c,
				 struct vg_web_reply *r)
{
	const char *s;
	enum MHD_Result ret;

	if (r->raw) {
		json_object_put(r->body);
		return send_reply(w, c, r->status, "application/json", r->raw, strlen(r->raw),
				  MHD_RESPMEM_MUST_FREE, NULL);
	}
	if (!r->body)
		return send_text(w, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	s = json_object_to_json_string_ext(r->body, JSON_C_TO_STRING_PLAIN |
							    JSON_C_TO_STRING_NOSLASHESCAPE);
	ret = send_reply(w, c, r->status, "application/json", s, strlen(s), MHD_RESPMEM_MUST_COPY,
			 NULL);
	json_object_put(r->body);
	return ret;
}

/* ---- access ---- */

static int token_ok(struct vg_web *w, const char *t)
{
	return t && vg_web_token_equal(w->token, t, strlen(t));
}

/* The token from the cookie, or "Authorization: Bearer TOKEN" (scripts). */
static int authorized(struct vg_web *w, struct MHD_Connection *c)
{
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");

	if (token_ok(w, MHD_lookup_connection_value(c, MHD_COOKIE_KIND, w->cookie)))
		return 1;
	return auth && !strncmp(auth, "Bearer ", 7) && token_ok(w, auth + 7);
}

/* The page's first visit, /?token=...: the token becomes an HttpOnly,
 * SameSite=Strict cookie and the browser goes to the same path without
 * it, so it stays out of the address bar and history. */
static enum MHD_Result login(struct vg_web *w, struct MHD_Connection *c, const char *url)
{
	char cookie[256];
	struct MHD_Response *r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	snprintf(cookie, sizeof(cookie), "%s=%s; Path=/; HttpOnly; SameSite=Strict%s", w->cookie,
		 w->token, w->tls ? "; Secure" : "");
	MHD_add_response_header(r, "Set-Cookie", cookie);
	MHD_add_response_header(r, "Location", url[0] == '/' && url[1] != '/' ? url : "/");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	ret = MHD_queue_response(c, MHD_HTTP_SEE_OTHER, r);
	MHD_destroy_response(r);
	return ret;
}

/* A POST must come from the page: the CSRF token it got from /api/session
 * in a header (which a cross-site form cannot set), JSON, and, when the
 * browser names an Origin, this server's. */
static int csrf_ok(struct vg_web *w, struct MHD_Connection *c)
{
	const char *t = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Vigil-CSRF");
	const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
	const char *scheme = w->tls ? "https://" : "http://";

	if (!t || !vg_web_token_equal(w->csrf, t, strlen(t)))
		return 0;
	if (!type || strncmp(type, "application/json", 16))
		return 0;
	if (origin && (!host || strncmp(origin, scheme, strlen(scheme)) ||
		       strcmp(origin + strlen(scheme), host)))
		return 0;
	return 1;
}

static const struct vg_web_asset *asset(const char *url)
{
	for (size_t i = 0; i < ARRAY_SIZE(vg_web_assets); i++)
		if (!strcmp(url, vg_web_assets[i].path))
			return &vg_web_assets[i];
	return NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **state)
{
	struct vg_web *w = cls;
	struct request *req = *state;
	struct vg_web_reply r = { 200, NULL, NULL };
	int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");

	(void)version;
	if (!req) {
		/* first call: headers only; refuse before reading any body */
		const char *q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");

		w->requests++;
		if (get && q && token_ok(w, q))
			return login(w, c, url);
		if (!authorized(w, c)) {
			w->refused++;
			return send_text(w, c, MHD_HTTP_UNAUTHORIZED,
					 "vigil dashboard: open the URL with the token that `vigil "
					 "run` printed (`vigil dashboard` prints it again)\n");
		}
		if (!get && strcmp(method, "POST"))
			return send_text(w, c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET or POST\n");
		if (!get && !csrf_ok(w, c)) {
			w->refused++;
			return send_text(w, c, MHD_HTTP_FORBIDDEN,
					 "refused: a POST needs the page's CSRF token\n");
		}
		req = calloc(1, sizeof(*req));
		if (!req)
			return MHD_NO;
		*state = req;
		return MHD_YES;
	}
	if (*upload_size) {
		if (req->len + *upload_size > POST_MAX) {
			req->too_long = 1;
		} else {
			char *grown = realloc(req->body, req->len + *upload_size + 1);

			if (!grown)
				return MHD_NO;
			memcpy(grown + req->len, upload, *upload_size);
			req->body = grown;
			req->len += *upload_size;
			req->body[req->len] = 0;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (get) {
		const struct vg_web_asset *a = asset(url);

		if (a)
			return send_reply(w, c, MHD_HTTP_OK, a->type, a->data, a->len,
					  MHD_RESPMEM_PERSISTENT, NULL);
		if (strncmp(url, "/api/", 5))
			return send_text(w, c, MHD_HTTP_NOT_FOUND, "not found\n");
		if (!strcmp(url, "/api/stream"))
			return vg_web_stream_open(w, c);
		vg_web_api_get(w, url, c, &r);
		return send_json(w, c, &r);
	}
	if (req->too_long)
		return send_text(w, c, 413, "body too long\n");
	{
		struct json_object *body = req->body ? json_tokener_parse(req->body) : NULL;

		if (!body || !json_object_is_type(body, json_type_object)) {
			json_object_put(body);
			return send_text(w, c, MHD_HTTP_BAD_REQUEST, "the body must be a JSON object\n");
		}
		vg_web_api_post(w, url, body, &r);
		json_object_put(body);
	}
	return send_json(w, c, &r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state,
			 enum MHD_RequestTerminationCode code)
{
	struct request *req = *state;

	(void)cls;
	(void)c;
	(void)code;
	if (req) {
		free(req->body);
		free(req);
	}
	*state = NULL;
}

/* ---- start and stop ---- */

static int is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

static char *read_pem(const char *path, char *err, size_t errlen)
{
	char *buf = NULL;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) || st.st_size <= 0 || st.st_size > (1 << 20) ||
	    !(buf = calloc(1, (size_t)st.st_size + 1)) ||
	    read(fd, buf, (size_t)st.st_size) != st.st_size) {
		snprintf(err, errlen, "cannot read %s: %s", path,
			 errno ? strerror(errno) : "empty or too large");
		free(buf);
		buf = NULL;
	}
	if (fd >= 0)
		close(fd);
	return buf;
}

static int check_listen(struct vg_web *w, const struct sockaddr_storage *ss, char *err,
			size_t errlen)
{
	if (!!w->o.tls_cert != !!w->o.tls_key) {
		snprintf(err, errlen, "web.tls_cert and web.tls_key go together");
		return -EINVAL;
	}
	if (!is_loopback(ss) && (!w->o.allow_remote || !w->o.tls_cert)) {
		snprintf(err, errlen, "%s is beyond loopback: that needs web.allow_remote: true "
				      "and TLS (web.tls_cert, web.tls_key)", w->o.listen);
		return -EPERM;
	}
	if (w->o.tls_cert && !MHD_is_feature_supported(MHD_FEATURE_TLS)) {
		snprintf(err, errlen, "this libmicrohttpd has no TLS");
		return -ENOTSUP;
	}
	return 0;
}

static int start(struct vg_web *w, const struct sockaddr_storage *ss, char *err, size_t errlen)
{
	unsigned flags = MHD_NO_FLAG; /* no thread of its own: the poll loop runs it */
	unsigned port = ntohs(ss->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)ss)->sin6_port
							: ((const struct sockaddr_in *)ss)->sin_port);

	if (ss->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (w->o.tls_cert) {
		w->tls_cert_pem = read_pem(w->o.tls_cert, err, errlen);
		w->tls_key_pem = w->tls_cert_pem ? read_pem(w->o.tls_key, err, errlen) : NULL;
		if (!w->tls_key_pem)
			return -EINVAL;
		w->tls = 1;
		flags |= MHD_USE_TLS;
		w->daemon = MHD_start_daemon(
			flags, 0, NULL, NULL, on_request, w, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)ss,
			MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CLIENTS,
			MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CLIENT_TIMEOUT_S,
			MHD_OPTION_NOTIFY_COMPLETED, on_completed, w, MHD_OPTION_HTTPS_MEM_CERT,
			w->tls_cert_pem, MHD_OPTION_HTTPS_MEM_KEY, w->tls_key_pem, MHD_OPTION_END);
	} else {
		w->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, w,
					     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)ss,
					     MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CLIENTS,
					     MHD_OPTION_CONNECTION_TIMEOUT,
					     (unsigned)CLIENT_TIMEOUT_S, MHD_OPTION_NOTIFY_COMPLETED,
					     on_completed, w, MHD_OPTION_END);
	}
	if (!w->daemon) {
		snprintf(err, errlen, "cannot listen on %s (in use, not an address of this "
				      "machine, or a bad certificate or key)", w->o.listen);
		return -EADDRINUSE;
	}
	snprintf(w->cookie, sizeof(w->cookie), "vigil_%u", port);
	return 0;
}

int vg_web_open(struct vg_web **out, const struct vg_web_opts *o, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct vg_web *w;
	char line[400];
	int ret;

	*out = NULL;
	ret = vg_metrics_parse_listen(o->listen, &ss, &sslen, err, errlen);
	if (ret)
		return ret;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->o = *o;
	vg_web_alerts_init(&w->alerts);
	w->streams = vg_web_streams_new(w);
	ret = w->streams ? check_listen(w, &ss, err, errlen) : -ENOMEM;
	if (!ret)
		ret = vg_web_token_new(w->token);
	if (!ret)
		ret = vg_web_token_new(w->csrf);
	if (!ret)
		ret = start(w, &ss, err, errlen);
	if (!ret) {
		snprintf(w->url, sizeof(w->url), "%s://%s/?token=%s", w->tls ? "https" : "http",
			 o->listen, w->token);
		snprintf(line, sizeof(line), "%s\n", w->url);
		ret = vg_web_safe_write(o->token_file, line, &w->token_ino, err, errlen);
	}
	if (ret) {
		if (!err[0])
			snprintf(err, errlen, "%s", strerror(-ret));
		vg_web_close(w);
		return ret;
	}
	/* as Jupyter does: the URL to open, on stderr (not in the alert output) */
	fprintf(stderr, "vigil: dashboard: %s\n", w->url);
	*out = w;
	return 0;
}

void vg_web_note_alert(struct vg_web *w, const struct vg_alert *a)
{
	/* PAM calls printed with --events pass here as Debug: not alerts */
	if (w && strcmp(a->priority, "Debug")) {
		vg_web_alerts_add(&w->alerts, a, w->o.procs);
		vg_web_streams_alert(w, w->alerts.next_id - 1); /* pushed to the live pages */
	}
}

void vg_web_serve(struct vg_web *w)
{
	struct timespec ts;

	if (!w)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	vg_web_streams_tick(w, (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec);
	MHD_run(w->daemon); /* no internal thread: does not block */
}

void vg_web_close(struct vg_web *w)
{
	if (!w)
		return;
	if (w->daemon)
		MHD_stop_daemon(w->daemon); /* ends the streams too (release()) */
	vg_web_streams_free(w->streams);
	if (w->token_ino)
		vg_web_safe_remove(w->o.token_file, w->token_ino);
	vg_web_alerts_free(&w->alerts);
	for (unsigned i = 0; i < ARRAY_SIZE(w->cache); i++)
		free(w->cache[i].text);
	free(w->tls_cert_pem);
	free(w->tls_key_pem);
	explicit_bzero(w->token, sizeof(w->token));
	free(w);
}
