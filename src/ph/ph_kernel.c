/* pH's kernel side from user space. Its programs and maps are part of the
 * sensor's BPF object (bpf/ph_step.h: its per-call step runs inside the
 * sensor's sys_exit program), so it plugs into the sensor's start as a
 * part (struct vg_sensor_part): parameters and map limits before load;
 * profiles, response list, ring buffer and its own programs (exec, fork,
 * exit, signal delivery) after load, before the sensor attaches. */
#include <errno.h>
#include <stdio.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ph/ph_alert.h"
#include "ph/ph_census.h"
#include "ph/ph_buildid.h"
#include "ph/ph_converge.h"
#include "ph/ph_coverage.h"
#include "ph/ph_incident.h"
#include "ph/ph_kernel.h"
#include "ph/ph_kernel_state.h"
#include "ph/ph_model.h" /* before the skeleton: it uses struct ph_params */
#include "ph/ph_persist.h"
#include "ph/ph_setup.h"
#include "ph/ph_share.h"
#include "ph/ph_window.h"
#include "util/log.h"
#include "util/map_walk.h"
#include "sensor.skel.h"
#include "util/clock.h"
#include "util/macros.h"

/* The model's clock in the kernel: bpf_jiffies64() in ns. jiffies_64
 * starts at INITIAL_JIFFIES (-300 s, as 32 bits) and then follows the
 * monotonic clock tick by tick, so user space can tell it within a tick. */
static __u64 model_clock_now(const struct vg_ph_kernel *k)
{
	uint64_t hz = k->skel->kconfig ? (uint64_t)k->skel->kconfig->CONFIG_HZ : 0;
	uint64_t mono = (uint64_t)(int64_t)vg_clock_ns(CLOCK_MONOTONIC);
	uint64_t jiffies;

	if (!hz)
		hz = 250;
	jiffies = (uint64_t)(uint32_t)(-300 * (int64_t)hz) + mono / (NSEC_PER_SEC / hz);
	return jiffies * (NSEC_PER_SEC / hz);
}

static void on_persist_problem(void *ctx, const char *file, int err, const char *problem)
{
	const struct vg_ph_kernel *k = ctx;

	(void)k;
	vg_warn("pH profile %s: %s (%s)", file, problem, strerror(err < 0 ? -err : err));
}

/* Profiles of earlier runs go into the maps before the programs attach. */
static int persist_open(struct vg_ph_kernel *k, const struct vg_ph_kernel_opts *o,
			const char **err)
{
	struct ph_persist_opts po = {
		.dir = o->state_dir ? o->state_dir : VG_PH_STATE_DIR_DEFAULT,
		.params = &k->skel->data_ph->ph_params_cfg,
		.profiles_fd = bpf_map__fd(k->skel->maps.ph_profiles),
		.items_fd = bpf_map__fd(k->skel->maps.ph_items),
		.max_profiles = o->max_profiles ? o->max_profiles : VG_PH_MAX_PROFILES_DEFAULT,
		.report = on_persist_problem,
		.ctx = k,
	};
	struct ph_persist_stats st;
	int ret;

	ret = ph_persist_new(&k->persist, &po);
	if (ret) {
		*err = "cannot use the pH state directory";
		return ret;
	}
	ret = ph_persist_load(k->persist, &k->skel->data_ph->ph_next_profile, model_clock_now(k));
	if (ret) {
		*err = "cannot read the pH state directory";
		return ret;
	}
	ph_persist_stats(k->persist, &st);
	vg_info("pH: %llu profiles (%llu items) loaded from %s, %llu files skipped",
		(unsigned long long)st.loaded, (unsigned long long)st.items_loaded, po.dir,
		(unsigned long long)st.skipped);
	k->save_interval_ns = o->save_interval_s * NSEC_PER_SEC;
	k->next_save_ns = (uint64_t)(int64_t)vg_clock_ns(CLOCK_MONOTONIC) + k->save_interval_ns;
	return 0;
}

