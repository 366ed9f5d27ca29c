/* What an incident says about a process, from the monitor's process table
 * and user cache (src/proc). */
#ifndef VIGIL_PH_PROCINFO_H
#define VIGIL_PH_PROCINFO_H

#include <stddef.h>
#include <stdint.h>

#include "ph/ph_incident.h"

struct vg_proctable;
struct vg_usercache;

/* Fills *out for pid (strings point into the table, the cache, or
 * cmdline[size]). Returns 0, or -ENOENT for a process the table does not
 * know. */
int vg_ph_proc_describe(struct vg_proctable *pt, struct vg_usercache *uc, uint32_t pid,
			uint64_t now_ns, struct vg_ph_proc_info *out, char *cmdline, size_t size);

#endif
