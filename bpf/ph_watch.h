/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Per-program pH settings (the ph.watch mappings of the configuration,
 * src/ph/ph_watch.c): a watched program's own normal wait, anomaly limit
 * and ignored calls, as a whole struct ph_params that user space builds
 * from the global one and puts under the executable's device and inode.
 * Included by ph_step.h after ph_params_cfg.
 *
 * Consulted on the slow path only (ph_slow_call()): the fast path needs
 * none of these settings. The normal wait and the anomaly limit are read
 * by ph_on_call() alone. An ignored call of the program is not in the
 * task's cache (ph_on_call() returns before caching an item that ends
 * with an ignored call), so it always misses the fast path and is dropped
 * on the slow one: no per-call check is added, but each such call costs a
 * slow step (docs/ph.md, "Watch list"). With no per-program setting at
 * all, ph_watch_on is 0 and the verifier removes the lookup. */
#ifndef VG_PH_WATCH_H
#define VG_PH_WATCH_H

/* Set by user space before load: 1 when some ph.watch entry has a setting
 * of its own for the kernel. */
const volatile __u32 ph_watch_on = 0;

/* struct ph_exe_key → the program's struct ph_params. Filled before
 * attach, and when a watched path is run from a new file. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* nothing pinned while unused */
	__uint(max_entries, 1024);
	__type(key, struct ph_exe_key);
	__type(value, struct ph_params);
} ph_watch_params SEC(".maps");

/* A bit per inode modulo 1024, set by user space for every file in
 * ph_watch_params (after its entry): a slow call of any other program
 * then costs one load instead of a hash lookup (measured: a lookup on
 * every slow call added ~28 ns per call on fork + exec). A false positive
 * is a lookup that misses. */
#define PH_WATCH_FILTER_WORDS 16
PH_DATA __u64 ph_watch_filter[PH_WATCH_FILTER_WORDS];

/* The parameters of the program the task runs. */
static __always_inline const struct ph_params *ph_params_of(const struct ph_exe_key *exe)
{
	const struct ph_params *p;
	__u64 ino = exe->ino;

	if (!ph_watch_on)
		return &ph_params_cfg;
	if (!((ph_watch_filter[(ino >> 6) & (PH_WATCH_FILTER_WORDS - 1)] >> (ino & 63)) & 1))
		return &ph_params_cfg;
	p = bpf_map_lookup_elem(&ph_watch_params, exe);
	return p ? p : &ph_params_cfg;
}

#endif
