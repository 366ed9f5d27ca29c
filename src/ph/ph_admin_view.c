/* pH's control commands: what they show of a profile and a task
 * (ph_admin_view.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "ph/ph_admin_view.h"
#include "ph/ph_buildid.h"
#include "ph/ph_converge.h"
#include "ph/ph_coverage.h"
#include "util/map_walk.h"
#include "util/clock.h"
#include "util/macros.h"

int64_t vg_pha_clock_ns(clockid_t id)
{
	return (int64_t)vg_clock_ns(id);
}

const char *vg_pha_state_name(uint32_t status)
{
	if (status & PH_PROFILE_NORMAL)
		return "normal";
	if (status & PH_PROFILE_FROZEN)
		return "frozen";
	return "training";
}

void vg_pha_add_u64(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

void vg_pha_add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

void vg_pha_add_time(struct json_object *o, const char *k, uint64_t wall_ns)
{
	char buf[64];
	time_t s = (time_t)(wall_ns / NSEC_PER_SEC);
	struct tm tm;

	if (!wall_ns || !gmtime_r(&s, &tm)) {
		json_object_object_add(o, k, NULL);
		return;
	}
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	vg_pha_add_str(o, k, buf);
}

struct item_counts {
	uint64_t *counts; /* per profile number, below n (may be NULL) */
	uint64_t n;
	long long total;
};

static int count_one(const void *key, const void *value, void *ctx)
{
	const struct ph_item_key *k = key;
	struct item_counts *c = ctx;

	(void)value;
	if (c->counts && k->profile < c->n)
		c->counts[k->profile]++;
	c->total++;
	return 0;
}

/* Items per profile number: one walk of the items map. counts[id] for
 * ids below n (counts may be NULL); returns the total. */
long long vg_pha_count_items(struct vg_ph_admin *a, uint64_t *counts, uint64_t n)
{
	struct item_counts c = { counts, n, 0 };

	vg_map_walk(a->maps.items, sizeof(struct ph_item_key), sizeof(__u64), ITEMS_SCAN_MAX,
		    count_one, &c);
	return c.total;
}

/* Bytes a profile takes: its map entry plus its items (key + stamp). The
 * kernel's own per-element overhead is in `vigil status` (map memlock). */
uint64_t vg_pha_profile_bytes(uint64_t items)
{
	return sizeof(struct ph_exe_key) + sizeof(struct ph_profile) +
	       items * (sizeof(struct ph_item_key) + sizeof(__u64));
}

/* How far a training profile is from freezing. It freezes once the calls
 * since its last change exceed (1 - den/factor) of its training calls (75%)
 * and it has min_train calls: with n calls before the last change, after
 * max(factor/den * n, min_train) training calls if nothing new comes. */
/* The rate of new sequences per 1000 training calls over the last minutes
 * and, when they are rare enough for the freeze, the expected seconds to
 * normal (ph_converge.h); null while no sample is old enough. */
static void converge_estimate(struct vg_ph_admin *a, const struct ph_profile *p, uint64_t gap,
			      uint64_t calls_to_freeze, uint64_t normal_wait_s,
			      struct vg_ph_convergence *cv)
{
	struct vg_ph_sample then, now = { (uint64_t)vg_pha_clock_ns(CLOCK_MONOTONIC), p->train_count,
					  p->adds };

	memset(cv, 0, sizeof(*cv));
	if (vg_ph_kernel_converge_sample(a->k, p, &then))
		vg_ph_converge_estimate(&then, &now, gap, calls_to_freeze, normal_wait_s, cv);
}

/* Coverage by calls may make a profile normal before normal_wait: once it
 * froze (freeze_s from now) and its runs are complete (the blocks' time). */
static uint64_t sooner_by_coverage(struct vg_ph_admin *a, uint32_t needed, uint64_t expected_s,
				   uint64_t freeze_s, uint32_t runs, uint64_t calls_per_s)
{
	/* the program's own coverage_runs (ph.watch), else the global */
	uint64_t cov = vg_ph_kernel_coverage_eta_s(a->k, runs, needed, calls_per_s);

	if (cov == UINT64_MAX)
		return expected_s;
	if (cov < freeze_s)
		cov = freeze_s;
	return cov < expected_s ? cov : expected_s;
}

