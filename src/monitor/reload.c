/* The reload thread (reload.h). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "monitor/detect.h"
#include "monitor/monitor_opts.h"
#include "monitor/reload.h"
#include "util/clock.h"
#include "util/log.h"

enum { RUNNING, DONE, ABANDONED };

struct vg_reload {
	const struct vg_monitor_opts *mo;
	pthread_t thread;
	atomic_int state; /* RUNNING, then DONE (the thread) or ABANDONED (the loop) */
	uint64_t started_ms;
	struct vg_reload_result res;
};

/* What an abandoned reload read is thrown away by its own thread. */
static void discard(struct vg_reload *r)
{
	vg_detect_free(r->res.detect);
	if (r->res.config && r->mo->reload_discard)
		r->mo->reload_discard(r->mo->reload_ctx, r->res.config);
	free(r);
}

static void *reload_main(void *arg)
{
	struct vg_reload *r = arg;
	const struct vg_monitor_opts *mo = r->mo;
	const char *const *files = mo->rules_files;
	unsigned nfiles = mo->nrules_files;
	char **own = NULL;
	int running = RUNNING;

	/* reload_prepare reads and checks the file only; what it names is
	 * applied by the loop (reload_apply) */
	if (mo->reload_prepare)
		r->res.config = mo->reload_prepare(mo->reload_ctx, &files, &nfiles);
	/* the names, copied: an abandoned reload may outlive the
	 * configuration they came from */
	if (nfiles && (own = calloc(nfiles, sizeof(*own)))) {
		for (unsigned i = 0; i < nfiles; i++)
			if (!(own[i] = strdup(files[i])))
				nfiles = i;
	}
	if (nfiles && own) {
		vg_info("reloading rules");
		r->res.rules_read = true;
		r->res.nrules_files = nfiles;
		if (vg_detect_load(&r->res.detect, (const char *const *)own, nfiles)) {
			r->res.detect = NULL;
			vg_err("the new rules have errors: keeping the rules already running");
		}
	} else if (nfiles) {
		vg_err("reloading rules: out of memory: keeping the rules already running");
	}
	for (unsigned i = 0; own && i < r->res.nrules_files; i++)
		free(own[i]);
	free(own);
	if (!atomic_compare_exchange_strong(&r->state, &running, DONE))
		discard(r); /* the loop gave up on it (vg_reload_abandon) */
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
	r->started_ms = vg_clock_ns(CLOCK_MONOTONIC) / 1000000;
	atomic_init(&r->state, RUNNING);
	ret = pthread_create(&r->thread, NULL, reload_main, r);
	if (ret) {
		free(r);
		return -ret;
	}
	*out = r;
	return 0;
}

uint64_t vg_reload_age_ms(const struct vg_reload *r)
{
	return vg_clock_ns(CLOCK_MONOTONIC) / 1000000 - r->started_ms;
}

bool vg_reload_poll(struct vg_reload *r, struct vg_reload_result *res)
{
	if (atomic_load(&r->state) != DONE)
		return false;
	pthread_join(r->thread, NULL);
	*res = r->res;
	free(r);
	return true;
}

void vg_reload_abandon(struct vg_reload *r)
{
	struct vg_reload_result res;
	const struct vg_monitor_opts *mo;
	int running = RUNNING;

	if (!r)
		return;
	mo = r->mo;
	if (atomic_compare_exchange_strong(&r->state, &running, ABANDONED)) {
		/* still reading: its thread throws the result away when done */
		pthread_detach(r->thread);
		return;
	}
	if (vg_reload_poll(r, &res)) { /* frees r */
		vg_detect_free(res.detect);
		if (res.config && mo->reload_discard)
			mo->reload_discard(mo->reload_ctx, res.config);
	}
}
