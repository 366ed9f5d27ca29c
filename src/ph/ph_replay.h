/* Offline replay of recorded traces through the pH model: train one profile
 * on trace files, then score every trace of other files with the same
 * per-call code the kernel runs (ph_model.c) and the same alert score. */
#ifndef VIGIL_PH_REPLAY_H
#define VIGIL_PH_REPLAY_H
#include <stddef.h>
#include <stdint.h>

#include "ph/ph_model.h"
#include "ph/trace.h"

#define PH_REPLAY_MAX_TASKS 65536 /* traces (PIDs) open at once in one file */

struct ph_replay {
	struct ph_params params;
	struct ph_store *store;
	struct ph_profile profile;
	uint64_t traces;   /* traces trained on */
	uint64_t calls;    /* calls trained on */
	uint64_t clock;    /* the model's clock: calls replayed so far */
};

/* What one test trace scored. */
struct ph_trace_score {
	uint32_t pid;       /* 0 for ADFA */
	uint64_t calls;
	uint64_t anomalies; /* anomalous calls */
	uint32_t lfc_max;
	uint64_t score;     /* ph_task_score(): higher = more anomalous */
};

typedef void (*ph_score_fn)(void *ctx, const struct ph_trace_score *s);

/* One profile with the given parameters and an empty store of at most
 * max_items items. Returns 0, -EINVAL (bad parameters) or -ENOMEM. */
int ph_replay_init(struct ph_replay *r, const struct ph_params *p, size_t max_items);
void ph_replay_fini(struct ph_replay *r);

/* Train on every trace of one file. The file is checked completely first,
 * so a malformed file changes nothing. 0 or a negative errno with err set. */
int ph_replay_train_file(struct ph_replay *r, enum ph_trace_format fmt, const char *path,
			 struct ph_trace_error *err);

/* Training is over: a profile that is not normal yet becomes normal with all
 * it learnt (as `vigil profile normal` does) and unreachable generations are
 * dropped. Returns 0 or a negative errno. */
int ph_replay_end_training(struct ph_replay *r);

/* Score every trace of one file against the profile, which does not change.
 * fn is called once per trace, in order of first appearance. */
int ph_replay_test_file(struct ph_replay *r, enum ph_trace_format fmt, const char *path,
			ph_score_fn fn, void *ctx, struct ph_trace_error *err);

#endif
