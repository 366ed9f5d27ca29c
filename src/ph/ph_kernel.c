/* Loading the pH programs: open → parameters and map limits → load →
 * attach; their ring buffer is read in the sensor's poll loop. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "ph/ph_alert.h"
#include "ph/ph_kernel.h"
#include "ph/ph_model.h" /* before the skeleton: it uses struct ph_params */
#include "ph.skel.h"

struct vg_ph_kernel {
	struct ph_bpf *skel;
	vg_ph_alert_fn fn;
	void *ctx;
	const char *hostname;
	int64_t boot_to_wall_ns;
	uint64_t alerts, malformed;
	struct vg_ph_alert rendered; /* one record at a time */
	void (*raw_fn)(void *ctx, const struct ph_alert_event *e);
	void *raw_ctx;
};

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct vg_ph_kernel *k = ctx;
	const char *why;

	if (vg_ph_record_check(data, size, &why)) {
		k->malformed++;
		return 0;
	}
	k->alerts++;
	if (k->raw_fn)
		k->raw_fn(k->raw_ctx, data);
	vg_ph_alert_render(&k->rendered, data, k->boot_to_wall_ns, k->hostname);
	if (k->fn)
		k->fn(k->ctx, &k->rendered.alert);
	return 0;
}

static int configure(struct vg_ph_kernel *k, const struct vg_ph_kernel_opts *o, const char **err)
{
	struct ph_bpf *skel = k->skel;
	struct ph_params *p = &skel->bss->ph_params_cfg;
	int ret;

	if (o->plain)
		ph_params_plain(p);
	else
		ph_params_default(p);
	if (o->min_train)
		p->min_train = o->min_train;
	/* the kernel's clock is in ns; saturate, a huge wait means "never" */
	p->normal_wait = o->normal_wait_s > ~0ull / 1000000000ull ? ~0ull
								     : o->normal_wait_s * 1000000000ull;
	if (ph_params_check(p)) {
		*err = "invalid pH parameters";
		return -EINVAL;
	}
	skel->rodata->self_tgid = (uint32_t)getpid();
	ret = bpf_map__set_max_entries(skel->maps.ph_items,
				       o->max_items ? o->max_items : VG_PH_MAX_ITEMS_DEFAULT);
	if (!ret)
		ret = bpf_map__set_max_entries(skel->maps.ph_profiles,
					       o->max_profiles ? o->max_profiles
							       : VG_PH_MAX_PROFILES_DEFAULT);
	if (ret)
		*err = "cannot size the pH maps";
	return ret;
}

int vg_ph_kernel_open(struct vg_ph_kernel **out, const struct vg_ph_kernel_opts *o,
		      struct vg_sensor *sensor, vg_ph_alert_fn fn, void *ctx, const char *hostname,
		      const char **err)
{
	struct vg_ph_kernel *k;
	int ret;

	*out = NULL;
	*err = NULL;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->fn = fn;
	k->ctx = ctx;
	k->hostname = hostname;
	k->boot_to_wall_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);
	k->skel = ph_bpf__open();
	if (!k->skel) {
		*err = "opening the pH BPF object failed";
		ret = -errno;
		goto fail;
	}
	ret = configure(k, o, err);
	if (ret)
		goto fail;
	ret = ph_bpf__load(k->skel);
	if (ret) {
		*err = "loading the pH BPF programs failed (see the libbpf messages above)";
		goto fail;
	}
	ret = vg_sensor_add_ring(sensor, bpf_map__fd(k->skel->maps.ph_alerts), on_record, k);
	if (ret) {
		*err = "reading the pH ring buffer failed";
		goto fail;
	}
	ret = ph_bpf__attach(k->skel);
	if (ret) {
		*err = "attaching the pH programs failed";
		goto fail;
	}
	*out = k;
	return 0;
fail:
	vg_ph_kernel_close(k);
	return ret < 0 ? ret : -EINVAL;
}

void vg_ph_kernel_stats(struct vg_ph_kernel *k, struct vg_ph_kernel_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!k)
		return;
	st->alerts = k->alerts;
	st->malformed = k->malformed;
	st->drops = k->skel->bss->ph_alert_drops;
	st->model_errors = k->skel->bss->ph_model_errors;
	st->profile_errors = k->skel->bss->ph_profile_errors;
	st->profiles = k->skel->bss->ph_next_profile;
}

void vg_ph_kernel_maps(struct vg_ph_kernel *k, struct vg_ph_kernel_maps *m)
{
	m->tasks = bpf_map__fd(k->skel->maps.ph_tasks);
	m->profiles = bpf_map__fd(k->skel->maps.ph_profiles);
	m->items = bpf_map__fd(k->skel->maps.ph_items);
	m->alerts = bpf_map__fd(k->skel->maps.ph_alerts);
}

void vg_ph_kernel_on_record(struct vg_ph_kernel *k,
			    void (*fn)(void *ctx, const struct ph_alert_event *e), void *ctx)
{
	k->raw_fn = fn;
	k->raw_ctx = ctx;
}

void vg_ph_kernel_close(struct vg_ph_kernel *k)
{
	if (!k)
		return;
	ph_bpf__destroy(k->skel); /* detaches, then unloads; accepts NULL */
	free(k);
}
