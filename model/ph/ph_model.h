/* pH (process homeostasis): the per-call model shared by the kernel and user space.
 *
 * The monitor runs this model inside a BPF program on every system call, and
 * `vigil replay` runs the very same code on recorded traces. So that both sides
 * compile one source, ph_model.h and ph_model.c are written in the subset of C
 * that `clang -target bpf` accepts and the verifier can prove finite:
 *   - no floating point, no libc, no recursion, no malloc;
 *   - every loop is bounded by a compile-time constant (PH_WINDOW_MAX);
 *   - a call makes at most 2 * (PH_WINDOW_MAX - 1) + 2 item lookups;
 *   - all profile data (the sparse sets of known pairs and n-grams) is reached
 *     through two hooks, ph_item_lookup() and ph_item_insert(), that each side
 *     implements: a hash table in user space (ph_store.c), a BPF hash map in the
 *     kernel; two more, ph_epoch() and ph_epoch_bump(), keep the global
 *     counter that tells tasks their cached profile state is stale.
 *
 * How the BPF program uses it:
 *
 *	#include "vmlinux.h"
 *	#include <bpf/bpf_helpers.h>
 *	#define PH_HOOK static __always_inline
 *	#define PH_FN static __always_inline
 *	#define PH_ITEM_FN __attribute__((noinline))   (global: verified once)
 *	struct ph_store { int unused; };   (a global function needs a sized type)
 *	#include "ph/ph_model.h"     (model/ is on the include path)
 *	... maps; ph_item_lookup/ph_item_insert on a BPF_MAP_TYPE_HASH ...
 *	#include "ph/ph_model.c"
 *
 * Training data is never copied or cleared (a BPF program cannot walk a map):
 * every item is stored under (profile, generation) with the profile's "add
 * stamp" at the time it was learnt. Resetting training data starts a new
 * generation; the frozen test data is "generation test_gen, stamp below
 * test_stamp". User space deletes generations nobody refers to any more.
 */
#ifndef VIGIL_PH_MODEL_H
#define VIGIL_PH_MODEL_H

#ifndef __bpf__
#include <linux/types.h> /* the kernel side gets __u8..__u64 from vmlinux.h */
#endif

/* Linkage of the hooks and of the model functions: ordinary external
 * functions in user space; the BPF side defines both as static inline. */
#ifndef PH_HOOK
#define PH_HOOK extern
#endif
#ifndef PH_FN
#define PH_FN
#endif
/* The per-item step inside the per-call loop (see ph_model.c). */
#ifndef PH_ITEM_FN
#define PH_ITEM_FN static inline
#endif
/* A rare branch of the per-call fast path (the BPF side makes it a
 * subprogram of its own, so the common path keeps its values in registers). */
#ifndef PH_RARE_FN
#define PH_RARE_FN static inline
#endif

#define PH_WINDOW_MAX 16    /* longest sequence window the code supports */
#define PH_WINDOW_DEFAULT 9 /* pH's default: pairs at distances 1..8 */
#define PH_LFC_BITS 128     /* locality frame: the last 128 calls */
#define PH_CALL_MAX 1023    /* calls above this are folded into PH_CALL_MAX */
#define PH_NGRAM_DEFAULT 12 /* n of the n-gram model, chosen on ADFA-LD (docs/ph.md) */

/* pH's constants (Somayaji 2002, kept by ebpH). */
#define PH_NORMAL_FACTOR 128
#define PH_NORMAL_FACTOR_DEN 32
#define PH_ANOMALY_LIMIT 30
#define PH_TOLERIZE_LIMIT 12
#define PH_MIN_TRAIN_DEFAULT 1000 /* no profile freezes before this many calls */

/* Which features a profile learns and tests. */
enum ph_model_kind {
	PH_MODEL_PAIRS = 1, /* plain pH: lookahead pairs (the baseline) */
	PH_MODEL_NGRAM = 2, /* hashed n-grams of the last n calls (stide) */
	PH_MODEL_BOTH = 3,  /* a call is anomalous if either misses */
	/* the default: n-grams, with lookahead pairs where the n-gram misses;
	 * a call whose n-gram misses while all its pairs are known is
	 * "forgiven": not an anomaly, scored at 1/PH_FORGIVE_WEIGHT of one */
	PH_MODEL_FALLBACK = 7,
};
#define PH_MODEL_FORGIVE 4    /* the bit that tells FALLBACK from BOTH */
#define PH_FALLBACK_WINDOW 5  /* FALLBACK's pairs: distances 1..4 (docs/ph.md) */
#define PH_FORGIVE_WEIGHT 12  /* an anomaly weighs 12 forgiven calls in the rate */
/* ph_params.episode_lfc of the defaults: the most anomalous calls one novel
 * call makes under the pairs of FALLBACK (itself + the 4 after it), which
 * it reaches only if every one of those 4 misses too (docs/ph.md) */
