/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* A pH profile's call-pair sketch: which call came right after which, for
 * the profiles whose model (the default 12-gram one) stores hashes that do
 * not name their calls. The kernel notes a pair (earlier, call) each time
 * the model learns an n-gram ending with it (bpf/ph_sketch.h); the
 * dashboard draws the pairs (src/web/web_heatmap.c). Shared by both sides,
 * so plain C the BPF target accepts.
 *
 * A Bloom filter over the pairs (PH_SKETCH_HASHES bits each in
 * PH_SKETCH_BITS) plus the exact set of calls seen: a pair reads as present
 * when its calls were seen and its bits are all set. It can show a pair
 * that never happened (a false positive, about fill ^ PH_SKETCH_HASHES,
 * fill being the fraction of bits set: the dashboard states it), never
 * miss one that was noted. 2,192 bytes a profile, whatever it learns (a
 * profile's pH memory averaged 14 to 55 KB here: docs/ph.md, "Memory").
 * Sized on this machine's profiles: the fullest of 180 after 90 s, about
 * 1,000 distinct pairs, sets 22% of the bits, a false positive in 400
 * empty cells; the median profile, 1.6%. */
#ifndef VIGIL_PH_SKETCH_H
#define VIGIL_PH_SKETCH_H

#ifndef __bpf__
#include <linux/types.h>
#endif

#define PH_SKETCH_BITS 16384 /* 2 KiB of filter */
#define PH_SKETCH_HASHES 4
#define PH_SKETCH_CALLS 1024 /* call numbers 0..PH_CALL_MAX */

struct ph_sketch {
	__u32 gen;   /* the profile's training generation the pairs belong to */
	__u32 pad;
	__u64 notes; /* pairs noted (repeats included) */
	__u64 calls[PH_SKETCH_CALLS / 64];
	__u64 bits[PH_SKETCH_BITS / 64];
};
_Static_assert(sizeof(struct ph_sketch) == 16 + 128 + 2048, "ph_sketch layout");

/* The filter bit of a pair for hash i (0..PH_SKETCH_HASHES - 1): one 64-bit
 * mix of the pair, cut into 14-bit slices. */
static inline __u32 ph_sketch_bit(__u32 earlier, __u32 call, __u32 i)
{
	__u64 h = ((__u64)(earlier & (PH_SKETCH_CALLS - 1)) << 10 | (call & (PH_SKETCH_CALLS - 1))) + 1;

	h *= 0x9e3779b97f4a7c15ULL;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return (__u32)(h >> (14 * i)) & (PH_SKETCH_BITS - 1);
}

_Static_assert(PH_SKETCH_BITS == 1 << 14 && PH_SKETCH_HASHES * 14 <= 64, "14-bit slices of one hash");

#endif
