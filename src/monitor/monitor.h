/* The monitor's pipeline: sensor → process table → outputs, plus the
 * periodic stats line. `vigil run` sets it up; tests drive it through the
 * binary. */
#ifndef VIGIL_MONITOR_MONITOR_H
#define VIGIL_MONITOR_MONITOR_H

#include <signal.h>

#include "monitor/monitor_opts.h"
#include "sensor/sensor.h"

/* Runs until *stop becomes non-zero or the duration passes. Returns 0, or
 * a negative errno after printing why it could not start. */
int vg_monitor_run(const struct vg_monitor_opts *mo, const struct vg_sensor_opts *so,
		   volatile sig_atomic_t *stop);

#endif
