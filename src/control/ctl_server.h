/* The control socket of a running monitor: a root-only Unix stream socket
 * served from the monitor's poll loop.
 *
 * - The directory is created 0700 if missing; the socket is bound under
 *   umask 0177 (never briefly open to others), then chowned root 0600.
 * - A socket left by a dead monitor is replaced only if nobody answers on
 *   it; a live one, or anything that is not a socket, is left alone.
 * - Every client's credentials are read with SO_PEERCRED: uid 0 only;
 *   others get a refusal line and the monitor is told (on_refused).
 * - Serving never blocks: non-blocking accept, reads and writes; at most
 *   VG_CTL_CLIENTS_MAX clients, each with a bounded request buffer and an
 *   idle timeout. */
#ifndef VIGIL_CONTROL_CTL_SERVER_H
#define VIGIL_CONTROL_CTL_SERVER_H

#include <stdint.h>
#include <sys/types.h>

#include "control/ctl_registry.h"

#define VG_CTL_DEFAULT_SOCKET "/run/vigil/vigil.sock"
#define VG_CTL_CLIENTS_MAX 8
#define VG_CTL_IDLE_MS 5000 /* a client that sends nothing for this long is closed */

struct vg_control;

struct vg_control_opts {
	const char *path;
	/* Called when a non-root client is turned away (may be NULL). */
	void (*on_refused)(void *ctx, uid_t uid, gid_t gid, pid_t pid);
	void *ctx;
};

struct vg_control_stats {
	uint64_t accepted, refused, requests, errors, busy, timeouts;
};

/* Creates and binds the socket. Returns 0, or a negative errno with err
 * naming the problem (and the path). */
int vg_control_open(struct vg_control **out, const struct vg_control_opts *o, char *err,
		    size_t errlen);
/* The command table, to register handlers on. */
struct vg_ctl_registry *vg_control_registry(struct vg_control *c);
/* Accepts, reads, answers and writes whatever is ready now; never waits.
 * now_ms is a monotonic clock for the timeouts. */
void vg_control_serve(struct vg_control *c, uint64_t now_ms);
void vg_control_stats(const struct vg_control *c, struct vg_control_stats *st);
/* Closes every client and removes the socket; accepts NULL. */
void vg_control_close(struct vg_control *c);

#endif