#define PH_FALLBACK_EPISODE_LFC PH_FALLBACK_WINDOW
/* ph_params.known_lfc of the defaults: more than one relocated known call
 * can make (two of them, each with all 4 followers new, make 10) */
#define PH_FALLBACK_KNOWN_LFC (2 * PH_FALLBACK_WINDOW + 1)

/* The per-task score the monitor alerts on (and replay ranks traces by). */
enum ph_score_kind {
	PH_SCORE_LFC = 1,  /* highest LFC so far (pH) */
	PH_SCORE_RATE = 2, /* anomalous calls per million calls */
};

/* Item kinds share one store. The kind is the item's top bit (set for a
 * pair, clear for an n-gram), so the two never collide and the key needs no
 * field of its own: 16 bytes a key instead of 24, a quarter less memory per
 * item in the kernel's map (docs/ph.md, "Memory"). */
enum ph_item_kind {
	PH_ITEM_PAIR = 1,
	PH_ITEM_NGRAM = 2,
	/* "the program made this call": a pair of the call with itself at
	 * distance 0 (real pairs are at 1..window - 1), learnt with the
	 * call's first items (ph_call_item(), docs/ph.md "Never-made calls") */
	PH_ITEM_CALL = 3,
};
#define PH_ITEM_PAIR_BIT (1ULL << 63)
#define PH_ITEM_DISTANCE(item) (((item) >> 16) & 0xffff)

static inline __u32 ph_item_kind(__u64 item)
{
	if (!(item & PH_ITEM_PAIR_BIT))
		return PH_ITEM_NGRAM;
	return PH_ITEM_DISTANCE(item) ? PH_ITEM_PAIR : PH_ITEM_CALL;
}

/* The training count at the profile's last change: moves when training
 * learns something normal mode would flag (FALLBACK: not an n-gram whose
 * pairs were all known, which it forgives), never with calls that learn
 * nothing. What "nothing new for N runs" is measured against
 * (src/ph/ph_coverage.c, ph_window.c). */
#define ph_profile_changed_at(p) ((p)->train_count - (p)->last_mod_count)

/* Profile status bits. */
#define PH_PROFILE_FROZEN 0x1u /* training data stable, waiting normal_wait */
#define PH_PROFILE_NORMAL 0x2u /* testing calls against the frozen copy */

/* Tunables of one model; the kernel side keeps one of these in a global. */
struct ph_params {
	__u32 model;          /* enum ph_model_kind */
	__u32 window;         /* pairs at distances 1..window-1; 2..PH_WINDOW_MAX */
	__u32 ngram;          /* n of the n-grams; 2..PH_WINDOW_MAX */
	__u32 frame;          /* LFC frame length, 1..PH_LFC_BITS */
	__u32 anomaly_limit;  /* more anomaly episodes than this stop normal mode */
	__u32 tolerize_limit; /* an LFC above this resets the training data */
	__u32 normal_factor;  /* freeze when train_count * den > ... (see .c) */
	__u32 normal_factor_den;
	__u32 learn;         /* 0: test only, never change a profile (replay) */
	__u32 score;         /* enum ph_score_kind: what the monitor alerts on */
	/* 1: a call equal to the task's previous modelled call is not seen
	 * (runs of one call fold into one: a loop's count, such as the pages
	 * sqlite writes, is not a new sequence); 0: every call */
	__u32 fold;
	/* Evidence of an episode (docs/ph.md, "Evidence threshold"): a task's
	 * anomalies count as an episode of the profile (its anomaly_limit)
	 * once its LFC reaches this, and the monitor reports an incident from
	 * this LFC on (or at once for a dangerous call). One novel call makes
	 * at most `window` anomalous calls under the pair models (itself and
	 * the window - 1 calls whose pairs hold it), and reaches that only
	 * when every one of them misses: the defaults ask for `window`. 0 or
	 * 1: every anomaly (pH's rule; the n-gram model). Was padding (0). */
	__u32 episode_lfc;
	/* The evidence an episode of known calls alone needs (docs/ph.md,
	 * "Never-made calls"): a call the program made before, somewhere new
	 * (a loop count, the allocator, a thread's end elsewhere), makes as
	 * many anomalies as a never-made one; only a never-made call in the
	 * frame lets episode_lfc suffice. Below episode_lfc (0 included) it is
	 * episode_lfc. */
	__u32 known_lfc;
	__u32 pad0;
	__u64 min_train;   /* calls a profile needs before it may freeze */
	__u64 normal_wait; /* time from freezing to normal, in the caller's unit */
	/* Calls the model does not see (bit per call number, ph_call_ignore()):
	 * those whose place in a sequence depends on timing (futex,
	 * sched_yield, poll / epoll waits, nanosleep ...) would otherwise make
	 * a threaded or idle server's sequences new at random. Empty by
	 * default; the monitor sets them (docs/ph.md, "Timing-dependent calls"). */
	__u64 ignore[PH_CALL_MAX / 64 + 1];
	/* Calls that only move data on descriptors the program holds (read,
	 * write, pread64, fsync, fstat ...): how many a loop makes varies with
	 * the data (the pages a database reads and writes), so known ones
	 * somewhere new are never an episode's evidence on their own
	 * (ph_evidence(), docs/ph.md "Never-made calls"). A call the program
	 * never made still is. Empty: every known call counts. */
	__u64 data_io[PH_CALL_MAX / 64 + 1];
};

