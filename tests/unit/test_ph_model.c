/* The pH model on synthetic sequences, through the user-space store: the same
 * ph_on_call() that replay and the kernel run. */
#include <errno.h>
#include <stdint.h>

#include "check.h"
#include "ph/ph_model.h"
#include "ph/ph_store.h"

struct rig {
	struct ph_params p;
	struct ph_store *store;
	struct ph_profile prof;
	struct ph_task task;
	struct ph_result res;
	uint64_t now;
};

/* Plain pH with window 3 (distances 1 and 2) and a tiny min_train; every
 * anomaly counts as an episode (pH's rule, episode_lfc 1) unless a test
 * says otherwise. */
static void rig_init(struct rig *r)
{
	ph_params_plain(&r->p);
	r->p.window = 3;
	r->p.episode_lfc = 1;
	r->p.known_lfc = 0; /* known calls too */
	r->p.min_train = 10;
	r->p.normal_wait = 0;
	r->store = ph_store_new(1000);
	ph_profile_init(&r->prof, 42);
	ph_task_init(&r->task, 42);
	r->now = 0;
}

static int step(struct rig *r, uint32_t call)
{
	return ph_step(r->store, &r->p, &r->prof, &r->task, call, ++r->now, &r->res);
}

/* Feed calls; return how many were anomalies. */
static int feed(struct rig *r, const uint32_t *calls, int n)
{
	int anomalies = 0;

	for (int i = 0; i < n; i++) {
		CHECK_INT(step(r, calls[i]), 0);
		anomalies += (int)r->res.anomaly;
	}
	return anomalies;
}

static void test_training_learns_pairs(void)
{
	struct rig r;

	rig_init(&r);
	CHECK_INT(step(&r, 1), 0);
	CHECK_INT(r.res.learned, 0); /* nothing earlier: no pair */
	CHECK_INT(step(&r, 2), 0);
	CHECK_INT(r.res.learned, 1); /* (1, 1, 2) */
	CHECK_INT(step(&r, 3), 0);
	CHECK_INT(r.res.learned, 2); /* (2, 1, 3), (1, 2, 3) */
	CHECK_INT(step(&r, 1), 0);
	CHECK_INT(r.res.learned, 2); /* (3, 1, 1), (2, 2, 1) */
	CHECK_INT(ph_store_count_items(r.store, 42, r.prof.train_gen, PH_ITEM_PAIR), 5);
	CHECK_INT(r.prof.train_count, 4);
	CHECK_INT(r.prof.last_mod_count, 0);
	CHECK_INT(r.res.anomaly, 0); /* training mode never flags */
	CHECK(!(r.prof.status & PH_PROFILE_NORMAL));
	/* a second task with the same calls learns nothing new */
	ph_task_init(&r.task, 42);
	CHECK_INT(step(&r, 1), 0);
	CHECK_INT(step(&r, 2), 0);
	CHECK_INT(r.res.learned, 0);
	CHECK_INT(r.prof.last_mod_count, 2);
	ph_store_free(r.store);
}

/* Loop 1 2 3: the last new pair comes at the 5th call, so normal_count stays
 * 5 and the profile freezes when train_count * 32 > 5 * 128, at call 21. */
static void test_freeze_rule_and_normal_wait(void)
{
	struct rig r;
	int froze_at = 0, normal_at = 0;

	rig_init(&r);
	r.p.normal_wait = 5;
	for (int i = 1; i <= 40; i++) {
		CHECK_INT(step(&r, (uint32_t)((i - 1) % 3 + 1)), 0);
		if (r.res.froze && !froze_at)
			froze_at = i;
		if (r.res.normal && !normal_at)
			normal_at = i;
	}
	CHECK_INT(froze_at, 21);
	CHECK_INT(normal_at, 26); /* frozen at now = 21, normal_wait 5 */
	CHECK(r.prof.status & PH_PROFILE_NORMAL);
	CHECK(!(r.prof.status & PH_PROFILE_FROZEN)); /* nothing new: no refreeze */
	CHECK_INT(r.prof.test_gen, r.prof.train_gen);
	CHECK_INT(r.prof.test_stamp, 9); /* the loop's 6 pairs, the markers of its 3 calls */
	ph_store_free(r.store);
}

/* A normal profile does not learn from tasks that made anomalies (an
 * attacker's repeated behaviour must not become normal); new behaviour is
 * learnt once an operator sends the profile back to training (tolerize),
 * and the test data is refreshed when it is stable again. */
