/* The destinations an output can deliver to, each a struct vg_out_sink
 * (output/out_worker.h) in its own sink_*.c. */
#ifndef VIGIL_OUTPUT_SINKS_H
#define VIGIL_OUTPUT_SINKS_H

#include <stddef.h>
#include <stdint.h>

#include "output/out_worker.h"

extern const struct vg_out_sink vg_sink_file; /* stdout and file */
extern const struct vg_out_sink vg_sink_syslog;
extern const struct vg_out_sink vg_sink_webhook;
extern const struct vg_out_sink vg_sink_program;

/* RFC 5424: "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG".
 * Header fields are cut to their RFC lengths and printable ASCII ("-" when
 * empty); the whole is cut to size - 1. Returns the length. */
size_t vg_rfc5424_format(char *buf, size_t size, int facility, int severity, uint64_t time_ns,
			 const char *hostname, const char *app, int pid, const char *msgid,
			 const char *msg, size_t msglen);

#endif
