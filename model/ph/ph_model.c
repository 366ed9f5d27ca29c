/* pH per-call model; see ph_model.h for why this file is plain, bounded C
 * that the BPF program #includes. Keep it free of libc and floating point. */
#include "ph_model.h"

/* Linux errno values, spelled out because the BPF side has no errno.h. */
#define PH_ENOENT 2
#define PH_EINVAL 22

#define PH_RING_MASK (PH_WINDOW_MAX - 1)
_Static_assert((PH_WINDOW_MAX & PH_RING_MASK) == 0, "the ring index is a mask");
_Static_assert(PH_LFC_BITS == 128, "the LFC is two 64-bit words");

/* Is `call` in a bitmap of call numbers (ph_params.ignore, data_io)? */
static inline int ph_call_in(const __u64 *set, __u32 call)
{
	if (call > PH_CALL_MAX)
		return 0;
	return (set[(call >> 6) & (PH_CALL_MAX >> 6)] >> (call & 63)) & 1;
}

/* A call the model does not see: no window, no item, no count. */
static inline int ph_ignored(const struct ph_params *p, __u32 call)
{
	return ph_call_in(p->ignore, call);
}
_Static_assert(((PH_CALL_MAX + 1) & PH_CALL_MAX) == 0, "the ignore index is a mask");

/* p->fold: the call repeats the window's last call (folded, not seen). */
static inline int ph_repeat(const struct ph_params *p, const struct ph_task *task, __u32 call)
{
	return p->fold && task->calls != task->win_start &&
	       task->ring[(task->calls - 1) & PH_RING_MASK] == (call > PH_CALL_MAX ? PH_CALL_MAX : call);
}

PH_FN void ph_profile_init(struct ph_profile *prof, __u64 id)
{
	__builtin_memset(prof, 0, sizeof(*prof));
	prof->id = id;
	/* test_gen differs from train_gen until the first snapshot, and
	 * test_stamp 0 makes the (empty) test data reject everything. */
	prof->train_gen = 1;
}

PH_FN void ph_task_init(struct ph_task *task, __u64 profile_id)
{
	__builtin_memset(task, 0, sizeof(*task));
	task->profile_id = profile_id;
}

PH_FN void ph_profile_start_normal(struct ph_profile *prof)
{
	prof->test_gen = prof->train_gen;
	prof->test_stamp = prof->adds;
	prof->status = (prof->status & ~PH_PROFILE_FROZEN) | PH_PROFILE_NORMAL;
	prof->anomalies = 0;
}

/* Lookahead pair (earlier call, distance, current call) as one number. */
static inline __u64 ph_pair_item(__u32 earlier, __u32 distance, __u32 call)
{
	return PH_ITEM_PAIR_BIT | ((__u64)earlier << 32) | ((__u64)distance << 16) | call;
}

/* N-grams are hashed with a polynomial rolling hash, so that a call costs
 * O(1) instead of rehashing n calls: task->gram is
 *	P(s_1 .. s_k) = sum over j of (s_j + 1) * B^(k - j)   (mod 2^64)
 * of the k = min(calls in the window, n - 1) most recent calls, oldest first
 * (+ 1 so that call 0 counts). Adding a call multiplies by B and adds it;
 * once k = n - 1, the oldest call's term, (s_1 + 1) * B^(n - 2), is taken
 * out first. B is odd, so distinct short sequences of call numbers (at most
 * 1024 values) practically never collide. */
#define PH_GRAM_BASE 0xff51afd7ed558ccdULL

/* B^(n - 2): the weight of the oldest call of a full gram window. */
static inline __u64 ph_gram_pow(__u32 n)
{
	__u64 pow = 1;
	__u32 i;

	for (i = 0; i < PH_WINDOW_MAX; i++) {
		if (i + 2 >= n)
			break;
		pow *= PH_GRAM_BASE;
	}
	return pow;
}

/* The n-gram ending with `call`: the last n - 1 calls of the window (the
 * rolling hash) and `call`. Near the start of a task (or of a signal
 * handler's window) the gram is shorter; its length is part of the item, so
 * "started with X" is an item of its own. */
