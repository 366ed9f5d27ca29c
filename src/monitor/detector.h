/* A detector: one source of alerts the monitor runs (the rules, pH, the
 * PAM probes, the exec deny list, self-protection, and the next ones).
 * Each is an ops table in an adapter file of its own (det_*.c) that calls
 * its module's public API; the monitor opens them in the order of
 * vg_detectors[], feeds each event and tick to all, and at exit prints
 * their reports and closes them in reverse. A detector the configuration
 * leaves off opens to a NULL state and is skipped after. */
#ifndef VIGIL_MONITOR_DETECTOR_H
#define VIGIL_MONITOR_DETECTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "output/alert.h"

struct json_object;
struct vg_ctl_registry;
struct vg_event;
struct vg_killer;
struct vg_monitor_opts;
struct vg_proctable;
struct vg_sensor;
struct vg_sensor_part;
struct vg_usercache;

/* Detectors raise alerts through vg_alert_fn (output/alert.h). */

/* What the monitor gives every detector when it opens. */
struct vg_detector_env {
	const struct vg_monitor_opts *opts;
	const char *hostname;
	struct vg_sensor *sensor; /* NULL for a detector opened before the sensor */
	struct vg_proctable *procs;
	struct vg_usercache *users;
	const struct vg_killer *killer; /* rule actions (on with --response) */
	vg_alert_fn alert;
	void *alert_ctx;
};

struct vg_detector_ops {
	const char *name;
	/* opened before the sensor: its programs are part of the sensor's
	 * (sensor_part), or it must refuse to start before anything loads */
	bool before_sensor;
	/* 0 with *state set (running) or NULL (off, or failed with a
	 * warning: the monitor runs on without it); a negative errno stops
	 * the monitor (it has printed why) */
	int (*open)(void **state, const struct vg_detector_env *env);
	/* before_sensor only: programs the sensor loads with its own, and
	 * the call once the sensor has loaded them */
	const struct vg_sensor_part *(*sensor_part)(void *state);
	void (*sensor_opened)(void *state, struct vg_sensor *s);
	/* the kernel routes it needs, once the sensor is open (and again
	 * after a rule reload); only when the rules run and --syscalls does
	 * not narrow them by hand */
	void (*routes)(void *state, struct vg_sensor *s);
	/* each event, after the process table has taken it */
	void (*event)(void *state, const struct vg_event *ev, uint64_t wall_ns);
	/* each pass of the loop (CLOCK_MONOTONIC ns): its own periodic work */
	void (*tick)(void *state, uint64_t now_ns);
	/* registers its `vigil status` sections and control commands */
	int (*status)(void *state, struct vg_ctl_registry *reg);
	/* the loop has ended: begin detaching (it may be slow) */
	void (*stop)(void *state);
	/* its counters on stderr at exit ("vigil: NAME ...") */
	void (*report)(void *state);
	void (*close)(void *state);
};

/* The detectors, each in its det_*.c; detectors.c runs them in order. */
extern const struct vg_detector_ops vg_det_rules, vg_det_ph, vg_det_deny, vg_det_auth,
	vg_det_selfprot;

/* What the monitor's reload and the dashboard need of two of them (state
 * as their open returned it). The rules' state exists even with no rule
 * files (its section of `vigil status` says so); vg_det_rules_detect is
 * then NULL. */
struct vg_detect;
struct vg_ph_kernel;
struct vg_detect *vg_det_rules_detect(void *state);
/* A reload's rule set replaces the running one (freed), bound to the
 * monitor's tables and killer; the monitor then applies the routes again. */
void vg_det_rules_replace(void *state, struct vg_detect *fresh);
struct vg_ph_kernel *vg_det_ph_kernel(void *state); /* NULL without pH */

#endif
