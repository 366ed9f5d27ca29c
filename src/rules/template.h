/* Compile stage: a rule's output ("%proc.name ran ...") as a template whose
 * fields are bound to the same interned refs as the condition's, so that
 * values already fetched are reused when it is rendered (format.c). */
#ifndef VIGIL_RULES_TEMPLATE_H
#define VIGIL_RULES_TEMPLATE_H

#include "rules/compile_ctx.h"
#include "rules/tree.h"

/* The template of cc's text (a rule's output); NULL after an error. */
const struct vg_tmpl *vg_compile_output(struct vg_cctx *cc);

#endif