static inline __u64 ph_ngram_item(const struct ph_task *task, __u32 n, __u32 call)
{
	__u64 len = task->calls - task->win_start; /* calls in the window */

	return ((task->gram * PH_GRAM_BASE + call + 1) ^ ((__u64)(len < n ? len + 1 : n) << 56)) &
	       ~PH_ITEM_PAIR_BIT;
}

/* `call` joins the window (before it enters the ring, which still holds the
 * call that leaves the gram). pow = ph_gram_pow(n). */
static inline void ph_gram_step(struct ph_task *task, __u32 n, __u32 call, __u64 pow)
{
	__u64 h = task->gram;

	if (task->calls - task->win_start >= n - 1)
		h -= ((__u64)task->ring[(task->calls - (n - 1)) & PH_RING_MASK] + 1) * pow;
	task->gram = h * PH_GRAM_BASE + call + 1;
}

/* Where one item stands in a profile. */
struct ph_item_state {
	int in_train; /* in the current training data */
	int in_test;  /* in the frozen test data */
};

static inline int ph_item_state(struct ph_store *store, const struct ph_profile *prof, __u64 item,
				int want_test, struct ph_item_state *st)
{
	struct ph_item_key key = { .profile = (__u32)prof->id, .item = item };
	__u64 stamp = 0;
	int err;

	st->in_train = 0;
	st->in_test = 0;
	key.gen = prof->train_gen;
	err = ph_item_lookup(store, &key, &stamp);
	if (err && err != -PH_ENOENT)
		return err;
	st->in_train = !err;
	if (!want_test)
		return 0;
	if (prof->test_gen == prof->train_gen) {
		/* one lookup answers both: the snapshot is a stamp prefix */
		st->in_test = !err && stamp < prof->test_stamp;
		return 0;
	}
	key.gen = prof->test_gen;
	err = ph_item_lookup(store, &key, &stamp);
	if (err && err != -PH_ENOENT)
		return err;
	st->in_test = !err && stamp < prof->test_stamp;
	return 0;
}

#define PH_CHECK_LEARN 0x100u /* flag of ph_check_item(): add unknown items */

/* Test one item (normal mode) and learn it (training). Counts into res.
 * flags: PH_CHECK_LEARN or 0 (the item's kind is in its number).
 * Returns 1 if the item is known (in the training data, and in the test data
 * when testing: the task may cache it), 0 if not (a miss, learnt or not), or
 * a negative errno.
 * The BPF side defines PH_ITEM_FN as a global noinline function: the verifier
 * then checks it once instead of once per loop iteration and branch history,
 * which keeps the loop of lookups far below its instruction limit. A global
 * BPF function receives its pointers as "maybe NULL", hence the check. */
PH_ITEM_FN int ph_check_item(struct ph_store *store, struct ph_profile *prof, __u32 flags,
			     __u64 item, struct ph_result *res)
{
	struct ph_item_key key = { 0 };
	struct ph_item_state st;
	int testing, err;

	if (!prof || !res)
		return -PH_EINVAL;
	/* the status changes only after all items of a call are checked */
	testing = (prof->status & PH_PROFILE_NORMAL) != 0;
	key.profile = (__u32)prof->id;
	key.gen = prof->train_gen;
	key.item = item;
	err = ph_item_state(store, prof, item, testing, &st);
	if (err)
		return err;
	if (testing && !st.in_test)
		res->misses++;
	if (st.in_train && (!testing || st.in_test))
		return 1;
	/* a miss is never learnt: in normal mode new behaviour is held back
	 * (PH_GEN_HELD) until an operator accepts it, not made normal by
	 * repeating it */
	if ((flags & PH_CHECK_LEARN) && testing && !st.in_test && !st.in_train &&
	    prof->held < PH_HELD_MAX) {
		__u64 unused;

		key.gen = prof->train_gen | PH_GEN_HELD;
		if (ph_item_lookup(store, &key, &unused) == -PH_ENOENT &&
		    !ph_item_insert(store, &key, 0))
			prof->held++;
		return 0;
	}
	if (!(flags & PH_CHECK_LEARN) || st.in_train || (testing && !st.in_test))
		return 0;
	if (ph_item_insert(store, &key, prof->adds)) {
		prof->store_errors++; /* full: the profile just learns less */
		return 0;
	}
	prof->adds++;
	res->learned++;
	return 0;
}

