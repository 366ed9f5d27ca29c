/* Falco's ways to change an item defined in an earlier file: "append: true"
 * (the old way) and "override: {key: append|replace}" (load_override.h). */
#include "rules/load_override.h"

#include <string.h>

/* Reads "override:", checking each key is allowed with that mode. Returns a
 * bitmask per key index: bit 2k = append, bit 2k+1 = replace; -1 on error. */
long vg_load_override(struct vg_load *y, const struct vg_load_item *it, yaml_node_t *ov,
			   const char *const *keys, const char *const *appendable)
{
	long mask = 0;

	if (ov->type != YAML_MAPPING_NODE) {
		yerr(y, ov, it->label, "'override' must map keys to 'append' or 'replace'");
		return -1;
	}
	for (yaml_node_pair_t *p = ov->data.mapping.pairs.start; p < ov->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = get_node(y, p->key), *v = get_node(y, p->value);
		int idx = -1;
		bool app;

		if (!is_scalar(k) || !is_scalar(v)) {
			yerr(y, k, it->label, "'override' entries must be 'key: append|replace'");
			return -1;
		}
		for (int i = 0; keys[i]; i++)
			if (strcmp(keys[i], sval(k)) == 0)
				idx = i;
		if (idx < 0) {
			yerr(y, k, it->label, "key '%s' cannot be overridden in a %s", sval(k),
			     it->kind);
			return -1;
		}
		if (strcmp(sval(v), "append") == 0)
			app = true;
		else if (strcmp(sval(v), "replace") == 0)
			app = false;
		else {
			yerr(y, v, it->label,
			     "override mode must be 'append' or 'replace', not '%s'", sval(v));
			return -1;
		}
		if (app) {
			bool ok = false;

			for (int i = 0; appendable[i]; i++)
				if (strcmp(appendable[i], sval(k)) == 0)
					ok = true;
			if (!ok) {
				yerr(y, v, it->label, "key '%s' can only be replaced, not appended",
				     sval(k));
				return -1;
			}
		}
		if (!map_get(y, it->map, sval(k))) {
			yerr(y, k, it->label, "override of '%s' but the item has no '%s'", sval(k),
			     sval(k));
			return -1;
		}
		mask |= 1L << (2 * idx + (app ? 0 : 1));
	}
	/* with override, every other key must be named in it */
	for (yaml_node_pair_t *p = it->map->data.mapping.pairs.start;
	     p < it->map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = get_node(y, p->key);
		int idx = -1;

		if (!is_scalar(k) || strcmp(sval(k), it->kind) == 0 ||
		    strcmp(sval(k), "override") == 0)
			continue;
		for (int i = 0; keys[i]; i++)
			if (strcmp(keys[i], sval(k)) == 0)
				idx = i;
		if (idx < 0 || !(mask & (3L << (2 * idx)))) {
			yerr(y, k, it->label, "key '%s' is not listed in 'override'", sval(k));
			return -1;
		}
	}
	return mask;
}

/* "append: true" or "override: {items|condition: append|replace}" of a
 * list or macro, whose single mergeable key is ov_keys[0]. Returns 0, or -1
 * after reporting the error. */
int vg_load_merge_mode(struct vg_load *y, const struct vg_load_item *it, yaml_node_t *app,
		       yaml_node_t *ov, const char *const *ov_keys, bool *append, bool *replace)
{
	long mask;

	if (app && parse_bool(app, append) < 0) {
		yerr(y, app, it->label, "'append' must be true or false");
		return -1;
	}
	if (!ov)
		return 0;
	if (*append) {
		yerr(y, ov, it->label, "'append' and 'override' cannot be used together");
		return -1;
	}
	mask = vg_load_override(y, it, ov, ov_keys, ov_keys);
	if (mask < 0)
		return -1;
	*append = mask & 1;
	*replace = mask & 2;
	return 0;
}