static void test_refreeze_refreshes_test_data(void)
{
	struct rig r;
	int i, normal_again = 0;
	uint64_t adds;

	rig_init(&r);
	for (i = 1; i <= 21; i++)
		CHECK_INT(step(&r, (uint32_t)((i - 1) % 3 + 1)), 0);
	CHECK(r.prof.status & PH_PROFILE_NORMAL);
	adds = r.prof.adds;
	ph_task_init(&r.task, 42);
	for (i = 1; i <= 200 && !normal_again; i++) {
		CHECK_INT(step(&r, (uint32_t)((i - 1) % 4 + 1)), 0);
		normal_again = (int)r.res.normal;
	}
	CHECK(!normal_again);
	CHECK(r.prof.adds <= adds); /* held back: nothing learnt (a burst may reset) */
	/* the operator accepts the new behaviour: tolerize (as vigil profile
	 * does it: the stability count starts again) */
	r.prof.status &= ~(PH_PROFILE_NORMAL | PH_PROFILE_FROZEN);
	r.prof.anomalies = 0;
	r.prof.train_count = 0;
	r.prof.last_mod_count = 0;
	ph_task_init(&r.task, 42);
	for (i = 1; i <= 200 && !normal_again; i++) {
		CHECK_INT(step(&r, (uint32_t)((i - 1) % 4 + 1)), 0);
		normal_again = (int)r.res.normal;
	}
	CHECK(normal_again);
	CHECK_INT(r.prof.test_stamp, r.prof.adds);
	ph_task_init(&r.task, 42);
	for (i = 1; i <= 8; i++)
		CHECK_INT(step(&r, (uint32_t)((i - 1) % 4 + 1)), 0);
	CHECK_INT(r.task.anomalies, 0); /* 1 2 3 4 is normal now */
	ph_store_free(r.store);
}

static void test_min_train_delays_freezing(void)
{
	struct rig r;

	rig_init(&r);
	r.p.min_train = 100;
	for (int i = 1; i <= 99; i++) {
		CHECK_INT(step(&r, (uint32_t)((i - 1) % 3 + 1)), 0);
		CHECK(!r.res.froze);
	}
	CHECK_INT(step(&r, 1), 0);
	CHECK_INT(r.res.froze, 1);
	ph_store_free(r.store);
}

static void test_change_unfreezes(void)
{
	struct rig r;
	int i;

	rig_init(&r);
	r.p.normal_wait = 1000;
	for (i = 1; i <= 21; i++)
		CHECK_INT(step(&r, (uint32_t)((i - 1) % 3 + 1)), 0);
	CHECK(r.prof.status & PH_PROFILE_FROZEN);
	CHECK_INT(step(&r, 7), 0); /* new pairs: the data was not stable */
	CHECK(r.res.learned > 0);
	CHECK(!(r.prof.status & PH_PROFILE_FROZEN));
	CHECK(!(r.prof.status & PH_PROFILE_NORMAL));
	ph_store_free(r.store);
}

static void make_normal(struct rig *r)
{
	static const uint32_t loop[] = { 1, 2, 3, 1, 2, 3, 1, 2, 3 };

	feed(r, loop, 9);
	ph_profile_start_normal(&r->prof);
	ph_task_init(&r->task, 42);
}

static void test_normal_mode_flags_unknown_pairs(void)
{
	static const uint32_t known[] = { 1, 2, 3, 1, 2 };
	struct rig r;

	rig_init(&r);
	make_normal(&r);
	CHECK(r.prof.status & PH_PROFILE_NORMAL);
	CHECK_INT(feed(&r, known, 5), 0);
	CHECK_INT(step(&r, 9), 0); /* (2, 1, 9) and (1, 2, 9) are unknown */
	CHECK_INT(r.res.misses, 2);
	CHECK_INT(r.res.anomaly, 1);
	CHECK_INT(r.res.lfc, 1);
	CHECK_INT(step(&r, 1), 0); /* (9, 1, 1) unknown, (2, 2, 1) known */
	CHECK_INT(r.res.misses, 1);
	CHECK_INT(r.task.anomalies, 2);
	CHECK_INT(r.prof.anomalies, 1); /* one episode: the profile counts episodes */
	/* a task with anomalies teaches nothing: the attacker's sequence is
	 * held back, not learnt (and so never normal by repetition) */
	CHECK_INT(r.prof.adds, r.prof.test_stamp);
	ph_task_init(&r.task, 42);
	/* nor does the first anomalous call of a clean task: a miss is
	 * never learnt in normal mode */
	CHECK_INT(step(&r, 3), 0);
	CHECK_INT(step(&r, 1), 0);
	CHECK_INT(step(&r, 3), 0); /* (1, 1, 3), (3, 2, 3) are new: the task's first anomaly */
	CHECK_INT(r.res.anomaly, 1);
	CHECK_INT(r.res.learned, 0);
	CHECK_INT(r.prof.adds, r.prof.test_stamp);
	ph_task_init(&r.task, 42);
	CHECK_INT(step(&r, 2), 0);
	CHECK_INT(step(&r, 9), 0);
	CHECK_INT(r.res.anomaly, 1);
	ph_store_free(r.store);
}

