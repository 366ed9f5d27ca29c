/* The "monitor" section of `vigil status`: uptime, programs attached,
 * events per second by type, drops by cause, rules loaded, control socket
 * counters, memory (our BPF maps' memlock from fdinfo, process RSS), and
 * the file-system look-ups made per event (the path resolver's openat2,
 * fd.known_name's stat): calls, failures, time. */
#ifndef VIGIL_MONITOR_MON_STATUS_H
#define VIGIL_MONITOR_MON_STATUS_H

#include <stdint.h>

#include <json-c/json.h>

#include "control/ctl_server.h"
#include "sensor/event.h"
#include "sensor/sensor.h"
#include "util/macros.h"

struct vg_repeats;
struct vg_path_resolver;

#define VG_MON_RATE_PERIOD_NS (5ull * NSEC_PER_SEC) /* events/s over 5-10 s */

struct vg_mon_status {
	struct vg_sensor *sensor;
	struct vg_control *control;
	const uint64_t *alerts;
	const struct vg_repeats *repeats; /* NULL: folding is off */
	const struct vg_path_resolver *paths; /* NULL: no path resolution */
	unsigned rules; /* the monitor updates it on load and reload */
	uint64_t start_ns; /* CLOCK_MONOTONIC */
	uint64_t prev_ns, cur_ns; /* two snapshots of the counters, for rates */
	uint64_t prev[VG_EV_TYPE_MAX], cur[VG_EV_TYPE_MAX];
};

void vg_mon_status_init(struct vg_mon_status *st, struct vg_sensor *s, uint64_t now_ns);
/* Call from the poll loop: takes a snapshot every VG_MON_RATE_PERIOD_NS. */
void vg_mon_status_tick(struct vg_mon_status *st, uint64_t now_ns);
/* A vg_ctl_status_fn: ctx is the struct vg_mon_status. */
int vg_mon_status_section(void *ctx, struct json_object *sec);

#endif
