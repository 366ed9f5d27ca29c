/* The Prometheus endpoint: libmicrohttpd without threads of its own, run
 * from the monitor's poll loop (vg_metrics_serve), so a scrape reads the
 * same figures as `vigil status` without locks. GET /metrics only. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "metrics/metrics_http.h"
#include "metrics/prom.h"

#define MAX_CLIENTS 8
#define CLIENT_TIMEOUT_S 5

struct vg_metrics {
	struct MHD_Daemon *daemon;
	struct vg_ctl_registry *reg;
	unsigned long long scrapes, errors;
};

int vg_metrics_parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len,
			    char *err, size_t errlen)
{
	char host[128];
	const char *colon = strrchr(listen, ':');
	char *end;
	unsigned long port;
	size_t hlen;

	memset(ss, 0, sizeof(*ss));
	if (!strcmp(listen, "on"))
		listen = VG_METRICS_DEFAULT_LISTEN, colon = strrchr(listen, ':');
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

/* The status report, rendered. */
static int render(struct vg_metrics *m, char **text, size_t *len)
{
	struct json_object *status;
	int ret = vg_ctl_status(m->reg, &status);

	if (ret)
		return ret;
	ret = vg_prom_render(status, text, len);
	json_object_put(status);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **state)
{
	struct vg_metrics *m = cls;
	char *text;
	size_t len;

	(void)version;
	(void)upload;
	(void)state;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "GET only\n", 9,
			     MHD_RESPMEM_PERSISTENT);
	if (*upload_size)
		return MHD_NO;
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", "see /metrics\n", 13,
			     MHD_RESPMEM_PERSISTENT);
	if (render(m, &text, &len)) {
		m->errors++;
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain",
			     "status unavailable\n", 19, MHD_RESPMEM_PERSISTENT);
	}
	m->scrapes++;
	return reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4", text, len,
		     MHD_RESPMEM_MUST_FREE);
}

int vg_metrics_open(struct vg_metrics **out, const char *listen, struct vg_ctl_registry *reg,
		    char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct vg_metrics *m;
	unsigned flags = MHD_NO_FLAG; /* no thread of its own: the poll loop runs it */
	int ret;

	*out = NULL;
	ret = vg_metrics_parse_listen(listen, &ss, &sslen, err, errlen);
	if (ret)
		return ret;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->reg = reg;
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
	MHD_stop_daemon(m->daemon);
	free(m);
}
