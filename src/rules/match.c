/* String and address matching for the evaluator: no allocation, lengths
 * known up front. */
#include "rules/match.h"

#include <errno.h>
#include <string.h>

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool same(char a, char b, bool icase)
{
	return icase ? lower(a) == lower(b) : a == b;
}

/* [abc], [!a-z], []x]: sets *next past the closing bracket, or to 0 when
 * there is none (the '[' is then an ordinary character) */
static bool class_match(const char *pat, size_t plen, size_t p, char c, bool icase, size_t *next)
{
	size_t q = p + 1;
	bool neg = false, hit = false;

	*next = 0;
	if (q < plen && (pat[q] == '!' || pat[q] == '^')) {
		neg = true;
		q++;
	}
	for (bool first = true; q < plen; first = false) {
		char lo = pat[q];

		if (lo == ']' && !first) {
			*next = q + 1;
			return hit != neg;
		}
		if (q + 2 < plen && pat[q + 1] == '-' && pat[q + 2] != ']') {
			char hi = pat[q + 2], cc = icase ? lower(c) : c;

			if (icase) {
				lo = lower(lo);
				hi = lower(hi);
			}
			if ((unsigned char)cc >= (unsigned char)lo && (unsigned char)cc <= (unsigned char)hi)
				hit = true;
			q += 3;
		} else {
			if (same(lo, c, icase))
				hit = true;
			q++;
		}
	}
	return false;
}

/* fnmatch(3) without flags: '*' and '?' also match '/'. Backtracks only to
 * the last '*', so the cost is O(plen * slen) at worst. */
bool vg_glob_match(const char *pat, size_t plen, const char *s, size_t slen, bool icase)
{
	size_t p = 0, i = 0, star_p = 0, star_i = 0;
	bool have_star = false;

	while (i < slen) {
		if (p < plen) {
			char c = pat[p];
			size_t next;

			if (c == '*') {
				have_star = true;
				star_p = ++p;
				star_i = i;
				continue;
			}
			if (c == '?') {
				p++;
				i++;
				continue;
			}
			if (c == '[') {
				bool m = class_match(pat, plen, p, s[i], icase, &next);

				if (next) {
					if (m) {
						p = next;
						i++;
						continue;
					}
					goto backtrack;
				}
			} else if (c == '\\' && p + 1 < plen) {
				if (same(pat[p + 1], s[i], icase)) {
					p += 2;
					i++;
					continue;
				}
				goto backtrack;
			}
			if (same(c, s[i], icase)) {
				p++;
				i++;
				continue;
			}
		}
backtrack:
		if (!have_star)
			return false;
		p = star_p;
		i = ++star_i;
	}
	while (p < plen && pat[p] == '*')
		p++;
	return p == plen;
}

/* memmem for the short needles of rules: memchr finds candidates fast, on
 * the needle's last byte that is not punctuation, which is rarer in values
 * than its first ("O_TRUNC" in "O_RDONLY|O_CLOEXEC" meets an 'O' at every
 * flag, a 'C' once; "/.ssh/" meets a '/' at every directory, an 'h' less) */
bool vg_contains(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	const char *p, *end;
	size_t a = nlen - 1;

	if (nlen == 0)
		return true;
	if (nlen > hlen)
		return false;
	while (a > 0 && (needle[a] == '/' || needle[a] == '.' || needle[a] == '_' ||
			 needle[a] == '-' || needle[a] == ' '))
		a--;
	/* the anchor byte can only be at a .. hlen - nlen + a */
	p = hay + a;
	end = hay + (hlen - nlen + a) + 1;
	while (p < end && (p = memchr(p, needle[a], (size_t)(end - p)))) {
		const char *at = p - a;

		if (vg_same_bytes(at, needle, nlen))
			return true;
		p++;
	}
	return false;
}

bool vg_icontains(const char *hay, size_t hlen, const char *lower_needle, size_t nlen)
{
	if (nlen == 0)
		return true;
	if (nlen > hlen)
		return false;
	for (size_t i = 0; i + nlen <= hlen; i++) {
		size_t k = 0;

		while (k < nlen && lower(hay[i + k]) == lower_needle[k])
			k++;
		if (k == nlen)
			return true;
	}
	return false;
}

/* Falco's pmatch: the value is one of the paths or below one of them. */
bool vg_pmatch(const struct vg_operand_str *prefixes, uint32_t n, const char *s, size_t len)
{
	for (uint32_t i = 0; i < n; i++) {
		const struct vg_operand_str *p = &prefixes[i];

		if (p->len == 1 && p->s[0] == '/') {
			if (len && s[0] == '/')
				return true;
			continue;
		}
		if (len >= p->len && vg_same_bytes(s, p->s, p->len) &&
		    (len == p->len || s[p->len] == '/'))
			return true;
	}
	return false;
}