/* Adds a call to one of ph_params' call sets (ignore, data_io): user
 * space, before load / replay. */
static inline void ph_call_set_add(__u64 *set, __u32 call)
{
	if (call <= PH_CALL_MAX)
		set[call >> 6] |= 1ULL << (call & 63);
}

/* Marks a call as unseen by the model. */
static inline void ph_call_ignore(struct ph_params *p, __u32 call)
{
	ph_call_set_add(p->ignore, call);
}

/* One profile (one executable). Plain data: a BPF map value. */
struct ph_profile {
	__u64 id;             /* the executable's key, e.g. dev << 32 ^ inode */
	__u32 status;         /* PH_PROFILE_* */
	__u32 train_gen;      /* generation the training data is stored under */
	__u32 test_gen;       /* generation of the frozen test data */
	__u32 held;	      /* items held back (see PH_GEN_HELD); was padding */
	__u64 train_count;    /* calls trained on in this generation */
	__u64 last_mod_count; /* calls since the training data last changed */
	__u64 adds;           /* items added in this generation (the stamp) */
	__u64 test_stamp;     /* test data: items of test_gen with stamp < this */
	__u64 normal_time;    /* frozen: normal mode starts at this time */
	__u64 anomalies;      /* anomaly episodes since normal mode started (an
			       * anomaly of a task with an empty LFC frame) */
	__u64 calls;          /* all calls ever seen */
	__u64 store_errors;   /* items that could not be stored (store full) */
};

/* A task's cache of what it last learnt about its profile (docs/ph.md,
 * "Cost"), so that most calls need neither the profile nor an item lookup.
 *
 * items[] holds items this task found known: in the training data and, when
 * the profile was testing, in the test data. Such an item stays known while
 * the profile keeps the tag below (items are never removed from a live
 * generation), so a call whose items all hit is a "no-op" call: no miss,
 * nothing to learn. The fast path (ph_fast_call()) then only counts it in
 * `pending`, which the next slow call (ph_on_call()) adds to the profile.
 *
 * The fast path never reads the profile; it trusts this cache while the
 * global epoch (hook ph_epoch()) is the one seen when the tag was taken.
 * Every change of a profile's status, generations, test data or normal time
 * bumps the epoch: the model does it itself, and whoever changes a profile
 * from outside (admin actions) must call ph_epoch_bump() too. */
#define PH_CACHE_SLOTS 32  /* 16 sets of 2 */
/* Fast calls at most between two slow ones: a slow call costs some 200-300
 * ns in the kernel, so one per 128 calls cost a loop 1.5-2 ns a call; the
 * counters of a profile lag by this much per live task (docs/ph.md). */
#define PH_PENDING_MAX 512

