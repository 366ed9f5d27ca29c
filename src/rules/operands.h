/* Compile stage: a check's constant operands parsed to its type (operands.c). */
#ifndef VIGIL_RULES_OPERANDS_H
#define VIGIL_RULES_OPERANDS_H

#include <stdint.h>

#include "rules/compile_ctx.h"
#include "rules/tree.h"

/* Fills chk's operands from n values (chk->type and chk->op set; fname is
 * the field as written, for messages): 0, or -EINVAL after reporting. */
int vg_compile_operands(struct vg_cctx *cc, struct vg_check *chk, const struct vg_ast_value *vals,
			uint32_t n, const char *fname);

#endif
