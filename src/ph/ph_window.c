/* The learning window (see ph_window.h). Runs in the monitor's loop: two
 * walks of the profile map, one at 3/4 of the window, one at its end. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "ph/ph_window.h"
#include "util/map_walk.h"
#include <vigil/ph_events.h>

struct seen {
	struct ph_exe_key key;
	uint32_t train_gen;
	uint64_t adds;
	uint64_t changed_at; /* ph_profile_changed_at() */
	uint64_t train_count;
	uint64_t id;	    /* the model's profile number (item keys) */
	uint64_t new_pairs; /* pairs learnt since (counted at the end) */
};

struct vg_ph_window {
	int fd;
	int items_fd;
	uint64_t snap_ns, end_ns;
	int snapped, done;
	struct seen *seen; /* sorted by key */
	size_t nseen;
};

static int key_cmp(const void *a, const void *b)
{
	const struct seen *x = a, *y = b;

	if (x->key.dev != y->key.dev)
		return x->key.dev < y->key.dev ? -1 : 1;
	if (x->key.ino != y->key.ino)
		return x->key.ino < y->key.ino ? -1 : 1;
	return 0;
}

int vg_ph_window_new(struct vg_ph_window **out, int profiles_fd, int items_fd,
		     uint64_t window_ns, uint64_t now_ns)
{
	struct vg_ph_window *w = calloc(1, sizeof(*w));

	*out = NULL;
	if (!w)
		return -ENOMEM;
	w->fd = profiles_fd;
	w->items_fd = items_fd;
	w->snap_ns = now_ns + window_ns / 4 * 3;
	w->end_ns = now_ns + window_ns;
	*out = w;
	return 0;
}

void vg_ph_window_free(struct vg_ph_window *w)
{
	if (!w)
		return;
	free(w->seen);
	free(w);
}

/* Every profile's training generation and item count now. */
static void snapshot(struct vg_ph_window *w)
{
	struct ph_exe_key key, next;
	struct ph_profile p;
	void *prev = NULL;
	size_t cap = 0;

	while (!bpf_map_get_next_key(w->fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(w->fd, &key, &p))
			continue;
		if (w->nseen == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct seen *n = realloc(w->seen, ncap * sizeof(*n));

			if (!n)
				break; /* profiles not seen count as changing */
			w->seen = n;
			cap = ncap;
		}
		w->seen[w->nseen++] = (struct seen){ key, p.train_gen, p.adds,
						     ph_profile_changed_at(&p), p.train_count,
						     p.id, 0 };
	}
	if (w->nseen)
		qsort(w->seen, w->nseen, sizeof(*w->seen), key_cmp);
}

static const struct seen *seen_at(const struct vg_ph_window *w, const struct ph_exe_key *key)
{
	struct seen k = { .key = *key };

	return w->nseen ? bsearch(&k, w->seen, w->nseen, sizeof(*w->seen), key_cmp) : NULL;
}

/* ---- the pairs learnt in the last quarter, by profile (one walk) ---- */

static int by_id_cmp(const void *a, const void *b)
{
	const struct seen *x = *(struct seen *const *)a, *y = *(struct seen *const *)b;

	if ((uint32_t)x->id != (uint32_t)y->id)
		return (uint32_t)x->id < (uint32_t)y->id ? -1 : 1;
	return 0;
}

struct pair_count {
	struct seen **by_id;
	size_t n;
};

/* An item of a profile's snapshot generation learnt after the snapshot
 * (its stamp is the profile's item count when it was added). */
static int count_pair(const void *key, const void *value, void *ctx)
{
	const struct ph_item_key *k = key;
	const struct pair_count *pc = ctx;
	struct seen probe = { .id = k->profile }, *pp = &probe, **hit;
	uint64_t stamp;

	if (ph_item_kind(k->item) != PH_ITEM_PAIR)
		return 0; /* n-grams, and the markers of calls made */
	hit = bsearch(&pp, pc->by_id, pc->n, sizeof(*pc->by_id), by_id_cmp);
	memcpy(&stamp, value, sizeof(stamp));
	if (hit && k->gen == (*hit)->train_gen && stamp >= (*hit)->adds)
		(*hit)->new_pairs++;
	return 0;
}