/* Normal and nothing learnt since the test data was taken: freezing again
 * would only copy the same data. */
static inline int ph_test_is_current(const struct ph_profile *prof)
{
	return (prof->status & PH_PROFILE_NORMAL) && prof->test_gen == prof->train_gen &&
	       prof->test_stamp == prof->adds;
}

/* Training bookkeeping and the freeze rule: a profile freezes once more than
 * (1 - den/factor) of its training calls, 75% with pH's 128/32, came after the
 * last change to its training data. */
static inline void ph_train_step(const struct ph_params *p, struct ph_profile *prof, __u64 now,
				 struct ph_result *res, __u32 changed)
{
	__u64 normal_count;

	if (changed) {
		prof->last_mod_count = 0;
		prof->status &= ~PH_PROFILE_FROZEN; /* it changed: not stable after all */
	} else {
		prof->last_mod_count++;
	}
	prof->train_count++;
	normal_count = prof->train_count - prof->last_mod_count;
	if (!(prof->status & PH_PROFILE_FROZEN) && prof->train_count >= p->min_train &&
	    normal_count > 0 && !ph_test_is_current(prof) &&
	    prof->train_count * p->normal_factor_den > normal_count * p->normal_factor) {
		prof->status |= PH_PROFILE_FROZEN;
		/* saturate: a wait of ~0 means "never on its own" */
		prof->normal_time = now > ~0ULL - p->normal_wait ? ~0ULL : now + p->normal_wait;
		res->froze = 1;
	}
	if ((prof->status & PH_PROFILE_FROZEN) && now >= prof->normal_time &&
	    prof->normal_time != ~0ULL) {
		ph_profile_start_normal(prof);
		res->normal = 1;
	}
}

/* Slide the locality frame by one call. */
static inline void ph_lfc_step(const struct ph_params *p, struct ph_task *task, int anomaly)
{
	__u64 i = task->calls;
	__u64 old = i - p->frame; /* the call leaving the frame */

	if (!anomaly && !(task->lfc_bits[0] | task->lfc_bits[1]))
		return; /* no anomaly in the frame, none now: nothing moves */

	if (i >= p->frame && (task->lfc_bits[(old >> 6) & 1] >> (old & 63)) & 1)
		task->lfc--;
	if (anomaly) {
		task->lfc_bits[(i >> 6) & 1] |= 1ULL << (i & 63);
		task->lfc++;
	} else {
		task->lfc_bits[(i >> 6) & 1] &= ~(1ULL << (i & 63));
	}
	if (task->lfc > task->lfc_max)
		task->lfc_max = task->lfc;
}

/* Start over with empty training data (a new generation); the test data,
 * stored under test_gen, stays as it is. */
static inline void ph_reset_training(struct ph_profile *prof)
{
	prof->train_gen++;
	prof->held = 0; /* what the old generation held back goes with it */
	prof->train_count = 0;
	prof->last_mod_count = 0;
	prof->adds = 0;
	prof->status &= ~PH_PROFILE_FROZEN;
}

/* ---- the task's cache (struct ph_task_cache) ---- */

/* The cache is 2-way set associative: an item may sit in either slot of
 * its set (direct mapping let two items of one loop evict each other on
 * every call). The set comes from multiplicative hashing, so that pair
 * items, which differ in their high bits, spread too. */
static inline __u32 ph_cache_set(__u64 item)
{
	return (__u32)((item * 0x9e3779b97f4a7c15ULL) >> 60) * 2;
}
_Static_assert(PH_CACHE_SLOTS == 32, "ph_cache_set() takes the top 4 bits: 16 sets of 2");

static inline int ph_cache_has(const struct ph_task_cache *c, __u64 item)
{
	__u32 i = ph_cache_set(item) & (PH_CACHE_SLOTS - 2);

	return (((c->valid >> i) & 1) && c->items[i] == item) ||
	       (((c->valid >> (i + 1)) & 1) && c->items[i + 1] == item);
}

/* The newest item goes first in its set, the one it displaces second. */
static inline void ph_cache_put(struct ph_task_cache *c, __u64 item)
{
	__u32 i = ph_cache_set(item) & (PH_CACHE_SLOTS - 2);

	if (ph_cache_has(c, item))
		return;
	c->items[i + 1] = c->items[i];
	c->valid = (c->valid & ~(2u << i)) | (((c->valid >> i) & 1) << (i + 1));
	c->items[i] = item;
	c->valid |= 1u << i;
}

