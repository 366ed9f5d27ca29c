/* The reload thread (reload.h). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "monitor/detect.h"
#include "monitor/monitor.h"
#include "monitor/reload.h"
#include "util/log.h"

struct vg_reload {
	const struct vg_monitor_opts *mo;
	pthread_t thread;
	atomic_bool done;
	struct vg_reload_result res;
};

static void *reload_main(void *arg)
{
	struct vg_reload *r = arg;
	const struct vg_monitor_opts *mo = r->mo;
	const char *const *files = mo->rules_files;
	unsigned nfiles = mo->nrules_files;

	/* reload_prepare reads and checks the file only; what it names is
	 * applied by the loop (reload_apply) */
	if (mo->reload_prepare)
		r->res.config = mo->reload_prepare(mo->reload_ctx, &files, &nfiles);
	if (nfiles) {
		vg_info("reloading rules");
		r->res.rules_read = true;
		r->res.nrules_files = nfiles;
		if (vg_detect_load(&r->res.detect, files, nfiles)) {
			r->res.detect = NULL;
			vg_err("the new rules have errors: keeping the rules already running");
		}
	}
	atomic_store(&r->done, true);
	return NULL;
}

int vg_reload_start(struct vg_reload **out, const struct vg_monitor_opts *mo)
{
	struct vg_reload *r = calloc(1, sizeof(*r));
	int ret;

	*out = NULL;
	if (!r)
		return -ENOMEM;
	r->mo = mo;
	ret = pthread_create(&r->thread, NULL, reload_main, r);
	if (ret) {
		free(r);
		return -ret;
	}
	*out = r;
	return 0;
}

bool vg_reload_poll(struct vg_reload *r, struct vg_reload_result *res)
{
	if (!atomic_load(&r->done))
		return false;
	pthread_join(r->thread, NULL);
	*res = r->res;
	free(r);
	return true;
}

void vg_reload_abandon(struct vg_reload *r)
{
	struct vg_reload_result res;

	if (!r)
		return;
	if (vg_reload_poll(r, &res)) {
		vg_detect_free(res.detect);
		/* res.config stays with its owner's reload_apply never called:
		 * the process is ending */
		return;
	}
	vg_warn("exiting while a reload is still being read: it is abandoned");
	pthread_detach(r->thread);
}
