/* Parse stage: a "- rule:" item (load_rule.c). */
#ifndef VIGIL_RULES_LOAD_RULE_H
#define VIGIL_RULES_LOAD_RULE_H

#include "rules/load_ctx.h"

/* Adds, changes or fails the rule it names (problems are diagnostics). */
void vg_load_rule(struct vg_load *y, struct vg_load_item *it);

#endif