/* The cached items were verified against the profile's data in the tag:
 * other data (another profile, generation or test data, testing or not)
 * empties the cache. Freezing does not change what is known. */
static inline void ph_cache_sync(struct ph_task_cache *c, const struct ph_profile *prof)
{
	__u32 normal = prof->status & PH_PROFILE_NORMAL;

	if (c->profile == prof->id && c->train_gen == prof->train_gen &&
	    c->test_gen == prof->test_gen && c->test_stamp == prof->test_stamp &&
	    c->normal == normal)
		return;
	c->valid = 0;
	c->profile = prof->id;
	c->train_gen = prof->train_gen;
	c->test_gen = prof->test_gen;
	c->test_stamp = prof->test_stamp;
	c->normal = normal;
}

/* After a slow call: how many no-op calls may follow on the fast path.
 * No-op calls add one to train_count and last_mod_count each, so the freeze
 * rule (ph_train_step) becomes true at a call we can compute: the fast path
 * stops just before it, and the freeze happens on the same call as without
 * the cache (for one task; other tasks' pending calls reach the profile
 * when they flush). */
static inline __u32 ph_cache_budget(const struct ph_params *p, const struct ph_profile *prof)
{
	__u64 normal_count = prof->train_count - prof->last_mod_count;
	__u64 first; /* the smallest train_count at which the profile freezes */

	if (!p->learn || (prof->status & PH_PROFILE_FROZEN) || normal_count == 0 ||
	    ph_test_is_current(prof))
		return PH_PENDING_MAX; /* no-op calls cannot freeze it */
	first = normal_count * p->normal_factor / p->normal_factor_den + 1;
	if (first < p->min_train)
		first = p->min_train;
	if (first <= prof->train_count + 1)
		return 0; /* the next call may freeze it */
	first -= prof->train_count + 1; /* no-op calls before that one */
	return first < PH_PENDING_MAX ? (__u32)first : PH_PENDING_MAX;
}

/* At the end of a slow call: the state the fast path may trust until the
 * epoch moves. A frozen profile becomes normal at normal_time: the fast path
 * stops then, so that the transition happens on the same call. */
static inline void ph_cache_refresh(const struct ph_params *p, const struct ph_profile *prof,
				    struct ph_task *task)
{
	struct ph_task_cache *c = &task->cache;

	ph_cache_sync(c, prof);
	c->epoch = c->seen;
	c->fast_until = (prof->status & PH_PROFILE_FROZEN) ? prof->normal_time : ~0ULL;
	c->budget = ph_cache_budget(p, prof);
	/* while the LFC is above the tolerize limit every call resets training */
	if (p->learn && task->lfc > p->tolerize_limit)
		c->budget = 0;
}

PH_FN void ph_task_flush(const struct ph_params *p, struct ph_profile *prof, struct ph_task *task)
{
	const struct ph_task_cache *c = &task->cache;
	__u64 n = c->pending;

	prof->calls += n;
	/* The pending calls were trained on in the generation of the cache's
	 * tag (a new generation bumps the epoch, which stops the fast path):
	 * if that generation has ended meanwhile (tolerize, sensitize, reset),
	 * they no longer count, as if they had been counted before the reset. */
	if (p->learn && c->profile == prof->id && c->train_gen == prof->train_gen) {
		/* no-op calls: trained on, the training data unchanged */
		prof->train_count += n;
		prof->last_mod_count += n;
	}
	task->cache.pending = 0;
}

PH_FN void ph_task_fork(struct ph_task *child)
{
	child->cache.pending = 0;
	child->cache.budget = 0; /* its first call goes the slow way */
}

/* The pair items of `call` are all in the task's cache. Not the default
 * model: the BPF side makes this a subprogram of its own (PH_RARE_FN), so
 * that its loop does not take the registers of the n-gram's fast path. */
