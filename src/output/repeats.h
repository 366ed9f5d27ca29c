/* Repeated alerts folded: an alert identical to one sent less than a window
 * ago (same rule, same program image, same output fields apart from time,
 * process and thread ids and descriptor numbers) is counted instead of sent;
 * when the window of the alert that was sent ends, one summary follows: the
 * same alert with vigil.repeats = the count. The first alert is never
 * delayed. A window of 0 turns folding off.
 *
 * Bounded: VG_REPEATS_SLOTS alerts are remembered at once; a new one that
 * finds no free slot replaces the oldest, whose summary is sent first. */
#ifndef VIGIL_OUTPUT_REPEATS_H
#define VIGIL_OUTPUT_REPEATS_H

#include <stdbool.h>
#include <stdint.h>

#include "output/alert.h"

#define VG_REPEATS_SLOTS 128

struct vg_repeats;

struct vg_repeats *vg_repeats_new(uint64_t window_ns);
void vg_repeats_free(struct vg_repeats *r);

/* True when a (about program image exe, "" unknown) repeats an alert sent
 * less than the window ago: the caller does not send it. Otherwise it is
 * remembered, and the caller sends it. */
bool vg_repeats_fold(struct vg_repeats *r, const struct vg_alert *a, const char *exe,
		     vg_alert_fn send, void *ctx);

/* Sends the summaries of windows ended by now (wall clock, ns), or of all
 * of them (at exit, before a rules reload). */
void vg_repeats_flush(struct vg_repeats *r, uint64_t now_ns, bool all, vg_alert_fn send,
		      void *ctx);

/* Alerts folded since the start (vigil status). */
uint64_t vg_repeats_folded(const struct vg_repeats *r);

/* The output fields that never make two alerts different. */
bool vg_repeats_ignored_field(const char *key);

#endif
