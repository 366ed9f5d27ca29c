/* pH's learning window (ph.learning_window): after N seconds of real
 * traffic, every profile that stopped changing becomes normal at once,
 * instead of waiting ph.normal_wait from its own freeze; the profiles that
 * were still learning are named in a report. "Stopped changing" is by
 * coverage: at least min_train calls, at least VG_PH_WINDOW_MIN_ITEMS items,
 * and nothing new learnt in the last quarter of the window, or so little
 * that normal mode would report none of it: fewer changes than one per
 * VG_PH_WINDOW_FRAMES_PER_ITEM locality frames of that quarter's training
 * calls (isolated novel calls stay below the evidence threshold). A change
 * is an item normal mode would flag: under FALLBACK a new pair (a new
 * n-gram of known pairs is forgiven), else any new item. */
#ifndef VIGIL_PH_WINDOW_H
#define VIGIL_PH_WINDOW_H

#include <stdint.h>

#include <vigil/ph_events.h>

#include "ph/ph_model.h"

#define VG_PH_WINDOW_MIN_ITEMS 16u
#define VG_PH_WINDOW_FRAMES_PER_ITEM 4u /* 4 x 128 = 512 calls a new item */

struct vg_ph_window;

/* Called for each profile at the end: normalized (1) or still changing
 * (0, with the items learnt in the last quarter). */
typedef void (*vg_ph_window_fn)(void *ctx, const struct ph_exe_key *key,
				const struct ph_profile *p, int normalized, uint64_t recent_items);

struct vg_ph_window_result {
	uint64_t normalized, changing, already_normal, too_small;
};

/* window_ns from now; profiles_fd and items_fd are the kernel's profile and
 * item maps (items_fd < 0: new items are counted as a whole, not by kind). */
int vg_ph_window_new(struct vg_ph_window **out, int profiles_fd, int items_fd,
		     uint64_t window_ns, uint64_t now_ns);
void vg_ph_window_free(struct vg_ph_window *w);
/* Takes the 3/4 snapshot, then at the end applies the window once.
 * Returns 1 when it has just been applied (then *res is filled and
 * the caller must bump the profiles' epoch), else 0. */
int vg_ph_window_tick(struct vg_ph_window *w, uint64_t now_ns, const struct ph_params *params,
		      vg_ph_window_fn fn, void *ctx, struct vg_ph_window_result *res);

#endif
