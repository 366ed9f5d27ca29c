/* What `vigil run` asks of the monitor: built from the configuration by
 * `vigil run` (src/cli/), read by the monitor and its parts (the reload
 * thread, the detectors). A leaf: it includes only the option structs of the
 * parts it configures. */
#ifndef VIGIL_MONITOR_MONITOR_OPTS_H
#define VIGIL_MONITOR_MONITOR_OPTS_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "output/outputs.h"
#include "auth/auth_kernel.h"
#include "ph/ph_kernel.h"
#include "response/denylist.h"
#include "sensor/sensor.h"
#include "web/web.h"

struct vg_monitor_opts {
	bool print_events;	 /* every event to the output */
	bool json;		 /* JSON lines instead of text */
	const char *output_file; /* NULL = standard output */
	uint64_t duration_s;	 /* 0 = until stopped */
	uint64_t stats_interval_s;
	uint64_t repeat_window_s; /* identical alerts folded within it; 0 = off */
	uint64_t poll_ms;
	const char *syscalls; /* comma-separated names to keep; NULL = all */
	const char *const *rules_files; /* rule files in order; none = no detection */
	unsigned nrules_files;
	volatile sig_atomic_t *reload; /* set on SIGHUP: reload the rules */
	/* SIGHUP, in the reload thread (monitor/reload.h), before the rules are
	 * read: reads the configuration again without changing anything the
	 * loop uses; returns it (NULL: keep the running one) and sets *files
	 * and *nfiles to the rule files it names (left alone: the current ones) */
	void *(*reload_prepare)(void *ctx, const char *const **files, unsigned *nfiles);
	/* then, in the loop once the reload is complete: applies it (may change
	 * rules_files, nrules_files and stats_interval_s) */
	void (*reload_apply)(void *ctx, void *config);
	/* frees what reload_prepare returned when it is not applied */
	void (*reload_discard)(void *ctx, void *config);
	void *reload_ctx;
	/* pH in the kernel (vigil run --ph): its alerts go to the same output */
	bool ph;
	struct vg_ph_kernel_opts ph_opts;
	/* --output TYPE:key=value...; none = standard output (or output_file) */
	struct vg_output_conf *const *outputs;
	unsigned noutputs;
	volatile sig_atomic_t *reopen; /* set on SIGUSR1: reopen output files */
	/* response (docs/response.md): rule actions only with --response */
	bool response;
	const struct vg_denylist *deny; /* exec deny list; NULL or empty = none */
	/* root-only control socket (vigil status, ps, profiles...); NULL = none */
	const char *control_socket;
	/* Prometheus endpoint HOST:PORT (metrics.listen); NULL = off */
	const char *metrics_listen;
	const char *metrics_token_file; /* metrics.token_file; "" or NULL: none */
	/* web dashboard (web.*): listen NULL = off; the monitor fills in the
	 * registry, tables, rule files and reload */
	struct vg_web_opts web;
	/* libpam probes (on unless --no-auth): alerts and, with print_events,
	 * every PAM call go to the same output */
	bool no_auth;
	struct vg_auth_opts auth_opts;
};

#endif
