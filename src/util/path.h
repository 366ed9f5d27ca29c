/* Lexical path handling for paths the kernel sent in pieces. */
#ifndef VIGIL_UTIL_PATH_H
#define VIGIL_UTIL_PATH_H

#include <stddef.h>

/* Joins base and rel (rel wins when absolute) and normalises the result:
 * repeated and trailing slashes, "." and ".." are folded, ".." never climbs
 * above "/". Writes at most size bytes including the NUL; returns the length
 * of the result, or -1 when it did not fit (out then holds a truncated path).
 * Lexical only: like the kernel's own walk of "..", except through symlinks. */
int vg_path_join(char *out, size_t size, const char *base, const char *rel);

/* Whether p contains a ".." component ("/etc/../etc/shadow"). */
int vg_path_has_dotdot(const char *p);

#endif
