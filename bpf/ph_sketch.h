/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* pH's call-pair sketch in the kernel (include/vigil/ph_sketch.h): beside
 * each n-gram profile, which call came right after which, so that the
 * dashboard can draw a profile whose items are hashes. Included by
 * ph_step.h after the model; ph_slow_call() calls ph_sketch_note().
 *
 * Cost: nothing on the fast path; on the slow path, a call that taught its
 * profile something (res->learned), which a trained program rarely makes,
 * and one in 64 of the others the model knew (no miss): one map lookup and
 * four bit sets. The sampled ones fill in the sketch of a profile loaded
 * from disk (the sketch is not saved), which may learn nothing new, with
 * its known pairs only; for others they change nothing. The plain and
 * "both" models store the pairs themselves and need no sketch. */
#ifndef VG_PH_SKETCH_H
#define VG_PH_SKETCH_H

#include <vigil/ph_sketch.h>

/* One sketch per profile, made at its first learnt pair. Not preallocated
 * (2,192 bytes each); profiles are never deleted, so as many entries as the
 * profile map's default (a larger profile limit leaves the excess
 * profiles without a picture). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, struct ph_exe_key);
	__type(value, struct ph_sketch);
} ph_sketches SEC(".maps");

/* An empty sketch to copy from: 2 KiB do not fit the BPF stack, and
 * bpf_map_update_elem() takes its value from a map as well. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ph_sketch);
} ph_sketch_empty SEC(".maps");

/* After ph_on_call(): the call just modelled and the one before it in its
 * window, when the call taught an n-gram profile something or, one in 64,
 * when the model knew it. A new training generation (reset, tolerize)
 * starts an empty sketch. */
static __always_inline void ph_sketch_note(const struct ph_task_state *st,
					   const struct ph_profile *prof,
					   const struct ph_result *res, __u32 sym)
{
	__u64 calls = st->t.calls;
	struct ph_sketch *sk;
	__u32 zero = 0, earlier, call, i, bit;

	/* the plain model stores its pairs; an ignored call is not in the
	 * window (its ring holds the calls before) */
	if ((ph_params_cfg.model & PH_MODEL_PAIRS) || ph_ignored(&ph_params_cfg, sym))
		return;
	/* a miss (normal mode) is never drawn: it is not in the profile. One
	 * known call in 64, picked by a Weyl sequence of the task's call
	 * count: `calls % 64` would pick the same places of a loop whose
	 * length shares a factor with 64, and never see the others. */
	if (!res->learned && (res->misses || (calls * 0x9e3779b97f4a7c15ULL) >> 58))
		return;
	if (calls - st->t.win_start < 2)
		return; /* the window's first call: nothing came before it */
	call = st->t.ring[(calls - 1) & (PH_WINDOW_MAX - 1)] & (PH_SKETCH_CALLS - 1);
	earlier = st->t.ring[(calls - 2) & (PH_WINDOW_MAX - 1)] & (PH_SKETCH_CALLS - 1);
	sk = bpf_map_lookup_elem(&ph_sketches, &st->exe);
	if (!sk || sk->gen != prof->train_gen) {
		struct ph_sketch *empty = bpf_map_lookup_elem(&ph_sketch_empty, &zero);

		if (!empty || bpf_map_update_elem(&ph_sketches, &st->exe, empty, BPF_ANY))
			return; /* full: this profile has no picture */
		sk = bpf_map_lookup_elem(&ph_sketches, &st->exe);
		if (!sk)
			return;
		sk->gen = prof->train_gen;
	}
	sk->calls[earlier >> 6] |= 1ULL << (earlier & 63);
	sk->calls[call >> 6] |= 1ULL << (call & 63);
	for (i = 0; i < PH_SKETCH_HASHES; i++) {
		bit = ph_sketch_bit(earlier, call, i);
		sk->bits[(bit >> 6) & (PH_SKETCH_BITS / 64 - 1)] |= 1ULL << (bit & 63);
	}
	sk->notes++;
}

#endif
