/* String and address matching for the evaluator: no allocation, lengths
 * known up front. */
#include "rules/engine.h"

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

/* memmem for the short needles of rules: memchr finds candidates fast, the
 * needle's last byte rejects most of them ("O_TRUNC" in "O_RDONLY|O_CLOEXEC"
 * meets an 'O' at every flag) */
bool vg_contains(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	const char *p = hay, *last;
	char tail;

	if (nlen == 0)
		return true;
	if (nlen > hlen)
		return false;
	last = hay + (hlen - nlen);
	tail = needle[nlen - 1];
	while (p <= last && (p = memchr(p, needle[0], (size_t)(last - p) + 1))) {
		if (p[nlen - 1] == tail && memcmp(p + 1, needle + 1, nlen - 1) == 0)
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
bool vg_pmatch(const struct vg_str *prefixes, uint32_t n, const char *s, size_t len)
{
	for (uint32_t i = 0; i < n; i++) {
		const struct vg_str *p = &prefixes[i];

		if (p->len == 1 && p->s[0] == '/') {
			if (len && s[0] == '/')
				return true;
			continue;
		}
		if (len >= p->len && memcmp(s, p->s, p->len) == 0 &&
		    (len == p->len || s[p->len] == '/'))
			return true;
	}
	return false;
}

int vg_str_cmp(const struct vg_str *a, const struct vg_str *b)
{
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->len ? memcmp(a->s, b->s, a->len) : 0;
}

bool vg_str_in(const struct vg_str *sorted, uint32_t n, const char *s, uint32_t len)
{
	struct vg_str key = { s, len };
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

bool vg_net_contains(const struct vg_net *net, const struct vg_ip *ip)
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
