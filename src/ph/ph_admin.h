/* pH's control commands, answered by the running monitor from its maps:
 *
 *   ps        per-process model state (task storage, looked up by pidfd)
 *   profiles  every profile: path, state, calls, items, size, last anomaly
 *   profile   {"action": show|normalize|sensitize|tolerize|reset,
 *              "exe": "/abs/path"} or {"action": ..., "pid": N}
 *
 * and the "ph" section of `vigil status`. See docs/control.md for the
 * admin actions and the races they accept. */
#ifndef VIGIL_PH_PH_ADMIN_H
#define VIGIL_PH_PH_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "control/ctl_registry.h"
#include "ph/ph_kernel.h"

struct vg_ph_admin;

int vg_ph_admin_new(struct vg_ph_admin **out, struct vg_ph_kernel *k);
void vg_ph_admin_free(struct vg_ph_admin *a);
/* Registers the commands and the status section. */
int vg_ph_admin_register(struct vg_ph_admin *a, struct vg_ctl_registry *reg);
/* An exec event: remembers the executable's name (kernel dev_t). */
void vg_ph_admin_note_exec(struct vg_ph_admin *a, uint64_t dev, uint64_t ino, const char *path,
			   size_t len);

#endif