/* 0, or -1 when the pairs could not be counted (then items count as a whole). */
static int count_new_pairs(struct vg_ph_window *w)
{
	struct pair_count pc = { calloc(w->nseen ? w->nseen : 1, sizeof(struct seen *)), w->nseen };
	int ret;

	if (w->items_fd < 0 || !pc.by_id) {
		free(pc.by_id);
		return -1;
	}
	for (size_t i = 0; i < w->nseen; i++)
		pc.by_id[i] = &w->seen[i];
	if (pc.n)
		qsort(pc.by_id, pc.n, sizeof(*pc.by_id), by_id_cmp);
	ret = vg_map_walk(w->items_fd, sizeof(struct ph_item_key), sizeof(uint64_t), 0, count_pair,
			  &pc);
	free(pc.by_id);
	return ret ? -1 : 0;
}

int vg_ph_window_tick(struct vg_ph_window *w, uint64_t now_ns, const struct ph_params *params,
		      vg_ph_window_fn fn, void *ctx, struct vg_ph_window_result *res)
{
	struct ph_exe_key key, next;
	struct ph_profile p;
	void *prev = NULL;
	int pairs_known;

	if (!w || w->done)
		return 0;
	if (!w->snapped) {
		if (now_ns < w->snap_ns)
			return 0;
		snapshot(w);
		w->snapped = 1;
	}
	if (now_ns < w->end_ns)
		return 0;
	w->done = 1;
	memset(res, 0, sizeof(*res));
	/* under FALLBACK a change is a new pair: the n-grams it forgives are not */
	pairs_known = (params->model & PH_MODEL_FORGIVE) && !count_new_pairs(w);
	while (!bpf_map_get_next_key(w->fd, prev, &next)) {
		const struct seen *s;
		uint64_t recent;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(w->fd, &key, &p))
			continue;
		if (p.status & PH_PROFILE_NORMAL) {
			res->already_normal++;
			continue;
		}
		if (p.train_count < params->min_train || p.adds < VG_PH_WINDOW_MIN_ITEMS) {
			res->too_small++; /* seen too little to judge: keeps training */
			continue;
		}
		s = seen_at(w, &key);
		/* a new generation (a reset) or a profile born late: all recent;
		 * items that changed nothing (FALLBACK's forgiven n-grams,
		 * ph_profile_changed_at()) do not count */
		recent = !s || s->train_gen != p.train_gen ? p.adds
			 : s->changed_at == ph_profile_changed_at(&p) ? 0
			 : p.adds > s->adds			       ? p.adds - s->adds
								       : 1;
		/* Rare enough: on average fewer than one new item per
		 * VG_PH_WINDOW_FRAMES_PER_ITEM locality frames of training
		 * calls. Such novelty is isolated (a frame seldom holds two),
		 * and normal mode reports no isolated novel call (the evidence
		 * threshold, ph_params.episode_lfc): it is settled enough. */
		if (recent && s && s->train_gen == p.train_gen && p.train_count > s->train_count &&
		    (pairs_known ? s->new_pairs : recent) * VG_PH_WINDOW_FRAMES_PER_ITEM *
				    params->frame <=
			    p.train_count - s->train_count)
			recent = 0;
		if (recent) {
			res->changing++;
			if (fn)
				fn(ctx, &key, &p, 0, recent);
			continue;
		}
		ph_profile_start_normal(&p);
		/* replaces the whole value, as the admin actions do */
		if (bpf_map_update_elem(w->fd, &key, &p, BPF_EXIST))
			continue;
		res->normalized++;
		if (fn)
			fn(ctx, &key, &p, 1, 0);
	}
	return 1;
}
