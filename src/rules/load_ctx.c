/* What the parts of the rules loader share (load_ctx.h): positions, copies
 * into the engine's arena, texts that remember their origin, the keys of an
 * item, and lists of strings. */
#include "rules/load_ctx.h"

#include <errno.h>
#include <string.h>

struct vg_loc vg_load_loc(const struct vg_load *y, const yaml_node_t *n)
{
	struct vg_loc l = { .file = y->file };

	if (n) {
		l.line = vg_yaml_line(n);
		l.col = vg_yaml_column(n);
	}
	return l;
}

char *vg_load_copy(struct vg_load *y, const yaml_node_t *n)
{
	char *s = vg_arena_strndup(&y->rs->arena, sval(n), slen(n));

	if (!s)
		y->rc = -ENOMEM;
	return s;
}

void *vg_load_alloc(struct vg_load *y, size_t size)
{
	void *p = vg_arena_alloc(&y->rs->arena, size);

	if (!p)
		y->rc = -ENOMEM;
	return p;
}

/* A scalar becomes a text that remembers where it came from. */
int vg_load_text(struct vg_load *y, const yaml_node_t *n, struct vg_text *t)
{
	memset(t, 0, sizeof(*t));
	t->s = vg_load_copy(y, n);
	t->pieces = vg_load_alloc(y, sizeof(*t->pieces));
	if (!t->s || !t->pieces)
		return -ENOMEM;
	t->len = (uint32_t)slen(n);
	t->npieces = 1;
	t->pieces[0] = (struct vg_text_piece){
		.off = 0,
		.file = y->file,
		.style = (uint8_t)n->data.scalar.style,
		.line = vg_yaml_line(n),
		.col = vg_yaml_column(n),
		.start = n->start_mark.index,
		.end = n->end_mark.index,
	};
	return 0;
}

/* Checks that every key of an item is known and appears once. */
bool vg_load_check_keys(struct vg_load *y, const struct vg_load_item *it, const char *const *known)
{
	bool ok = true;
	yaml_node_pair_t *pairs = it->map->data.mapping.pairs.start;
	size_t n = (size_t)(it->map->data.mapping.pairs.top - pairs);

	for (size_t i = 0; i < n; i++) {
		yaml_node_t *k = get_node(y, pairs[i].key);
		bool found = false;

		if (!is_scalar(k)) {
			yerr(y, k, it->label, "keys must be strings");
			ok = false;
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			yaml_node_t *k2 = get_node(y, pairs[j].key);

			if (is_scalar(k2) && slen(k2) == slen(k) &&
			    memcmp(sval(k2), sval(k), slen(k)) == 0) {
				yerr(y, k, it->label, "duplicate key '%s'", sval(k));
				ok = false;
			}
		}
		for (size_t j = 0; known[j]; j++)
			if (strlen(known[j]) == slen(k) && memcmp(known[j], sval(k), slen(k)) == 0)
				found = true;
		if (!found)
			ywarn(y, k, it->label, "unknown key '%s' ignored", sval(k));
	}
	return ok;
}

/* Reads a scalar or a sequence of scalars into an array of strings. */
int vg_load_strings(struct vg_load *y, const struct vg_load_item *it, yaml_node_t *n,
		    const char *what, const char ***out, uint32_t *count, bool *was_seq)
{
	yaml_node_item_t *s;
	uint32_t i = 0, total;

	*out = NULL;
	*count = 0;
	if (was_seq)
		*was_seq = n->type == YAML_SEQUENCE_NODE;
	if (is_scalar(n)) {
		if (is_null(n) && !was_seq)
			return 0;
		*out = vg_load_alloc(y, sizeof(char *));
		if (!*out || !((*out)[0] = vg_load_copy(y, n)))
			return -ENOMEM;
		*count = 1;
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		yerr(y, n, it->label, "'%s' must be a list of strings", what);
		return -EINVAL;
	}
	total = (uint32_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (total > VG_MAX_LIST_ITEMS) {
		yerr(y, n, it->label, "'%s' has more than %d entries", what, VG_MAX_LIST_ITEMS);
		return -E2BIG;
	}
	*out = vg_load_alloc(y, (total ? total : 1) * sizeof(char *));
	if (!*out)
		return -ENOMEM;
	for (s = n->data.sequence.items.start; s < n->data.sequence.items.top; s++) {
		yaml_node_t *e = get_node(y, *s);

		if (!is_scalar(e)) {
			yerr(y, e, it->label, "'%s' entries must be strings", what);
			return -EINVAL;
		}
		if (!((*out)[i++] = vg_load_copy(y, e)))
			return -ENOMEM;
	}
	*count = i;
	return 0;
}
