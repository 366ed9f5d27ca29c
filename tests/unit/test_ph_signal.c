/* Signal handler windows in the shared model (ph_signal_push/pop): the
 * handler's calls form a window of their own, and the interrupted code goes
 * on as if the handler had not run; nesting is bounded. Run through the
 * same ph_on_call() as the kernel and replay, for both item kinds. */
#include "check.h"
#include "ph/ph_model.h"
#include "ph/ph_store.h"

enum { A = 1, B = 2, C = 3, D = 4, E = 5, F = 6, SIGRET = 15 };

static struct ph_params params;

static unsigned feed(struct ph_store *st, struct ph_profile *prof, struct ph_task *t,
		     const unsigned *calls, unsigned n)
{
	struct ph_result res;
	unsigned learned = 0;

	for (unsigned i = 0; i < n; i++) {
		CHECK_INT(ph_step(st, &params, prof, t, calls[i], prof->calls, &res), 0);
		learned += res.learned;
	}
	return learned;
}

static int has_pair(struct ph_store *st, const struct ph_profile *prof, unsigned earlier,
		    unsigned d, unsigned call)
{
	struct ph_item_key k = { .profile = (__u32)prof->id, .gen = prof->train_gen,
				 .item = PH_ITEM_PAIR_BIT | ((__u64)earlier << 32) | ((__u64)d << 16) |
					 call };
	__u64 stamp;

	return ph_item_lookup(st, &k, &stamp) == 0;
}

/* A B C, signal: D E rt_sigreturn, back: F. */
static void run_with_signal(struct ph_store *st, struct ph_profile *prof, int windows)
{
	static const unsigned before[] = { A, B, C }, handler[] = { D, E, SIGRET }, after[] = { F };
	struct ph_sigstack stack = { 0 };
	struct ph_task t;

	ph_task_init(&t, prof->id);
	feed(st, prof, &t, before, 3);
	if (windows)
		ph_signal_push(&t, &stack);
	feed(st, prof, &t, handler, 3);
	if (windows)
		ph_signal_pop(&t, &stack);
	feed(st, prof, &t, after, 1);
	CHECK_INT(t.calls, 7); /* every call still counts for the task */
	CHECK_INT(stack.depth, 0);
}

/* After the signal run, the same code without a signal and the handler's
 * calls alone must teach the profile nothing new. */
static unsigned learned_by_plain_runs(struct ph_store *st, struct ph_profile *prof)
{
	static const unsigned plain[] = { A, B, C, F }, handler[] = { D, E, SIGRET };
	struct ph_task t;
	unsigned n;

	ph_task_init(&t, prof->id);
	n = feed(st, prof, &t, plain, 4);
	ph_task_init(&t, prof->id);
	return n + feed(st, prof, &t, handler, 3);
}

static void test_windows(unsigned model)
{
	struct ph_store *st = ph_store_new(1 << 16);
	struct ph_profile with, without;

	ph_params_default(&params);
	params.model = model;
	ph_profile_init(&with, 1);
	ph_profile_init(&without, 2);
	run_with_signal(st, &with, 1);
	CHECK_INT(learned_by_plain_runs(st, &with), 0);
	/* the control: without windows the handler's calls leak into F's */
	run_with_signal(st, &without, 0);
	CHECK(learned_by_plain_runs(st, &without) > 0);
	if (model == PH_MODEL_PAIRS) {
		CHECK(has_pair(st, &with, C, 1, F));
		CHECK(has_pair(st, &with, A, 3, F));
		CHECK(has_pair(st, &with, D, 1, E));
		CHECK(has_pair(st, &with, D, 2, SIGRET));
		CHECK(!has_pair(st, &with, SIGRET, 1, F));
		CHECK(!has_pair(st, &with, E, 2, F));
		CHECK(!has_pair(st, &with, C, 1, D));
		CHECK(has_pair(st, &without, SIGRET, 1, F));
	}
	ph_store_free(st);
}

/* Deeper than PH_SIGNAL_DEPTH: the extra levels stay in the current window
 * and their pops are absorbed; the outer window comes back intact. */
static void test_nesting(void)
{
	struct ph_store *st = ph_store_new(1 << 16);
	struct ph_sigstack stack = { 0 };
	struct ph_profile prof;
	struct ph_task t, saved;
	unsigned x = 100;

	ph_params_default(&params);
	params.model = PH_MODEL_PAIRS;
	ph_profile_init(&prof, 1);
	ph_task_init(&t, 1);
	feed(st, &prof, &t, (const unsigned[]){ A, B, C }, 3);
	saved = t;
	for (int level = 0; level < PH_SIGNAL_DEPTH + 2; level++) {
		ph_signal_push(&t, &stack);
		feed(st, &prof, &t, (const unsigned[]){ x, x + 1 }, 2);
		x += 10;
	}
	CHECK_INT(stack.depth, PH_SIGNAL_DEPTH);
	CHECK_INT(stack.overflow, 2);
	/* level 5 and 6 ran on in level 4's window: their calls pair up */
	CHECK(has_pair(st, &prof, 131, 1, 140));
	/* level 2 started fresh: nothing pairs it with level 1 */
	CHECK(!has_pair(st, &prof, 101, 1, 110));
	for (int level = 0; level < PH_SIGNAL_DEPTH + 2; level++)
		ph_signal_pop(&t, &stack);
	CHECK_INT(stack.depth, 0);
	CHECK_INT(stack.overflow, 0);
	CHECK_INT(t.calls - t.win_start, saved.calls - saved.win_start);
	for (int d = 1; d <= 3; d++)
		CHECK_INT(t.ring[(t.calls - d) % PH_WINDOW_MAX],
			  saved.ring[(saved.calls - d) % PH_WINDOW_MAX]);
	/* a pop without a push (rt_sigreturn we did not see begin) is ignored */
	saved = t;
	ph_signal_pop(&t, &stack);
	CHECK_INT(t.win_start, saved.win_start);
	feed(st, &prof, &t, (const unsigned[]){ F }, 1);
	CHECK(has_pair(st, &prof, C, 1, F));
	ph_store_free(st);
}

int main(void)
{
	test_windows(PH_MODEL_PAIRS);
	test_windows(PH_MODEL_NGRAM);
	test_nesting();
	return check_report();
}
