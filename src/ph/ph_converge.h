/* How fast each pH profile is converging (docs/ph.md, "Convergence"):
 * user space samples every profile's training counters now and then and
 * derives the rate of new sequences per thousand training calls over the
 * last few minutes, and from it an expected time to normal. Display only:
 * the kernel's model, and so `make eval`, is unchanged. */
#ifndef VIGIL_PH_CONVERGE_H
#define VIGIL_PH_CONVERGE_H

#include <stddef.h>
#include <stdint.h>

#include "ph/ph_model.h"
#include "util/macros.h"

#define VG_PH_CONVERGE_PERIOD_NS (150ull * NSEC_PER_SEC) /* the window: 150-300 s */

struct vg_ph_converge;

/* One point of a profile's history. */
struct vg_ph_sample {
	uint64_t t_ns;	      /* CLOCK_MONOTONIC */
	uint64_t train_count; /* training calls */
	uint64_t adds;	      /* sequences learnt */
};

/* What the estimate says; see vg_ph_converge_estimate(). */
struct vg_ph_convergence {
	int known;		   /* 0: no sample old enough yet */
	uint64_t new_per_kcalls_x100; /* new sequences per 1000 calls, times 100 */
	uint64_t calls_per_s;	   /* training calls per second */
	int converging;		   /* new sequences rarer than the freeze needs */
	uint64_t expected_normal_s; /* converging: seconds to normal (estimate) */
};

int vg_ph_converge_new(struct vg_ph_converge **out, uint32_t slots);
void vg_ph_converge_free(struct vg_ph_converge *c);
/* Records profile p at time now (called for every profile now and then);
 * keeps, per profile, the oldest sample of the window and the newest. */
void vg_ph_converge_note(struct vg_ph_converge *c, const struct ph_profile *p, uint64_t now_ns);
/* The oldest sample of p's window; 0 when none. */
int vg_ph_converge_get(const struct vg_ph_converge *c, const struct ph_profile *p,
		       struct vg_ph_sample *then);

/* The estimate between `then` and the profile's values now. A training
 * profile freezes after `calls_to_freeze` more calls without a new
 * sequence, then becomes normal after normal_wait_s; a new sequence
 * restarts that count, so with one every 1000/rate calls it converges only
 * if that spacing is longer than `gap`, the calls without anything new the
 * freeze needs (pH: three times the training calls before the last
 * change). Pure: unit-tested. */
void vg_ph_converge_estimate(const struct vg_ph_sample *then, const struct vg_ph_sample *now,
			     uint64_t gap, uint64_t calls_to_freeze, uint64_t normal_wait_s,
			     struct vg_ph_convergence *out);

#endif
