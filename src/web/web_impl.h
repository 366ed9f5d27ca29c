/* Inside the dashboard: the server's state, shared by web_server.c (HTTP,
 * access) and web_api.c (the JSON answers). */
#ifndef VIGIL_WEB_WEB_IMPL_H
#define VIGIL_WEB_WEB_IMPL_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <microhttpd.h>

#include <json-c/json.h>

#include "web/web.h"
#include "web/web_alerts.h"
#include "web/web_token.h"

struct vg_web {
	struct vg_web_opts o;
	struct MHD_Daemon *daemon;
	char token[VG_WEB_TOKEN_LEN + 1];
	char csrf[VG_WEB_TOKEN_LEN + 1];
	char cookie[48]; /* vigil_PORT: one per dashboard, as ports share cookies */
	char url[320];
	int tls;
	ino_t token_ino;
	char *tls_cert_pem, *tls_key_pem;
	struct vg_web_alerts alerts;
	/* answers that walk the pH maps or the process table, rendered once
	 * for every client for a short while (web_api.c, VG_WEB_CACHE) */
	struct vg_web_cached {
		char *text;
		uint64_t at_ns;
	} cache[4];
	uint64_t requests, refused, mutes;
	struct vg_web_streams *streams; /* the live feed (web_stream.c) */
	uint64_t streams_open, streams_cut; /* open now; ended for a client that did not read */
};

/* The headers every answer carries (type, no caching, no sniffing, no
 * framing, the page's Content-Security-Policy). web_headers.c */
void vg_web_add_headers(struct MHD_Response *r, const char *type);

/* An API answer: status (200, 400, 404...) and a JSON body (owned). */
struct vg_web_reply {
	unsigned status;
	struct json_object *body;
	char *raw; /* or JSON text already rendered (malloc'd), which wins */
};

/* GET /api/... and POST /api/... (body is the parsed JSON of a POST). */
void vg_web_api_get(struct vg_web *w, const char *url, struct MHD_Connection *c,
		    struct vg_web_reply *r);
void vg_web_api_post(struct vg_web *w, const char *url, struct json_object *body,
		     struct vg_web_reply *r);

/* The JSON text of a cached answer (/api/overview, /api/processes,
 * /api/profiles, /api/bpf), rendered again when older than its period;
 * NULL when it cannot be. Owned by the cache: valid until the next call
 * into the API. For the event streams (web_stream.c). */
const char *vg_web_api_cached(struct vg_web *w, const char *path);

#endif
