/* The exec deny list in the kernel: loads bpf/response.bpf.c (only when a
 * list is configured), fills its maps from the list (each path also by the
 * device and inode it has at start), and turns its records into alerts
 * "Denied executable killed" in the monitor's poll loop. */
#ifndef VIGIL_RESPONSE_DENY_KERNEL_H
#define VIGIL_RESPONSE_DENY_KERNEL_H

#include <stdint.h>

#include "output/alert.h"
#include "response/denylist.h"
#include "sensor/sensor.h"

struct vg_deny_kernel;


struct vg_deny_kernel_stats {
	uint64_t records;   /* records read */
	uint64_t malformed; /* records that failed the size check */
	uint64_t drops;	    /* records the kernel could not queue */
	unsigned paths, inodes; /* entries in the kernel maps */
};

/* Returns 0 or a negative errno with *err naming what failed. */
int vg_deny_kernel_open(struct vg_deny_kernel **out, const struct vg_denylist *list,
			struct vg_sensor *sensor, vg_alert_fn fn, void *ctx,
			const char *hostname, const char **err);
void vg_deny_kernel_stats(struct vg_deny_kernel *k, struct vg_deny_kernel_stats *st);
/* Detaches and unloads; accepts NULL. Close the sensor (which reads the
 * ring) first. */
void vg_deny_kernel_close(struct vg_deny_kernel *k);

#endif