/* A checked record, from the kernel or made here. */
static void deliver(struct vg_ph_kernel *k, const struct ph_alert_event *e)
{
	const void *data = e;

	if (k->raw_fn)
		k->raw_fn(k->raw_ctx, data);
	vg_ph_incidents_record(k->incidents, data, (uint64_t)(int64_t)vg_clock_ns(CLOCK_BOOTTIME));
	if (e->kind == PH_EV_ANOMALY || e->kind == PH_EV_BURST)
		return; /* reported as part of an incident */
	/* a program outside the alert scope learns silently (a response,
	 * which the operator asked for by path, is always told) */
	if (e->kind != PH_EV_RESPONSE && !vg_ph_watch_has(k->watch, &e->exe) &&
	    !vg_ph_incidents_in_scope(k->incidents, e->pid, e->exe.ino))
		return;
	vg_ph_alert_render(&k->rendered, data, k->boot_to_wall_ns, k->hostname,
			   vg_ph_incidents_exe_of(k->incidents, e->pid, e->exe.ino));
	vg_ph_watch_alert(k->watch, e, &k->rendered.alert); /* never disabled quietly */
	if (k->fn)
		k->fn(k->ctx, &k->rendered.alert);
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
	deliver(k, data);
	return 0;
}

/* Called for each load attempt (the sensor retries without its io_uring
 * programs when the verifier refuses them): state made here is made once. */
static int part_configure(void *ctx, struct sensor_bpf *skel, const char **err)
{
	struct vg_ph_kernel *k = ctx;
	const struct vg_ph_kernel_opts *o = &k->opts;
	int ret;

	k->skel = skel;
	vg_ph_setup_leave_out_missing(skel);
	if (k->incidents)
		return vg_ph_setup_configure(skel, o, err);
	if (vg_ph_incidents_new(&k->incidents, k->hostname, k->boot_to_wall_ns, k->fn, k->ctx)) {
		*err = "no memory for pH incidents";
		return -ENOMEM;
	}
	if (vg_ph_incidents_set_scope(k->incidents, (enum vg_ph_scope)o->alert_scope, o->watch,
				      o->nwatch)) {
		*err = "the pH watch list takes at most 256 absolute paths";
		return -EINVAL;
	}
	ret = vg_ph_setup_configure(skel, o, err); /* its evidence threshold is the incidents' */
	vg_ph_incidents_set_threshold(k->incidents, ph_episode_lfc(&skel->data_ph->ph_params_cfg));
	return ret;
}

/* After load: the maps are filled before any program runs; pH's own
 * programs (signal delivery, io_uring) attach before the sensor's, which
 * run pH's steps at exec, fork, exit and every system call. */
static int part_start(void *ctx, struct vg_sensor *sensor, struct sensor_bpf *skel,
		      const char **err)
{
	struct vg_ph_kernel *k = ctx;
	struct bpf_program *progs[PH_PROGS];
	const char *tps[PH_PROGS];
	const struct vg_ph_kernel_opts *o = &k->opts;
	int ret;

	vg_ph_setup_programs(skel, progs, tps);
	if (o->response_sig) {
		ret = vg_ph_setup_response_exes(skel, o, err);
		if (ret)
			return ret;
	}
	if (!o->no_persist) {
		ret = persist_open(k, o, err);
		if (ret)
			return ret;
	}
	if ((ret = vg_ph_watch_new(&k->watch, o, skel, model_clock_now(k), err)))
		return ret;
	ret = vg_sensor_add_ring(sensor, bpf_map__fd(skel->maps.ph_alerts), on_record, k);
	if (ret) {
		*err = "reading the pH ring buffer failed";
		return ret;
	}
	for (int i = 0; i < PH_PROGS; i++) {
		if (!bpf_program__autoload(progs[i]))
			continue; /* its hook is missing here */
		k->links[i] = bpf_program__attach(progs[i]);
		if (!k->links[i]) {
			k->links[i] = NULL;
			*err = "attaching the pH programs failed";
			return -errno;
		}
	}
	if (o->learning_window_s &&
	    (ret = vg_ph_window_new(&k->window, bpf_map__fd(k->skel->maps.ph_profiles),
				    bpf_map__fd(k->skel->maps.ph_items),
				    o->learning_window_s * NSEC_PER_SEC,
				    (uint64_t)(int64_t)vg_clock_ns(CLOCK_MONOTONIC)))) {
		*err = "no memory for the pH learning window";
		return ret;
	}
	{
		struct vg_ph_census_map profiles = { bpf_map__fd(skel->maps.ph_profiles),
						      sizeof(struct ph_exe_key),
						      sizeof(struct ph_profile) };
		struct vg_ph_census_map items = { bpf_map__fd(skel->maps.ph_items),
						   sizeof(struct ph_item_key), sizeof(__u64) };

		ret = vg_ph_census_start(&k->census, &profiles, &items);
		if (ret) {
			*err = "cannot start the thread that counts pH's profiles and items";
			return ret;
		}
	}
	k->attached = true;
	return 0;
}

