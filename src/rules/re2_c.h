/* RE2 behind a small C interface: the rule engine's `regex` operator.
 *
 * RE2 matches in time linear in the subject whatever the pattern, so no
 * value a watched user chooses (a path of 2,000 "./", a 31-character
 * argument against `.*(a+)+$`) can make a match slow or make it fail
 * where a backtracking engine would run out of stack.
 *
 * Semantics are Falco's: POSIX (egrep) syntax with RE2's extensions,
 * UTF-8 subjects, and the pattern must match the whole value.
 *
 * A compiled pattern is immutable; matching never allocates from the
 * caller's point of view and is safe from several threads at once. */
#ifndef VIGIL_RULES_RE2_C_H
#define VIGIL_RULES_RE2_C_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vg_re;

/* Compiles pattern (len bytes, need not be NUL-terminated). Returns NULL
 * when RE2 refuses it, with RE2's reason in err (always NUL-terminated,
 * "out of memory" when that is the reason). */
struct vg_re *vg_re_compile(const char *pattern, size_t len, char *err, size_t errsz);

/* 1 when the whole of s (len bytes) matches, 0 when it does not, a negative
 * errno when the match could not be run (-ENOMEM, -E2BIG): the caller counts
 * that as a failure, never silently as "no match". */
int vg_re_full_match(const struct vg_re *re, const char *s, size_t len);

/* NULL is fine. */
void vg_re_free(struct vg_re *re);

#ifdef __cplusplus
}
#endif

#endif
