/* How many profiles and items pH holds, counted in a thread of its own.
 *
 * Counting means walking the items map (up to millions of entries, about
 * half a second for a few million): done in the event loop, every status
 * request, metrics scrape or dashboard refresh would stall detection that
 * long. A read asks for a new count and waits for it at most
 * VG_PH_CENSUS_WAIT_MS: on a small map the figures are fresh, on a big one
 * the loop gets the last complete count and never waits longer. */
#ifndef VIGIL_PH_CENSUS_H
#define VIGIL_PH_CENSUS_H

#include <stddef.h>
#include <stdint.h>

#define VG_PH_CENSUS_WAIT_MS 50

struct vg_ph_census;

/* A map to count: its descriptor and entry sizes. */
struct vg_ph_census_map {
	int fd;
	size_t key_size, value_size;
};

/* Starts the counting thread on copies of the two maps' descriptors.
 * Returns 0 or a negative errno. */
int vg_ph_census_start(struct vg_ph_census **out, const struct vg_ph_census_map *profiles,
		       const struct vg_ph_census_map *items);

/* The figures of the last complete count (0 before the first). */
void vg_ph_census_read(struct vg_ph_census *c, uint64_t *profiles, uint64_t *items);

/* Stops the thread and frees everything; accepts NULL. */
void vg_ph_census_stop(struct vg_ph_census *c);

#endif
