#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/parse.h"

int vg_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

int vg_parse_size(const char *s, uint64_t *out)
{
	unsigned shift = 0;
	uint64_t v = 0;
	size_t n = 0;

	if (!s)
		return -EINVAL;
	for (; s[n] >= '0' && s[n] <= '9'; n++) {
		if (v > (UINT64_MAX - (uint64_t)(s[n] - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(s[n] - '0');
	}
	if (n == 0)
		return -EINVAL;
	switch (s[n]) {
	case 0: break;
	case 'k': case 'K': shift = 10; break;
	case 'm': case 'M': shift = 20; break;
	case 'g': case 'G': shift = 30; break;
	default: return -EINVAL;
	}
	if (s[n] && s[n + 1])
		return -EINVAL;
	if (v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

int vg_next_list_item(const char **p, const char **s, const char **e)
{
	const char *q = *p;
	size_t w;

	if (!q || !*q)
		return 0;
	w = strcspn(q, ",");
	*s = q;
	*e = q + w;
	while (*s < *e && **s == ' ')
		(*s)++;
	while (*e > *s && (*e)[-1] == ' ')
		(*e)--;
	*p = q + w + (q[w] == ',');
	return 1;
}