static void add_convergence(struct vg_ph_admin *a, struct json_object *o, uint32_t needed,
			    const struct ph_profile *p, uint64_t gap, uint64_t calls_to_freeze,
			    uint64_t normal_wait_s, uint32_t runs)
{
	struct vg_ph_convergence cv;

	converge_estimate(a, p, gap, calls_to_freeze, normal_wait_s, &cv);
	if (cv.converging)
		cv.expected_normal_s = sooner_by_coverage(a, needed, cv.expected_normal_s,
							  calls_to_freeze / cv.calls_per_s, runs,
							  cv.calls_per_s);
	if (!cv.known) {
		json_object_object_add(o, "new_per_kcalls", NULL);
		json_object_object_add(o, "expected_normal_s", NULL);
		return;
	}
	json_object_object_add(o, "new_per_kcalls",
			       json_object_new_double((double)cv.new_per_kcalls_x100 / 100.0));
	vg_pha_add_u64(o, "train_calls_per_s", cv.calls_per_s);
	json_object_object_add(o, "converging", json_object_new_boolean(cv.converging));
	if (cv.converging)
		vg_pha_add_u64(o, "expected_normal_s", cv.expected_normal_s);
	else
		json_object_object_add(o, "expected_normal_s", NULL);
}

/* A frozen profile: normal at normal_time, or sooner by coverage by calls
 * at its current rate of training calls. */
static void add_frozen_eta(struct vg_ph_admin *a, struct json_object *o, uint32_t needed,
			   const struct ph_profile *p, uint32_t runs)
{
	__u64 now = vg_ph_kernel_model_now(a->k);
	uint64_t wait_s = p->normal_time == ~0ull ? UINT64_MAX
			  : p->normal_time > now ? (p->normal_time - now) / NSEC_PER_SEC
						 : 0;
	struct vg_ph_convergence cv;
	uint64_t s;

	converge_estimate(a, p, 1, 0, 0, &cv);
	s = cv.known ? sooner_by_coverage(a, needed, wait_s, 0, runs, cv.calls_per_s) : wait_s;
	if (s == UINT64_MAX)
		json_object_object_add(o, "expected_normal_s", NULL);
	else
		vg_pha_add_u64(o, "expected_normal_s", s);
}

static void add_progress(struct vg_ph_admin *a, struct json_object *o, const struct ph_exe_key *key,
			 const struct ph_profile *p, uint32_t runs, uint32_t needed)
{
	const struct ph_params *prm = vg_ph_kernel_params(a->k, key);
	uint64_t n = p->train_count - p->last_mod_count, need, pct;

	if (prm && (p->status & PH_PROFILE_FROZEN) && !(p->status & PH_PROFILE_NORMAL)) {
		json_object_object_add(o, "progress_pct", NULL);
		json_object_object_add(o, "calls_to_freeze", NULL);
		add_frozen_eta(a, o, needed, p, runs);
		return;
	}
	if (!prm || (p->status & (PH_PROFILE_FROZEN | PH_PROFILE_NORMAL)) ||
	    !prm->normal_factor_den) {
		json_object_object_add(o, "progress_pct", NULL);
		json_object_object_add(o, "calls_to_freeze", NULL);
		json_object_object_add(o, "new_per_kcalls", NULL);
		json_object_object_add(o, "expected_normal_s", NULL);
		return;
	}
	need = n * prm->normal_factor / prm->normal_factor_den + 1;
	if (need < prm->min_train)
		need = prm->min_train;
	pct = need ? p->train_count * 100 / need : 100;
	vg_pha_add_u64(o, "progress_pct", pct > 99 ? 99 : pct);
	vg_pha_add_u64(o, "calls_to_freeze", need > p->train_count ? need - p->train_count : 0);
	add_convergence(a, o, needed, p, need > n ? need - n : 1,
			need > p->train_count ? need - p->train_count : 0,
			prm->normal_wait / NSEC_PER_SEC, runs);
}

/* Normal by coverage (ph_coverage.h): the runs since the profile's last
 * change, of the runs it needs (and of them the blocks of calls); null
 * before the first sample. Returns the runs (0 when unknown). */
