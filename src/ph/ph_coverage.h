/* Normal by coverage (docs/ph.md, "Normal by coverage").
 *
 * pH makes a frozen profile normal after a wall-clock wait (normal_wait,
 * 7 days), and anything new restarts it: a daemon never got there. What
 * tells that a profile has seen what its program does is coverage: how
 * many distinct runs went by without a new sequence. A run is an exec of
 * the program, a connection it accepted, or a burst of its activity after
 * an idle gap (timers, keep-alive timeouts and retries show there). A
 * profile the kernel froze (min_train calls, 3/4 of its training calls
 * after its last change: no new sequence per thousand calls for that
 * long) that then saw `runs` distinct runs without anything new becomes
 * normal at once; the wall-clock wait stays as the fallback.
 *
 * A daemon that never idles, execs or accepts (a steady worker, a poller)
 * makes no such runs: for it, a block of `block_calls` training calls
 * spanning at least `block_ns` without a new sequence counts as a run too
 * (coverage by calls), so `runs` such blocks in a row make it normal: with
 * the defaults (2000 calls, 10 minutes, 8 runs) after 80 minutes of a busy
 * daemon, and 2000 / rate calls a block for a slow one.
 *
 * Kept in user space, per executable (by inode: the process table names a
 * process's file by inode), sampled with the convergence rates every 10 s. */
#ifndef VIGIL_PH_COVERAGE_H
#define VIGIL_PH_COVERAGE_H

#include <stdint.h>

#include "ph/ph_model.h"
#include "util/macros.h"

#define VG_PH_COVERAGE_RUNS_DEFAULT 8
/* coverage by calls: a block of this many training calls without a new
 * sequence, spanning at least VG_PH_COVERAGE_BLOCK_S_DEFAULT, is a run */
#define VG_PH_COVERAGE_CALLS_DEFAULT 2000
#define VG_PH_COVERAGE_BLOCK_S_DEFAULT 600
/* no training calls for this long: the next activity is a run of its own */
#define VG_PH_COVERAGE_IDLE_NS (60ull * NSEC_PER_SEC)
/* a normal profile needs at least this many items (as the learning window) */
#define VG_PH_COVERAGE_MIN_ITEMS 16u
/* profiles made normal per sample at most (the others at the next one) */
#define VG_PH_COVERAGE_DUE_MAX 64

struct vg_ph_coverage;

/* What a profile's coverage is now. */
struct vg_ph_coverage_state {
	int known;	   /* sampled at least once */
	/* distinct runs since its last change, as of the last sample: runs
	 * that began after it are provisional (the next sample may find a
	 * change made before them and take them back) */
	uint32_t runs;
	uint32_t provisional; /* runs begun since the last sample */
	uint32_t call_runs; /* of which blocks of calls (coverage by calls) */
	uint64_t since_ns; /* CLOCK_MONOTONIC of the last change seen (or first sample) */
};

/* `runs`: the runs a frozen profile needs; 0 turns the rule off (runs are
 * still counted, for `vigil profiles`). */
int vg_ph_coverage_new(struct vg_ph_coverage **out, uint32_t slots, uint32_t runs,
		       uint64_t idle_ns);
void vg_ph_coverage_free(struct vg_ph_coverage *c);

/* Coverage by calls: a block of `calls` training calls spanning at least
 * `min_ns` without a new sequence is a run; calls = 0 turns it off (the
 * default of vg_ph_coverage_new()). */
void vg_ph_coverage_set_blocks(struct vg_ph_coverage *c, uint64_t calls, uint64_t min_ns);

/* Seconds until a profile with `runs` of `needed` runs has them all from
 * blocks of calls alone, at `calls_per_s` training calls a second: each
 * block takes max(calls / rate, min_ns). UINT64_MAX when blocks are off or
 * the rate is 0. Pure: unit-tested. */
uint64_t vg_ph_coverage_blocks_eta_s(uint32_t runs, uint32_t needed, uint64_t calls_per_s,
				     uint64_t block_calls, uint64_t block_min_ns);
/* The same with c's blocks, for a program that needs `needed` runs (its
 * own ph.watch coverage_runs, else the global; UINT64_MAX when c is NULL,
 * blocks are off or needed is 0: the rule is off for it). */
uint64_t vg_ph_coverage_eta_s(const struct vg_ph_coverage *c, uint32_t runs, uint32_t needed,
			      uint64_t calls_per_s);

/* A run of the executable `ino` began (an exec, an accepted connection). */
void vg_ph_coverage_run(struct vg_ph_coverage *c, uint64_t ino);

/* Samples the profile of `ino` at now_ns (CLOCK_MONOTONIC): a new
 * sequence or generation restarts its count; training calls after an idle
 * gap are a run. Returns 1 when the profile should become normal now:
 * frozen, not normal, at least min_train calls and
 * VG_PH_COVERAGE_MIN_ITEMS items, and `runs` runs without a change. */
int vg_ph_coverage_note(struct vg_ph_coverage *c, uint64_t ino, const struct ph_profile *p,
			const struct ph_params *prm, uint64_t now_ns);

/* The state of `ino` (known = 0 when never sampled). */
void vg_ph_coverage_get(const struct vg_ph_coverage *c, uint64_t ino,
			struct vg_ph_coverage_state *out);

/* The runs a profile needs (0: the rule is off). */
uint32_t vg_ph_coverage_runs_needed(const struct vg_ph_coverage *c);

#endif