static void test_lfc_frame_slides(void)
{
	static const uint32_t bad[] = { 7, 8, 9 };
	static const uint32_t good[] = { 1, 2, 3, 1, 2, 3 };
	struct rig r;

	rig_init(&r);
	r.p.frame = 4;
	r.p.tolerize_limit = 100;
	make_normal(&r);
	feed(&r, good, 3);
	CHECK_INT(feed(&r, bad, 3), 3);
	CHECK_INT(r.task.lfc, 3);
	/* "1" (after 9 8) and "2" (9 two calls back) are anomalous too, "3" not */
	feed(&r, good, 3);
	CHECK_INT(r.task.lfc, 3); /* 7 left the frame of 4; 8, 9, 1, 2 were 4 */
	CHECK_INT(r.task.lfc_max, 4);
	feed(&r, good + 3, 3);
	CHECK_INT(r.task.lfc, 0);
	CHECK_INT(r.task.lfc_max, 4);
	CHECK_INT(r.task.anomalies, 5);
	CHECK_INT(ph_task_score(&r.p, &r.task), 4);
	r.p.score = PH_SCORE_RATE;
	CHECK_INT(ph_task_score(&r.p, &r.task), 5 * 1000000 / 12);
	ph_store_free(r.store);
}

static void test_lfc_full_frame_wraps(void)
{
	struct rig r;

	rig_init(&r);
	r.p.tolerize_limit = 1000;
	r.p.anomaly_limit = 1000;
	r.p.normal_wait = ~0ULL; /* no refreeze that would learn the 9s */
	make_normal(&r);
	/* 200 calls of 9 after 9: each (9, d, 9) is unknown, every call anomalous
	 * except the first which has no earlier call */
	for (int i = 0; i < 200; i++)
		CHECK_INT(step(&r, 9), 0);
	CHECK_INT(r.task.lfc, 128);
	CHECK_INT(r.task.lfc_max, 128);
	for (int i = 0; i < 3; i++)
		CHECK_INT(step(&r, (uint32_t)(i + 1)), 0);
	CHECK_INT(r.task.lfc, 127); /* "1" and "2" still meet a 9; "3" is known */
	ph_store_free(r.store);
}

static void test_tolerize_resets_training(void)
{
	static const uint32_t known[] = { 1, 2, 3 };
	struct rig r;
	uint32_t gen;

	rig_init(&r);
	r.p.tolerize_limit = 2;
	make_normal(&r);
	gen = r.prof.train_gen;
	CHECK_INT(feed(&r, known, 3), 0);
	CHECK_INT(step(&r, 7), 0);
	CHECK_INT(step(&r, 8), 0);
	CHECK_INT(r.res.lfc, 2);
	CHECK(!r.res.tolerized);
	CHECK_INT(step(&r, 9), 0); /* LFC 3 > 2 */
	/* normal: the burst's calls are held back, the training data stays */
	CHECK_INT(r.res.tolerized, 0);
	CHECK_INT(r.prof.train_gen, gen);
	CHECK(r.prof.held >= 3);
	/* held: the pairs, and the markers of the never-made 7, 8 and 9 */
	CHECK_INT(ph_store_count_items(r.store, 42, gen | PH_GEN_HELD, PH_ITEM_CALL), 3);
	CHECK_INT(ph_store_count_items(r.store, 42, gen | PH_GEN_HELD, PH_ITEM_PAIR) + 3,
		  r.prof.held);
	/* no longer normal (anomaly limit) while the frame is full: the rest of
	 * the burst is not learnt, the training data starts over */
	r.prof.status &= ~PH_PROFILE_NORMAL;
	CHECK_INT(step(&r, 10), 0);
	CHECK_INT(r.res.tolerized, 1);
	CHECK_INT(r.prof.train_gen, gen + 1);
	CHECK_INT(r.prof.train_count, 0);
	CHECK_INT(r.prof.held, 0);
	CHECK_INT(ph_store_count_items(r.store, 42, r.prof.train_gen, PH_ITEM_PAIR), 0);
	ph_task_init(&r.task, 42);
	CHECK_INT(feed(&r, known, 3), 0);
	/* a GC keeps the train and test generations only */
	CHECK_INT(ph_store_gc(r.store, &r.prof), 0);
	CHECK(ph_store_count_items(r.store, 42, r.prof.test_gen, PH_ITEM_PAIR) >= 5);
	ph_store_free(r.store);
}

