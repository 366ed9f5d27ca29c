/* The watch list's per-program settings (ph_watch.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ph/ph_coverage.h"
#include "ph/ph_model.h" /* before the skeleton: it uses struct ph_params */
#include "ph/ph_watch.h"
#include "sensor/syscalls.h"
#include "util/log.h"
#include "sensor.skel.h"
#include "util/macros.h"

struct watch_entry {
	char *path;
	uint64_t normal_wait_s, coverage_runs; /* VG_PH_WATCH_UNSET: global */
	int kernel;		 /* has settings the kernel uses */
	struct ph_params params; /* the global ones with its settings */
	struct ph_exe_key keys[VG_PH_WATCH_KEYS_MAX];
	unsigned nkeys;
};

struct vg_ph_watch {
	int params_fd;	 /* ph_watch_params */
	int profiles_fd; /* ph_profiles */
	__u64 *filter;	 /* ph_watch_filter, in the mapped data section */
	__u64 *epoch;	 /* ph_epoch_now: bumped when a profile's normal time moves */
	unsigned filter_words;
	unsigned n;
	struct watch_entry e[];
};

static int has_kernel_settings(const struct vg_ph_watch_opt *o)
{
	return o->normal_wait_s != VG_PH_WATCH_UNSET || o->anomaly_limit != VG_PH_WATCH_UNSET ||
	       o->nignore_calls > 0;
}

/* The call numbers pH sees (the model folds numbers above PH_CALL_MAX). */
static int call_nr(const char *name)
{
	int nr = vg_syscall_nr(name);

	return nr >= 0 && nr <= PH_CALL_MAX ? nr : -1;
}

int vg_ph_watch_configure(struct sensor_bpf *skel, const struct vg_ph_kernel_opts *o,
			  const char **err)
{
	unsigned on = 0;

	for (unsigned i = 0; o->watch_opts && i < o->nwatch; i++) {
		const struct vg_ph_watch_opt *w = &o->watch_opts[i];

		for (unsigned j = 0; j < w->nignore_calls; j++)
			if (call_nr(w->ignore_calls[j]) < 0) {
				vg_err("ph.watch %s: '%s' is not a system call pH can ignore",
				       w->path, w->ignore_calls[j]);
				*err = "bad ph.watch ignore_calls";
				return -EINVAL;
			}
		on |= has_kernel_settings(w);
	}
	skel->rodata->ph_watch_on = on;
	return 0;
}

static void build_params(struct watch_entry *e, const struct vg_ph_watch_opt *o,
			 const struct ph_params *global)
{
	e->params = *global;
	if (o->normal_wait_s != VG_PH_WATCH_UNSET) /* saturate: huge means never */
		e->params.normal_wait = o->normal_wait_s > ~0ull / NSEC_PER_SEC
						? ~0ull
						: o->normal_wait_s * NSEC_PER_SEC;
	if (o->anomaly_limit != VG_PH_WATCH_UNSET)
		e->params.anomaly_limit =
		    o->anomaly_limit > UINT32_MAX ? UINT32_MAX : (uint32_t)o->anomaly_limit;
	for (unsigned j = 0; j < o->nignore_calls; j++)
		ph_call_ignore(&e->params, (__u32)call_nr(o->ignore_calls[j]));
	e->kernel = has_kernel_settings(o);
}

/* A profile frozen under the global wait gets the program's shorter one
 * from now: normal at now + its wait, if that is sooner. */
static unsigned pull_normal_time(struct vg_ph_watch *w, const struct watch_entry *e,
				 const struct ph_exe_key *key, uint64_t now)
{
	uint64_t wait = e->params.normal_wait;
	uint64_t at = now > ~0ull - wait ? ~0ull : now + wait;
	struct ph_profile p;

	if (e->normal_wait_s == VG_PH_WATCH_UNSET ||
	    bpf_map_lookup_elem(w->profiles_fd, key, &p) || !(p.status & PH_PROFILE_FROZEN) ||
	    (p.status & PH_PROFILE_NORMAL) || p.normal_time <= at)
		return 0;
	p.normal_time = at;
	/* replaces the whole value, as the admin actions do */
	if (bpf_map_update_elem(w->profiles_fd, key, &p, BPF_EXIST))
		return 0;
	/* the tasks' cached profile state is stale (the BPF side bumps it
	 * with an atomic add too) */
	__atomic_fetch_add(w->epoch, 1, __ATOMIC_SEQ_CST);
	return 1;
}

/* Entry e follows the file key too: its parameters go into the kernel. */
static unsigned add_key(struct vg_ph_watch *w, struct watch_entry *e, const struct ph_exe_key *key,
			uint64_t now)
{
	for (unsigned i = 0; i < e->nkeys; i++)
		if (e->keys[i].dev == key->dev && e->keys[i].ino == key->ino)
			return 0;
	if (e->nkeys == VG_PH_WATCH_KEYS_MAX) { /* the oldest file is likely gone */
		if (e->kernel)
			bpf_map_delete_elem(w->params_fd, &e->keys[0]);
		memmove(&e->keys[0], &e->keys[1], sizeof(e->keys[0]) * (VG_PH_WATCH_KEYS_MAX - 1));
		e->nkeys--;
	}
	e->keys[e->nkeys++] = *key;
	if (!e->kernel)
		return 0;
	if (bpf_map_update_elem(w->params_fd, key, &e->params, BPF_ANY)) {
		vg_warn("pH: ph.watch %s: its settings cannot go into the kernel: %s",
			e->path, strerror(errno));
		return 0;
	}
	/* after the entry: a set bit means "look it up" (bpf/ph_watch.h) */
	__atomic_fetch_or(&w->filter[(key->ino >> 6) % w->filter_words], 1ull << (key->ino & 63),
			  __ATOMIC_SEQ_CST);
	return pull_normal_time(w, e, key, now);
}

