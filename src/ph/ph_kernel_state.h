/* The state of pH's kernel side (struct vg_ph_kernel), shared by the files
 * that implement it: ph_kernel.c (start, ticks, stop) and ph_kernel_stats.c
 * (counters, memory, map descriptors). Nothing else includes it: others
 * go through ph_kernel.h. */
#ifndef VIGIL_PH_KERNEL_STATE_H
#define VIGIL_PH_KERNEL_STATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "output/alert.h"
#include "ph/ph_alert.h"
#include "ph/ph_census.h"
#include "ph/ph_converge.h"
#include "ph/ph_coverage.h"
#include "ph/ph_incident.h"
#include "ph/ph_kernel_opts.h"
#include "ph/ph_model.h"
#include "ph/ph_persist.h"
#include "ph/ph_setup.h"
#include "ph/ph_watch.h"
#include "ph/ph_window.h"
#include "sensor/sensor.h"

struct vg_ph_kernel {
	struct sensor_bpf *skel; /* the sensor's: set at configure, theirs to free */
	struct vg_ph_kernel_opts opts;
	struct bpf_link *links[PH_PROGS];
	struct vg_sensor_part part;
	vg_alert_fn fn;
	void *ctx;
	const char *hostname;
	int64_t boot_to_wall_ns;
	uint64_t alerts, malformed;
	uint64_t shared; /* profiles copied from a build-id twin */
	uint64_t coverage_normal; /* profiles made normal by coverage */
	struct vg_ph_alert rendered; /* one record at a time */
	/* anomaly records become one incident per task episode */
	struct vg_ph_incidents *incidents;
	struct vg_ph_window *window; /* NULL: no learning window */
	void (*raw_fn)(void *ctx, const struct ph_alert_event *e);
	void *raw_ctx;
	struct ph_persist *persist;  /* NULL: profiles are not kept */
	uint64_t save_interval_ns, next_save_ns;
	bool attached;
	struct vg_ph_census *census; /* profiles and items, counted in a thread */
	/* A periodic save runs in a thread: writing and syncing many files
	 * takes long enough that the event loop must not wait for it. */
	pthread_t saver;
	bool saving;		/* saver started and not joined yet */
	atomic_bool save_done;	/* set by the saver as it ends */
	__u64 save_clock;	/* the model's clock the saver uses */
	/* each profile's training counters now and then (ph_converge.h) */
	struct vg_ph_converge *converge;
	uint64_t next_sample_ns;
	/* normal by coverage: runs without anything new (ph_coverage.h) */
	struct vg_ph_coverage *coverage;
	struct ph_exe_key due[VG_PH_COVERAGE_DUE_MAX]; /* to make normal after a walk */
	unsigned ndue;
	vg_ph_proc_fn proc_fn; /* the process table (accepts name no executable) */
	void *proc_ctx;
	struct vg_ph_watch *watch; /* the watch list's own settings (ph_watch.h) */
};

#endif
