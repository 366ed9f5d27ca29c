/* Normal by coverage (src/ph/ph_coverage.c): runs (execs, accepts,
 * activity after an idle gap) counted since a profile's last change; a
 * frozen profile with enough of them is due for normal mode; a new
 * sequence or a reset starts the count again; the rule can be off. */
#include <string.h>

#include "check.h"
#include "ph/ph_coverage.h"
#include "ph/ph_slots.h"
#include "util/macros.h"

#define S NSEC_PER_SEC

static struct ph_params params(void)
{
	struct ph_params prm;

	ph_params_default(&prm);
	prm.min_train = 1000;
	return prm;
}

static struct ph_profile frozen(void)
{
	struct ph_profile p;

	ph_profile_init(&p, 7);
	p.status = PH_PROFILE_FROZEN;
	p.train_count = 50000;
	p.last_mod_count = 40000;
	p.adds = 300;
	return p;
}

/* Training calls that learn nothing: the profile's last change stays. */
static void quiet(struct ph_profile *p, uint64_t calls)
{
	p->train_count += calls;
	p->last_mod_count += calls;
}

/* A call that learnt something (ph_profile_changed_at() moves). */
static void change(struct ph_profile *p)
{
	p->adds++;
	p->train_count++;
	p->last_mod_count = 0;
}

static void test_runs_make_a_frozen_profile_due(void)
{
	struct vg_ph_coverage *c;
	struct ph_params prm = params();
	struct ph_profile p = frozen();
	struct vg_ph_coverage_state st;

	CHECK_INT(vg_ph_coverage_new(&c, 100, 3, 60 * S), 0);
	/* runs before the first sample do not count: the last change is unknown */
	vg_ph_coverage_run(c, 42);
	vg_ph_coverage_get(c, 42, &st);
	CHECK_INT(st.known, 0);
	CHECK_INT(vg_ph_coverage_note(c, 42, &p, &prm, 10 * S), 0);
	vg_ph_coverage_get(c, 42, &st);
	CHECK_INT(st.known, 1);
	CHECK_INT(st.runs, 0);
	CHECK_INT(st.since_ns, 10 * S);
	vg_ph_coverage_run(c, 42);
	vg_ph_coverage_run(c, 42);
	CHECK_INT(vg_ph_coverage_note(c, 42, &p, &prm, 20 * S), 0); /* 2 of 3 */
	vg_ph_coverage_run(c, 42);
	vg_ph_coverage_run(c, 43); /* another program's run */
	CHECK_INT(vg_ph_coverage_note(c, 42, &p, &prm, 30 * S), 1);
	vg_ph_coverage_get(c, 42, &st);
	CHECK_INT(st.runs, 3);
	CHECK_INT(vg_ph_coverage_runs_needed(c), 3);

	/* a new sequence: the count starts again */
	change(&p);
	CHECK_INT(vg_ph_coverage_note(c, 42, &p, &prm, 40 * S), 0);
	vg_ph_coverage_get(c, 42, &st);
	CHECK_INT(st.runs, 0);
	CHECK_INT(st.since_ns, 40 * S);
	for (int i = 0; i < 3; i++)
		vg_ph_coverage_run(c, 42);
	/* runs since the last sample are provisional: shown apart, not as
	 * settled runs a later sample could take back */
	vg_ph_coverage_get(c, 42, &st);
	CHECK_INT(st.runs, 0);
	CHECK_INT(st.provisional, 3);
	/* ... and taken back: the next sample finds a change made before them */
	change(&p);
	CHECK_INT(vg_ph_coverage_note(c, 42, &p, &prm, 45 * S), 0);
	vg_ph_coverage_get(c, 42, &st);
	CHECK_INT(st.runs, 0);
	CHECK_INT(st.provisional, 0);
	for (int i = 0; i < 3; i++)
		vg_ph_coverage_run(c, 42);
	CHECK_INT(vg_ph_coverage_note(c, 42, &p, &prm, 50 * S), 1);
	vg_ph_coverage_get(c, 42, &st);
	CHECK_INT(st.runs, 3); /* the sample settled them */
	CHECK_INT(st.provisional, 0);

	/* a reset (new generation) too */
	p.train_gen++;
	CHECK_INT(vg_ph_coverage_note(c, 42, &p, &prm, 60 * S), 0);
	vg_ph_coverage_get(c, 42, &st);
	CHECK_INT(st.runs, 0);
	vg_ph_coverage_free(c);
}

