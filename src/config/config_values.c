/* Scalar and list keys set from YAML nodes (config_values.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_values.h"
#include "util/parse.h"
#include "util/yaml_doc.h"

int vg_config_parse_seconds(const char *s, uint64_t *out)
{
	char num[32];
	size_t n = strlen(s);
	uint64_t mult = 1, v;

	if (n == 0 || n >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 's': mult = 1; break;
	case 'm': mult = 60; break;
	case 'h': mult = 3600; break;
	case 'd': mult = 86400; break;
	default: mult = 0; break;
	}
	if (mult)
		num[n - 1] = 0;
	if (vg_parse_u64(num, &v))
		return -EINVAL;
	if (mult && v > UINT64_MAX / mult)
		return -ERANGE;
	*out = v * (mult ? mult : 1);
	return 0;
}

static bool in_choices(const char *choices, const char *v)
{
	size_t n = strlen(v);

	for (const char *p = choices; *p;) {
		size_t w = strcspn(p, "|");

		if (w == n && !strncmp(p, v, n))
			return true;
		p += w + (p[w] == '|');
	}
	return false;
}

/* One string: the string types, and each item of a list. */
static int check_string(struct vg_config_loader *ld, const struct vg_config_key *k, const char *v,
			size_t n, const yaml_mark_t *mark)
{
	char why[200];

	if (strlen(v) != n) {
		ld_error(ld, mark, k->name, "contains a NUL byte");
		return -EINVAL;
	}
	if (n > VG_CONFIG_STRING_MAX) {
		ld_error(ld, mark, k->name, "longer than %d bytes", VG_CONFIG_STRING_MAX);
		return -EINVAL;
	}
	if (k->check && k->check(v, why, sizeof(why))) {
		ld_error(ld, mark, k->name, "%s", why);
		return -EINVAL;
	}
	return 0;
}

/* A scalar for a scalar key: checked in full before it is stored. */
void vg_config_set_scalar(struct vg_config_loader *ld, const struct vg_config_key *k,
			  const yaml_node_t *node)
{
	const char *v = (const char *)node->data.scalar.value;
	size_t n = node->data.scalar.length;
	const yaml_mark_t *mark = &node->start_mark;
	bool quoted = node->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
		      node->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	uint64_t u = 0;
	bool b;
	int ret;

	switch (k->type) {
	case VG_CT_BOOL:
		if (quoted || vg_yaml_bool_str(v, &b)) {
			ld_error(ld, mark, k->name, "expected true or false, got '%.64s'", v);
			return;
		}
		*(bool *)vg_config_field(ld->c, k) = b;
		return;
	case VG_CT_UINT:
	case VG_CT_SIZE:
	case VG_CT_SECONDS:
		ret = quoted ? -EINVAL
		      : k->type == VG_CT_UINT ? vg_parse_u64(v, &u)
		      : k->type == VG_CT_SIZE ? vg_parse_size(v, &u)
					      : vg_config_parse_seconds(v, &u);
		if (ret) {
			ld_error(ld, mark, k->name, "expected %s, got '%.64s'",
				 vg_config_type_name(k->type), v);
			return;
		}
		if (k->pow2 && (u < k->min || u > k->max || (u & (u - 1)))) {
			char lo[32], hi[32];

			vg_config_format_size(lo, sizeof(lo), k->min);
			vg_config_format_size(hi, sizeof(hi), k->max);
			ld_error(ld, mark, k->name, "%llu must be a power of two from %s to %s",
				 (unsigned long long)u, lo, hi);
			return;
		}
		if (u < k->min || u > k->max) {
			ld_error(ld, mark, k->name, "%llu is out of range: must be %llu to %llu",
				 (unsigned long long)u, (unsigned long long)k->min,
				 (unsigned long long)k->max);
			return;
		}
		*(uint64_t *)vg_config_field(ld->c, k) = u;
		return;
	case VG_CT_ENUM:
		if (strlen(v) != n || !in_choices(k->choices, v)) {
			ld_error(ld, mark, k->name, "'%.64s' is not one of %s", v, k->choices);
			return;
		}
		/* fall through */
	case VG_CT_STRING: {
		char **slot = vg_config_field(ld->c, k), *copy;

		if (check_string(ld, k, v, n, mark))
			return;
		copy = strdup(v);
		if (!copy) {
			ld_error(ld, mark, k->name, "out of memory");
			return;
		}
		free(*slot);
		*slot = copy;
		return;
	}
	default:
		return;
	}
}

/* Adds one item to a list being built; checked first. */
int vg_config_list_add(struct vg_config_loader *ld, const struct vg_config_key *k,
		       struct vg_strlist *l, const char *v, size_t n, const yaml_mark_t *mark)
{
	char **grown, *copy;

	if (l->n == k->max) {
		ld_error(ld, mark, k->name, "more than %llu items", (unsigned long long)k->max);
		return -E2BIG;
	}
	if (memchr(v, 0, n)) {
		ld_error(ld, mark, k->name, "contains a NUL byte");
		return -EINVAL;
	}
	copy = strndup(v, n);
	if (!copy || check_string(ld, k, copy, n, mark)) {
		if (!copy)
			ld_error(ld, mark, k->name, "out of memory");
		free(copy);
		return -EINVAL;
	}
	grown = realloc(l->items, (l->n + 1) * sizeof(*grown));
	if (!grown) {
		free(copy);
		ld_error(ld, mark, k->name, "out of memory");
		return -ENOMEM;
	}
	grown[l->n++] = copy;
	l->items = grown;
	return 0;
}

void vg_config_set_list_node(struct vg_config_loader *ld, const struct vg_config_key *k,
			     const yaml_node_t *node)
{
	struct vg_strlist fresh = { 0 }, *slot = vg_config_field(ld->c, k);
	int ret = 0;

	if (node->type == YAML_SCALAR_NODE) {
		const char *v = (const char *)node->data.scalar.value;
		size_t n = node->data.scalar.length;

		if (strlen(v) != n) {
			ld_error(ld, &node->start_mark, k->name, "contains a NUL byte");
			return;
		}
		const char *s, *e;

		for (const char *p = v; !ret && vg_next_list_item(&p, &s, &e);) {
			if (e == s) {
				ld_error(ld, &node->start_mark, k->name, "empty item in '%.64s'",
					 v);
				ret = -EINVAL;
				break;
			}
			ret = vg_config_list_add(ld, k, &fresh, s, (size_t)(e - s),
						 &node->start_mark);
		}
	} else if (node->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = node->data.sequence.items.start;
		     it < node->data.sequence.items.top && !ret; it++) {
			yaml_node_t *item = yaml_document_get_node(ld->doc, *it);

			if (!item || item->type != YAML_SCALAR_NODE) {
				ld_error(ld, item ? &item->start_mark : &node->start_mark, k->name,
					 "list items must be strings");
				ret = -EINVAL;
				break;
			}
			ret =
			    vg_config_list_add(ld, k, &fresh, (const char *)item->data.scalar.value,
					       item->data.scalar.length, &item->start_mark);
		}
	} else {
		ld_error(ld, &node->start_mark, k->name, "expected a list, got a mapping");
		ret = -EINVAL;
	}
	if (ret) {
		vg_strlist_clear(&fresh);
		return;
	}
	vg_strlist_clear(slot);
	*slot = fresh;
}