static void test_anomaly_limit_stops_normal(void)
{
	struct rig r;
	int stopped_at = 0;

	static const uint32_t known[] = { 1, 2, 3, 1, 2, 3 };

	rig_init(&r);
	r.p.anomaly_limit = 3;
	r.p.tolerize_limit = 1000;
	r.p.frame = 4;
	make_normal(&r);
	/* a burst of anomalous calls in one task is one episode */
	for (int i = 1; i <= 6; i++)
		CHECK_INT(step(&r, (uint32_t)(10 + i)), 0);
	CHECK_INT(r.task.anomalies, 5); /* the first call has no pairs */
	CHECK_INT(r.prof.anomalies, 1);
	CHECK(r.prof.status & PH_PROFILE_NORMAL);
	/* episodes: each task makes one anomaly, then known calls; the fourth
	 * episode is over the limit of 3 */
	for (int i = 1; i <= 5 && !stopped_at; i++) {
		ph_task_init(&r.task, 42);
		feed(&r, known, 3);
		CHECK_INT(step(&r, 20), 0);
		CHECK_INT(r.res.anomaly, 1);
		if (r.res.stopped)
			stopped_at = i;
	}
	CHECK_INT(stopped_at, 3); /* 1 + 3 episodes > 3 */
	CHECK(!(r.prof.status & PH_PROFILE_NORMAL));
	CHECK_INT(step(&r, 99), 0);
	CHECK_INT(r.res.anomaly, 0); /* back in training: no more alarms */
	ph_store_free(r.store);
}

/* The evidence threshold (episode_lfc): isolated anomalies, each no more
 * than one novel call makes, neither count as episodes nor stop normal mode;
 * a task whose LFC reaches the threshold is one episode, counted once. */
static void test_episode_needs_evidence(void)
{
	struct rig r;

	static const uint32_t known[] = { 1, 2, 3, 1, 2, 3 };

	rig_init(&r);
	r.p.anomaly_limit = 2;
	r.p.tolerize_limit = 1000;
	r.p.episode_lfc = 4;
	make_normal(&r);
	/* one novel call (20) among known ones: it and the call after it
	 * (pair 20 -> 1 at distance 1; 20 _ 2 at distance 2): 3 anomalous
	 * calls, under the threshold, whatever how often it happens */
	for (int i = 0; i < 10; i++) {
		ph_task_init(&r.task, 42);
		feed(&r, known, 3);
		CHECK_INT(step(&r, 20), 0);
		CHECK_INT(r.res.anomaly, 1);
		feed(&r, known, 6);
		CHECK(r.task.lfc_max < 4);
		CHECK(r.task.anomalies >= 1);
	}
	CHECK_INT(r.prof.anomalies, 0);
	CHECK(r.prof.status & PH_PROFILE_NORMAL); /* the budget is untouched */
	/* two novel calls close together: the LFC reaches 4, one episode */
	ph_task_init(&r.task, 42);
	feed(&r, known, 3);
	CHECK_INT(step(&r, 20), 0);
	CHECK_INT(step(&r, 21), 0);
	feed(&r, known, 6);
	CHECK(r.task.lfc_max >= 4);
	CHECK_INT(r.prof.anomalies, 1);
	/* more anomalies in the same frame: still that one episode */
	CHECK_INT(step(&r, 22), 0);
	CHECK_INT(r.res.anomaly, 1);
	CHECK_INT(r.prof.anomalies, 1);
	/* episode_lfc 0 is 1; over the frame it is refused */
	r.p.episode_lfc = 0;
	CHECK_INT(ph_episode_lfc(&r.p), 1);
	CHECK_INT(ph_params_check(&r.p), 0);
	r.p.episode_lfc = r.p.frame + 1;
	CHECK_INT(ph_params_check(&r.p), -EINVAL);
	/* the defaults: more than one novel call makes under their pairs */
	ph_params_default(&r.p);
	CHECK_INT(r.p.episode_lfc, PH_FALLBACK_WINDOW);
	ph_params_plain(&r.p);
	CHECK_INT(r.p.episode_lfc, PH_WINDOW_DEFAULT);
	ph_store_free(r.store);
}