PH_RARE_FN int ph_fast_pairs(const struct ph_params *p, const struct ph_task *task, __u32 call)
{
	__u64 len = task->calls - task->win_start;
	__u32 d;

	for (d = 1; d < PH_WINDOW_MAX; d++) {
		if (d >= p->window || d > len)
			break;
		if (!ph_cache_has(&task->cache,
				  ph_pair_item(task->ring[(task->calls - d) & PH_RING_MASK], d, call)))
			return 0;
	}
	return 1;
}

/* The fast path for a call the model does not ignore (ph_fast_call()
 * checks that first; the kernel checks it before it looks the task up).
 * It runs on every system call of a trained program, so it is written for
 * few instructions: the task's fields are read once, and the n-gram's
 * rolling hash is computed once for both the item and the next window. */
PH_FN int ph_fast_known(struct ph_store *store, const struct ph_params *p, struct ph_task *task,
			__u32 call, __u64 now)
{
	struct ph_task_cache *c = &task->cache;
	/* read before the caller looks the profile up: a change made after
	 * this read is seen by the next call */
	__u64 epoch = ph_epoch(store);
	__u64 calls, len, h;
	__u32 n;

	if (!c->budget || c->epoch != epoch || now >= c->fast_until)
		goto slow;
	if (call > PH_CALL_MAX)
		call = PH_CALL_MAX;
	/* FALLBACK: a known n-gram makes the call normal (ph_on_call()); the
	 * pairs are checked first (both checks only read): in the kernel that
	 * check is a subprogram call, and the n-gram's values computed below
	 * would be spilled to the stack across it on every call */
	if ((p->model & PH_MODEL_PAIRS) && !(p->model & PH_MODEL_FORGIVE) &&
	    !ph_fast_pairs(p, task, call))
		goto slow;
	calls = task->calls;
	len = calls - task->win_start; /* calls in the window */
	n = p->ngram;
	/* ph_ngram_item()'s hash: the window's last n - 1 calls and `call`;
	 * without the term of the call that leaves, it is the next gram
	 * (ph_gram_step()) */
	h = task->gram * PH_GRAM_BASE + call + 1;
	if ((p->model & PH_MODEL_NGRAM) &&
	    !ph_cache_has(c, (h ^ ((__u64)(len < n ? len + 1 : n) << 56)) & ~PH_ITEM_PAIR_BIT))
		goto slow;
	/* A no-op call: what ph_on_call() would do, minus the profile. The
	 * LFC only slides (no anomaly), so it stays within the tolerize limit
	 * that ph_cache_refresh() checked. */
	c->budget--;
	c->pending++;
	ph_lfc_step(p, task, 0);
	if (p->model & PH_MODEL_NGRAM) {
		/* ph_gram_step(), from the hash above: (g - old * B^(n-2)) * B + s
		 * is g * B + s - old * B^(n-1) */
		if (len >= n - 1)
			h -= ((__u64)task->ring[(calls - (n - 1)) & PH_RING_MASK] + 1) * c->gram_pow *
			     PH_GRAM_BASE;
		task->gram = h;
	}
	task->ring[calls & PH_RING_MASK] = (__u16)call;
	task->calls = calls + 1;
	return 1;
slow:
	c->seen = epoch; /* what ph_on_call() records as the cache's epoch */
	return 0;
}

PH_FN int ph_fast_call(struct ph_store *store, const struct ph_params *p, struct ph_task *task,
		       __u32 call, __u64 now)
{
	/* fold: replay only (the kernel calls ph_fast_known() itself) */
	if (ph_ignored(p, call) || ph_repeat(p, task, call))
		return 1; /* not seen by the model at all */
	return ph_fast_known(store, p, task, call, now);
}

/* The fields whose change bumps the epoch: what the fast path trusts. */
struct ph_profile_state {
	__u64 test_stamp, normal_time;
	__u32 status, train_gen, test_gen;
};

static inline void ph_profile_state_get(const struct ph_profile *prof, struct ph_profile_state *s)
{
	s->test_stamp = prof->test_stamp;
	s->normal_time = prof->normal_time;
	s->status = prof->status;
	s->train_gen = prof->train_gen;
	s->test_gen = prof->test_gen;
}

static inline int ph_profile_state_same(const struct ph_profile *prof,
					const struct ph_profile_state *s)
{
	return s->test_stamp == prof->test_stamp && s->normal_time == prof->normal_time &&
	       s->status == prof->status && s->train_gen == prof->train_gen &&
	       s->test_gen == prof->test_gen;
}

