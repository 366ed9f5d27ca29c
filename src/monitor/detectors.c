/* The set of detectors (detectors.h). */
#include "monitor/detectors.h"

/* The order they open in: the rules first (broken rules stop vigil before
 * anything loads), pH before the sensor whose programs it shares, then
 * those that attach to the open sensor. */
static const struct vg_detector_ops *const all[VG_DET_COUNT] = {
	[VG_DET_RULES] = &vg_det_rules, [VG_DET_PH] = &vg_det_ph,
	[VG_DET_DENY] = &vg_det_deny,	[VG_DET_AUTH] = &vg_det_auth,
	[VG_DET_SELFPROT] = &vg_det_selfprot,
};

int vg_detectors_open(struct vg_detectors *d, struct vg_detector_env *env,
		      int (*open_sensor)(void *ctx, const struct vg_sensor_part *part,
					 struct vg_sensor **out),
		      void *ctx)
{
	const struct vg_sensor_part *part = NULL;
	int ret;

	for (unsigned i = 0; i < VG_DET_COUNT; i++) {
		if (!all[i]->before_sensor && !env->sensor) {
			ret = open_sensor(ctx, part, &env->sensor);
			if (ret)
				return ret;
			for (unsigned j = 0; j < i; j++)
				if (d->state[j] && all[j]->sensor_opened)
					all[j]->sensor_opened(d->state[j], env->sensor);
		}
		ret = all[i]->open(&d->state[i], env);
		d->opened = i + 1;
		if (ret)
			return ret;
		if (d->state[i] && all[i]->sensor_part && !part)
			part = all[i]->sensor_part(d->state[i]);
	}
	return 0;
}

void vg_detectors_routes(struct vg_detectors *d, struct vg_sensor *s)
{
	for (unsigned i = 0; i < d->opened; i++)
		if (d->state[i] && all[i]->routes)
			all[i]->routes(d->state[i], s);
}

void vg_detectors_event(struct vg_detectors *d, const struct vg_event *ev, uint64_t wall_ns)
{
	for (unsigned i = 0; i < d->opened; i++)
		if (d->state[i] && all[i]->event)
			all[i]->event(d->state[i], ev, wall_ns);
}

void vg_detectors_tick(struct vg_detectors *d, uint64_t now_ns)
{
	for (unsigned i = 0; i < d->opened; i++)
		if (d->state[i] && all[i]->tick)
			all[i]->tick(d->state[i], now_ns);
}

int vg_detectors_status(struct vg_detectors *d, unsigned i, struct vg_ctl_registry *reg)
{
	if (i >= d->opened || !d->state[i] || !all[i]->status)
		return 0;
	return all[i]->status(d->state[i], reg);
}

void vg_detectors_stop(struct vg_detectors *d)
{
	for (unsigned i = 0; i < d->opened; i++)
		if (d->state[i] && all[i]->stop)
			all[i]->stop(d->state[i]);
}

void vg_detectors_report(struct vg_detectors *d)
{
	for (unsigned i = 0; i < d->opened; i++)
		if (d->state[i] && all[i]->report)
			all[i]->report(d->state[i]);
}

void vg_detectors_close(struct vg_detectors *d)
{
	while (d->opened) {
		unsigned i = --d->opened;

		if (d->state[i])
			all[i]->close(d->state[i]);
		d->state[i] = NULL;
	}
}
