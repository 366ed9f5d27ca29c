/* A compiled PCRE2 regex with its match data, created once at compile time
 * so that matching never allocates. */
#ifndef VIGIL_RULES_REGEX_H
#define VIGIL_RULES_REGEX_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>

struct vg_regex {
	pcre2_code *code;
	pcre2_match_data *md;
	bool jit; /* JIT-compiled: matched through pcre2_jit_match, which skips
		   * pcre2_match's per-call checks (most of the cost of a short
		   * subject) */
};

#endif
