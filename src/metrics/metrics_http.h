/* The Prometheus endpoint (metrics.listen): GET /metrics answers the
 * figures of `vigil status` in Prometheus text format. Off by default;
 * root only when on: a Unix socket (0600), or TCP with a bearer token read
 * from a root-only file (metrics.token_file). See docs/metrics.md. */
#ifndef VIGIL_METRICS_METRICS_HTTP_H
#define VIGIL_METRICS_METRICS_HTTP_H

#include <stddef.h>
#include <sys/socket.h>

#include "control/ctl_registry.h"

#define VG_METRICS_DEFAULT_LISTEN "unix:/run/vigil/metrics.sock" /* metrics.listen: on */
/* A scrape within this long of the last one gets the same figures. */
#define VG_METRICS_SNAPSHOT_MS 1000

struct vg_metrics;

/* "HOST:PORT" ("[::1]:9376" for IPv6) into
 * a socket address. Returns 0 or -EINVAL with err filled. */
int vg_metrics_parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len,
			    char *err, size_t errlen);
/* Listens on listen ("on", "unix:PATH" or "HOST:PORT"; HOST:PORT needs
 * token_file, else -EPERM); scrapes render reg's "status" command. Returns
 * 0 or a negative errno with err filled. */
int vg_metrics_open(struct vg_metrics **out, const char *listen, const char *token_file,
		    struct vg_ctl_registry *reg, char *err, size_t errlen);
/* Answers what is waiting; never blocks. Call from the poll loop. Accepts NULL. */
void vg_metrics_serve(struct vg_metrics *m);
void vg_metrics_close(struct vg_metrics *m);

#endif
