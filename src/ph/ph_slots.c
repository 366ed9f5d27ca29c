/* The id-keyed slot table of pH's samplers; see ph_slots.h. */
#include <string.h>

#include "ph/ph_slots.h"

static uint64_t slot_id(const unsigned char *slot)
{
	uint64_t id;

	memcpy(&id, slot, sizeof(id)); /* the first field of every slot */
	return id;
}

void *vg_ph_slot_find(void *slots, uint32_t n, size_t size, uint64_t id, int add)
{
	unsigned char *base = slots;
	uint32_t h = (uint32_t)(id * 0x9e3779b97f4a7c15ull >> 40) & (n - 1);

	if (!id || !base || !n)
		return NULL;
	for (uint32_t i = 0; i < VG_PH_SLOTS_PROBE; i++) {
		unsigned char *s = base + (size_t)((h + i) & (n - 1)) * size;
		uint64_t sid = slot_id(s);

		if (sid == id)
			return s;
		if (!sid)
			return add ? s : NULL;
	}
	return add ? base + (size_t)h * size : NULL;
}
