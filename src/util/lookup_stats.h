/* What a per-event look-up in the file system costs the monitor (the path
 * resolver's openat2, fd.known_name's stat): calls, failures, time spent.
 * `vigil status` shows them (and so /metrics), so an operator can tell
 * which one a busy machine pays for. Counted with relaxed atomics: the
 * status reader runs beside the event loop. */
#ifndef VIGIL_UTIL_LOOKUP_STATS_H
#define VIGIL_UTIL_LOOKUP_STATS_H

#include <stdint.h>

#include "util/clock.h"

struct vg_lookup_stats {
	uint64_t calls, failures;
	uint64_t ns; /* CLOCK_MONOTONIC time inside the calls */
};

/* Counts one call that started at t0 (vg_clock_ns(CLOCK_MONOTONIC)). */
static inline void vg_lookup_note(struct vg_lookup_stats *s, uint64_t t0, int failed)
{
	uint64_t t1 = vg_clock_ns(CLOCK_MONOTONIC);

	__atomic_fetch_add(&s->calls, 1, __ATOMIC_RELAXED);
	if (failed)
		__atomic_fetch_add(&s->failures, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&s->ns, t1 > t0 ? t1 - t0 : 0, __ATOMIC_RELAXED);
}

static inline void vg_lookup_read(const struct vg_lookup_stats *s, struct vg_lookup_stats *out)
{
	out->calls = __atomic_load_n(&s->calls, __ATOMIC_RELAXED);
	out->failures = __atomic_load_n(&s->failures, __ATOMIC_RELAXED);
	out->ns = __atomic_load_n(&s->ns, __ATOMIC_RELAXED);
}

#endif
