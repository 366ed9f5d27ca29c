/* Compile stage: a rule's exceptions as a syntax tree (exceptions.c). */
#ifndef VIGIL_RULES_EXCEPTIONS_H
#define VIGIL_RULES_EXCEPTIONS_H

#include <stdbool.h>

#include "rules/compile_ctx.h"

/* Every exception row appended later still has one value per field;
 * false after reporting the first that does not. */
bool vg_exceptions_check(struct vg_cctx *cc, const struct vg_rule_def *r);
/* OR of every exception row, as a syntax tree; NULL with cc->rc == 0 if
 * the rule has no values at all. */
struct vg_ast *vg_exceptions_ast(struct vg_cctx *cc, const struct vg_rule_def *r);

#endif