int vg_ph_kernel_new(struct vg_ph_kernel **out, const struct vg_ph_kernel_opts *o,
		     vg_alert_fn fn, void *ctx, const char *hostname)
{
	struct vg_ph_kernel *k;

	*out = NULL;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->opts = *o;
	k->fn = fn;
	k->ctx = ctx;
	k->hostname = hostname;
	k->boot_to_wall_ns = (int64_t)vg_clock_ns(CLOCK_REALTIME) - (int64_t)vg_clock_ns(CLOCK_BOOTTIME);
	k->part.configure = part_configure;
	k->part.start = part_start;
	k->part.ctx = k;
	*out = k;
	return 0;
}

const struct vg_sensor_part *vg_ph_kernel_part(struct vg_ph_kernel *k)
{
	return k ? &k->part : NULL;
}

/* A new executable whose build-id (or content hash) has a settled profile
 * under another device and inode starts with a copy of it (docs/ph.md,
 * "Profiles keyed by build-id"). */
static void share_from_twin(struct vg_ph_kernel *k, uint64_t dev, uint64_t ino, const char *path)
{
	struct vg_ph_exchange x = { bpf_map__fd(k->skel->maps.ph_profiles),
				    bpf_map__fd(k->skel->maps.ph_items), vg_ph_kernel_params(k, NULL),
				    model_clock_now(k) };
	struct ph_exe_key twin, to = { .dev = dev, .ino = ino };
	char err[256] = "", id[2 * VG_PH_BUILD_ID_MAX + 1];
	long n;

	if (!ph_persist_twin(k->persist, dev, ino, path, &twin))
		return;
	n = vg_ph_share_profile(&x, &k->skel->data_ph->ph_next_profile,
				ph_persist_dir(k->persist), &twin, &to, NULL, err, sizeof(err));
	if (n < 0) {
		vg_warn("pH: %s (%llu:%llu): cannot take the profile of its build-id twin "
			"%llu:%llu: %s",
			path, (unsigned long long)dev, (unsigned long long)ino,
			(unsigned long long)twin.dev, (unsigned long long)twin.ino, err);
		return;
	}
	k->shared++;
	vg_ph_kernel_profiles_changed(k); /* the tasks' cached state is stale */
	/* no build-id: the same content (ph_buildid.h) */
	vg_ph_kernel_build_id(k, dev, ino, id, sizeof(id));
	vg_info("pH: %s (%llu:%llu) starts with the profile of %llu:%llu, same %s (%ld items)",
		path, (unsigned long long)dev, (unsigned long long)ino,
		(unsigned long long)twin.dev, (unsigned long long)twin.ino,
		strncmp(id, "sha256:", 7) ? "build-id" : "content (sha256)", n);
}

void vg_ph_kernel_note_exe(struct vg_ph_kernel *k, uint64_t dev, uint64_t ino, const char *path)
{
	vg_ph_watch_note_exe(k ? k->watch : NULL, dev, ino, path);
	if (!k || !k->persist || !path || !path[0])
		return;
	ph_persist_note_exe(k->persist, dev, ino, path);
	share_from_twin(k, dev, ino, path);
}

int vg_ph_kernel_build_id(struct vg_ph_kernel *k, uint64_t dev, uint64_t ino, char *hex,
			  size_t size)
{
	unsigned char bid[VG_PH_BUILD_ID_MAX];
	int n = ph_persist_build_id(k ? k->persist : NULL, dev, ino, bid, sizeof(bid));

	vg_ph_build_id_hex(bid, n > 0 ? (size_t)n : 0, hex, size);
	return n;
}