static void test_learn_off_changes_nothing(void)
{
	struct rig r;
	size_t before;
	uint64_t adds;

	rig_init(&r);
	make_normal(&r);
	before = ph_store_count(r.store);
	adds = r.prof.adds;
	r.p.learn = 0;
	r.p.tolerize_limit = 0;
	for (int i = 0; i < 50; i++)
		CHECK_INT(step(&r, (uint32_t)(i % 7 + 20)), 0);
	CHECK_INT(ph_store_count(r.store), before);
	CHECK_INT(r.prof.adds, adds);
	CHECK(r.prof.status & PH_PROFILE_NORMAL);
	CHECK_INT(r.task.anomalies, 49);
	ph_store_free(r.store);
}

static void test_ngram_model(void)
{
	static const uint32_t train[] = { 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4 };
	static const uint32_t swapped[] = { 1, 2, 4, 3 };
	struct rig r;

	rig_init(&r);
	r.p.model = PH_MODEL_NGRAM;
	r.p.ngram = 3;
	feed(&r, train, 12);
	/* start-anchored grams (1), (1 2) plus 3-grams of the loop */
	CHECK_INT(ph_store_count_items(r.store, 42, r.prof.train_gen, PH_ITEM_NGRAM), 6);
	CHECK_INT(ph_store_count_items(r.store, 42, r.prof.train_gen, PH_ITEM_PAIR), 0);
	ph_profile_start_normal(&r.prof);
	ph_task_init(&r.task, 42);
	CHECK_INT(feed(&r, train, 12), 0);
	ph_task_init(&r.task, 42);
	/* 1 2 4 and 2 4 3 are new 3-grams; each call makes one lookup */
	CHECK_INT(feed(&r, swapped, 4), 2);
	/* a task that starts in the middle of the loop is new as well */
	ph_task_init(&r.task, 42);
	CHECK_INT(step(&r, 3), 0);
	CHECK_INT(r.res.anomaly, 1);
	ph_store_free(r.store);
}

/* FALLBACK: n-grams first; a call whose n-gram is new while its lookahead
 * pairs are known is forgiven (no anomaly, 1/PH_FORGIVE_WEIGHT in the
 * rate); pairs are looked up and learnt only where the n-gram misses. */
static void test_fallback_model(void)
{
	static const uint32_t t1[] = { 1, 2, 3 }, t2[] = { 4, 2, 5 }, t3[] = { 1, 7, 5 };
	static const uint32_t reordered[] = { 1, 2, 5 }, novel[] = { 1, 2, 6 };
	struct rig r;

	rig_init(&r);
	r.p.model = PH_MODEL_FALLBACK;
	r.p.ngram = 3;
	r.p.score = PH_SCORE_RATE;
	feed(&r, t1, 3);
	/* grams (1) (1 2) (1 2 3); pairs of calls 2 and 3: (1,1,2) (2,1,3) (1,2,3) */
	CHECK_INT(ph_store_count_items(r.store, 42, r.prof.train_gen, PH_ITEM_NGRAM), 3);
	CHECK_INT(ph_store_count_items(r.store, 42, r.prof.train_gen, PH_ITEM_PAIR), 3);
	/* the same trace again: every n-gram known, so no pair is looked at */
	ph_task_init(&r.task, 42);
	feed(&r, t1, 3);
	CHECK_INT(r.res.learned, 0);
	CHECK_INT(ph_store_count_items(r.store, 42, r.prof.train_gen, PH_ITEM_PAIR), 3);
	ph_task_init(&r.task, 42);
	feed(&r, t2, 3);
	ph_task_init(&r.task, 42);
	feed(&r, t3, 3);
	ph_profile_start_normal(&r.prof);

	/* 1 2 5: the 3-gram is new, but 2 -> 5 (t2) and 1 _ 5 (t3) are known */
	ph_task_init(&r.task, 42);
	CHECK_INT(feed(&r, reordered, 3), 0);
	CHECK_INT(r.res.forgiven, 1);
	CHECK_INT(r.res.misses, 0);
	CHECK_INT(r.task.forgiven, 1);
	CHECK_INT(r.task.lfc, 0);
	CHECK_INT(r.prof.anomalies, 0);
	/* one forgiven call of three: a twelfth of an anomaly each */
	CHECK_INT(ph_task_score(&r.p, &r.task), 1000000 / (3 * PH_FORGIVE_WEIGHT));

	/* 1 2 6: a call never seen after 2: its pairs miss, an anomaly */
	ph_task_init(&r.task, 42);
	CHECK_INT(feed(&r, novel, 3), 1);
	CHECK_INT(r.res.forgiven, 0);
	CHECK_INT(r.res.misses, 3); /* the 3-gram and both pairs */
	CHECK_INT(r.task.forgiven, 0);
	CHECK_INT(r.prof.anomalies, 1);
	CHECK_INT(ph_task_score(&r.p, &r.task), 1000000 / 3);

	/* BOTH, on the same data, calls the reordering an anomaly */
	r.p.model = PH_MODEL_BOTH;
	ph_task_init(&r.task, 42);
	CHECK_INT(feed(&r, reordered, 3), 1);
	CHECK_INT(r.task.forgiven, 0);
	ph_store_free(r.store);

	/* training: the reordering is learnt (its 3-gram) but is no change
	 * for the freeze rule, as normal mode would forgive it; a new call is */
	rig_init(&r);
	r.p.model = PH_MODEL_FALLBACK;
	r.p.ngram = 3;
	feed(&r, t1, 3);
	ph_task_init(&r.task, 42);
	feed(&r, t2, 3);
	ph_task_init(&r.task, 42);
	feed(&r, t3, 3);
	{
		uint64_t at = ph_profile_changed_at(&r.prof), adds = r.prof.adds;

		ph_task_init(&r.task, 42);
		feed(&r, reordered, 3);
		CHECK_INT(r.prof.adds, adds + 1);
		CHECK_INT(ph_profile_changed_at(&r.prof), at);
		ph_task_init(&r.task, 42);
		feed(&r, novel, 3);
		CHECK(ph_profile_changed_at(&r.prof) > at);
	}
	ph_store_free(r.store);
}

