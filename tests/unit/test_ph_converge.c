/* The convergence estimate of pH profiles (src/ph/ph_converge.c): the rate
 * of new sequences per 1000 training calls between two samples, whether
 * that is rare enough for the freeze, the expected time to normal; the
 * sample table keeps a window and restarts after a reset. */
#include <string.h>

#include "check.h"
#include "ph/ph_converge.h"
#include "util/macros.h"

#define S NSEC_PER_SEC

static void test_estimate(void)
{
	struct vg_ph_sample then = { 10 * S, 1000, 50 }, now = { 110 * S, 101000, 60 };
	struct vg_ph_convergence cv;

	/* 10 new in 100000 calls over 100 s: 0.1 per 1000 calls, one every
	 * 10000 calls; the freeze needs 3000 without one: converging */
	vg_ph_converge_estimate(&then, &now, 3000, 20000, 3600, &cv);
	CHECK_INT(cv.known, 1);
	CHECK_INT(cv.new_per_kcalls_x100, 10);
	CHECK_INT(cv.calls_per_s, 1000);
	CHECK_INT(cv.converging, 1);
	CHECK_INT(cv.expected_normal_s, 20 + 3600);

	/* one every 10000 calls, but 30000 needed without one: not converging */
	vg_ph_converge_estimate(&then, &now, 30000, 20000, 3600, &cv);
	CHECK_INT(cv.known, 1);
	CHECK_INT(cv.converging, 0);
	CHECK_INT(cv.expected_normal_s, 0);

	/* nothing new at all: converging, the remaining calls at the rate */
	now.adds = 50;
	vg_ph_converge_estimate(&then, &now, 1u << 30, 50000, 0, &cv);
	CHECK_INT(cv.new_per_kcalls_x100, 0);
	CHECK_INT(cv.converging, 1);
	CHECK_INT(cv.expected_normal_s, 50);

	/* no training traffic, or too short a span, or counters gone back */
	now = (struct vg_ph_sample){ 110 * S, 1000, 50 };
	vg_ph_converge_estimate(&then, &now, 3000, 20000, 0, &cv);
	CHECK_INT(cv.known, 0);
	now = (struct vg_ph_sample){ 10 * S + 5, 5000, 55 };
	vg_ph_converge_estimate(&then, &now, 3000, 20000, 0, &cv);
	CHECK_INT(cv.known, 0);
	now = (struct vg_ph_sample){ 110 * S, 500, 55 };
	vg_ph_converge_estimate(&then, &now, 3000, 20000, 0, &cv);
	CHECK_INT(cv.known, 0);
}

static void test_table(void)
{
	struct vg_ph_converge *c;
	struct vg_ph_sample then;
	struct ph_profile p;

	CHECK_INT(vg_ph_converge_new(&c, 100), 0);
	ph_profile_init(&p, 42);
	CHECK_INT(vg_ph_converge_get(c, &p, &then), 0);
	p.train_count = 100;
	p.adds = 5;
	vg_ph_converge_note(c, &p, 1 * S);
	p.train_count = 200;
	vg_ph_converge_note(c, &p, 11 * S); /* within the period: the window stays */
	CHECK_INT(vg_ph_converge_get(c, &p, &then), 1);
	CHECK_INT(then.t_ns, 1 * S);
	CHECK_INT(then.train_count, 100);
	p.train_count = 300;
	vg_ph_converge_note(c, &p, 1 * S + VG_PH_CONVERGE_PERIOD_NS); /* the window moves */
	p.train_count = 400;
	vg_ph_converge_note(c, &p, 1 * S + 2 * VG_PH_CONVERGE_PERIOD_NS);
	CHECK_INT(vg_ph_converge_get(c, &p, &then), 1);
	CHECK_INT(then.train_count, 300);
	/* a reset (counters back to 0) starts over */
	p.train_count = 10;
	p.adds = 0;
	vg_ph_converge_note(c, &p, 1 * S + 2 * VG_PH_CONVERGE_PERIOD_NS + S);
	CHECK_INT(vg_ph_converge_get(c, &p, &then), 1);
	CHECK_INT(then.train_count, 10);
	/* many profiles: each keeps its own (or none, never another's) */
	for (unsigned id = 1; id < 5000; id++) {
		struct ph_profile q;

		ph_profile_init(&q, id);
		q.train_count = id;
		vg_ph_converge_note(c, &q, 10 * VG_PH_CONVERGE_PERIOD_NS);
	}
	for (unsigned id = 1; id < 5000; id++) {
		struct ph_profile q;

		ph_profile_init(&q, id);
		if (vg_ph_converge_get(c, &q, &then))
			CHECK_INT(then.train_count, id);
	}
	vg_ph_converge_free(c);
}

int main(void)
{
	test_estimate();
	test_table();
	return check_report();
}