static void *save_thread(void *arg)
{
	struct vg_ph_kernel *k = arg;

	ph_persist_save(k->persist, k->save_clock); /* problems are reported */
	atomic_store(&k->save_done, true);
	return NULL;
}

static void join_saver(struct vg_ph_kernel *k)
{
	if (!k->saving)
		return;
	pthread_join(k->saver, NULL);
	k->saving = false;
}

const struct ph_params *vg_ph_kernel_params(struct vg_ph_kernel *k, const struct ph_exe_key *key)
{
	return k ? vg_ph_watch_params(k->watch, key, &k->skel->data_ph->ph_params_cfg) : NULL;
}

__u64 vg_ph_kernel_model_now(struct vg_ph_kernel *k)
{
	return k ? model_clock_now(k) : 0;
}

void vg_ph_kernel_foreach_path(struct vg_ph_kernel *k,
			       void (*fn)(void *ctx, __u64 dev, __u64 ino, const char *path),
			       void *ctx)
{
	if (k)
		ph_persist_foreach_exe(k->persist, fn, ctx);
}

void vg_ph_kernel_set_proc(struct vg_ph_kernel *k, vg_ph_proc_fn fn, void *ctx)
{
	if (!k)
		return;
	k->proc_fn = fn;
	k->proc_ctx = ctx;
	vg_ph_incidents_set_proc(k->incidents, fn, ctx);
	vg_ph_incidents_read_proc_parents(k->incidents, 1);
}

/* Runs for normal by coverage: an exec of a program, a connection a
 * program accepted. */
static void count_run(struct vg_ph_kernel *k, const struct vg_event *ev)
{
	struct vg_ph_proc_info pi;

	if (!k->coverage)
		return;
	if (ev->u.hdr.type == VG_EV_EXEC) {
		vg_ph_coverage_run(k->coverage, ev->u.exec.exe_ino);
	} else if (ev->u.hdr.type == VG_EV_ACCEPT && k->proc_fn) {
		memset(&pi, 0, sizeof(pi));
		if (!k->proc_fn(k->proc_ctx, ev->u.hdr.pid, &pi) && pi.exe_ino)
			vg_ph_coverage_run(k->coverage, pi.exe_ino);
	}
}

void vg_ph_kernel_note_event(struct vg_ph_kernel *k, const struct vg_event *ev)
{
	if (!k)
		return;
	vg_ph_incidents_event(k->incidents, ev);
	count_run(k, ev);
}

static void window_profile(void *ctx, const struct ph_exe_key *key, const struct ph_profile *p,
			   int normalized, uint64_t recent)
{
	struct vg_ph_kernel *k = ctx;
	const char *path = vg_ph_incidents_known_exe(k->incidents, key->dev, key->ino);

	(void)p;
	if (normalized)
		vg_debug("pH learning window: %s (%llu:%llu:%llu) normal", path ? path : "?",
			 (unsigned long long)(key->dev >> 20),
			 (unsigned long long)(key->dev & 0xfffff), (unsigned long long)key->ino);
	else
		vg_info("pH learning window: still changing: %s (%llu:%llu:%llu), %llu new items "
			"in the last quarter of the window; it keeps training",
			path ? path : "(path unknown)", (unsigned long long)(key->dev >> 20),
			(unsigned long long)(key->dev & 0xfffff), (unsigned long long)key->ino,
			(unsigned long long)recent);
}

/* At the end of the learning window: the settled profiles become normal. */
static void window_tick(struct vg_ph_kernel *k)
{
	struct vg_ph_window_result r;

	if (!k->window || !k->attached)
		return;
	if (!vg_ph_window_tick(k->window, (uint64_t)(int64_t)vg_clock_ns(CLOCK_MONOTONIC),
			       &k->skel->data_ph->ph_params_cfg, window_profile, k, &r))
		return;
	vg_ph_kernel_profiles_changed(k); /* the tasks' cached state is stale */
	vg_info("pH learning window over: %llu profiles normal now, %llu still changing, %llu "
		"with too little traffic, %llu normal already",
		(unsigned long long)r.normalized, (unsigned long long)r.changing,
		(unsigned long long)r.too_small, (unsigned long long)r.already_normal);
}