/* fold: a call equal to the previous modelled call is not seen, so a
 * loop's count makes no new sequence */
static void test_fold_repeats(void)
{
	static const uint32_t three[] = { 1, 2, 2, 2, 3 }, five[] = { 1, 2, 2, 2, 2, 2, 3 };
	struct rig r;

	rig_init(&r);
	r.p.model = PH_MODEL_NGRAM;
	r.p.ngram = 3;
	r.p.fold = 1;
	feed(&r, three, 5);
	CHECK_INT(r.task.calls, 3); /* 1 2 3 */
	ph_profile_start_normal(&r.prof);
	ph_task_init(&r.task, 42);
	CHECK_INT(feed(&r, five, 7), 0);
	/* without folding the longer run is new */
	r.p.fold = 0;
	ph_task_init(&r.task, 42);
	CHECK(feed(&r, five, 7) > 0);
	ph_store_free(r.store);
}

static void test_store_full_is_counted(void)
{
	struct rig r;

	rig_init(&r);
	ph_store_free(r.store);
	r.store = ph_store_new(2);
	for (int i = 0; i < 10; i++)
		CHECK_INT(step(&r, (uint32_t)i), 0);
	CHECK_INT(ph_store_count(r.store), 2);
	CHECK(r.prof.store_errors > 0);
	ph_store_free(r.store);
}

/* The user-space store grows past its first table and GC keeps only the
 * generations a profile still uses. */
static void test_store_grows_and_collects(void)
{
	struct ph_store *st = ph_store_new(100000);
	struct ph_profile prof;
	struct ph_item_key k = { .profile = 7 };
	__u64 stamp = 0;
	int found = 0;

	ph_profile_init(&prof, 7);
	for (uint32_t gen = 1; gen <= 3; gen++) {
		k.gen = gen;
		for (uint64_t i = 0; i < 3000; i++) {
			k.item = (i * 0x9e3779b97f4a7c15ULL) & ~PH_ITEM_PAIR_BIT; /* n-grams */
			CHECK_INT(ph_item_insert(st, &k, i), 0);
		}
	}
	CHECK_INT(ph_store_count(st), 9000);
	k.gen = 2;
	k.item = (1234 * 0x9e3779b97f4a7c15ULL) & ~PH_ITEM_PAIR_BIT;
	CHECK_INT(ph_item_lookup(st, &k, &stamp), 0);
	CHECK_INT(stamp, 1234);
	CHECK_INT(ph_item_insert(st, &k, 1), 0); /* existing: keeps its stamp */
	CHECK_INT(ph_item_lookup(st, &k, &stamp), 0);
	CHECK_INT(stamp, 1234);
	k.item = 1;
	CHECK_INT(ph_item_lookup(st, &k, &stamp), -ENOENT);
	prof.train_gen = 3;
	prof.test_gen = 1;
	CHECK_INT(ph_store_gc(st, &prof), 0);
	CHECK_INT(ph_store_count(st), 6000);
	CHECK_INT(ph_store_count_items(st, 7, 2, PH_ITEM_NGRAM), 0);
	CHECK_INT(ph_store_count_items(st, 7, 3, PH_ITEM_NGRAM), 3000);
	k.gen = 1;
	for (uint64_t i = 0; i < 3000; i++) {
		k.item = (i * 0x9e3779b97f4a7c15ULL) & ~PH_ITEM_PAIR_BIT; /* n-grams */
		found += ph_item_lookup(st, &k, &stamp) == 0 && stamp == i;
	}
	CHECK_INT(found, 3000);
	ph_store_free(st);
	ph_store_free(NULL);
}