struct ph_task_cache {
	__u64 epoch;	  /* global epoch when the tag was taken */
	__u64 seen;	  /* global epoch read by the last ph_fast_call() */
	__u64 profile;	  /* tag: profile id, */
	__u64 test_stamp; /* its test data, */
	__u32 train_gen;  /* generations */
	__u32 test_gen;
	__u32 normal;	   /* and its PH_PROFILE_NORMAL bit */
	__u32 valid;	   /* bit i: items[i] holds a known item */
	__u64 fast_until;  /* the profile may become normal at this time: slow path */
	__u32 budget;	   /* fast calls allowed before the next slow one (0: none) */
	__u32 pending;	   /* fast calls the profile has not counted yet */
	__u64 gram_pow;	   /* the rolling n-gram hash's weight of its oldest call */
	__u64 items[PH_CACHE_SLOTS];
};

/* One task (thread) being followed. Plain data: a BPF task-storage value. */
struct ph_task {
	__u64 profile_id;
	__u64 calls;             /* calls since exec */
	__u64 anomalies;         /* anomalous calls since exec */
	__u64 forgiven;          /* FALLBACK: n-gram misses whose pairs were known */
	__u64 lfc_bits[2];       /* anomaly flags of the last PH_LFC_BITS calls */
	__u32 lfc;               /* anomalies among the last `frame` calls */
	__u32 lfc_max;           /* highest lfc seen: what replay scores */
	__u16 ring[PH_WINDOW_MAX]; /* last calls, ring[calls % PH_WINDOW_MAX] next */
	__u64 win_start;         /* `calls` when the current window began (exec, or
				  * a signal handler's entry): the window holds the
				  * calls - win_start most recent calls at most */
	__u64 gram;		 /* rolling hash of the window's last n - 1 calls */
	struct ph_task_cache cache;
	/* 1 + the index of its last anomalous call that the profile's test
	 * data never saw at all (0: none). Last: the slow path's only, it
	 * moves none of the fast path's fields. */
	__u64 never_made_at;
	/* 1 + the index of its last anomalous call that the test data knew
	 * and that is not data I/O (0: none). The slow path's only, too. */
	__u64 known_at;
};

/* Signal handlers get windows of their own (pH, ebpH): delivery pushes the
 * interrupted code's window, rt_sigreturn pops it back, so a handler's
 * calls never pair with the calls it interrupted. Nesting deeper than
 * PH_SIGNAL_DEPTH continues in the current window (counted in `overflow`
 * so that the matching pops are ignored too). */
#define PH_SIGNAL_DEPTH 4

struct ph_sig_frame {
	__u64 win_start;
	__u64 calls;		   /* the task's calls at delivery */
	__u64 gram;		   /* its n-gram hash then */
	__u16 ring[PH_WINDOW_MAX]; /* its window then */
};

struct ph_sigstack {
	__u32 depth;
	__u32 overflow;
	struct ph_sig_frame frame[PH_SIGNAL_DEPTH];
};

/* What one call did, for the caller's alerting and statistics. */
struct ph_result {
	__u32 misses;    /* unknown items among those tested (0 = normal call) */
	__u32 anomaly;   /* 1 if this call counted as an anomaly */
	__u32 lfc;       /* the task's LFC after this call */
	__u32 learned;   /* items added to the training data */
	__u32 froze;     /* 1 if the profile froze on this call */
	__u32 normal;    /* 1 if the profile became normal on this call */
	__u32 tolerized; /* 1 if the training data was reset (LFC > tolerize) */
	__u32 stopped;   /* 1 if normal mode stopped (anomalies > limit) */
	__u32 forgiven;  /* FALLBACK: 1 if only the n-gram missed (no anomaly) */
	__u32 never_made; /* 1 if this anomalous call is one the test data never saw */
	__u32 evidence;	  /* 1 if the task's frame holds an episode's evidence
			   * (ph_evidence()): what the monitor reports */
};

/* Held back: an item a normal profile missed is not learnt (an attacker
 * must not make his calls normal by repeating them); it is stored under
 * the training generation with this bit, stamp 0, at most PH_HELD_MAX per
 * profile, until an operator accepts it (`vigil profile accept`) or the
 * generation ends. Not kept across monitor restarts. */
#define PH_GEN_HELD 0x80000000u
#define PH_HELD_MAX 4096u

/* Key of a stored item: a pair or an n-gram of one profile's generation. */
struct ph_item_key {
	__u32 profile; /* profile numbers stay below 2^32 (ph.bpf.c) */
	__u32 gen;
	__u64 item;    /* its kind in the top bit: ph_item_kind() */
};

struct ph_store; /* user space: ph_store.c; kernel: unused, the maps are global */

