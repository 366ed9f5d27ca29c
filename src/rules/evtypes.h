/* Event types as rules name them (Falco's evt.type values), with vigil's own
 * ids. The ids index the rule engine's per-type tables; the sensor maps its
 * records to them by name (vg_evtype_lookup(vg_event_type_name(type))). Ids
 * are append-only: a new name goes at the end of the table in evtypes.c. */
#ifndef VIGIL_RULES_EVTYPES_H
#define VIGIL_RULES_EVTYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VG_EVTYPE_MAX 256 /* ids are 1 .. VG_EVTYPE_MAX - 1; 0 is "unknown" */

struct vg_evtset {
	uint64_t w[VG_EVTYPE_MAX / 64];
};

/* id of a name, or 0 if the name is unknown */
unsigned vg_evtype_lookup(const char *name, size_t len);
/* name of an id, or NULL */
const char *vg_evtype_name(unsigned id);
/* one past the highest id in use */
unsigned vg_evtype_count(void);

static inline bool vg_evtset_has(const struct vg_evtset *s, unsigned id)
{
	return id < VG_EVTYPE_MAX && (s->w[id / 64] >> (id % 64)) & 1;
}

static inline void vg_evtset_add(struct vg_evtset *s, unsigned id)
{
	if (id < VG_EVTYPE_MAX)
		s->w[id / 64] |= 1ull << (id % 64);
}

void vg_evtset_clear(struct vg_evtset *s);
/* every known type */
void vg_evtset_fill(struct vg_evtset *s);
void vg_evtset_union(struct vg_evtset *dst, const struct vg_evtset *src);
void vg_evtset_intersect(struct vg_evtset *dst, const struct vg_evtset *src);
/* known types not in s */
void vg_evtset_complement(struct vg_evtset *s);
bool vg_evtset_equal(const struct vg_evtset *a, const struct vg_evtset *b);
unsigned vg_evtset_count(const struct vg_evtset *s);

#endif
