/* The exec deny list as a detector (detector.h): its own BPF object
 * (response/deny_kernel.h), loaded only when the list has paths. */
#include <stdio.h>
#include <string.h>

#include "monitor/detector.h"
#include "monitor/monitor_opts.h"
#include "response/deny_kernel.h"
#include "util/log.h"

static int deny_open(void **state, const struct vg_detector_env *env)
{
	const struct vg_denylist *list = env->opts->deny;
	struct vg_deny_kernel *deny = NULL;
	const char *why = NULL;
	int ret;

	*state = NULL;
	if (!list || !list->n)
		return 0;
	ret = vg_deny_kernel_open(&deny, list, env->sensor, env->alert, env->alert_ctx,
				  env->hostname, &why);
	if (ret) {
		vg_err("%s: %s", why ? why : "cannot start the exec deny list", strerror(-ret));
		return ret;
	}
	*state = deny;
	return 0;
}

/* A kill whose record was lost is still counted. */
static void deny_report(void *state)
{
	struct vg_deny_kernel_stats st;

	vg_deny_kernel_stats(state, &st);
	fprintf(stderr, "vigil: deny records=%llu drops=%llu malformed=%llu\n",
		(unsigned long long)st.records, (unsigned long long)st.drops,
		(unsigned long long)st.malformed);
}

static void deny_close(void *state)
{
	vg_deny_kernel_close(state);
}

const struct vg_detector_ops vg_det_deny = {
	.name = "deny",
	.open = deny_open,
	.report = deny_report,
	.close = deny_close,
};