static void test_only_frozen_settled_profiles(void)
{
	struct vg_ph_coverage *c;
	struct ph_params prm = params();
	struct ph_profile p = frozen();

	CHECK_INT(vg_ph_coverage_new(&c, 100, 2, 60 * S), 0);
	vg_ph_coverage_note(c, 5, &p, &prm, S);
	vg_ph_coverage_run(c, 5);
	vg_ph_coverage_run(c, 5);
	/* still training (the kernel's freeze rule not met) */
	p.status = 0;
	CHECK_INT(vg_ph_coverage_note(c, 5, &p, &prm, 2 * S), 0);
	/* normal already */
	p.status = PH_PROFILE_NORMAL;
	CHECK_INT(vg_ph_coverage_note(c, 5, &p, &prm, 3 * S), 0);
	/* too few calls, too few items */
	p.status = PH_PROFILE_FROZEN;
	prm.min_train = 60000;
	CHECK_INT(vg_ph_coverage_note(c, 5, &p, &prm, 4 * S), 0);
	prm.min_train = 1000;
	CHECK_INT(vg_ph_coverage_note(c, 5, &p, &prm, 5 * S), 1);
	vg_ph_coverage_free(c);

	/* the other profile fields: adds below the minimum */
	CHECK_INT(vg_ph_coverage_new(&c, 100, 2, 60 * S), 0);
	p = frozen();
	p.adds = VG_PH_COVERAGE_MIN_ITEMS - 1;
	vg_ph_coverage_note(c, 5, &p, &prm, S);
	vg_ph_coverage_run(c, 5);
	vg_ph_coverage_run(c, 5);
	CHECK_INT(vg_ph_coverage_note(c, 5, &p, &prm, 2 * S), 0);
	vg_ph_coverage_free(c);
}

static void test_activity_after_idle_gaps_is_a_run(void)
{
	struct vg_ph_coverage *c;
	struct ph_params prm = params();
	struct ph_profile p = frozen();
	struct vg_ph_coverage_state st;
	uint64_t t = 100 * S;

	CHECK_INT(vg_ph_coverage_new(&c, 100, 2, 60 * S), 0);
	vg_ph_coverage_note(c, 9, &p, &prm, t);
	/* steady traffic every 10 s: one long run, never due */
	for (int i = 0; i < 30; i++) {
		t += 10 * S;
		quiet(&p, 500);
		CHECK_INT(vg_ph_coverage_note(c, 9, &p, &prm, t), 0);
	}
	vg_ph_coverage_get(c, 9, &st);
	CHECK_INT(st.runs, 0);
	/* quiet for 2 minutes (no training calls), then activity: a run */
	for (int i = 0; i < 12; i++) {
		t += 10 * S;
		CHECK_INT(vg_ph_coverage_note(c, 9, &p, &prm, t), 0);
	}
	t += 10 * S;
	quiet(&p, 500);
	CHECK_INT(vg_ph_coverage_note(c, 9, &p, &prm, t), 0);
	vg_ph_coverage_get(c, 9, &st);
	CHECK_INT(st.runs, 1);
	/* a gap shorter than the idle time is not */
	t += 50 * S;
	quiet(&p, 500);
	CHECK_INT(vg_ph_coverage_note(c, 9, &p, &prm, t), 0);
	/* a second long gap makes the second run: due */
	t += 70 * S;
	quiet(&p, 500);
	CHECK_INT(vg_ph_coverage_note(c, 9, &p, &prm, t), 1);
	vg_ph_coverage_free(c);
}

