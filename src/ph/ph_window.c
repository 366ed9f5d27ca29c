/* The learning window (see ph_window.h). Runs in the monitor's loop: two
 * walks of the profile map, one at 3/4 of the window, one at its end. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "ph/ph_window.h"
#include <vigil/ph_events.h>

struct seen {
	struct ph_exe_key key;
	uint32_t train_gen;
	uint64_t adds;
	uint64_t changed_at; /* ph_profile_changed_at() */
	uint64_t train_count;
};

struct vg_ph_window {
	int fd;
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

int vg_ph_window_new(struct vg_ph_window **out, int profiles_fd, uint64_t window_ns,
		     uint64_t now_ns)
{
	struct vg_ph_window *w = calloc(1, sizeof(*w));

	*out = NULL;
	if (!w)
		return -ENOMEM;
	w->fd = profiles_fd;
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
						     ph_profile_changed_at(&p), p.train_count };
	}
	if (w->nseen)
		qsort(w->seen, w->nseen, sizeof(*w->seen), key_cmp);
}

static const struct seen *seen_at(const struct vg_ph_window *w, const struct ph_exe_key *key)
{
	struct seen k = { .key = *key };

	return w->nseen ? bsearch(&k, w->seen, w->nseen, sizeof(*w->seen), key_cmp) : NULL;
}

int vg_ph_window_tick(struct vg_ph_window *w, uint64_t now_ns, const struct ph_params *params,
		      vg_ph_window_fn fn, void *ctx, struct vg_ph_window_result *res)
{
	struct ph_exe_key key, next;
	struct ph_profile p;
	void *prev = NULL;

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
		    recent * VG_PH_WINDOW_FRAMES_PER_ITEM * params->frame <=
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
