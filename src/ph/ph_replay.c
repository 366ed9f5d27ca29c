/* Replay driver: files -> traces -> tasks -> ph_on_call(). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ph/ph_replay.h"
#include "ph/ph_store.h"

#define PH_REPLAY_PROFILE_ID 1 /* one profile per replay (no executable names) */

/* The tasks of one file, in order of first appearance, with a hash index
 * from PID to task. */
struct task_table {
	struct ph_task *tasks;
	uint32_t *pids;
	uint32_t *index; /* slot -> task number + 1, 0 = empty */
	size_t count, cap, index_cap;
};

static void task_table_free(struct task_table *t)
{
	free(t->tasks);
	free(t->pids);
	free(t->index);
	memset(t, 0, sizeof(*t));
}

static size_t pid_slot(const struct task_table *t, uint32_t pid)
{
	size_t i = (pid * 2654435761u) & (t->index_cap - 1);

	while (t->index[i] && t->pids[t->index[i] - 1] != pid)
		i = (i + 1) & (t->index_cap - 1);
	return i;
}

static int task_table_grow(struct task_table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 16;
	struct ph_task *tasks = realloc(t->tasks, cap * sizeof(*tasks));
	uint32_t *pids, *index;

	if (!tasks)
		return -ENOMEM;
	t->tasks = tasks;
	pids = realloc(t->pids, cap * sizeof(*pids));
	if (!pids)
		return -ENOMEM;
	t->pids = pids;
	index = calloc(cap * 2, sizeof(*index));
	if (!index)
		return -ENOMEM;
	free(t->index);
	t->index = index;
	t->index_cap = cap * 2;
	t->cap = cap;
	for (size_t k = 0; k < t->count; k++)
		t->index[pid_slot(t, t->pids[k])] = (uint32_t)k + 1;
	return 0;
}

/* The task of pid, created on first sight. NULL with *err set when the file
 * has too many PIDs or memory runs out. */
static struct ph_task *task_get(struct task_table *t, uint32_t pid, int *err)
{
	size_t slot;

	if (t->cap) {
		slot = pid_slot(t, pid);
		if (t->index[slot])
			return &t->tasks[t->index[slot] - 1];
	}
	if (t->count == PH_REPLAY_MAX_TASKS) {
		*err = -E2BIG;
		return NULL;
	}
	if (t->count == t->cap) {
		*err = task_table_grow(t);
		if (*err)
			return NULL;
	}
	slot = pid_slot(t, pid);
	t->pids[t->count] = pid;
	ph_task_init(&t->tasks[t->count], PH_REPLAY_PROFILE_ID);
	t->index[slot] = (uint32_t)++t->count;
	return &t->tasks[t->count - 1];
}

struct replay_pass {
	struct ph_replay *r;
	struct task_table tasks;
	int check_only; /* first pass: parse and count PIDs, touch nothing */
	int err;
};

static int replay_call(void *ctx, uint32_t pid, uint32_t call)
{
	struct replay_pass *pass = ctx;
	struct ph_replay *r = pass->r;
	struct ph_result res;
	struct ph_task *task = task_get(&pass->tasks, pid, &pass->err);

	if (!task)
		return pass->err;
	if (pass->check_only)
		return 0;
	/* replay's clock counts calls (normal_wait is in calls); not the
	 * profile's count, which lags by the tasks' pending fast calls */
	pass->err = ph_step(r->store, &r->params, &r->profile, task, call, r->clock++, &res);
	return pass->err;
}

static int replay_file(struct ph_replay *r, enum ph_trace_format fmt, const char *path,
		       struct replay_pass *pass, struct ph_trace_error *err)
{
	long ret;

	pass->r = r;
	pass->check_only = 1;
	ret = ph_trace_read_file(fmt, path, replay_call, pass, err);
	if (ret >= 0) {
		task_table_free(&pass->tasks);
		pass->check_only = 0;
		ret = ph_trace_read_file(fmt, path, replay_call, pass, err);
		/* the file's tasks end here: their pending calls go to the profile */
		for (size_t i = 0; i < pass->tasks.count; i++)
			ph_task_flush(&r->params, &r->profile, &pass->tasks.tasks[i]);
	}
	if (ret == -E2BIG)
		snprintf(err->msg, sizeof(err->msg), "more than %u PIDs in one file",
			 PH_REPLAY_MAX_TASKS);
	return ret < 0 ? (int)ret : 0;
}

int ph_replay_init(struct ph_replay *r, const struct ph_params *p, size_t max_items)
{
	memset(r, 0, sizeof(*r));
	if (ph_params_check(p))
		return -EINVAL;
	r->params = *p;
	r->store = ph_store_new(max_items);
	if (!r->store)
		return -ENOMEM;
	ph_profile_init(&r->profile, PH_REPLAY_PROFILE_ID);
	return 0;
}

void ph_replay_fini(struct ph_replay *r)
{
	ph_store_free(r->store);
	r->store = NULL;
}

int ph_replay_train_file(struct ph_replay *r, enum ph_trace_format fmt, const char *path,
			 struct ph_trace_error *err)
{
	struct replay_pass pass = { 0 };
	int ret;

	r->params.learn = 1;
	ret = replay_file(r, fmt, path, &pass, err);
	if (!ret) {
		for (size_t i = 0; i < pass.tasks.count; i++)
			r->calls += pass.tasks.tasks[i].calls;
		r->traces += pass.tasks.count;
	}
	task_table_free(&pass.tasks);
	return ret;
}

int ph_replay_end_training(struct ph_replay *r)
{
	if (!(r->profile.status & PH_PROFILE_NORMAL)) {
		ph_profile_start_normal(&r->profile);
		ph_epoch_bump(r->store); /* a change made outside the model */
	}
	return ph_store_gc(r->store, &r->profile);
}

int ph_replay_test_file(struct ph_replay *r, enum ph_trace_format fmt, const char *path,
			ph_score_fn fn, void *ctx, struct ph_trace_error *err)
{
	struct replay_pass pass = { 0 };
	int ret;

	/* test only: scores must not depend on the order of the test traces */
	r->params.learn = 0;
	ret = replay_file(r, fmt, path, &pass, err);
	r->params.learn = 1;
	for (size_t i = 0; !ret && i < pass.tasks.count; i++) {
		const struct ph_task *t = &pass.tasks.tasks[i];
		struct ph_trace_score s = {
			.pid = pass.tasks.pids[i],
			.calls = t->calls,
			.anomalies = t->anomalies,
			.lfc_max = t->lfc_max,
			.score = ph_task_score(&r->params, t),
		};

		fn(ctx, &s);
	}
	task_table_free(&pass.tasks);
	return ret;
}
