/* A small id-keyed table of slots, shared by pH's user-space samplers
 * (ph_coverage.c by inode, ph_converge.c by profile number): open
 * addressing over a power-of-two array, probing a short run. Each slot is
 * a struct whose FIRST field is the uint64_t id (0: a free slot). Losing a
 * slot only delays what the samplers show or decide, so a full run gives
 * its first slot to the newcomer instead of growing. */
#ifndef VIGIL_PH_SLOTS_H
#define VIGIL_PH_SLOTS_H

#include <stddef.h>
#include <stdint.h>

#define VG_PH_SLOTS_PROBE 16 /* slots probed from the id's hash */

/* The slot of `id` among the n slots of `size` bytes at `slots` (n a power
 * of two). Without `add`: that slot or NULL. With `add`: that slot, else a
 * free slot of its run, else the run's first slot (the caller sees an id
 * other than its own and starts the slot over). id 0 is never found. */
void *vg_ph_slot_find(void *slots, uint32_t n, size_t size, uint64_t id, int add);

#endif
