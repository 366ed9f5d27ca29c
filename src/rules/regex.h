/* A compiled `regex` operand: the RE2 pattern (re2_c.h) and where a match
 * that could not be run is recorded, so that the rule it belongs to counts
 * it (vg_rules_eval) instead of taking it silently as "no match". */
#ifndef VIGIL_RULES_REGEX_H
#define VIGIL_RULES_REGEX_H

#include "rules/re2_c.h"

#include <stdbool.h>

struct vg_regex {
	struct vg_re *re;
	bool *failed; /* the engine's per-rule failure flag */
};

static inline void vg_regex_free(struct vg_regex *re)
{
	if (re)
		vg_re_free(re->re);
}

#endif
