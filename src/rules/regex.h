/* A compiled PCRE2 regex with its match data, created once at compile time
 * so that matching never allocates. */
#ifndef VIGIL_RULES_REGEX_H
#define VIGIL_RULES_REGEX_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

struct vg_regex {
	pcre2_code *code;
	pcre2_match_data *md;
};

#endif
