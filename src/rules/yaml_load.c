/* Rules files -> definitions (lists, macros, rules), with libyaml's document
 * API so that every node keeps its line and column. Only the shape of the
 * items is checked here; conditions are parsed and checked by compile.c once
 * every file is loaded (a macro may use a list defined further down). */
#include "rules/engine.h"
#include "util/yaml_guard.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

struct yctx {
	struct vg_rules *rs;
	int file;
	yaml_document_t *doc;
	int rc; /* -ENOMEM stops the load */
};

/* an item's name and kind, for messages */
struct item {
	const char *kind; /* "list", "macro", "rule" */
	const char *name;
	char label[160];
	struct vg_loc loc;
	yaml_node_t *map;
};

static struct vg_loc loc_of(const struct yctx *y, const yaml_node_t *n)
{
	struct vg_loc l = { .file = y->file };

	if (n) {
		l.line = (uint32_t)n->start_mark.line + 1;
		l.col = (uint32_t)n->start_mark.column + 1;
	}
	return l;
}

#define yerr(y, node, label, ...)                                                                  \
	do {                                                                                       \
		struct vg_loc l_ = loc_of((y), (node));                                            \
		vg_diag_add((y)->rs, VG_DIAG_ERROR, &l_, (label), __VA_ARGS__);                   \
	} while (0)

#define ywarn(y, node, label, ...)                                                                 \
	do {                                                                                       \
		struct vg_loc l_ = loc_of((y), (node));                                            \
		vg_diag_add((y)->rs, VG_DIAG_WARNING, &l_, (label), __VA_ARGS__);                 \
	} while (0)

static yaml_node_t *get_node(const struct yctx *y, int id)
{
	return yaml_document_get_node(y->doc, id);
}

static bool is_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE;
}

static const char *sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static size_t slen(const yaml_node_t *n)
{
	return n->data.scalar.length;
}

static bool is_null(const yaml_node_t *n)
{
	if (!is_scalar(n) || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return slen(n) == 0 || (slen(n) == 1 && sval(n)[0] == '~') ||
	       (slen(n) == 4 && strncasecmp(sval(n), "null", 4) == 0);
}

static char *copy_str(struct yctx *y, const yaml_node_t *n)
{
	char *s = vg_arena_strndup(&y->rs->arena, sval(n), slen(n));

	if (!s)
		y->rc = -ENOMEM;
	return s;
}

static void *alloc(struct yctx *y, size_t size)
{
	void *p = vg_arena_alloc(&y->rs->arena, size);

	if (!p)
		y->rc = -ENOMEM;
	return p;
}

/* value of key in a mapping, NULL if absent */
static yaml_node_t *map_get(const struct yctx *y, const yaml_node_t *map, const char *key)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = get_node(y, p->key);

		if (is_scalar(k) && slen(k) == strlen(key) && memcmp(sval(k), key, slen(k)) == 0)
			return get_node(y, p->value);
	}
	return NULL;
}

