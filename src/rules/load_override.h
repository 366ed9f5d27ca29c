/* Parse stage: Falco's "append" and "override" of earlier items
 * (load_override.c). */
#ifndef VIGIL_RULES_LOAD_OVERRIDE_H
#define VIGIL_RULES_LOAD_OVERRIDE_H

#include <stdbool.h>

#include "rules/load_ctx.h"

/* Reads "override:", checking each key is allowed with that mode. Returns a
 * bitmask per key index: bit 2k = append, bit 2k+1 = replace; -1 on error. */
long vg_load_override(struct vg_load *y, const struct vg_load_item *it, yaml_node_t *ov,
		      const char *const *keys, const char *const *appendable);
/* "append: true" or "override: {items|condition: append|replace}" of a
 * list or macro, whose single mergeable key is ov_keys[0]. Returns 0, or -1
 * after reporting the error. */
int vg_load_merge_mode(struct vg_load *y, const struct vg_load_item *it, yaml_node_t *app,
		       yaml_node_t *ov, const char *const *ov_keys, bool *append, bool *replace);

#endif
