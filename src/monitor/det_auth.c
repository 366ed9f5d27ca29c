/* Authentication monitoring as a detector (detector.h): uprobes on libpam
 * (auth/auth_kernel.h). On by default; a failure to load is reported and
 * the monitor runs on without it. */
#include <stdio.h>
#include <string.h>

#include "auth/auth_kernel.h"
#include "monitor/detector.h"
#include "monitor/monitor_opts.h"
#include "util/log.h"

static int auth_open(void **state, const struct vg_detector_env *env)
{
	struct vg_auth_opts o = env->opts->auth_opts;
	struct vg_auth *auth = NULL;
	const char *why = NULL;
	int ret;

	*state = NULL;
	if (env->opts->no_auth)
		return 0;
	o.events = env->opts->print_events;
	o.detect.hostname = env->hostname;
	if (!o.detect.failures)
		o.detect.failures = VG_AUTH_FAILURES_DEFAULT;
	if (!o.detect.window_s)
		o.detect.window_s = VG_AUTH_WINDOW_DEFAULT_S;
	if (!o.detect.max_keys)
		o.detect.max_keys = VG_AUTH_KEYS_DEFAULT;
	ret = vg_auth_open(&auth, &o, env->sensor, env->procs, env->alert, env->alert_ctx, &why);
	if (ret)
		vg_warn("%s: %s; running without authentication monitoring",
			why ? why : "cannot start the libpam probes", strerror(-ret));
	*state = auth;
	return 0;
}

static void auth_tick(void *state, uint64_t now_ns)
{
	vg_auth_tick(state, now_ns);
}

static void auth_stop(void *state)
{
	vg_auth_detach_begin(state); /* slow in the kernel: overlaps the exit */
}

static void auth_report(void *state)
{
	struct vg_auth_stats st;

	vg_auth_stats(state, &st);
	fprintf(stderr,
		"vigil: auth records=%llu alerts=%llu drops=%llu malformed=%llu state_errors=%llu "
		"probes=%d attaches=%llu\n",
		(unsigned long long)st.records, (unsigned long long)st.alerts,
		(unsigned long long)st.drops, (unsigned long long)st.malformed,
		(unsigned long long)st.state_errors, st.probes, (unsigned long long)st.attaches);
}

static void auth_close(void *state)
{
	vg_auth_close(state);
}

const struct vg_detector_ops vg_det_auth = {
	.name = "auth",
	.open = auth_open,
	.tick = auth_tick,
	.stop = auth_stop,
	.report = auth_report,
	.close = auth_close,
};
