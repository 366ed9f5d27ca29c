/* The rule engine's event type of a record: its syscall's name (openat,
 * dup3 ...), else its record kind's (execve, clone, procexit ...). */
#include <pthread.h>
#include <string.h>

#include "fields/extract.h"
#include "rules/evtypes.h"
#include "sensor/event.h"
#include "sensor/syscalls.h"

/* Built once: the engine's event type of each syscall number and record kind. */
static struct {
	uint16_t evtype_by_nr[VG_NR_SYSCALLS];
	uint16_t evtype_by_kind[VG_EV_TYPE_MAX];
} maps;
static pthread_once_t maps_once = PTHREAD_ONCE_INIT;

static unsigned evtype_of(const char *name)
{
	return name ? vg_evtype_lookup(name, strlen(name)) : 0;
}

static void maps_build(void)
{
	for (int nr = 0; nr < VG_NR_SYSCALLS; nr++)
		maps.evtype_by_nr[nr] = (uint16_t)evtype_of(vg_syscall_name(nr));
	for (unsigned t = 0; t < VG_EV_TYPE_MAX; t++)
		maps.evtype_by_kind[t] = (uint16_t)evtype_of(vg_event_type_name(t));
}

unsigned vg_rule_evtype(const struct vg_event *ev)
{
	const struct vg_hdr *h = &ev->u.hdr;
	unsigned id = 0;

	pthread_once(&maps_once, maps_build);
	if (h->syscall_nr >= 0 && h->syscall_nr < VG_NR_SYSCALLS)
		id = maps.evtype_by_nr[h->syscall_nr];
	if (!id && h->type < VG_EV_TYPE_MAX)
		id = maps.evtype_by_kind[h->type];
	return id;
}
