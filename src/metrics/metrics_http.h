/* The Prometheus endpoint (metrics.listen): GET /metrics answers the
 * figures of `vigil status` in Prometheus text format. Off by default. */
#ifndef VIGIL_METRICS_METRICS_HTTP_H
#define VIGIL_METRICS_METRICS_HTTP_H

#include <stddef.h>
#include <sys/socket.h>

#include "control/ctl_registry.h"

#define VG_METRICS_DEFAULT_LISTEN "127.0.0.1:9376" /* what metrics.listen: on means */

struct vg_metrics;

/* "HOST:PORT" ("[::1]:9376" for IPv6, "on" for the loopback default) into
 * a socket address. Returns 0 or -EINVAL with err filled. */
int vg_metrics_parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len,
			    char *err, size_t errlen);
/* Listens on listen; scrapes render reg's "status" command. Returns 0 or a
 * negative errno with err filled. */
int vg_metrics_open(struct vg_metrics **out, const char *listen, struct vg_ctl_registry *reg,
		    char *err, size_t errlen);
/* Answers what is waiting; never blocks. Call from the poll loop. Accepts NULL. */
void vg_metrics_serve(struct vg_metrics *m);
void vg_metrics_close(struct vg_metrics *m);

#endif
