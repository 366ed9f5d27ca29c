/* Compile stage: every rule's condition, exceptions and output into the
 * trees of tree.h (compile.c). */
#ifndef VIGIL_RULES_COMPILE_H
#define VIGIL_RULES_COMPILE_H

#include "rules/store.h"

/* Compiles every loaded rule (and checks unused macros); the outcome of
 * each is its state and the diagnostics. Returns 0. */
int vg_compile_rules(struct vg_rules *rs);

#endif
