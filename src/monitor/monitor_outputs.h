/* The monitor's outputs: opening them from its options, reporting them. */
#ifndef VIGIL_MONITOR_MONITOR_OUTPUTS_H
#define VIGIL_MONITOR_MONITOR_OUTPUTS_H

#include <stdbool.h>
#include <stdint.h>

#include "output/outputs.h"

#define VG_DROP_WARN_OUTPUTS 16
struct vg_drop_warn {
	uint64_t warned; /* drops already warned about */
	uint64_t next;	 /* no new warning before (CLOCK_MONOTONIC ns) */
	uint64_t error_seq[VG_DROP_WARN_OUTPUTS]; /* each output's failure last said */
};

/* Opens the outputs named with --output (confs, n) plus the classic one:
 * standard output when none is named, or output_file (JSON when json).
 * Prints the problem (vg_err) and returns a negative errno on failure. */
int vg_monitor_outputs_open(struct vg_outputs **outs, struct vg_output_conf *const *confs,
			    unsigned n, const char *output_file, bool json, const char *hostname);
/* "vigil: WHAT output NAME queued=N sent=N dropped=N errors=N retries=N" */
void vg_monitor_outputs_report(struct vg_outputs *outs, const char *what);
/* A vg_ctl_status_fn: the "outputs" section of `vigil status` (ctx: the
 * struct vg_outputs), one object per output with its queue and counters. */
struct json_object;
int vg_monitor_outputs_status(void *ctx, struct json_object *sec);
/* Warns (at most every 10 s) when an output has dropped more alerts. */
void vg_monitor_outputs_warn(struct vg_outputs *outs, uint64_t now, struct vg_drop_warn *w);

#endif
