/* pH in the kernel seen from user space: load and attach bpf/ph.bpf.c, set
 * its parameters, read its alert records in the monitor's poll loop, detach. */
#ifndef VIGIL_PH_KERNEL_H
#define VIGIL_PH_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "output/alert.h"
#include "sensor/sensor.h"

#define VG_PH_NORMAL_WAIT_DEFAULT_S 604800ull /* 7 days, as pH */
#define VG_PH_MAX_ITEMS_DEFAULT (1u << 20)    /* learnt pairs / n-grams, all profiles */
#define VG_PH_MAX_PROFILES_DEFAULT 16384u     /* executables */
#define VG_PH_RING_DEFAULT (1u << 20)

struct vg_ph_kernel;
struct ph_alert_event;

struct vg_ph_kernel_opts {
	uint64_t normal_wait_s; /* frozen → normal after this many seconds */
	uint64_t min_train;	/* calls before a profile may freeze; 0 = model default */
	uint32_t max_items;
	uint32_t max_profiles;
	bool plain; /* plain pH (lookahead pairs, window 9) instead of 12-grams */
};

struct vg_ph_kernel_stats {
	uint64_t alerts;	 /* records read */
	uint64_t malformed;	 /* records that failed the check */
	uint64_t drops;		 /* records the kernel could not queue */
	uint64_t model_errors;	 /* failed model steps in the kernel */
	uint64_t profile_errors; /* profiles that could not be created */
	uint64_t profiles;	 /* profiles created */
};

/* Called with each alert; the alert is valid during the call only. */
typedef void (*vg_ph_alert_fn)(void *ctx, const struct vg_alert *a);

/* Loads and attaches the pH programs (vigil itself is not modelled) and
 * registers their ring buffer with the sensor's reader. Returns 0 or a
 * negative errno with *err naming what failed. */
int vg_ph_kernel_open(struct vg_ph_kernel **out, const struct vg_ph_kernel_opts *o,
		      struct vg_sensor *sensor, vg_ph_alert_fn fn, void *ctx, const char *hostname,
		      const char **err);
void vg_ph_kernel_stats(struct vg_ph_kernel *k, struct vg_ph_kernel_stats *st);

/* The pH maps, for the control commands (src/ph/ph_admin.c). */
struct vg_ph_kernel_maps {
	int tasks;    /* task storage: pidfd → the task's model state */
	int profiles; /* struct ph_exe_key → struct ph_profile */
	int items;    /* struct ph_item_key → add stamp */
	int alerts;   /* the alert ring buffer */
};
void vg_ph_kernel_maps(struct vg_ph_kernel *k, struct vg_ph_kernel_maps *m);
/* Also passes every raw alert record (already checked) to fn; one hook. */
void vg_ph_kernel_on_record(struct vg_ph_kernel *k,
			    void (*fn)(void *ctx, const struct ph_alert_event *e), void *ctx);
/* Detaches and unloads everything; accepts NULL. Close the sensor (which
 * reads the ring) first. */
void vg_ph_kernel_close(struct vg_ph_kernel *k);

#endif
