/* Compile stage: the values of a list operator, list names replaced by
 * their items (lists.c). */
#ifndef VIGIL_RULES_LISTS_H
#define VIGIL_RULES_LISTS_H

#include <stdint.h>

#include "rules/compile_ctx.h"

/* The values of a's list operator with list names replaced by their items
 * (in the arena): 0, or a negative errno after reporting the error. */
int vg_expand_values(struct vg_cctx *cc, const struct vg_ast *a, struct vg_ast_value **out,
		     uint32_t *count);

#endif
