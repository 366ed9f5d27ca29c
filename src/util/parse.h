/* Strict number parsing for options and configuration: the whole string
 * must be the number, no sign surprises, no overflow. */
#ifndef VIGIL_UTIL_PARSE_H
#define VIGIL_UTIL_PARSE_H

#include <stdint.h>

/* Decimal digits only. Returns 0 or -EINVAL / -ERANGE. */
int vg_parse_u64(const char *s, uint64_t *out);
/* A byte count with an optional K, M or G suffix (powers of 1024). */
int vg_parse_size(const char *s, uint64_t *out);

#endif
