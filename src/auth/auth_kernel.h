/* libpam probes seen from user space: find libpam, resolve its symbols,
 * load bpf/pam.bpf.c and attach its uprobes, read its records in the
 * monitor's poll loop, re-attach when the library file is replaced. */
#ifndef VIGIL_AUTH_KERNEL_H
#define VIGIL_AUTH_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/auth_detect.h"
#include "proc/proctable.h"
#include "sensor/sensor.h"
#include "util/macros.h"

#define VG_AUTH_HANDLES_DEFAULT 4096u /* PAM handles followed in the kernel */
#define VG_AUTH_RECHECK_NS (5ull * NSEC_PER_SEC)

struct vg_auth;

struct vg_auth_opts {
	const char *libpam;	/* NULL: look for the system's libpam */
	bool events;		/* every PAM call as a raw event */
	struct vg_auth_detect_opts detect;
};

struct vg_auth_stats {
	uint64_t records;   /* records read */
	uint64_t malformed; /* records that failed the check */
	uint64_t drops;	    /* records the kernel could not queue */
	uint64_t state_errors; /* kernel state that could not be stored */
	uint64_t alerts;
	uint64_t attaches; /* times the probes were attached (1 + re-attaches) */
	int probes;	   /* probes attached now */
};

/* Loads the probes and registers their ring buffer with the sensor's
 * reader. Without libpam it says so once and returns 0 with nothing
 * attached (a later vg_auth_tick() attaches when the file appears, for an
 * explicit path). Returns 0 or a negative errno with *err naming the
 * problem. procs (may be NULL) names the programs. */
int vg_auth_open(struct vg_auth **out, const struct vg_auth_opts *o, struct vg_sensor *sensor,
		 struct vg_proctable *procs, vg_alert_fn fn, void *ctx, const char **err);
/* Called from the poll loop with CLOCK_MONOTONIC ns: every 5 s, checks
 * whether libpam's file changed (device, inode) and re-attaches. */
void vg_auth_tick(struct vg_auth *a, uint64_t now_ns);
void vg_auth_stats(struct vg_auth *a, struct vg_auth_stats *st);
/* Detaches and unloads; accepts NULL. Close the sensor first. */
/* Starts removing the probes in the background (the kernel takes its time
 * over each), for a monitor that is ending; vg_auth_close waits for it.
 * NULL is fine. */
void vg_auth_detach_begin(struct vg_auth *a);
void vg_auth_close(struct vg_auth *a);

#endif
