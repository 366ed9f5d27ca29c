/* The one clock helper: a clock's time in ns (CLOCK_MONOTONIC for periods,
 * CLOCK_REALTIME for what users read, CLOCK_BOOTTIME as the kernel stamps
 * events). */
#ifndef VIGIL_UTIL_CLOCK_H
#define VIGIL_UTIL_CLOCK_H

#include <stdint.h>
#include <time.h>

#include "util/macros.h"

static inline uint64_t vg_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

#endif