static void test_off_and_full_table(void)
{
	struct vg_ph_coverage *c;
	struct ph_params prm = params();
	struct ph_profile p = frozen();
	struct vg_ph_coverage_state st;

	/* 0 runs: counted for the display, never due */
	CHECK_INT(vg_ph_coverage_new(&c, 100, 0, 60 * S), 0);
	vg_ph_coverage_note(c, 3, &p, &prm, S);
	for (int i = 0; i < 100; i++)
		vg_ph_coverage_run(c, 3);
	CHECK_INT(vg_ph_coverage_note(c, 3, &p, &prm, 2 * S), 0);
	vg_ph_coverage_get(c, 3, &st);
	CHECK_INT(st.runs, 100);
	CHECK_INT(vg_ph_coverage_runs_needed(c), 0);
	vg_ph_coverage_free(c);

	/* many more programs than slots: no crash, and a program that lost its
	 * slot starts from nothing (only later, never sooner) */
	CHECK_INT(vg_ph_coverage_new(&c, 1, 1, 60 * S), 0);
	for (uint64_t ino = 1; ino < 20000; ino++) {
		vg_ph_coverage_note(c, ino, &p, &prm, S);
		vg_ph_coverage_run(c, ino);
	}
	vg_ph_coverage_run(c, 0); /* no executable: ignored */
	vg_ph_coverage_get(c, 0, &st);
	CHECK_INT(st.known, 0);
	vg_ph_coverage_get(c, 19999, &st);
	CHECK_INT(st.known, 1);
	CHECK_INT(st.runs, 0);
	CHECK_INT(st.provisional, 1);
	vg_ph_coverage_free(c);
	vg_ph_coverage_run(NULL, 1);
	CHECK_INT(vg_ph_coverage_note(NULL, 1, &p, &prm, S), 0);
}

/* Coverage by calls: a steady daemon (no idle gap, no exec, no accept)
 * makes a run of every block of block_calls training calls spanning at
 * least the block's time without a new sequence; a new sequence starts
 * the blocks again; off by default. */
static void test_blocks_of_calls_are_runs(void)
{
	struct vg_ph_coverage *c;
	struct ph_params prm = params();
	struct ph_profile p = frozen();
	struct vg_ph_coverage_state st;
	uint64_t t = 100 * S;

	CHECK_INT(vg_ph_coverage_new(&c, 100, 3, 60 * S), 0);
	/* off by default: the steady traffic of the idle-gap test, no runs */
	vg_ph_coverage_note(c, 9, &p, &prm, t);
	for (int i = 0; i < 30; i++) {
		t += 10 * S;
		quiet(&p, 5000);
		CHECK_INT(vg_ph_coverage_note(c, 9, &p, &prm, t), 0);
	}
	vg_ph_coverage_get(c, 9, &st);
	CHECK_INT(st.runs, 0);
	/* blocks of 2000 calls over at least 60 s: 500 calls every 10 s make
	 * a block every 40 s of calls, but every 60 s of time */
	vg_ph_coverage_set_blocks(c, 2000, 60 * S);
	change(&p); /* something new: the count starts here */
	vg_ph_coverage_note(c, 9, &p, &prm, t);
	for (int i = 1; i <= 11; i++) {
		t += 10 * S;
		quiet(&p, 500);
		CHECK_INT(vg_ph_coverage_note(c, 9, &p, &prm, t), 0);
		vg_ph_coverage_get(c, 9, &st);
		CHECK_INT(st.runs, (uint32_t)(i / 6));
		CHECK_INT(st.call_runs, st.runs);
	}
	/* a new sequence: the blocks start over */
	change(&p);
	t += 10 * S;
	CHECK_INT(vg_ph_coverage_note(c, 9, &p, &prm, t), 0);
	vg_ph_coverage_get(c, 9, &st);
	CHECK_INT(st.runs, 0);
	CHECK_INT(st.call_runs, 0);
	/* slow: 100 calls every 10 s, a block is 2000 calls (200 s) */
	for (int i = 1; i <= 60; i++) {
		t += 10 * S;
		quiet(&p, 100);
		if (vg_ph_coverage_note(c, 9, &p, &prm, t)) {
			CHECK_INT(i, 60); /* the third block: due */
			break;
		}
	}
	vg_ph_coverage_get(c, 9, &st);
	CHECK_INT(st.runs, 3);
	/* items that changed nothing (FALLBACK's forgiven n-grams: adds
	 * moves, the last change does not) keep the count */
	p.adds += 5;
	quiet(&p, 10);
	t += 10 * S;
	vg_ph_coverage_note(c, 9, &p, &prm, t);
	vg_ph_coverage_get(c, 9, &st);
	CHECK_INT(st.runs, 3);
	/* a profile still training counts blocks but is never due */
	p.status = 0;
	t += 300 * S;
	quiet(&p, 3000);
	CHECK_INT(vg_ph_coverage_note(c, 9, &p, &prm, t), 0);
	vg_ph_coverage_set_blocks(NULL, 1, 1);
	vg_ph_coverage_free(c);
}

