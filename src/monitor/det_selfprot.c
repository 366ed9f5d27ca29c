/* Self-protection as a detector (detector.h): signals, ptrace and bpf()
 * aimed at vigil, and lost events above a threshold (audit/self_protect.h).
 * It runs with the rules. */
#include <errno.h>
#include <stdlib.h>

#include "audit/self_protect.h"
#include "monitor/detector.h"
#include "util/clock.h"
#include "monitor/monitor_opts.h"
#include "sensor/sensor.h"
#include "util/log.h"
#include "util/macros.h"

struct det_selfprot {
	struct vg_selfprot *sp;
	struct vg_sensor *sensor;
	uint64_t next_tick_ns;
};

static int sp_open(void **state, const struct vg_detector_env *env)
{
	struct det_selfprot *d;

	*state = NULL;
	if (!env->opts->nrules_files)
		return 0;
	d = calloc(1, sizeof(*d));
	if (!d || vg_sp_open(&d->sp, env->hostname, env->alert, env->alert_ctx)) {
		vg_warn("self-protection is off: out of memory");
		free(d);
		return 0;
	}
	d->sensor = env->sensor;
	*state = d;
	return 0;
}

static void sp_routes(void *state, struct vg_sensor *s)
{
	vg_sp_routes(s);
}

static void sp_event(void *state, const struct vg_event *ev, uint64_t wall_ns)
{
	vg_sp_event(((struct det_selfprot *)state)->sp, ev, wall_ns);
}

/* Once a second: its windows, and the sensor's lost events. */
static void sp_tick(void *state, uint64_t now_ns)
{
	struct det_selfprot *d = state;
	struct vg_sensor_stats st;
	uint64_t wall = vg_clock_ns(CLOCK_REALTIME);

	if (now_ns < d->next_tick_ns)
		return;
	d->next_tick_ns = now_ns + NSEC_PER_SEC;
	vg_sp_tick(d->sp, wall);
	vg_sensor_stats(d->sensor, &st);
	/* shed records too: under a flood the kernel sheds before it drops
	 * (bpf/vg_shed.h), and either way rules went without them */
	vg_sp_drops(d->sp, st.dropped_total + st.shed_total, wall);
}

static void sp_close(void *state)
{
	struct det_selfprot *d = state;

	vg_sp_free(d->sp);
	free(d);
}

const struct vg_detector_ops vg_det_selfprot = {
	.name = "self-protection",
	.open = sp_open,
	.routes = sp_routes,
	.event = sp_event,
	.tick = sp_tick,
	.close = sp_close,
};