/* Find an item; on success store its add stamp in *stamp and return 0,
 * else return a negative errno (-ENOENT when absent). */
PH_HOOK int ph_item_lookup(struct ph_store *store, const struct ph_item_key *key, __u64 *stamp);
/* Add an item with its stamp; an existing item keeps its old stamp.
 * Returns 0 or a negative errno (-ENOSPC when the store is full). */
PH_HOOK int ph_item_insert(struct ph_store *store, const struct ph_item_key *key, __u64 stamp);
/* The global profile epoch (see struct ph_task_cache), and its increment. */
PH_HOOK __u64 ph_epoch(struct ph_store *store);
PH_HOOK void ph_epoch_bump(struct ph_store *store);

/* The default model: 12-grams with the pairs at distances 1..4 as their
 * fallback (PH_MODEL_FALLBACK), scored by anomaly rate (docs/ph.md), with
 * pH's constants: frame 128, limits 30 / 12, factor 128/32. */
PH_FN void ph_params_default(struct ph_params *p);
/* Plain pH, the baseline: lookahead pairs, window 9, scored by LFC. */
PH_FN void ph_params_plain(struct ph_params *p);
/* The LFC from which a task's anomalies are an episode (episode_lfc, at
 * least 1). */
PH_FN __u32 ph_episode_lfc(const struct ph_params *p);
/* The LFC from which an episode of known calls alone is one (known_lfc, at
 * least ph_episode_lfc()). */
PH_FN __u32 ph_known_lfc(const struct ph_params *p);
/* 0 if every field is in range, else -EINVAL. */
PH_FN int ph_params_check(const struct ph_params *p);
PH_FN void ph_profile_init(struct ph_profile *prof, __u64 id);
/* A task starts (exec): empty window, empty LFC. */
PH_FN void ph_task_init(struct ph_task *task, __u64 profile_id);
/* Make the current training data the test data and enter normal mode now
 * (what `vigil profile normal` and replay after training do). */
PH_FN void ph_profile_start_normal(struct ph_profile *prof);
/* A signal handler starts: save the window, start an empty one. */
PH_FN void ph_signal_push(struct ph_task *task, struct ph_sigstack *stack);
/* The handler returned (rt_sigreturn): the interrupted window again, as if
 * the handler's calls had not happened. Without a push: nothing. */
PH_FN void ph_signal_pop(struct ph_task *task, struct ph_sigstack *stack);
/* The task's score under p->score; higher = more anomalous. */
PH_FN __u64 ph_task_score(const struct ph_params *p, const struct ph_task *task);
/* The per-call step in two parts. First the fast path, which needs no
 * profile: returns 1 if the call was a no-op call answered from the task's
 * cache (it is then fully accounted: nothing else to do, res-wise a call with
 * no miss, nothing learnt and no transition), else 0 and changes nothing.
 * Then, on 0, ph_on_call() with the task's profile: the pending fast calls
 * are added to the profile, then test (normal mode), train, freeze / normal /
 * tolerize transitions, LFC, and the cache is refreshed. `now` is the
 * caller's clock (ns in the kernel; calls in replay). Returns 0 or a negative
 * errno. ph_step() is both, for callers that have the profile at hand. */
PH_FN int ph_fast_call(struct ph_store *store, const struct ph_params *p, struct ph_task *task,
		       __u32 call, __u64 now);
/* ph_fast_call() for a call the caller knows the model does not ignore
 * (ph_ignored()): the kernel tests that before it looks the task up. */
PH_FN int ph_fast_known(struct ph_store *store, const struct ph_params *p, struct ph_task *task,
			__u32 call, __u64 now);
PH_FN int ph_on_call(struct ph_store *store, const struct ph_params *p, struct ph_profile *prof,
		     struct ph_task *task, __u32 call, __u64 now, struct ph_result *res);
PH_FN int ph_step(struct ph_store *store, const struct ph_params *p, struct ph_profile *prof,
		  struct ph_task *task, __u32 call, __u64 now, struct ph_result *res);
/* Adds the task's pending fast calls to prof (its profile): at exit, before
 * exec, at the end of a replayed file. Counters only: a transition they make
 * due happens at the profile's next slow call. */
PH_FN void ph_task_flush(const struct ph_params *p, struct ph_profile *prof, struct ph_task *task);
/* fork: the child got a copy of its parent's task; the parent's pending
 * calls are the parent's to flush. */
PH_FN void ph_task_fork(struct ph_task *child);

#endif