static int sample_one(const void *key, const void *value, void *ctx)
{
	struct vg_ph_kernel *k = ctx;
	uint64_t now = (uint64_t)(int64_t)vg_clock_ns(CLOCK_MONOTONIC);
	struct ph_exe_key exe;
	struct ph_profile p;

	memcpy(&p, value, sizeof(p));
	memcpy(&exe, key, sizeof(exe));
	vg_ph_converge_note(k->converge, &p, now);
	if (vg_ph_watch_coverage_note(k->watch, k->coverage, &exe, &p,
				      &k->skel->data_ph->ph_params_cfg, now) &&
	    k->ndue < VG_PH_COVERAGE_DUE_MAX)
		k->due[k->ndue++] = exe; /* made normal after the walk */
	return 0;
}

/* A profile that covered enough runs becomes normal, told as the kernel
 * tells it: a "profile normal" record. */
static void normal_by_coverage(struct vg_ph_kernel *k, const struct ph_exe_key *key)
{
	int fd = bpf_map__fd(k->skel->maps.ph_profiles);
	struct vg_ph_coverage_state cs;
	struct ph_alert_event e;
	struct ph_profile p;
	const char *path, *base;

	if (bpf_map_lookup_elem(fd, key, &p) || (p.status & PH_PROFILE_NORMAL) ||
	    !(p.status & PH_PROFILE_FROZEN))
		return;
	ph_profile_start_normal(&p);
	/* replaces the whole value, as the admin actions do */
	if (bpf_map_update_elem(fd, key, &p, BPF_EXIST))
		return;
	vg_ph_kernel_profiles_changed(k); /* the tasks' cached state is stale */
	k->coverage_normal++;
	vg_ph_coverage_get(k->coverage, key->ino, &cs);
	path = vg_ph_incidents_known_exe(k->incidents, key->dev, key->ino);
	vg_info("pH: %s (%llu:%llu:%llu) normal by coverage: %u runs (%u blocks of calls) and "
		"%llu calls without a new sequence",
		path ? path : "(path unknown)", (unsigned long long)(key->dev >> 20),
		(unsigned long long)(key->dev & 0xfffff), (unsigned long long)key->ino, cs.runs,
		cs.call_runs, (unsigned long long)(p.train_count - p.last_mod_count));
	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	e.kind = PH_EV_NORMAL;
	e.ts_ns = (uint64_t)(int64_t)vg_clock_ns(CLOCK_BOOTTIME);
	e.exe = *key;
	e.profile_id = p.id;
	e.profile_calls = p.calls;
	e.status = p.status;
	e.window_size = (k->skel->data_ph->ph_params_cfg.model & PH_MODEL_NGRAM) &&
					k->skel->data_ph->ph_params_cfg.model != PH_MODEL_BOTH
				? k->skel->data_ph->ph_params_cfg.ngram
				: k->skel->data_ph->ph_params_cfg.window;
	base = path ? strrchr(path, '/') : NULL;
	snprintf(e.comm, sizeof(e.comm), "%s", base ? base + 1 : "?");
	deliver(k, &e);
}

/* Every 10 s: a walk of the profile map (one batch read per thousands of
 * profiles), for the convergence rates `vigil profiles` shows. */
static void converge_tick(struct vg_ph_kernel *k)
{
	uint64_t now = (uint64_t)(int64_t)vg_clock_ns(CLOCK_MONOTONIC);

	if (!k->skel || !k->attached || now < k->next_sample_ns)
		return;
	if (!k->converge &&
	    vg_ph_converge_new(&k->converge, k->opts.max_profiles ? k->opts.max_profiles
								   : VG_PH_MAX_PROFILES_DEFAULT))
		return;
	if (!k->coverage &&
	    vg_ph_coverage_new(&k->coverage,
			       k->opts.max_profiles ? k->opts.max_profiles : VG_PH_MAX_PROFILES_DEFAULT,
			       k->opts.coverage_runs, VG_PH_COVERAGE_IDLE_NS))
		return;
	vg_ph_coverage_set_blocks(k->coverage, k->opts.coverage_calls,
				  k->opts.coverage_block_s * NSEC_PER_SEC);
	k->next_sample_ns = now + 10ull * NSEC_PER_SEC;
	k->ndue = 0;
	vg_map_walk(bpf_map__fd(k->skel->maps.ph_profiles), sizeof(struct ph_exe_key),
		    sizeof(struct ph_profile), 0, sample_one, k);
	for (unsigned i = 0; i < k->ndue; i++)
		normal_by_coverage(k, &k->due[i]);
}

