/* String and address matching for the checks: used by the compiler (to
 * sort and hash operands), the optimizer and the evaluator. */
#ifndef VIGIL_RULES_MATCH_H
#define VIGIL_RULES_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rules/arena.h"
#include "rules/tree.h"

bool vg_glob_match(const char *pat, size_t plen, const char *s, size_t slen, bool icase);
bool vg_contains(const char *hay, size_t hlen, const char *needle, size_t nlen);
bool vg_icontains(const char *hay, size_t hlen, const char *lower_needle, size_t nlen);
bool vg_pmatch(const struct vg_operand_str *prefixes, uint32_t n, const char *s, size_t len);
int vg_str_cmp(const struct vg_operand_str *a, const struct vg_operand_str *b);
bool vg_str_in(const struct vg_operand_str *sorted, uint32_t n, const char *s, uint32_t len);
bool vg_net_contains(const struct vg_operand_net *net, const struct vg_ip *ip);
/* Hash tables of string operands, for checks with many of them: builds
 * c->set (in, intersects, pmatch; from VG_STRSET_MIN operands on); 0 or
 * -ENOMEM. */
#define VG_STRSET_MIN 4
int vg_strset_build(struct vg_arena *a, struct vg_check *c);
/* s is one of the operands (c->set must exist) */
bool vg_strset_has(const struct vg_check *c, const char *s, uint32_t len);
/* vg_pmatch through c->set: looks up the value's own prefixes that end at a
 * '/' (and the whole value), rather than comparing every path */
bool vg_pmatch_set(const struct vg_check *c, const char *s, uint32_t len);

/* a == b over n bytes: inlined, a word at a time (memcmp is a call, and the
 * strings rules compare are short) */
static inline bool vg_same_bytes(const char *a, const char *b, size_t n)
{
	for (; n >= 8; a += 8, b += 8, n -= 8) {
		uint64_t x, y;

		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y)
			return false;
	}
	for (; n; a++, b++, n--)
		if (*a != *b)
			return false;
	return true;
}

#endif