static uint32_t add_coverage(struct vg_ph_admin *a, struct json_object *o,
			     const struct ph_exe_key *key, const struct ph_profile *p,
			     uint32_t *need)
{
	struct vg_ph_coverage_state cs;

	/* the program's own runs needed (ph.watch coverage_runs), else the global */
	vg_ph_kernel_coverage(a->k, key->ino, &cs, need);
	vg_pha_add_u64(o, "coverage_runs_needed", *need);
	if (!cs.known || (p->status & PH_PROFILE_NORMAL)) {
		json_object_object_add(o, "coverage_runs", NULL);
		json_object_object_add(o, "coverage_runs_provisional", NULL);
		json_object_object_add(o, "coverage_call_runs", NULL);
		return 0;
	}
	/* settled runs only: those begun since the last sample may still be
	 * taken back by it (a change made before them) */
	vg_pha_add_u64(o, "coverage_runs", cs.runs);
	vg_pha_add_u64(o, "coverage_runs_provisional", cs.provisional);
	vg_pha_add_u64(o, "coverage_call_runs", cs.call_runs);
	return cs.runs;
}

/* The settings the kernel applies to this profile: a watched program's
 * own (ph.watch mappings), else the global ones. */
static void add_settings(struct vg_ph_admin *a, struct json_object *o, const struct ph_exe_key *key)
{
	const struct ph_params *prm = vg_ph_kernel_params(a->k, key);

	if (!prm)
		return;
	vg_pha_add_u64(o, "normal_wait_s", prm->normal_wait / NSEC_PER_SEC);
	vg_pha_add_u64(o, "anomaly_limit", prm->anomaly_limit);
}

struct json_object *vg_pha_profile_json(struct vg_ph_admin *a, const struct ph_exe_key *key,
					const struct ph_profile *p, long long items)
{
	struct json_object *o = json_object_new_object();
	uint64_t last = 0;
	const char *path = vg_ph_paths_get(a->paths, key->dev, key->ino, &last);
	char bid[2 * VG_PH_BUILD_ID_MAX + 1];
	uint32_t runs, need;

	if (!o)
		return NULL;
	vg_pha_add_str(o, "exe", path);
	vg_pha_add_u64(o, "dev", key->dev);
	vg_pha_add_u64(o, "ino", key->ino);
	/* what the executable is: copies with the same build-id share a profile */
	vg_ph_kernel_build_id(a->k, key->dev, key->ino, bid, sizeof(bid));
	vg_pha_add_str(o, "build_id", bid[0] ? bid : NULL);
	vg_pha_add_u64(o, "id", p->id);
	vg_pha_add_str(o, "state", vg_pha_state_name(p->status));
	vg_pha_add_u64(o, "calls", p->calls);
	vg_pha_add_u64(o, "train_count", p->train_count);
	vg_pha_add_u64(o, "last_mod_count", p->last_mod_count);
	vg_pha_add_u64(o, "adds", p->adds);
	vg_pha_add_u64(o, "train_gen", p->train_gen);
	vg_pha_add_u64(o, "test_gen", p->test_gen);
	vg_pha_add_u64(o, "test_items", p->test_stamp);
	vg_pha_add_u64(o, "anomalies", p->anomalies);
	vg_pha_add_u64(o, "store_errors", p->store_errors);
	vg_pha_add_u64(o, "held_items", p->held);
	if (items >= 0) {
		vg_pha_add_u64(o, "items", (uint64_t)items);
		vg_pha_add_u64(o, "bytes", vg_pha_profile_bytes((uint64_t)items));
	}
	vg_pha_add_time(o, "last_anomaly", last);
	runs = add_coverage(a, o, key, p, &need);
	add_progress(a, o, key, p, runs, need);
	add_settings(a, o, key);
	/* a frozen profile becomes normal at normal_time (the model's clock) */
	if ((p->status & PH_PROFILE_FROZEN) && !(p->status & PH_PROFILE_NORMAL) &&
	    p->normal_time != ~0ull) {
		__u64 now = vg_ph_kernel_model_now(a->k);
		uint64_t wall = (uint64_t)vg_pha_clock_ns(CLOCK_REALTIME);

		vg_pha_add_time(o, "normal_at", p->normal_time > now ? wall + (p->normal_time - now) : wall);
	} else {
		json_object_object_add(o, "normal_at", NULL);
	}
	return o;
}

int vg_pha_task_state_of(struct vg_ph_admin *a, int pid, struct ph_task_state *st)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct vg_task vt;
	int ret;

	if (pidfd < 0)
		return -errno;
	ret = bpf_map_lookup_elem(a->maps.tasks, &pidfd, &vt) ? -errno : 0;
	close(pidfd);
	/* the sensor makes entries too (for its ids): pH's part may be unused */
	if (!ret && !(vt.s.flags & VG_TASK_PH))
		ret = -ENOENT;
	if (!ret)
		*st = vt.ph;
	return ret;
}