int vg_str_cmp(const struct vg_operand_str *a, const struct vg_operand_str *b)
{
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->len ? memcmp(a->s, b->s, a->len) : 0;
}

bool vg_str_in(const struct vg_operand_str *sorted, uint32_t n, const char *s, uint32_t len)
{
	struct vg_operand_str key = { s, len };
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = vg_str_cmp(&sorted[mid], &key);

		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool vg_net_contains(const struct vg_operand_net *net, const struct vg_ip *ip)
{
	unsigned bits = net->prefix, full = bits / 8, rest = bits % 8;

	if (net->family != ip->family)
		return false;
	if (memcmp(net->addr, ip->addr, full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		if ((net->addr[full] & mask) != (ip->addr[full] & mask))
			return false;
	}
	return true;
}

/* ---- hash tables of operands ---- */

/* Up to 8 bytes as a little-endian word (zero-padded). */
static uint64_t word(const char *s, uint32_t n)
{
	uint64_t w;
	uint32_t lo, hi;

	if (n >= 8) {
		memcpy(&w, s, 8);
		return w;
	}
	if (n >= 4) { /* two loads that overlap: the same bytes land twice */
		memcpy(&lo, s, 4);
		memcpy(&hi, s + n - 4, 4);
		return lo | (uint64_t)hi << (8 * (n - 4));
	}
	if (!n)
		return 0;
	return (uint64_t)(unsigned char)s[0] | (uint64_t)(unsigned char)s[n / 2] << (8 * (n / 2)) |
	       (uint64_t)(unsigned char)s[n - 1] << (8 * (n - 1));
}

/* From the length and the first and last 8 bytes: a few instructions
 * whatever the length. Paths that differ only in the middle collide, and
 * are then told apart by comparing them. */
static uint32_t str_hash(const char *s, uint32_t len)
{
	uint64_t head = word(s, len), tail = len > 8 ? word(s + len - 8, 8) : 0;
	uint64_t h = head * 0x9e3779b97f4a7c15ull ^ (tail + len) * 0xc2b2ae3d27d4eb4full;

	return (uint32_t)(h >> 29 ^ h);
}

int vg_strset_build(struct vg_arena *a, struct vg_check *c)
{
	uint32_t cap = 16;
	uint32_t *t;

	if (c->rhs || c->n < VG_STRSET_MIN)
		return 0;
	if (c->op != VG_OP_IN && c->op != VG_OP_INTERSECTS && c->op != VG_OP_PMATCH)
		return 0;
	for (uint32_t i = 0; i < c->n; i++)
		if (c->op == VG_OP_PMATCH && c->strs[i].len == 0)
			return 0; /* "" below pmatch: leave it to vg_pmatch */
	while (cap < 2 * c->n)
		cap *= 2;
	t = vg_arena_alloc(a, cap * sizeof(*t));
	if (!t)
		return -ENOMEM;
	c->lenmask = 0;
	c->pmatch_root = false;
	for (uint32_t i = 0; i < c->n; i++) {
		const struct vg_operand_str *s = &c->strs[i];
		uint32_t k;

		if (c->op == VG_OP_PMATCH && s->len == 1 && s->s[0] == '/') {
			c->pmatch_root = true; /* any absolute path: not a table entry */
			continue;
		}
		c->lenmask |= 1ull << (s->len < 63 ? s->len : 63);
		for (k = str_hash(s->s, s->len) & (cap - 1); t[k]; k = (k + 1) & (cap - 1))
			;
		t[k] = i + 1;
	}
	c->set = t;
	c->set_mask = cap - 1;
	return 0;
}

bool vg_strset_has(const struct vg_check *c, const char *s, uint32_t len)
{
	for (uint32_t k = str_hash(s, len) & c->set_mask; c->set[k]; k = (k + 1) & c->set_mask) {
		const struct vg_operand_str *o = &c->strs[c->set[k] - 1];

		if (o->len == len && vg_same_bytes(o->s, s, len))
			return true;
	}
	return false;
}

/* A path p matches when the value is p or starts with p + "/": the
 * candidates are the value's prefixes that end before a '/', and itself,
 * of a length some path has (lenmask: usually a handful). */
bool vg_pmatch_set(const struct vg_check *c, const char *s, uint32_t len)
{
	uint64_t lens = c->lenmask & ~1ull;

	if (c->pmatch_root && len && s[0] == '/')
		return true;
	if (len < 63)
		lens &= (2ull << len) - 1; /* no longer than the value */
	while (lens) {
		uint32_t i = (uint32_t)__builtin_ctzll(lens);

		lens &= lens - 1;
		if (i == 63) { /* bit 63 stands for every length from 63 on */
			for (; i <= len; i++)
				if ((i == len || s[i] == '/') && vg_strset_has(c, s, i))
					return true;
			break;
		}
		if ((i == len || s[i] == '/') && vg_strset_has(c, s, i))
			return true;
	}
	return false;
}