int vg_ph_watch_new(struct vg_ph_watch **out, const struct vg_ph_kernel_opts *o,
		    struct sensor_bpf *skel, uint64_t now, const char **err)
{
	struct vg_ph_watch *w;
	struct stat st;

	*out = NULL;
	if (!o->watch_opts || !o->nwatch)
		return 0;
	w = calloc(1, sizeof(*w) + o->nwatch * sizeof(w->e[0]));
	if (!w) {
		*err = "no memory for the pH watch list";
		return -ENOMEM;
	}
	w->params_fd = bpf_map__fd(skel->maps.ph_watch_params);
	w->profiles_fd = bpf_map__fd(skel->maps.ph_profiles);
	w->filter = skel->data_ph->ph_watch_filter;
	w->filter_words = ARRAY_SIZE(skel->data_ph->ph_watch_filter);
	w->epoch = &skel->data_ph->ph_epoch_now;
	w->n = o->nwatch;
	for (unsigned i = 0; i < w->n; i++) {
		struct watch_entry *e = &w->e[i];
		struct ph_exe_key key;

		e->path = strdup(o->watch_opts[i].path);
		if (!e->path) {
			vg_ph_watch_free(w);
			*err = "no memory for the pH watch list";
			return -ENOMEM;
		}
		e->normal_wait_s = o->watch_opts[i].normal_wait_s;
		e->coverage_runs = o->watch_opts[i].coverage_runs;
		build_params(e, &o->watch_opts[i], &skel->data_ph->ph_params_cfg);
		if (stat(e->path, &st) || !S_ISREG(st.st_mode)) {
			vg_info("pH: ph.watch %s: no such program yet; its settings apply once it "
				"runs",
				e->path);
			continue;
		}
		/* the kernel's dev_t: 12 bits of major, 20 of minor */
		key.dev = ((__u64)major(st.st_dev) << 20) | minor(st.st_dev);
		key.ino = st.st_ino;
		add_key(w, e, &key, now);
	}
	*out = w;
	return 0;
}

void vg_ph_watch_free(struct vg_ph_watch *w)
{
	for (unsigned i = 0; w && i < w->n; i++)
		free(w->e[i].path);
	free(w);
}

void vg_ph_watch_note_exe(struct vg_ph_watch *w, uint64_t dev, uint64_t ino, const char *path)
{
	struct ph_exe_key key = { .dev = dev, .ino = ino };

	if (!w || !path)
		return;
	/* a new file's profile is new, or a build-id twin's copy made after
	 * this (ph_share.h) under its own wait: no normal time to pull in */
	for (unsigned i = 0; i < w->n; i++)
		if (w->e[i].path && !strcmp(w->e[i].path, path)) {
			add_key(w, &w->e[i], &key, ~0ull);
			return;
		}
}

static const struct watch_entry *find(const struct vg_ph_watch *w, uint64_t dev, uint64_t ino,
				      int any_dev)
{
	for (unsigned i = 0; w && i < w->n; i++)
		for (unsigned j = 0; j < w->e[i].nkeys; j++)
			if (w->e[i].keys[j].ino == ino && (any_dev || w->e[i].keys[j].dev == dev))
				return &w->e[i];
	return NULL;
}

int vg_ph_watch_has(const struct vg_ph_watch *w, const struct ph_exe_key *key)
{
	return find(w, key->dev, key->ino, 0) != NULL;
}

const struct ph_params *vg_ph_watch_params(const struct vg_ph_watch *w,
					   const struct ph_exe_key *key,
					   const struct ph_params *global)
{
	const struct watch_entry *e = key ? find(w, key->dev, key->ino, 0) : NULL;

	return e && e->kernel ? &e->params : global;
}

/* The process table and coverage name files by inode only. */
uint32_t vg_ph_watch_coverage_runs(const struct vg_ph_watch *w, uint64_t ino, uint32_t global)
{
	const struct watch_entry *e = find(w, 0, ino, 1);

	if (!e || e->coverage_runs == VG_PH_WATCH_UNSET)
		return global;
	return e->coverage_runs > UINT32_MAX ? UINT32_MAX : (uint32_t)e->coverage_runs;
}

int vg_ph_watch_coverage_note(const struct vg_ph_watch *w, struct vg_ph_coverage *c,
			      const struct ph_exe_key *key, const struct ph_profile *p,
			      const struct ph_params *prm, uint64_t now_ns)
{
	const struct watch_entry *e = find(w, key->dev, key->ino, 0);
	int due = vg_ph_coverage_note(c, key->ino, p, prm, now_ns);
	struct vg_ph_coverage_state cs;
	uint64_t runs;

	if (!e || e->coverage_runs == VG_PH_WATCH_UNSET)
		return due;
	runs = e->coverage_runs;
	vg_ph_coverage_get(c, key->ino, &cs);
	/* the global rule's conditions (ph_coverage.h) with this program's runs */
	return runs && cs.known && cs.runs >= runs && (p->status & PH_PROFILE_FROZEN) &&
	       !(p->status & PH_PROFILE_NORMAL) && p->train_count >= prm->min_train &&
	       p->adds >= VG_PH_COVERAGE_MIN_ITEMS;
}

void vg_ph_watch_alert(const struct vg_ph_watch *w, const struct ph_alert_event *e,
		       struct vg_alert *alert)
{
	if (e->kind == PH_EV_TOLERIZED && vg_ph_watch_has(w, &e->exe))
		alert->priority = "Critical";
}
