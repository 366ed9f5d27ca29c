/* The control commands a monitor answers: a small table of name → handler
 * that the monitor's parts fill at start-up, and the "status" report that
 * each part adds a section to.
 *
 *   vg_ctl_register(reg, "ps", ph_ps, ph);                 a command
 *   vg_ctl_add_status(reg, "outputs", outputs_status, o);  a section of
 *                                    `vigil status`: result["outputs"]
 *
 * Handlers run in the monitor's poll loop: they must be quick and never
 * block. */
#ifndef VIGIL_CONTROL_CTL_REGISTRY_H
#define VIGIL_CONTROL_CTL_REGISTRY_H

#include <stddef.h>

#include <json-c/json.h>

#define VG_CTL_COMMANDS_MAX 32
#define VG_CTL_SECTIONS_MAX 16
#define VG_CTL_ERR_MAX 256

/* Answers one command: 0 with *result set (a new reference; NULL means JSON
 * null), or a negative errno with a message for the client in err. */
typedef int (*vg_ctl_fn)(void *ctx, struct json_object *args, struct json_object **result,
			 char *err, size_t errlen);
/* Fills one section of the status report (an empty object it owns). */
typedef int (*vg_ctl_status_fn)(void *ctx, struct json_object *section);

struct vg_ctl_registry;

int vg_ctl_registry_new(struct vg_ctl_registry **out);
void vg_ctl_registry_free(struct vg_ctl_registry *reg);

/* Adds a command. The name follows the protocol's rules (ctl_proto.h).
 * Returns 0, -EINVAL (bad name), -EEXIST or -ENOSPC. "status" is built in. */
int vg_ctl_register(struct vg_ctl_registry *reg, const char *name, vg_ctl_fn fn, void *ctx);
/* Adds a section to the built-in "status" command; same errors. */
int vg_ctl_add_status(struct vg_ctl_registry *reg, const char *name, vg_ctl_status_fn fn,
		      void *ctx);

/* The status report itself (what the "status" command answers): one object
 * per section. Returns 0 with *result (a new reference) or -ENOMEM. */
int vg_ctl_status(struct vg_ctl_registry *reg, struct json_object **result);
/* Handles one request line: the response line (malloc'd, newline-ended),
 * NULL only when out of memory. Never fails on bad input: it answers it. */
char *vg_ctl_handle(struct vg_ctl_registry *reg, const char *line, size_t len);

#endif
