/* The rules as a detector (detector.h): Falco's rule language on every
 * event, through the rule set of monitor/detect.h. Loaded before anything
 * else, so broken rules stop vigil before a program is loaded. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include <json-c/json.h>

#include "control/ctl_registry.h"
#include "monitor/detect.h"
#include "monitor/detector.h"
#include "monitor/monitor_opts.h"
#include "sensor/sensor.h"
#include "sensor/syscalls.h"
#include "util/log.h"
#include "util/macros.h"

struct det_rules {
	struct vg_detect *detect; /* NULL without rule files */
	struct vg_detector_env env;
	uint64_t next_tick_ns;
};

static void bind(struct det_rules *r)
{
	vg_detect_bind(r->detect, r->env.procs, r->env.users, r->env.hostname);
	vg_detect_set_killer(r->detect, r->env.killer);
}

static int rules_open(void **state, const struct vg_detector_env *env)
{
	struct det_rules *r = calloc(1, sizeof(*r));
	int ret;

	*state = NULL;
	if (!r)
		return -ENOMEM;
	r->env = *env;
	if (env->opts->nrules_files) {
		ret = vg_detect_load(&r->detect, env->opts->rules_files, env->opts->nrules_files);
		if (ret) { /* refuse to start on broken rules */
			free(r);
			return ret;
		}
		bind(r);
	}
	*state = r;
	return 0;
}

/* The kernel sends what the rules need (all of it when every event is
 * printed). */
static void rules_routes(void *state, struct vg_sensor *s)
{
	struct det_rules *r = state;

	if (r->detect && !r->env.opts->print_events)
		vg_info("kernel filter: %d of %u watched syscalls needed by the rules",
			vg_detect_narrow(r->detect, s), vg_syscalls_count);
}

static void rules_event(void *state, const struct vg_event *ev, uint64_t wall_ns)
{
	struct det_rules *r = state;

	if (r->detect)
		vg_detect_event(r->detect, ev, wall_ns, r->env.alert, r->env.alert_ctx);
}

/* Match failures are logged about once a second. */
static void rules_tick(void *state, uint64_t now_ns)
{
	struct det_rules *r = state;

	if (now_ns < r->next_tick_ns)
		return;
	vg_detect_tick(r->detect, now_ns);
	r->next_tick_ns = now_ns + NSEC_PER_SEC;
}

static int rules_status_section(void *ctx, struct json_object *sec)
{
	return vg_detect_status(((struct det_rules *)ctx)->detect, sec);
}

static int rules_status(void *state, struct vg_ctl_registry *reg)
{
	return vg_ctl_add_status(reg, "rules", rules_status_section, state);
}

static void rules_close(void *state)
{
	struct det_rules *r = state;

	vg_detect_free(r->detect);
	free(r);
}

struct vg_detect *vg_det_rules_detect(void *state)
{
	return state ? ((struct det_rules *)state)->detect : NULL;
}

void vg_det_rules_replace(void *state, struct vg_detect *fresh)
{
	struct det_rules *r = state;

	vg_detect_free(r->detect);
	r->detect = fresh;
	bind(r);
}

const struct vg_detector_ops vg_det_rules = {
	.name = "rules",
	.before_sensor = true,
	.open = rules_open,
	.routes = rules_routes,
	.event = rules_event,
	.tick = rules_tick,
	.status = rules_status,
	.close = rules_close,
};
