/* Lists in conditions: "x in (a, my_list)" and "x in my_list" get the
 * list's items, nested lists expanded once and kept flat in the list
 * (lists.h). */
#include "rules/lexer.h"
#include "rules/lists.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

static bool is_identifier(const char *s, size_t len)
{
	if (!len || !isalpha((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

/* A list item written '"sh -c x"' in YAML is a quoted string of the
 * condition language: drop the quotes and decode its escapes. */
static int unquote_item(struct vg_cctx *cc, const char *s, struct vg_ast_value *out)
{
	size_t len = strlen(s);

	out->quoted = true;
	if (len >= 2 && (s[0] == '"' || s[0] == '\'') && s[len - 1] == s[0]) {
		char *d = vg_cc_alloc(cc, len);

		if (!d)
			return -ENOMEM;
		out->len = (uint32_t)vg_unescape(s + 1, len - 2, d);
		out->s = d;
		return 0;
	}
	out->s = s;
	out->len = (uint32_t)len;
	return 0;
}

static int resolve_list(struct vg_cctx *cc, struct vg_list_def *l, uint32_t pos, unsigned depth)
{
	uint64_t total = 0;
	uint32_t k = 0;

	if (l->state == VG_DEF_OK)
		return 0;
	if (l->state == VG_DEF_BUSY) {
		vg_cc_error(cc, pos, "list '%s' contains itself", l->name);
		return -EINVAL;
	}
	if (l->state == VG_DEF_FAILED || depth > VG_MAX_LIST_DEPTH) {
		vg_cc_error(cc, pos, "list '%s' cannot be expanded (nested too deep or invalid)",
			    l->name);
		return -EINVAL;
	}
	l->state = VG_DEF_BUSY;
	for (uint32_t i = 0; i < l->nitems; i++) {
		const char *it = l->items[i];
		struct vg_list_def *sub = is_identifier(it, strlen(it)) ?
						  vg_find_list(cc->rs, it, strlen(it)) :
						  NULL;

		if (sub) {
			if (resolve_list(cc, sub, pos, depth + 1) < 0) {
				l->state = VG_DEF_FAILED;
				return -EINVAL;
			}
			total += sub->nflat;
		} else {
			total++;
		}
		if (total > VG_MAX_LIST_ITEMS) {
			vg_cc_error(cc, pos, "list '%s' expands to more than %d items", l->name,
				    VG_MAX_LIST_ITEMS);
			l->state = VG_DEF_FAILED;
			return -E2BIG;
		}
	}
	l->flat = vg_cc_alloc(cc, (total ? total : 1) * sizeof(*l->flat));
	if (!l->flat)
		return -ENOMEM;
	for (uint32_t i = 0; i < l->nitems; i++) {
		const char *it = l->items[i];
		struct vg_list_def *sub = is_identifier(it, strlen(it)) ?
						  vg_find_list(cc->rs, it, strlen(it)) :
						  NULL;

		if (sub) {
			sub->used = true;
			memcpy(l->flat + k, sub->flat, sub->nflat * sizeof(*l->flat));
			k += sub->nflat;
		} else if (unquote_item(cc, it, &l->flat[k++]) < 0) {
			return -ENOMEM;
		}
	}
	l->nflat = k;
	l->state = VG_DEF_OK;
	return 0;
}

int vg_expand_values(struct vg_cctx *cc, const struct vg_ast *a, struct vg_ast_value **out,
			 uint32_t *count)
{
	uint64_t total = 0;
	uint32_t k = 0;

	for (uint32_t pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < a->check.nvals; i++) {
			const struct vg_ast_value *v = &a->check.vals[i];
			struct vg_list_def *l = NULL;

			if (!v->quoted && is_identifier(v->s, v->len))
				l = vg_find_list(cc->rs, v->s, v->len);
			if (!l && a->check.rhs_list_name) {
				vg_cc_error(cc, v->pos, "undefined list '%s'", v->s);
				return -EINVAL;
			}
			if (pass == 0) {
				if (l && resolve_list(cc, l, v->pos, 0) < 0)
					return -EINVAL;
				total += l ? l->nflat : 1;
				continue;
			}
			if (l) {
				l->used = true;
				memcpy(*out + k, l->flat, l->nflat * sizeof(**out));
				k += l->nflat;
			} else {
				(*out)[k++] = *v;
			}
		}
		if (pass == 0) {
			if (total > VG_MAX_LIST_ITEMS) {
				vg_cc_error(cc, a->pos, "list of values has more than %d items",
					    VG_MAX_LIST_ITEMS);
				return -E2BIG;
			}
			*out = vg_cc_alloc(cc, (total ? total : 1) * sizeof(**out));
			if (!*out)
				return -ENOMEM;
		}
	}
	*count = k;
	return 0;
}
