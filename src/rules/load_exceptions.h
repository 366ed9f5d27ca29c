/* Parse stage: a rule's "exceptions:" (load_exceptions.c). */
#ifndef VIGIL_RULES_LOAD_EXCEPTIONS_H
#define VIGIL_RULES_LOAD_EXCEPTIONS_H

#include <stdint.h>

#include "rules/load_ctx.h"

/* The exceptions of node n (a sequence of mappings): 0 or a negative errno
 * after reporting the error. */
int vg_load_exceptions(struct vg_load *y, const struct vg_load_item *it, yaml_node_t *n,
		       struct vg_exception **out, uint32_t *count);
/* New exceptions: rows of a known name go to it, others are added. */
int vg_merge_exceptions(struct vg_load *y, const struct vg_load_item *it, struct vg_rule_def *r,
			struct vg_exception *add, uint32_t n);

#endif
