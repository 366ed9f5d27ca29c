/* The dashboard's live feed: server-sent events on GET /api/stream.
 *
 * A page opens one stream (EventSource) and gets, pushed by the monitor,
 * every alert as it is raised and, when they change, the snapshots its view
 * shows (the overview always; the process table, the pH profiles or the BPF
 * inventory for those views), the same JSON as the API. No thread per
 * client and no waiting: each stream is a libmicrohttpd response whose
 * content callback hands over what is queued and returns 0 when nothing is,
 * and is called again at the loop's next turn (vg_web_serve).
 *
 * Bounded: at most VG_WEB_STREAMS at once (more get 503 and the page polls),
 * each open at most VG_WEB_STREAM_S seconds (the browser reconnects and
 * catches up), and at most VG_WEB_STREAM_QUEUE bytes of alerts waiting for
 * a client that does not read: beyond that the stream is ended, never the
 * loop slowed. A snapshot waiting is replaced by a newer one, not queued. */
#ifndef VIGIL_WEB_WEB_STREAM_H
#define VIGIL_WEB_WEB_STREAM_H

#include <stdint.h>

#include <microhttpd.h>

#define VG_WEB_STREAMS 6		/* open at once */
#define VG_WEB_STREAM_S 300		/* seconds a stream stays open */
#define VG_WEB_STREAM_QUEUE (1u << 20) /* bytes of alerts waiting, per stream */

struct vg_web;
struct vg_web_streams;

/* Counts go to w->streams_open and w->streams_cut. */
struct vg_web_streams *vg_web_streams_new(struct vg_web *w);
void vg_web_streams_free(struct vg_web_streams *s);
/* GET /api/stream?view=NAME (overview, alerts, processes, profiles, bpf):
 * queues the stream's response on c (or a 503 when all are taken). */
enum MHD_Result vg_web_stream_open(struct vg_web *w, struct MHD_Connection *c);
/* A new alert kept under id: pushed to every stream. */
void vg_web_streams_alert(struct vg_web *w, uint64_t id);
/* Once per loop turn: snapshots that changed, keep-alives. Cheap when no
 * stream is open. */
void vg_web_streams_tick(struct vg_web *w, uint64_t now_ns);

#endif
