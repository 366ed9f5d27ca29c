/* pH's control command "profile" (ph_admin_actions.c): show a profile, or
 * act on it: {"action": show|normalize|force-normalize|sensitize|tolerize|
 * reset|accept|export|import|merge, "exe": PATH | "pid": N | "id": ID}. */
#ifndef VIGIL_PH_ADMIN_ACTIONS_H
#define VIGIL_PH_ADMIN_ACTIONS_H

#include <stddef.h>

#include <json-c/json.h>

/* A control command handler (ctl_registry.h); ctx is the struct vg_ph_admin. */
int vg_ph_admin_cmd_profile(void *ctx, struct json_object *args, struct json_object **result,
			    char *err, size_t errlen);

#endif