static int parse_bool(const yaml_node_t *n, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on" }, *const no[] = { "false", "no", "off" };

	if (!is_scalar(n))
		return -EINVAL;
	for (int i = 0; i < 3; i++) {
		if (slen(n) == strlen(yes[i]) && strncasecmp(sval(n), yes[i], slen(n)) == 0) {
			*out = true;
			return 0;
		}
		if (slen(n) == strlen(no[i]) && strncasecmp(sval(n), no[i], slen(n)) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* A scalar becomes a text that remembers where it came from. */
static int make_text(struct yctx *y, const yaml_node_t *n, struct vg_text *t)
{
	memset(t, 0, sizeof(*t));
	t->s = copy_str(y, n);
	t->pieces = alloc(y, sizeof(*t->pieces));
	if (!t->s || !t->pieces)
		return -ENOMEM;
	t->len = (uint32_t)slen(n);
	t->npieces = 1;
	t->pieces[0] = (struct vg_text_piece){
		.off = 0,
		.file = y->file,
		.style = (uint8_t)n->data.scalar.style,
		.line = (uint32_t)n->start_mark.line + 1,
		.col = (uint32_t)n->start_mark.column + 1,
		.start = n->start_mark.index,
		.end = n->end_mark.index,
	};
	return 0;
}

/* Checks that every key of an item is known and appears once. */
static bool check_keys(struct yctx *y, const struct item *it, const char *const *known)
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

/* Reads "override:", checking each key is allowed with that mode. Returns a
 * bitmask per key index: bit 2k = append, bit 2k+1 = replace; -1 on error. */
static long parse_override(struct yctx *y, const struct item *it, yaml_node_t *ov,
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
			yerr(y, v, it->label, "override mode must be 'append' or 'replace', not '%s'",
			     sval(v));
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

		if (!is_scalar(k) || strcmp(sval(k), it->kind) == 0 || strcmp(sval(k), "override") == 0)
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
static int parse_merge_mode(struct yctx *y, const struct item *it, yaml_node_t *app,
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
	mask = parse_override(y, it, ov, ov_keys, ov_keys);
	if (mask < 0)
		return -1;
	*append = mask & 1;
	*replace = mask & 2;
	return 0;
}


/* Reads a scalar or a sequence of scalars into an array of strings. */
static int read_strings(struct yctx *y, const struct item *it, yaml_node_t *n, const char *what,
			const char ***out, uint32_t *count, bool *was_seq)
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
		*out = alloc(y, sizeof(char *));
		if (!*out || !((*out)[0] = copy_str(y, n)))
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
	*out = alloc(y, (total ? total : 1) * sizeof(char *));
	if (!*out)
		return -ENOMEM;
	for (s = n->data.sequence.items.start; s < n->data.sequence.items.top; s++) {
		yaml_node_t *e = get_node(y, *s);

		if (!is_scalar(e)) {
			yerr(y, e, it->label, "'%s' entries must be strings", what);
			return -EINVAL;
		}
		if (!((*out)[i++] = copy_str(y, e)))
			return -ENOMEM;
	}
	*count = i;
	return 0;
}

/* ---- lists ---- */

static void load_list(struct yctx *y, struct item *it)
{
	static const char *const known[] = { "list", "items", "append", "override", NULL };
	static const char *const ov_keys[] = { "items", NULL };
	struct vg_rules *rs = y->rs;
	yaml_node_t *items = map_get(y, it->map, "items"), *app = map_get(y, it->map, "append");
	yaml_node_t *ov = map_get(y, it->map, "override");
	struct vg_list_def *old = vg_find_list(rs, it->name, strlen(it->name)), *l;
	bool append = false, replace = false;
	const char **v;
	uint32_t n;

	if (!check_keys(y, it, known))
		return;
	if (parse_merge_mode(y, it, app, ov, ov_keys, &append, &replace))
		return;
	if (!items) {
		yerr(y, it->map, it->label, "list has no 'items'");
		return;
	}
	if (read_strings(y, it, items, "items", &v, &n, NULL) < 0)
		return;
	if ((append || replace) && !old) {
		yerr(y, it->map, it->label, "cannot %s: no list '%s' was defined before",
		     append ? "append" : "override", it->name);
		return;
	}
	if (append) {
		uint32_t total = old->nitems + n;

		if (total > VG_MAX_LIST_ITEMS) {
			yerr(y, items, it->label, "list grows past %d items", VG_MAX_LIST_ITEMS);
			return;
		}
		if (total > old->cap) {
			const char **na = vg_arena_grow(&rs->arena, old->items, old->nitems,
							total * 2, sizeof(char *));
			if (!na) {
				y->rc = -ENOMEM;
				return;
			}
			old->items = na;
			old->cap = total * 2;
		}
		memcpy(old->items + old->nitems, v, n * sizeof(char *));
		old->nitems = total;
		return;
	}
	if (!replace && old && old->loc.file == y->file) {
		yerr(y, it->map, it->label,
		     "duplicate list name (first defined at line %u); use 'override' to change it",
		     old->loc.line);
		return;
	}
	l = alloc(y, sizeof(*l));
	if (!l)
		return;
	l->name = it->name;
	l->loc = replace ? old->loc : it->loc;
	l->items = v;
	l->nitems = l->cap = n;
	if (vg_add_list(rs, l) < 0)
		yerr(y, it->map, it->label, "too many definitions");
}

/* ---- macros ---- */

static void load_macro(struct yctx *y, struct item *it)
{
	static const char *const known[] = { "macro", "condition", "append", "override", NULL };
	static const char *const ov_keys[] = { "condition", NULL };
	struct vg_rules *rs = y->rs;
	yaml_node_t *cond = map_get(y, it->map, "condition"), *app = map_get(y, it->map, "append");
	yaml_node_t *ov = map_get(y, it->map, "override");
	struct vg_macro_def *old = vg_find_macro(rs, it->name, strlen(it->name)), *m;
	bool append = false, replace = false;
	struct vg_text text;

	if (!check_keys(y, it, known))
		return;
	if (parse_merge_mode(y, it, app, ov, ov_keys, &append, &replace))
		return;
	if (!cond || !is_scalar(cond)) {
		yerr(y, cond ? cond : it->map, it->label, "macro needs a 'condition' string");
		return;
	}
	if (make_text(y, cond, &text) < 0)
		return;
	if ((append || replace) && !old) {
		yerr(y, it->map, it->label, "cannot %s: no macro '%s' was defined before",
		     append ? "append" : "override", it->name);
		return;
	}
	if (append) {
		if (vg_text_append(rs, &old->cond, &text) < 0)
			yerr(y, cond, it->label, "too many appends");
		return;
	}
	if (!replace && old && old->loc.file == y->file) {
		yerr(y, it->map, it->label,
		     "duplicate macro name (first defined at line %u); use 'override' to change it",
		     old->loc.line);
		return;
	}
	m = alloc(y, sizeof(*m));
	if (!m)
		return;
	m->name = it->name;
	m->loc = it->loc;
	m->cond = text;
	if (vg_add_macro(rs, m) < 0)
		yerr(y, it->map, it->label, "too many definitions");
}

/* ---- rules ---- */

static int load_exception(struct yctx *y, const struct item *it, yaml_node_t *n,
			  struct vg_exception *e)
{
	yaml_node_t *name = map_get(y, n, "name"), *fields = map_get(y, n, "fields");
	yaml_node_t *comps = map_get(y, n, "comps"), *values = map_get(y, n, "values");
	uint32_t ncomps = 0;

	memset(e, 0, sizeof(*e));
	e->loc = loc_of(y, n);
	if (!is_scalar(name) || slen(name) == 0) {
		yerr(y, n, it->label, "exception needs a 'name'");
		return -EINVAL;
	}
	e->name = copy_str(y, name);
	if (!e->name)
		return -ENOMEM;
	if (fields) {
		e->fields_loc = loc_of(y, fields);
		if (read_strings(y, it, fields, "fields", &e->fields, &e->nfields,
				 &e->fields_is_seq) < 0)
			return -EINVAL;
		if (!e->nfields) {
			yerr(y, fields, it->label, "exception '%s' has no fields", e->name);
			return -EINVAL;
		}
	}
	if (comps) {
		bool comps_seq;

		if (read_strings(y, it, comps, "comps", &e->comps, &ncomps, &comps_seq) < 0)
			return -EINVAL;
		if (fields && (ncomps != e->nfields || comps_seq != e->fields_is_seq)) {
			yerr(y, comps, it->label,
			     "exception '%s': 'comps' must have one entry per field", e->name);
			return -EINVAL;
		}
		for (uint32_t i = 0; i < ncomps; i++) {
			int op = vg_op_from_text(e->comps[i], strlen(e->comps[i]));

			if (op < 0 || op == VG_OP_EXISTS) {
				yerr(y, comps, it->label,
				     "exception '%s': unknown comparison operator '%s'", e->name,
				     e->comps[i]);
				return -EINVAL;
			}
		}
	}
	if (!values || is_null(values))
		return 0;
	if (values->type != YAML_SEQUENCE_NODE) {
		yerr(y, values, it->label, "exception '%s': 'values' must be a list", e->name);
		return -EINVAL;
	}
	e->cap = (uint32_t)(values->data.sequence.items.top - values->data.sequence.items.start);
	if (e->cap > VG_MAX_EXCEPTION_ROWS) {
		yerr(y, values, it->label, "exception '%s' has more than %d values", e->name,
		     VG_MAX_EXCEPTION_ROWS);
		return -E2BIG;
	}
	e->rows = alloc(y, (e->cap ? e->cap : 1) * sizeof(*e->rows));
	if (!e->rows)
		return -ENOMEM;
	for (yaml_node_item_t *s = values->data.sequence.items.start;
	     s < values->data.sequence.items.top; s++) {
		yaml_node_t *row = get_node(y, *s);
		struct vg_exc_row *r = &e->rows[e->nrows++];
		uint32_t ncells = 1;

		r->loc = loc_of(y, row);
		/* with "fields: [a, b]" each value is a tuple; with "fields: a"
		 * each value is one item */
		if (e->fields_is_seq || (!fields && row->type == YAML_SEQUENCE_NODE &&
					 !is_scalar(row))) {
			if (row->type != YAML_SEQUENCE_NODE) {
				yerr(y, row, it->label,
				     "exception '%s': each value must be a list with one entry per field",
				     e->name);
				return -EINVAL;
			}
			ncells = (uint32_t)(row->data.sequence.items.top -
					    row->data.sequence.items.start);
			if (fields && ncells != e->nfields) {
				yerr(y, row, it->label,
				     "exception '%s': %u values for %u fields", e->name, ncells,
				     e->nfields);
				return -EINVAL;
			}
			r->cells = alloc(y, (ncells ? ncells : 1) * sizeof(*r->cells));
			if (!r->cells)
				return -ENOMEM;
			r->ncells = ncells;
			for (uint32_t c = 0; c < ncells; c++) {
				yaml_node_t *cell = get_node(y, row->data.sequence.items.start[c]);

				if (read_strings(y, it, cell, "values", &r->cells[c].v,
						 &r->cells[c].n, &r->cells[c].is_seq) < 0)
					return -EINVAL;
			}
		} else {
			r->cells = alloc(y, sizeof(*r->cells));
			if (!r->cells)
				return -ENOMEM;
			r->ncells = 1;
			if (read_strings(y, it, row, "values", &r->cells[0].v, &r->cells[0].n,
					 &r->cells[0].is_seq) < 0)
				return -EINVAL;
		}
	}
	return 0;
}

static int load_exceptions(struct yctx *y, const struct item *it, yaml_node_t *n,
			   struct vg_exception **out, uint32_t *count)
{
	uint32_t total, i = 0;

	*out = NULL;
	*count = 0;
	if (is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE) {
		yerr(y, n, it->label, "'exceptions' must be a list");
		return -EINVAL;
	}
	total = (uint32_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	*out = alloc(y, (total ? total : 1) * sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (yaml_node_item_t *s = n->data.sequence.items.start; s < n->data.sequence.items.top;
	     s++) {
		yaml_node_t *e = get_node(y, *s);

		if (e->type != YAML_MAPPING_NODE) {
			yerr(y, e, it->label, "each exception must be a mapping");
			return -EINVAL;
		}
		if (load_exception(y, it, e, &(*out)[i]) < 0)
			return -EINVAL;
		for (uint32_t j = 0; j < i; j++) {
			if (strcmp((*out)[j].name, (*out)[i].name) == 0) {
				yerr(y, e, it->label, "duplicate exception name '%s'",
				     (*out)[i].name);
				return -EINVAL;
			}
		}
		i++;
	}
	*count = i;
	return 0;
}

/* New exceptions: rows of a known name go to it, others are added. */
static int merge_exceptions(struct yctx *y, const struct item *it, struct vg_rule_def *r,
			    struct vg_exception *add, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		struct vg_exception *e = NULL;

		for (uint32_t j = 0; j < r->nexcs; j++)
			if (strcmp(r->excs[j].name, add[i].name) == 0)
				e = &r->excs[j];
		if (!e) {
			struct vg_exception *ne;

			if (!add[i].nfields) {
				yerr(y, it->map, it->label,
				     "exception '%s' has no 'fields' and the rule has no such exception",
				     add[i].name);
				return -EINVAL;
			}
			ne = vg_arena_grow(&y->rs->arena, r->excs, r->nexcs, r->nexcs + 1,
					   sizeof(*ne));
			if (!ne)
				return y->rc = -ENOMEM;
			ne[r->nexcs++] = add[i];
			r->excs = ne;
			continue;
		}
		if (e->nrows + add[i].nrows > VG_MAX_EXCEPTION_ROWS) {
			yerr(y, it->map, it->label, "exception '%s' grows past %d values", e->name,
			     VG_MAX_EXCEPTION_ROWS);
			return -E2BIG;
		}
		{
			struct vg_exc_row *nr = vg_arena_grow(&y->rs->arena, e->rows, e->nrows,
							      e->nrows + add[i].nrows, sizeof(*nr));
			if (!nr)
				return y->rc = -ENOMEM;
			memcpy(nr + e->nrows, add[i].rows, add[i].nrows * sizeof(*nr));
			e->rows = nr;
			e->nrows += add[i].nrows;
		}
	}
	return 0;
}

enum rule_key { RK_CONDITION, RK_OUTPUT, RK_DESC, RK_PRIORITY, RK_TAGS, RK_EXCEPTIONS, RK_ENABLED,
		RK_SOURCE, RK_SKIP, RK_WARN, RK_CAPTURE, RK_CAPTURE_DURATION, RK_ACTION };

static const char *const rule_ov_keys[] = { "condition", "output", "desc", "priority", "tags",
					    "exceptions", "enabled", "source",
					    "skip-if-unknown-filter", "warn_evttypes", "capture",
					    "capture_duration", "action", NULL };
static const char *const rule_ov_append[] = { "condition", "output", "desc", "tags",
					      "exceptions", NULL };

static int set_string(struct yctx *y, const struct item *it, yaml_node_t *n, const char *what,
		      const char **out)
{
	if (!is_scalar(n)) {
		yerr(y, n, it->label, "'%s' must be a string", what);
		return -EINVAL;
	}
	*out = copy_str(y, n);
	return *out ? 0 : -ENOMEM;
}

static int set_priority(struct yctx *y, const struct item *it, yaml_node_t *n,
			enum vg_priority *out)
{
	int p;

	if (!is_scalar(n) || (p = vg_priority_parse(sval(n), slen(n))) < 0) {
		yerr(y, n, it->label,
		     "invalid priority '%s' (emergency, alert, critical, error, warning, notice, informational, debug)",
		     is_scalar(n) ? sval(n) : "?");
		return -EINVAL;
	}
	*out = (enum vg_priority)p;
	return 0;
}

/* vigil's "action:" key: what to do besides alerting. */
static int set_action(struct yctx *y, const struct item *it, yaml_node_t *n,
		      enum vg_rule_action *out)
{
	int a;

	if (!is_scalar(n) || (a = vg_action_parse(sval(n), slen(n))) < 0) {
		yerr(y, n, it->label, "invalid action '%s' (kill, kill_pgroup, none)",
		     is_scalar(n) ? sval(n) : "?");
		return -EINVAL;
	}
	*out = (enum vg_rule_action)a;
	return 0;
}

static int set_tags(struct yctx *y, const struct item *it, yaml_node_t *n, struct vg_rule *r,
		    bool append)
{
	const char **tags, **all;
	uint32_t nt;

	if (read_strings(y, it, n, "tags", &tags, &nt, NULL) < 0)
		return -EINVAL;
	if (!append || !r->ntags) {
		r->tags = tags;
		r->ntags = nt;
		return 0;
	}
	all = alloc(y, (r->ntags + nt + 1) * sizeof(char *));
	if (!all)
		return -ENOMEM;
	memcpy(all, r->tags, r->ntags * sizeof(char *));
	memcpy(all + r->ntags, tags, nt * sizeof(char *));
	r->tags = all;
	r->ntags += nt;
	return 0;
}

static int join_strings(struct yctx *y, const char **dst, const char *add)
{
	size_t a = strlen(*dst), b = strlen(add);
	char *s = alloc(y, a + b + 2);

	if (!s)
		return -ENOMEM;
	memcpy(s, *dst, a);
	s[a] = ' ';
	memcpy(s + a + 1, add, b);
	*dst = s;
	return 0;
}

/* Applies one key of an item to a rule, appending or replacing. */
static int apply_rule_key(struct yctx *y, const struct item *it, struct vg_rule_def *r,
			  enum rule_key k, yaml_node_t *n, bool append)
{
	struct vg_exception *ex;
	struct vg_text t;
	uint32_t nex;
	bool b;

	switch (k) {
	case RK_CONDITION:
	case RK_OUTPUT:
		if (!is_scalar(n)) {
			yerr(y, n, it->label, "'%s' must be a string", rule_ov_keys[k]);
			return -EINVAL;
		}
		if (make_text(y, n, &t) < 0)
			return -ENOMEM;
		if (append) {
			if (vg_text_append(y->rs, k == RK_CONDITION ? &r->cond : &r->out, &t) < 0) {
				yerr(y, n, it->label, "too many appends");
				return -E2BIG;
			}
		} else {
			*(k == RK_CONDITION ? &r->cond : &r->out) = t;
		}
		if (k == RK_OUTPUT)
			r->pub.output = r->out.s;
		return 0;
	case RK_DESC: {
		const char *d;

		if (set_string(y, it, n, "desc", &d) < 0)
			return -EINVAL;
		if (append && r->pub.desc)
			return join_strings(y, &r->pub.desc, d);
		r->pub.desc = d;
		return 0;
	}
	case RK_PRIORITY:
		return set_priority(y, it, n, &r->pub.priority);
	case RK_TAGS:
		return set_tags(y, it, n, &r->pub, append);
	case RK_EXCEPTIONS:
		if (load_exceptions(y, it, n, &ex, &nex) < 0)
			return -EINVAL;
		if (!append) {
			r->excs = ex;
			r->nexcs = nex;
			return 0;
		}
		return merge_exceptions(y, it, r, ex, nex);
	case RK_ENABLED:
	case RK_SKIP:
		if (parse_bool(n, &b) < 0) {
			yerr(y, n, it->label, "'%s' must be true or false", rule_ov_keys[k]);
			return -EINVAL;
		}
		if (k == RK_ENABLED)
			r->pub.enabled = b;
		else
			r->skip_if_unknown_filter = b;
		return 0;
	case RK_SOURCE:
		return set_string(y, it, n, "source", &r->pub.source);
	case RK_ACTION:
		return set_action(y, it, n, &r->pub.action);
	case RK_WARN:
	case RK_CAPTURE:
	case RK_CAPTURE_DURATION:
		return 0; /* accepted, no effect in vigil */
	}
	return 0;
}

static struct vg_rule_def *new_rule(struct yctx *y, const struct item *it)
{
	struct vg_rule_def *r = alloc(y, sizeof(*r));

	if (!r)
		return NULL;
	r->pub.name = it->name;
	r->pub.source = "syscall";
	r->pub.enabled = true;
	r->pub.priority = VG_PRIO_DEBUG;
	r->pub.desc = "";
	r->pub.output = "";
	r->pub.file = y->rs->files[y->file].name;
	r->pub.line = it->loc.line;
	r->loc = it->loc;
	return r;
}

/* A rule that could not be read still counts (as failed) in the summary. */
static void add_failed_rule(struct yctx *y, const struct item *it)
{
	struct vg_rule_def *r;

	if (vg_find_rule(y->rs, it->name, strlen(it->name)))
		return;
	r = new_rule(y, it);
	if (!r)
		return;
	r->pub.state = VG_RULE_FAILED;
	vg_add_rule(y->rs, r);
}

static void update_rule(struct yctx *y, struct item *it, struct vg_rule_def *old, long mask,
			bool legacy_append)
{
	for (int k = 0; rule_ov_keys[k]; k++) {
		yaml_node_t *n = map_get(y, it->map, rule_ov_keys[k]);
		bool append;

		if (!n)
			continue;
		if (legacy_append) {
			append = k == RK_CONDITION || k == RK_EXCEPTIONS;
			if (!append && k != RK_ENABLED) {
				ywarn(y, n, it->label, "'%s' is ignored with 'append: true'",
				      rule_ov_keys[k]);
				continue;
			}
		} else {
			if (!(mask & (3L << (2 * k))))
				continue;
			append = mask & (1L << (2 * k));
		}
		if (apply_rule_key(y, it, old, (enum rule_key)k, n, append) < 0)
			old->pub.state = VG_RULE_FAILED;
	}
}

static void load_rule(struct yctx *y, struct item *it)
{
	static const char *const known[] = { "rule", "condition", "output", "desc", "priority",
					     "tags", "exceptions", "enabled", "source", "append",
					     "override", "skip-if-unknown-filter", "warn_evttypes",
					     "capture", "capture_duration", "action", NULL };
	static const char *const required[] = { "condition", "output", "desc", "priority", NULL };
	struct vg_rules *rs = y->rs;
	yaml_node_t *app = map_get(y, it->map, "append"), *ov = map_get(y, it->map, "override");
	struct vg_rule_def *old = vg_find_rule(rs, it->name, strlen(it->name)), *r;
	bool append = false;
	size_t nkeys;

	if (!check_keys(y, it, known)) {
		add_failed_rule(y, it);
		return;
	}
	if (app && parse_bool(app, &append) < 0) {
		yerr(y, app, it->label, "'append' must be true or false");
		add_failed_rule(y, it);
		return;
	}
	if (ov || append) {
		long mask = 0;

		if (ov && append) {
			yerr(y, ov, it->label, "'append' and 'override' cannot be used together");
			return;
		}
		if (ov && (mask = parse_override(y, it, ov, rule_ov_keys, rule_ov_append)) < 0)
			return;
		if (!old) {
			yerr(y, it->map, it->label, "cannot %s: no rule '%s' was defined before",
			     append ? "append" : "override", it->name);
			return;
		}
		update_rule(y, it, old, mask, append);
		return;
	}
	/* "- rule: x / enabled: false" switches an existing rule */
	nkeys = (size_t)(it->map->data.mapping.pairs.top - it->map->data.mapping.pairs.start);
	if (nkeys == 2 && map_get(y, it->map, "enabled")) {
		if (!old) {
			yerr(y, it->map, it->label, "cannot change 'enabled': no rule '%s' was defined before",
			     it->name);
			return;
		}
		apply_rule_key(y, it, old, RK_ENABLED, map_get(y, it->map, "enabled"), false);
		return;
	}
	if (old && old->loc.file == y->file) {
		yerr(y, it->map, it->label,
		     "duplicate rule name (first defined at line %u); use 'override' to change it",
		     old->loc.line);
		return;
	}
	r = new_rule(y, it);
	if (!r)
		return;
	for (int i = 0; required[i]; i++) {
		if (!map_get(y, it->map, required[i])) {
			yerr(y, it->map, it->label, "rule has no '%s'", required[i]);
			r->pub.state = VG_RULE_FAILED;
		}
	}
	for (int k = 0; rule_ov_keys[k]; k++) {
		yaml_node_t *n = map_get(y, it->map, rule_ov_keys[k]);

		if (n && apply_rule_key(y, it, r, (enum rule_key)k, n, false) < 0)
			r->pub.state = VG_RULE_FAILED;
	}
	if (vg_add_rule(rs, r) < 0)
		yerr(y, it->map, it->label, "too many definitions");
}

/* ---- items and documents ---- */

static void load_item(struct yctx *y, yaml_node_t *map)
{
	static const char *const kinds[] = { "rule", "macro", "list" };
	struct item it = { .map = map, .loc = loc_of(y, map) };
	yaml_node_t *name = NULL;

	if (map->type != YAML_MAPPING_NODE) {
		yerr(y, map, "", "expected a mapping (a list, macro or rule item)");
		return;
	}
	for (int i = 0; i < 3 && !it.kind; i++) {
		name = map_get(y, map, kinds[i]);
		if (name)
			it.kind = kinds[i];
	}
	if (!it.kind) {
		if (map_get(y, map, "required_engine_version") ||
		    map_get(y, map, "required_plugin_versions"))
			return; /* accepted: vigil provides the container fields natively */
		ywarn(y, map, "", "unknown item ignored (expected list, macro or rule)");
		return;
	}
	if (!is_scalar(name) || slen(name) == 0 || is_null(name)) {
		yerr(y, name, "", "%s name must be a non-empty string", it.kind);
		return;
	}
	if (memchr(sval(name), '\0', slen(name))) {
		yerr(y, name, "", "%s name contains a NUL byte", it.kind);
		return;
	}
	it.name = copy_str(y, name);
	if (!it.name)
		return;
	snprintf(it.label, sizeof(it.label), "%s '%.120s'", it.kind, it.name);
	if (it.kind == kinds[0])
		load_rule(y, &it);
	else if (it.kind == kinds[1])
		load_macro(y, &it);
	else
		load_list(y, &it);
}

static void load_document(struct yctx *y)
{
	yaml_node_t *root = yaml_document_get_root_node(y->doc);

	if (!root || is_null(root))
		return;
	if (root->type != YAML_SEQUENCE_NODE) {
		yerr(y, root, "", "a rules file must be a list of items");
		return;
	}
	for (yaml_node_item_t *s = root->data.sequence.items.start;
	     s < root->data.sequence.items.top && !y->rc; s++)
		load_item(y, get_node(y, *s));
}

int vg_load_yaml(struct vg_rules *rs, int file)
{
	const struct vg_src_file *f = &rs->files[file];
	struct yctx y = { .rs = rs, .file = file };
	yaml_parser_t parser;
	yaml_document_t doc;

	unsigned deep_line;

	if (vg_yaml_flow_depth_check(f->text, f->len, VG_YAML_MAX_FLOW_DEPTH, &deep_line)) {
		struct vg_loc l = { .file = file, .line = deep_line, .col = 1 };

		vg_diag_add(rs, VG_DIAG_ERROR, &l, "",
			    "YAML: brackets nested deeper than %d: refused before parsing",
			    VG_YAML_MAX_FLOW_DEPTH);
		return -EINVAL;
	}
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)f->text, f->len);
	for (;;) {
		if (!yaml_parser_load(&parser, &doc)) {
			struct vg_loc l = { .file = file,
					    .line = (uint32_t)parser.problem_mark.line + 1,
					    .col = (uint32_t)parser.problem_mark.column + 1 };

			if (parser.context)
				vg_diag_add(rs, VG_DIAG_ERROR, &l, "", "YAML: %s (%s started at line %zu)",
					    parser.problem ? parser.problem : "syntax error",
					    parser.context, parser.context_mark.line + 1);
			else
				vg_diag_add(rs, VG_DIAG_ERROR, &l, "", "YAML: %s",
					    parser.problem ? parser.problem : "syntax error");
			break;
		}
		if (!yaml_document_get_root_node(&doc)) {
			yaml_document_delete(&doc);
			break;
		}
		y.doc = &doc;
		load_document(&y);
		yaml_document_delete(&doc);
		if (y.rc)
			break;
	}
	yaml_parser_delete(&parser);
	if (y.rc == -ENOMEM)
		vg_diag_add(rs, VG_DIAG_ERROR, NULL, "", "%s: out of memory", f->name);
	return y.rc;
}
