/* What an incident says about a process, from the monitor's process table
 * and user cache (src/proc), rendered by the one renderer of events
 * (vg_fields_from_ctx): an incident's proc.* and user.* fields are what an
 * event of the same process shows. */
#ifndef VIGIL_PH_PROCINFO_H
#define VIGIL_PH_PROCINFO_H

#include <stddef.h>
#include <stdint.h>

#include "ph/ph_incident.h"

struct vg_proctable;
struct vg_usercache;
struct vg_ph_describer;

/* A describer over the table and the cache (either may be NULL: then no
 * process is known). Returns 0 or -ENOMEM. */
int vg_ph_describer_new(struct vg_ph_describer **out, struct vg_proctable *pt,
			struct vg_usercache *uc, const char *hostname);
void vg_ph_describer_free(struct vg_ph_describer *d);

/* Fills *out for pid (strings stay valid until the next call). now_ns:
 * CLOCK_BOOTTIME. Returns 0, or -ENOENT for a process the table does not
 * know. */
int vg_ph_proc_describe(struct vg_ph_describer *d, uint32_t pid, uint64_t now_ns,
			struct vg_ph_proc_info *out);

#endif