static void test_params(void)
{
	struct ph_params p;

	ph_params_default(&p);
	CHECK_INT(ph_params_check(&p), 0);
	CHECK_INT(p.model, PH_MODEL_FALLBACK);
	CHECK_INT(p.window, PH_FALLBACK_WINDOW);
	CHECK_INT(p.ngram, 12);
	CHECK_INT(p.score, PH_SCORE_RATE);
	CHECK_INT(p.anomaly_limit, 30);
	CHECK_INT(p.tolerize_limit, 12);
	CHECK_INT(p.normal_factor, 128);
	CHECK_INT(p.normal_factor_den, 32);
	ph_params_plain(&p);
	CHECK_INT(p.model, PH_MODEL_PAIRS);
	CHECK_INT(p.window, 9);
	CHECK_INT(p.score, PH_SCORE_LFC);
	p.window = PH_WINDOW_MAX + 1;
	CHECK_INT(ph_params_check(&p), -EINVAL);
	ph_params_plain(&p);
	p.frame = 0;
	CHECK_INT(ph_params_check(&p), -EINVAL);
	ph_params_plain(&p);
	p.model = 0;
	CHECK_INT(ph_params_check(&p), -EINVAL);
	p.model = PH_MODEL_FORGIVE; /* the bit alone is no model */
	CHECK_INT(ph_params_check(&p), -EINVAL);
	p.model = PH_MODEL_FALLBACK;
	CHECK_INT(ph_params_check(&p), 0);
}

static void test_big_call_numbers_fold(void)
{
	struct rig r;

	rig_init(&r);
	CHECK_INT(step(&r, 5000), 0);
	CHECK_INT(r.task.ring[0], PH_CALL_MAX);
	ph_store_free(r.store);
}

/* Calls marked ignored are invisible: they neither break a learnt
 * sequence nor count, wherever the timing puts them. */
static void test_ignored_calls_do_not_break_sequences(void)
{
	static const uint32_t waits[] = { 1, 5, 2, 5, 5, 3, 1, 2, 5, 3 };
	struct rig r;
	uint64_t calls;

	rig_init(&r);
	ph_call_ignore(&r.p, 5);
	make_normal(&r); /* 1 2 3, never with a 5 */
	calls = r.prof.calls;
	CHECK_INT(feed(&r, waits, 10), 0);
	CHECK_INT(r.task.calls, 6); /* the 5s are not counted */
	ph_task_flush(&r.p, &r.prof, &r.task);
	CHECK_INT(r.prof.calls, calls + 6);
	ph_store_free(r.store);
	/* without the mark the same run is anomalous */
	rig_init(&r);
	make_normal(&r);
	CHECK(feed(&r, waits, 10) > 0);
	ph_call_ignore(&r.p, 2000); /* out of range: nothing */
	ph_store_free(r.store);
}

/* Never-made calls: the profile knows each call it was trained on (a
 * marker item), so a known call somewhere new needs the evidence of
 * known_lfc, where a call the program never made needs only episode_lfc;
 * the marker of a never-made call is held back like its pairs. */
