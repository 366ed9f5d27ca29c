/* Alert outputs: any number of destinations (stdout, file, syslog, webhook,
 * program), each with its own minimum priority, bounded queue and worker
 * thread, so a slow or dead destination never blocks detection or the
 * others. What an output drops is counted, never lost silently.
 *
 * Configuration (output/out_conf.h) is a type name plus generic key=value
 * pairs, so a YAML mapping and the command line spec
 * `TYPE[:key=value,key=value...]` map to it one to one. */
#ifndef VIGIL_OUTPUT_OUTPUTS_H
#define VIGIL_OUTPUT_OUTPUTS_H

#include <stddef.h>
#include <stdint.h>

#include "output/alert.h"
#include "output/out_conf.h"

#define VG_OUTPUTS_MAX 32

struct vg_outputs; /* the running set */

struct vg_outputs_opts {
	const char *hostname; /* for syslog's HOSTNAME; NULL = gethostname() */
	const char *app_name; /* syslog APP-NAME / ident; NULL = "vigil" */
};

/* Starts one worker per configuration (the confs are copied). Returns 0,
 * or a negative errno with the output's name and problem in err. */
int vg_outputs_open(struct vg_outputs **out, struct vg_output_conf *const *confs, unsigned n,
		    const struct vg_outputs_opts *opts, char *err, size_t errlen);
/* Renders the alert once (text and/or JSON, as the outputs need) and queues
 * it on every output whose min_priority it passes. Never blocks on an
 * output. One producer thread only. */
void vg_outputs_emit(struct vg_outputs *o, const struct vg_alert *a);
/* The same for a raw event: its text line has no priority column. */
void vg_outputs_emit_event(struct vg_outputs *o, const struct vg_alert *a);
/* Asks file outputs to reopen their file (after logrotate renamed it);
 * async-signal-unsafe: call it from the main loop on SIGUSR1. */
void vg_outputs_reopen(struct vg_outputs *o);

struct vg_output_stats {
	char name[VG_OUTPUT_NAME_MAX];
	const char *type;
	uint64_t queued;  /* waiting now */
	uint64_t sent;	  /* delivered */
	uint64_t dropped; /* lost: queue full, given up after retries, or left at exit */
	uint64_t errors;  /* failed attempts (write, connect, HTTP status) */
	uint64_t retries; /* attempts after a failure */
	char last_error[VG_OUT_ERROR_MAX]; /* the latest failure's cause, "" if none */
	uint64_t last_error_seq; /* changes with each failure that gave a cause */
};

unsigned vg_outputs_count(const struct vg_outputs *o);
/* Stats of output i (0 <= i < count); returns 0 or -ENOENT. */
int vg_outputs_stats(struct vg_outputs *o, unsigned i, struct vg_output_stats *st);
/* "name queued=N sent=N dropped=N errors=N retries=N" */
size_t vg_output_stats_format(char *buf, size_t size, const struct vg_output_stats *st);

/* Stops the workers. Each drains its queue for up to its drain_ms; what is
 * still queued then is counted as dropped. Final stats are read with
 * vg_outputs_stats before vg_outputs_free. Accepts NULL. */
void vg_outputs_close(struct vg_outputs *o);
void vg_outputs_free(struct vg_outputs *o);

#endif