void vg_ph_kernel_coverage(struct vg_ph_kernel *k, uint64_t ino, struct vg_ph_coverage_state *st,
			   uint32_t *runs_needed)
{
	vg_ph_coverage_get(k ? k->coverage : NULL, ino, st);
	*runs_needed = k ? vg_ph_watch_coverage_runs(k->watch, ino, k->opts.coverage_runs) : 0;
}

uint64_t vg_ph_kernel_coverage_eta_s(struct vg_ph_kernel *k, uint32_t runs, uint32_t needed,
				     uint64_t calls_per_s)
{
	return vg_ph_coverage_eta_s(k ? k->coverage : NULL, runs, needed, calls_per_s);
}

int vg_ph_kernel_converge_sample(struct vg_ph_kernel *k, const struct ph_profile *p,
				 struct vg_ph_sample *then)
{
	return k ? vg_ph_converge_get(k->converge, p, then) : 0;
}

void vg_ph_kernel_tick(struct vg_ph_kernel *k)
{
	uint64_t now;

	if (k) {
		vg_ph_incidents_tick(k->incidents, (uint64_t)(int64_t)vg_clock_ns(CLOCK_BOOTTIME));
		window_tick(k);
		converge_tick(k);
	}
	if (!k || !k->skel || !k->persist || !k->attached || !k->save_interval_ns)
		return;
	now = (uint64_t)(int64_t)vg_clock_ns(CLOCK_MONOTONIC);
	if (k->saving) {
		if (!atomic_load(&k->save_done))
			return; /* still writing: the next one waits its turn */
		join_saver(k);
		k->next_save_ns = now + k->save_interval_ns;
	}
	if (now < k->next_save_ns)
		return;
	k->save_clock = model_clock_now(k);
	atomic_store(&k->save_done, false);
	if (pthread_create(&k->saver, NULL, save_thread, k) == 0) {
		k->saving = true;
		return;
	}
	ph_persist_save(k->persist, k->save_clock); /* no thread: save here */
	k->next_save_ns = (uint64_t)(int64_t)vg_clock_ns(CLOCK_MONOTONIC) + k->save_interval_ns;
}

static void detach(struct vg_ph_kernel *k)
{
	for (int i = 0; i < PH_PROGS; i++) {
		bpf_link__destroy(k->links[i]); /* accepts NULL */
		k->links[i] = NULL;
	}
	k->attached = false;
}

void vg_ph_kernel_stop(struct vg_ph_kernel *k)
{
	if (!k)
		return;
	join_saver(k);
	if (!k->attached)
		return;
	/* stopped first: the profiles do not move while they are written.
	 * The per-call step is in the sensor's program, which goes on: it
	 * returns at once from now on. */
	k->skel->data_ph->ph_stopped = 1;
	detach(k);
	vg_ph_incidents_flush(k->incidents); /* what is still held goes out */
	if (k->persist)
		ph_persist_save(k->persist, model_clock_now(k));
}

void vg_ph_kernel_profiles_changed(struct vg_ph_kernel *k)
{
	/* the BPF side bumps it with an atomic add too */
	__atomic_fetch_add(&k->skel->data_ph->ph_epoch_now, 1, __ATOMIC_SEQ_CST);
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
	join_saver(k); /* it uses the maps */
	vg_ph_census_stop(k->census);
	detach(k);	/* the maps and programs are the sensor's to free */
	ph_persist_free(k->persist);
	vg_ph_incidents_free(k->incidents);
	vg_ph_window_free(k->window);
	vg_ph_converge_free(k->converge);
	vg_ph_coverage_free(k->coverage);
	vg_ph_watch_free(k->watch);
	free(k);
}
