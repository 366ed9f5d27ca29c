/* The "cost" section of `vigil status` (and of the metrics endpoint): what
 * vigil's own BPF programs cost the machine, per program and per system
 * call, from the kernel's BPF run-time statistics (sensor.bpf_stats). */
#ifndef VIGIL_MONITOR_MON_COST_H
#define VIGIL_MONITOR_MON_COST_H

#include <json-c/json.h>

/* A vg_ctl_status_fn: ctx is the monitor's struct vg_sensor. */
int vg_mon_cost_section(void *ctx, struct json_object *sec);

#endif