/* The marker of "the program made `call`" (PH_ITEM_CALL). */
static inline __u64 ph_call_item(__u32 call)
{
	return ph_pair_item(call, 0, call);
}

/* After a call's items missed (normal mode) or were learnt (training): its
 * marker, learnt or held back like any item, so a profile knows every call
 * it was trained on. Returns 1 when the profile knows the call (in its test
 * data when testing), 0 when it never saw it, or a negative errno. Its own
 * result: a marker is neither a miss nor a change of the training data. */
static inline int ph_note_call(struct ph_store *store, struct ph_profile *prof, __u32 learn,
			       __u32 call)
{
	struct ph_result mark;

	__builtin_memset(&mark, 0, sizeof(mark));
	return ph_check_item(store, prof, learn, ph_call_item(call), &mark);
}

/* Does a task's frame hold the evidence of an episode? Its LFC reached
 * episode_lfc with a call the profile never saw among the frame's calls, or
 * known_lfc with a known call somewhere new that is not data I/O
 * (ph_params.data_io: a loop's count, such as the pages a database reads
 * and writes, moves those). The last such call is enough (*_at: 1 + its
 * index): the frame's anomalies are counted since. `calls` counts the
 * frame's last call. */
static inline int ph_in_frame(const struct ph_params *p, __u64 at, __u64 calls)
{
	return at && calls - at < p->frame;
}

static inline int ph_evidence(const struct ph_params *p, const struct ph_task *task, __u64 calls,
			      __u32 lfc)
{
	if (lfc >= ph_known_lfc(p) && ph_in_frame(p, task->known_at, calls))
		return 1;
	return lfc >= ph_episode_lfc(p) && ph_in_frame(p, task->never_made_at, calls);
}

PH_FN int ph_on_call(struct ph_store *store, const struct ph_params *p, struct ph_profile *prof,
		     struct ph_task *task, __u32 call, __u64 now, struct ph_result *res)
{
	int had_evidence;
	__u32 learn = p->learn ? PH_CHECK_LEARN : 0;
	struct ph_profile_state before;
	__u32 d, gram_known = 0, gram_misses, gram_learned, lfc_before;
	__u64 item;
	int testing, err;

	__builtin_memset(res, 0, sizeof(*res));
	if (ph_ignored(p, call) || ph_repeat(p, task, call)) {
		res->lfc = task->lfc;
		return 0;
	}
	ph_task_flush(p, prof, task);
	ph_profile_state_get(prof, &before);
	ph_cache_sync(&task->cache, prof);
	testing = (prof->status & PH_PROFILE_NORMAL) != 0;
	if (call > PH_CALL_MAX)
		call = PH_CALL_MAX;
	prof->calls++;

	/* The n-gram first: under FALLBACK a call whose n-gram is known is
	 * normal whatever its pairs (learnt with it), so they are looked at only
	 * where it misses: one lookup and one cache item per call. */
	if (p->model & PH_MODEL_NGRAM) {
		item = ph_ngram_item(task, p->ngram, call);
		err = ph_check_item(store, prof, learn, item, res);
		if (err < 0)
			return err;
		if (err)
			ph_cache_put(&task->cache, item);
		gram_known = (__u32)err;
	}
	gram_misses = res->misses;
	gram_learned = res->learned;
	if ((p->model & PH_MODEL_PAIRS) && !(gram_known && (p->model & PH_MODEL_FORGIVE))) {
		for (d = 1; d < PH_WINDOW_MAX; d++) {
			__u32 earlier;

			if (d >= p->window || d > task->calls - task->win_start)
				break;
			earlier = task->ring[(task->calls - d) & PH_RING_MASK];
			item = ph_pair_item(earlier, d, call);
			err = ph_check_item(store, prof, learn, item, res);
			if (err < 0)
				return err;
			if (err)
				ph_cache_put(&task->cache, item);
		}
	}
	/* FALLBACK: a new n-gram of known pairs (a new order of known
	 * neighbours, what small training sets miss most) is forgiven: no
	 * anomaly, 1/PH_FORGIVE_WEIGHT of one in ph_task_score() */
	if ((p->model & PH_MODEL_FORGIVE) && gram_misses && res->misses == gram_misses) {
		res->misses = 0;
		res->forgiven = 1;
		task->forgiven++;
	}

