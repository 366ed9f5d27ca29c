/* Optimize stage: each rule's tree specialised per event type, checks
 * reordered by cost and chance (optimize.c). */
#ifndef VIGIL_RULES_OPTIMIZE_H
#define VIGIL_RULES_OPTIMIZE_H

#include "rules/store.h"

/* 0, or -ENOMEM (the trees are then used as compiled). */
int vg_optimize_rules(struct vg_rules *rs);

#endif
