/* Strict number parsing for options and configuration: the whole string
 * must be the number, no sign surprises, no overflow; and the splitting of
 * comma-separated lists. */
#ifndef VIGIL_UTIL_PARSE_H
#define VIGIL_UTIL_PARSE_H

#include <stdint.h>

/* Decimal digits only. Returns 0 or -EINVAL / -ERANGE. */
int vg_parse_u64(const char *s, uint64_t *out);
/* A byte count with an optional K, M or G suffix (powers of 1024). */
int vg_parse_size(const char *s, uint64_t *out);
/* One item of a comma-separated list ("a, b,c": the command line's form of a
 * list) per call: returns 1 with [*s, *e) the next item, its spaces trimmed
 * (it may be empty), and *p moved past it; 0 at the end of the string. */
int vg_next_list_item(const char **p, const char **s, const char **e);

#endif
