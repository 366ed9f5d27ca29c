/* Index stage: for each event type, the enabled rules it can match, in
 * groups that share a guard (evtindex.c). */
#ifndef VIGIL_RULES_EVTINDEX_H
#define VIGIL_RULES_EVTINDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "rules/store.h"
#include "rules/tree.h"

/* One rule as an event of one type meets it (evtindex.c). */
struct vg_indexed {
	const struct vg_rule *rule;
	const struct vg_node *cond; /* its tree for the type; cond->prog runs it */
	/* a remembered node the rule fails without, tested first (NULL: none):
	 * when it is already known false for the event, the rule is skipped
	 * without running its program (rules of a type often share one, such
	 * as "open for writing") */
	const struct vg_node *guard;
	/* the rules of a type are grouped by guard (evtindex.c): the entry
	 * after the last one with this guard, so that a guard known false
	 * skips its whole group at once */
	uint32_t group_end;
};

/* (Re)builds rs->by_type from the enabled, loaded rules: 0 or -ENOMEM. */
int vg_build_index(struct vg_rules *rs);

#endif