/* The expected time from blocks of calls alone. */
static void test_blocks_eta(void)
{
	struct vg_ph_coverage *c;

	/* 8 runs needed, none yet, 10 calls/s: 2000 calls = 200 s > 60 s */
	CHECK_INT(vg_ph_coverage_blocks_eta_s(0, 8, 10, 2000, 60 * S), 1600);
	/* fast: the block's time rules */
	CHECK_INT(vg_ph_coverage_blocks_eta_s(5, 8, 100000, 2000, 600 * S), 1800);
	CHECK_INT(vg_ph_coverage_blocks_eta_s(8, 8, 10, 2000, 60 * S), 0);
	CHECK(vg_ph_coverage_blocks_eta_s(0, 8, 0, 2000, 60 * S) == UINT64_MAX);
	CHECK(vg_ph_coverage_blocks_eta_s(0, 8, 10, 0, 60 * S) == UINT64_MAX);
	CHECK_INT(vg_ph_coverage_new(&c, 100, 4, 60 * S), 0);
	CHECK(vg_ph_coverage_eta_s(c, 0, 4, 10) == UINT64_MAX); /* blocks off */
	vg_ph_coverage_set_blocks(c, 1000, 10 * S);
	CHECK_INT(vg_ph_coverage_eta_s(c, 1, 4, 10), 300);
	/* a watched program's own coverage_runs, not the table's global 4 */
	CHECK_INT(vg_ph_coverage_eta_s(c, 1, 20, 10), 1900);
	CHECK(vg_ph_coverage_eta_s(c, 1, 0, 10) == UINT64_MAX); /* its rule off */
	vg_ph_coverage_free(c);
	CHECK(vg_ph_coverage_eta_s(NULL, 0, 4, 10) == UINT64_MAX);
}

/* The slot table both samplers share (ph_slots.h). */
static void test_slot_table(void)
{
	struct two {
		uint64_t id;
		uint64_t v;
	} t[32];
	struct two *s, *first = NULL;
	int placed = 0;

	memset(t, 0, sizeof(t));
	CHECK(!vg_ph_slot_find(t, 32, sizeof(t[0]), 0, 1)); /* id 0: never */
	CHECK(!vg_ph_slot_find(t, 32, sizeof(t[0]), 5, 0)); /* absent */
	s = vg_ph_slot_find(t, 32, sizeof(t[0]), 5, 1);
	CHECK(s && s->id == 0); /* a free slot: the caller claims it */
	s->id = 5;
	s->v = 55;
	s = vg_ph_slot_find(t, 32, sizeof(t[0]), 5, 0);
	CHECK(s && s->v == 55);
	/* fill every slot: a newcomer gets its run's first slot, not its own */
	for (uint64_t id = 100; placed < 32 && id < 100000; id++) {
		s = vg_ph_slot_find(t, 32, sizeof(t[0]), id, 1);
		if (s && !s->id) {
			s->id = id;
			placed++;
		}
	}
	CHECK_INT(placed, 31);
	first = vg_ph_slot_find(t, 32, sizeof(t[0]), 999999, 1);
	CHECK(first && first->id != 999999 && first->id != 0);
	CHECK(!vg_ph_slot_find(t, 32, sizeof(t[0]), 999999, 0));
}

int main(void)
{
	test_slot_table();
	test_blocks_of_calls_are_runs();
	test_blocks_eta();
	test_runs_make_a_frozen_profile_due();
	test_only_frozen_settled_profiles();
	test_activity_after_idle_gaps_is_a_run();
	test_off_and_full_table();
	return check_report();
}
