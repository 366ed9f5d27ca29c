/* The monitor's detectors as one set (detector.h): opened in order, each
 * event and tick given to every running one, their status registered,
 * their reports printed, closed in reverse. */
#ifndef VIGIL_MONITOR_DETECTORS_H
#define VIGIL_MONITOR_DETECTORS_H

#include "monitor/detector.h"

enum { VG_DET_RULES, VG_DET_PH, VG_DET_DENY, VG_DET_AUTH, VG_DET_SELFPROT, VG_DET_COUNT };

struct vg_detectors {
	void *state[VG_DET_COUNT]; /* NULL: off (or not opened) */
	unsigned opened;	   /* how many were opened, in order */
};

/* Opens them in order. open_sensor is called once, before the first
 * detector that needs the sensor, with the part the ones before it give
 * (pH's programs); it sets env->sensor. Returns 0, or the first negative
 * errno (what opened stays open: vg_detectors_close closes it). */
int vg_detectors_open(struct vg_detectors *d, struct vg_detector_env *env,
		      int (*open_sensor)(void *ctx, const struct vg_sensor_part *part,
					 struct vg_sensor **out),
		      void *ctx);
void vg_detectors_routes(struct vg_detectors *d, struct vg_sensor *s);
void vg_detectors_event(struct vg_detectors *d, const struct vg_event *ev, uint64_t wall_ns);
void vg_detectors_tick(struct vg_detectors *d, uint64_t now_ns);
/* Registers detector i's status; -errno on failure. */
int vg_detectors_status(struct vg_detectors *d, unsigned i, struct vg_ctl_registry *reg);
void vg_detectors_stop(struct vg_detectors *d);
void vg_detectors_report(struct vg_detectors *d);
void vg_detectors_close(struct vg_detectors *d);

#endif
