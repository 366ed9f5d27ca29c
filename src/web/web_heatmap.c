/* A profile's call-follows-call picture (see web_heatmap.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "ph/ph_alert.h"
#include "ph/ph_model.h"
#include "sensor/syscalls.h"
#include "util/map_walk.h"
#include "web/web_heatmap.h"
#include <vigil/ph_events.h>
#include <vigil/ph_sketch.h>

#define CALLS_MAX 1024	     /* syscall numbers drawn */
#define SCAN_MAX (1u << 24) /* items walked, at most (as ph_admin.c) */

struct walk {
	const struct ph_profile *p;
	uint8_t *follows; /* [earlier][call]: the shortest distance learnt, 0 none */
	uint64_t pairs, ngrams;
};

static int one_item(const void *key, const void *value, void *ctx)
{
	const struct ph_item_key *k = key;
	struct walk *w = ctx;
	uint64_t earlier, distance, call;

	(void)value;
	if (k->profile != w->p->id || (k->gen != w->p->train_gen && k->gen != w->p->test_gen))
		return 0;
	if (ph_item_kind(k->item) != PH_ITEM_PAIR) {
		w->ngrams++;
		return 0;
	}
	w->pairs++;
	/* ph_pair_item(): pair bit | earlier << 32 | distance << 16 | call */
	earlier = (k->item & ~PH_ITEM_PAIR_BIT) >> 32;
	distance = (k->item >> 16) & 0xffff;
	call = k->item & 0xffff;
	if (distance && distance < 256 && earlier < CALLS_MAX && call < CALLS_MAX) {
		uint8_t *cell = &w->follows[earlier * CALLS_MAX + call];

		if (!*cell || distance < *cell)
			*cell = (uint8_t)distance;
	}
	return 0;
}

/* An n-gram profile's pairs from its sketch (include/vigil/ph_sketch.h):
 * every pair of calls seen whose filter bits are all set, at distance 1.
 * Returns 1 when the profile has a sketch of its training generation. */
static int from_sketch(int fd, const struct ph_exe_key *key, const struct ph_profile *p,
		       uint8_t *follows, struct json_object *out)
{
	struct ph_sketch *sk = malloc(sizeof(*sk));
	uint64_t set = 0;
	double fill, fp;
	int ok;

	if (!sk)
		return 0;
	ok = fd >= 0 && !bpf_map_lookup_elem(fd, key, sk) && sk->gen == p->train_gen;
	for (unsigned a = 0; ok && a < CALLS_MAX; a++) {
		if (!((sk->calls[a >> 6] >> (a & 63)) & 1))
			continue;
		for (unsigned b = 0; b < CALLS_MAX; b++) {
			unsigned i, bit;

			if (!((sk->calls[b >> 6] >> (b & 63)) & 1))
				continue;
			for (i = 0; i < PH_SKETCH_HASHES; i++) {
				bit = ph_sketch_bit(a, b, i);
				if (!((sk->bits[bit >> 6] >> (bit & 63)) & 1))
					break;
			}
			if (i == PH_SKETCH_HASHES)
				follows[a * CALLS_MAX + b] = 1;
		}
	}
	if (ok) {
		for (unsigned i = 0; i < PH_SKETCH_BITS / 64; i++)
			set += (uint64_t)__builtin_popcountll(sk->bits[i]);
		fill = (double)set / PH_SKETCH_BITS;
		fp = 1; /* the pair's PH_SKETCH_HASHES bits all set by chance */
		for (unsigned i = 0; i < PH_SKETCH_HASHES; i++)
			fp *= fill;
		json_object_object_add(out, "notes", json_object_new_uint64(sk->notes));
		json_object_object_add(out, "fill", json_object_new_double(fill));
		json_object_object_add(out, "false_positive", json_object_new_double(fp));
		json_object_object_add(out, "sketch_bytes", json_object_new_int((int)sizeof(*sk)));
	}
	free(sk);
	return ok;
}
_Static_assert(PH_SKETCH_CALLS == CALLS_MAX, "one call numbering");

struct json_object *vg_web_heatmap(struct vg_ph_kernel *ph, uint64_t dev, uint64_t ino,
				   char *err, size_t errlen)
{
	struct vg_ph_kernel_maps maps;
	struct ph_exe_key key = { .dev = dev, .ino = ino };
	struct ph_profile p;
	struct walk w = { .p = &p };
	struct json_object *out, *calls, *follows;
	int index[CALLS_MAX];
	unsigned used = 0;
	const char *source;
	char name[32];

	if (!ph) {
		snprintf(err, errlen, "pH is not running");
		return NULL;
	}
	vg_ph_kernel_maps(ph, &maps);
	if (bpf_map_lookup_elem(maps.profiles, &key, &p)) {
		snprintf(err, errlen, "no pH profile for dev %llu inode %llu",
			 (unsigned long long)dev, (unsigned long long)ino);
		return NULL;
	}
	w.follows = calloc(CALLS_MAX, CALLS_MAX);
	out = json_object_new_object();
	calls = json_object_new_array();
	follows = json_object_new_array();
	if (!w.follows || !out || !calls || !follows) {
		free(w.follows);
		json_object_put(out);
		json_object_put(calls);
		json_object_put(follows);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	vg_map_walk(maps.items, sizeof(struct ph_item_key), sizeof(__u64), SCAN_MAX, one_item, &w);
	/* no pairs stored (the n-gram model): the kernel's sketch, if any */
	source = "pairs";
	if (!w.pairs)
		source = from_sketch(maps.sketches, &key, &p, w.follows, out) ? "sketch" : "none";
	/* the calls that appear, in number order, then the cells between them */
	for (unsigned c = 0; c < CALLS_MAX; c++) {
		int seen = 0;

		for (unsigned o = 0; o < CALLS_MAX && !seen; o++)
			seen = w.follows[c * CALLS_MAX + o] || w.follows[o * CALLS_MAX + c];
		index[c] = seen ? (int)used++ : -1;
		if (seen) {
			vg_ph_call_name(name, sizeof(name), c);
			json_object_array_add(calls, json_object_new_string(name));
		}
	}
	for (unsigned a = 0; a < CALLS_MAX; a++)
		for (unsigned b = 0; index[a] >= 0 && b < CALLS_MAX; b++)
			if (w.follows[a * CALLS_MAX + b]) {
				struct json_object *cell = json_object_new_array();

				json_object_array_add(cell, json_object_new_int(index[a]));
				json_object_array_add(cell, json_object_new_int(index[b]));
				json_object_array_add(cell, json_object_new_int(w.follows[a * CALLS_MAX + b]));
				json_object_array_add(follows, cell);
			}
	free(w.follows);
	json_object_object_add(out, "calls", calls);
	json_object_object_add(out, "follows", follows);
	json_object_object_add(out, "pairs", json_object_new_uint64(w.pairs));
	json_object_object_add(out, "ngrams", json_object_new_uint64(w.ngrams));
	json_object_object_add(out, "source", json_object_new_string(source));
	return out;
}