static void test_known_calls_need_more_evidence(void)
{
	static const uint32_t known[] = { 1, 2, 3 };
	struct rig r;
	uint32_t gen;

	rig_init(&r);
	r.p.anomaly_limit = 100;
	r.p.tolerize_limit = 1000;
	r.p.episode_lfc = 2;
	r.p.known_lfc = 4;
	make_normal(&r);
	gen = r.prof.train_gen;
	CHECK_INT(ph_store_count_items(r.store, 42, gen, PH_ITEM_CALL), 3);
	/* 3 repeated: new pairs (3 -1-> 3, 2 -2-> 3) of a known call */
	feed(&r, known, 3);
	CHECK_INT(step(&r, 3), 0);
	CHECK_INT(r.res.anomaly, 1);
	CHECK_INT(r.res.never_made, 0);
	CHECK_INT(step(&r, 3), 0);
	CHECK_INT(r.res.lfc, 2); /* episode_lfc, of known calls only */
	CHECK_INT(r.res.evidence, 0);
	CHECK_INT(step(&r, 3), 0);
	CHECK_INT(r.res.evidence, 0);
	CHECK_INT(r.prof.anomalies, 0);
	CHECK_INT(step(&r, 3), 0);
	CHECK_INT(r.res.lfc, 4); /* known_lfc: an episode */
	CHECK_INT(r.res.evidence, 1);
	CHECK_INT(r.prof.anomalies, 1);
	CHECK_INT(step(&r, 3), 0);
	CHECK_INT(r.prof.anomalies, 1); /* the same episode */

	/* a call the program never made: episode_lfc suffices */
	ph_task_init(&r.task, 42);
	feed(&r, known, 3);
	CHECK_INT(step(&r, 20), 0);
	CHECK_INT(r.res.anomaly, 1);
	CHECK_INT(r.res.never_made, 1);
	CHECK_INT(r.res.evidence, 0); /* LFC 1 */
	CHECK_INT(step(&r, 1), 0);    /* 20 -1-> 1 is new: LFC 2 */
	CHECK_INT(r.res.never_made, 0);
	CHECK_INT(r.res.evidence, 1);
	CHECK_INT(r.prof.anomalies, 2);
	/* normal mode learns nothing: 20's marker is held back with its pairs */
	CHECK_INT(ph_store_count_items(r.store, 42, gen, PH_ITEM_CALL), 3);
	CHECK_INT(ph_store_count_items(r.store, 42, gen | PH_GEN_HELD, PH_ITEM_CALL), 1);

	/* the frame forgets the never-made call: known calls need known_lfc again */
	for (int i = 0; i < 50; i++)
		feed(&r, known, 3);
	CHECK_INT(r.task.lfc, 0);
	CHECK_INT(step(&r, 3), 0);
	CHECK_INT(step(&r, 3), 0);
	CHECK_INT(r.res.lfc, 2);
	CHECK_INT(r.res.evidence, 0);
	CHECK_INT(r.prof.anomalies, 2);

	/* data I/O (a loop's count): known 3s somewhere new are no evidence
	 * whatever the LFC; a known call of another kind in the frame is */
	ph_call_set_add(r.p.data_io, 3);
	for (int i = 0; i < 50; i++)
		feed(&r, known, 3);
	CHECK_INT(r.task.lfc, 0);
	for (int i = 0; i < 6; i++) {
		CHECK_INT(step(&r, 3), 0);
		CHECK_INT(r.res.anomaly, 1);
		CHECK_INT(r.res.evidence, 0);
	}
	CHECK(r.task.lfc >= 4);
	CHECK_INT(r.prof.anomalies, 2);
	CHECK_INT(step(&r, 2), 0); /* 3 -1-> 2 is new: a known call, not I/O */
	CHECK_INT(r.res.anomaly, 1);
	CHECK_INT(r.res.evidence, 1);
	CHECK_INT(r.prof.anomalies, 3);
	__builtin_memset(r.p.data_io, 0, sizeof(r.p.data_io));

	/* known_lfc below episode_lfc is episode_lfc; over the frame refused */
	r.p.known_lfc = 1;
	CHECK_INT(ph_known_lfc(&r.p), 2);
	r.p.known_lfc = r.p.frame + 1;
	CHECK_INT(ph_params_check(&r.p), -EINVAL);
	ph_params_default(&r.p);
	CHECK_INT(r.p.known_lfc, 2 * PH_FALLBACK_WINDOW + 1);
	ph_store_free(r.store);
}

int main(void)
{
	test_ignored_calls_do_not_break_sequences();
	test_training_learns_pairs();
	test_freeze_rule_and_normal_wait();
	test_refreeze_refreshes_test_data();
	test_min_train_delays_freezing();
	test_change_unfreezes();
	test_normal_mode_flags_unknown_pairs();
	test_lfc_frame_slides();
	test_lfc_full_frame_wraps();
	test_tolerize_resets_training();
	test_anomaly_limit_stops_normal();
	test_episode_needs_evidence();
	test_known_calls_need_more_evidence();
	test_learn_off_changes_nothing();
	test_ngram_model();
	test_fallback_model();
	test_fold_repeats();
	test_store_full_is_counted();
	test_store_grows_and_collects();
	test_params();
	test_big_call_numbers_fold();
	return check_report();
}
