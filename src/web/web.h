/* The web dashboard (web.listen): one page with the alerts, the process
 * tree, pH's profiles, the monitor's health and the BPF inventory, and the
 * JSON API under /api it reads. Off by default. docs/dashboard.md.
 *
 * libmicrohttpd without threads of its own, run from the monitor's poll
 * loop (vg_web_serve), as the metrics endpoint is: the API reads the same
 * figures as `vigil status` without locks, and a slow client costs a
 * bounded connection slot, never the loop's time.
 *
 * Access is never open: a random token, written at start to a root-only
 * file (web.token_file) and printed on stderr, is needed by every path;
 * actions are POSTs that also need the page's CSRF token. */
#ifndef VIGIL_WEB_WEB_H
#define VIGIL_WEB_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control/ctl_registry.h"
#include "output/alert.h"
#include "ph/ph_kernel.h"
#include "proc/proctable.h"

#define VG_WEB_DEFAULT_LISTEN "127.0.0.1:9377" /* what web.listen: on means */
#define VG_WEB_DEFAULT_TOKEN_FILE "/run/vigil/dashboard.url"
#define VG_WEB_DEFAULT_OVERRIDES "/etc/vigil/dashboard_overrides.yaml"

struct vg_web;

struct vg_web_opts {
	const char *listen;	 /* HOST:PORT */
	const char *token_file;	 /* written at start (the URL with the token), removed at exit */
	const char *tls_cert;	 /* PEM files; both or neither */
	const char *tls_key;
	bool allow_remote;	 /* listening beyond loopback: also needs TLS */
	const char *overrides;	 /* rules file "mute similar" appends to; NULL: no muting */
	/* the rule files in effect (the overrides file last), to check a
	 * mute before it is written */
	const char *const *rules_files;
	unsigned nrules_files;
	/* loads rule files as a reload would; 0 when they would run */
	int (*check_rules)(const char *const *files, unsigned nfiles);
	struct vg_ctl_registry *reg; /* status, ps, profiles, profile */
	struct vg_proctable *procs;
	struct vg_ph_kernel *ph; /* NULL without pH */
	/* reloads the rules after a mute; returns 0 when the new set runs */
	int (*reload_rules)(void *ctx);
	void *ctx;
};

/* Listens, writes the token file and prints the URL on stderr. Returns 0,
 * or a negative errno with err filled. */
int vg_web_open(struct vg_web **out, const struct vg_web_opts *o, char *err, size_t errlen);
/* Every alert the monitor raises (it keeps the last ones). Accepts NULL. */
void vg_web_note_alert(struct vg_web *w, const struct vg_alert *a);
/* Answers what is waiting; never blocks. Accepts NULL. */
void vg_web_serve(struct vg_web *w);
/* Stops listening and removes the token file. Accepts NULL. */
void vg_web_close(struct vg_web *w);

#endif