	/* FALLBACK: an n-gram learnt with its pairs known (normal mode would
	 * forgive it) is no change for the freeze rule (docs/ph.md) */
	if (p->learn)
		ph_train_step(p, prof, now, res,
			      (p->model & PH_MODEL_FORGIVE) ? res->learned > gram_learned
							    : res->learned > 0);

	res->anomaly = testing && res->misses > 0;
	/* Is the call itself one the program never made? Asked only when
	 * something about it was new: an anomaly, or items learnt. */
	if (res->anomaly || res->learned > 0) {
		err = ph_note_call(store, prof, learn, call);
		if (err < 0)
			return err;
		res->never_made = res->anomaly && !err;
	}
	lfc_before = task->lfc;
	had_evidence = ph_evidence(p, task, task->calls, lfc_before);
	if (res->never_made)
		task->never_made_at = task->calls + 1;
	else if (res->anomaly && !ph_call_in(p->data_io, call))
		task->known_at = task->calls + 1;
	if (res->anomaly)
		task->anomalies++;
	ph_lfc_step(p, task, res->anomaly);
	res->lfc = task->lfc;
	res->evidence =
		res->anomaly && ph_evidence(p, task, task->calls + 1, task->lfc);
	/* The profile counts episodes, not calls: one novel call makes up to
	 * `window` anomalous calls (n with the n-gram model), so counted per
	 * call one rare request used up the anomaly limit. And only episodes
	 * with evidence (ph_evidence()): a known call that a loop count or the
	 * allocator put elsewhere is no alarm, and must not use up the budget
	 * either. */
	if (!had_evidence && res->evidence)
		prof->anomalies++;

	/* Too many anomalies close together: do not learn this behaviour. A
	 * normal profile learns no miss anyway (held back, ph_check_item()),
	 * and resetting its training data would drop what it held back and
	 * let it refreeze on a fraction of its behaviour; a profile that
	 * stopped being normal while the task's frame is still full must not
	 * learn the rest of the burst. */
	if (p->learn && task->lfc > p->tolerize_limit && prof->train_count > 0 &&
	    !(prof->status & PH_PROFILE_NORMAL)) {
		ph_reset_training(prof);
		res->tolerized = 1;
	}
	if (p->learn && (prof->status & PH_PROFILE_NORMAL) && prof->anomalies > p->anomaly_limit) {
		prof->status &= ~PH_PROFILE_NORMAL;
		prof->anomalies = 0;
		res->stopped = 1;
	}

	if (p->model & PH_MODEL_NGRAM) {
		/* computed here, kept for the fast path (same n all along) */
		task->cache.gram_pow = ph_gram_pow(p->ngram);
		ph_gram_step(task, p->ngram, call, task->cache.gram_pow);
	}
	task->ring[task->calls & PH_RING_MASK] = (__u16)call;
	task->calls++;

	/* items verified above under a state this call changed are emptied
	 * here; other tasks learn of the change from the epoch */
	if (!ph_profile_state_same(prof, &before))
		ph_epoch_bump(store);
	ph_cache_refresh(p, prof, task);
	return 0;
}

PH_FN int ph_step(struct ph_store *store, const struct ph_params *p, struct ph_profile *prof,
		  struct ph_task *task, __u32 call, __u64 now, struct ph_result *res)
{
	if (ph_fast_call(store, p, task, call, now)) {
		__builtin_memset(res, 0, sizeof(*res));
		res->lfc = task->lfc;
		return 0;
	}
	return ph_on_call(store, p, prof, task, call, now, res);
}

PH_FN __u64 ph_task_score(const struct ph_params *p, const struct ph_task *task)
{
	if (!task->calls)
		return 0;
	/* a forgiven call (FALLBACK) weighs 1/PH_FORGIVE_WEIGHT of an anomaly */
	if (p->score == PH_SCORE_RATE)
		return (task->anomalies * PH_FORGIVE_WEIGHT + task->forgiven) * 1000000 /
		       (task->calls * PH_FORGIVE_WEIGHT);
	return task->lfc_max;
}
