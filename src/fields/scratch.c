/* The per-event scratch area of the extraction context: rendered values
 * (flags, command lines, names copied from caches) live here until the
 * next event. Nothing is allocated per event. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fields/fx.h"
#include "proc/proctable.h"

static size_t room(const struct vg_rule_ctx *c)
{
	return sizeof(c->scratch) - c->used;
}

/* Formats into the scratch area; NULL when it is full. Long values are cut. */
__attribute__((format(printf, 3, 4))) const char *
vg_sc_printf(struct vg_rule_ctx *c, uint32_t *len, const char *fmt, ...)
{
	char *dst = c->scratch + c->used;
	size_t r = room(c);
	va_list ap;
	int n;

	if (r < 2)
		return NULL;
	va_start(ap, fmt);
	n = vsnprintf(dst, r, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	*len = (uint32_t)((size_t)n < r ? (size_t)n : r - 1);
	c->used += *len + 1;
	return dst;
}

/* Copies a string into the scratch area (as sc_printf "%s", without printf:
 * flags are rendered for every open event); NULL when it is full. */
const char *vg_sc_copy(struct vg_rule_ctx *c, uint32_t *len, const char *s)
{
	char *dst = c->scratch + c->used;
	size_t r = room(c), n = strlen(s);

	if (r < 2)
		return NULL;
	if (n > r - 1)
		n = r - 1;
	memcpy(dst, s, n);
	dst[n] = 0;
	*len = (uint32_t)n;
	c->used += n + 1;
	return dst;
}

/* A copy of a string that a later call may overwrite (user cache names). */
int vg_put_copy(struct vg_rule_ctx *c, struct vg_value *out, const char *s)
{
	uint32_t len;
	const char *d = vg_sc_copy(c, &len, s);

	return d ? vg_put_str(out, d, len) : 0;
}

/* Joins NUL-separated args (skipping `skip`) after a prefix and a space. */
int vg_put_joined(struct vg_rule_ctx *c, struct vg_value *out, const char *prefix,
		      size_t prefix_len, const char *args, size_t args_len, unsigned skip)
{
	char *dst = c->scratch + c->used;
	size_t r = room(c), n = 0;

	if (r < 2)
		return 0;
	if (prefix_len) {
		n = prefix_len < r - 1 ? prefix_len : r - 1;
		memcpy(dst, prefix, n);
	}
	if (args_len && n + 2 < r) {
		size_t at = n ? n + 1 : 0; /* after a space, if there is a prefix */
		size_t full = vg_args_join(args, args_len, skip, dst + at, r - at);

		if (full) { /* the space only when something follows it */
			if (n)
				dst[n] = ' ';
			n = at + (full < r - at ? full : r - at - 1);
		}
	}
	dst[n] = 0;
	c->used += n + 1;
	return vg_put_str(out, dst, n);
}
