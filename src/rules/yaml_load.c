/* Rules files -> definitions (lists, macros, rules), with libyaml's document
 * API so that every node keeps its line and column. Only the shape of the
 * items is checked here; conditions are parsed and checked by compile.c once
 * every file is loaded (a macro may use a list defined further down). */
#include "rules/load_ctx.h"
#include "rules/load_override.h"
#include "rules/load_rule.h"
#include "rules/yaml_load.h"
#include "util/yaml_doc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

/* ---- lists ---- */

static void load_list(struct vg_load *y, struct vg_load_item *it)
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

	if (!vg_load_check_keys(y, it, known))
		return;
	if (vg_load_merge_mode(y, it, app, ov, ov_keys, &append, &replace))
		return;
	if (!items) {
		yerr(y, it->map, it->label, "list has no 'items'");
		return;
	}
	if (vg_load_strings(y, it, items, "items", &v, &n, NULL) < 0)
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
	l = vg_load_alloc(y, sizeof(*l));
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

static void load_macro(struct vg_load *y, struct vg_load_item *it)
{
	static const char *const known[] = { "macro", "condition", "append", "override", NULL };
	static const char *const ov_keys[] = { "condition", NULL };
	struct vg_rules *rs = y->rs;
	yaml_node_t *cond = map_get(y, it->map, "condition"), *app = map_get(y, it->map, "append");
	yaml_node_t *ov = map_get(y, it->map, "override");
	struct vg_macro_def *old = vg_find_macro(rs, it->name, strlen(it->name)), *m;
	bool append = false, replace = false;
	struct vg_text text;

	if (!vg_load_check_keys(y, it, known))
		return;
	if (vg_load_merge_mode(y, it, app, ov, ov_keys, &append, &replace))
		return;
	if (!cond || !is_scalar(cond)) {
		yerr(y, cond ? cond : it->map, it->label, "macro needs a 'condition' string");
		return;
	}
	if (vg_load_text(y, cond, &text) < 0)
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
	m = vg_load_alloc(y, sizeof(*m));
	if (!m)
		return;
	m->name = it->name;
	m->loc = it->loc;
	m->cond = text;
	if (vg_add_macro(rs, m) < 0)
		yerr(y, it->map, it->label, "too many definitions");
}

/* ---- items and documents ---- */

static void load_item(struct vg_load *y, yaml_node_t *map)
{
	static const char *const kinds[] = { "rule", "macro", "list" };
	struct vg_load_item it = { .map = map, .loc = vg_load_loc(y, map) };
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
	it.name = vg_load_copy(y, name);
	if (!it.name)
		return;
	snprintf(it.label, sizeof(it.label), "%s '%.120s'", it.kind, it.name);
	if (it.kind == kinds[0])
		vg_load_rule(y, &it);
	else if (it.kind == kinds[1])
		load_macro(y, &it);
	else
		load_list(y, &it);
}

static void load_document(struct vg_load *y)
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
	struct vg_load y = { .rs = rs, .file = file };
	struct vg_yaml_reader r;
	struct vg_yaml_error err;
	int rc;

	/* documents one after the other, until the end, an error or no memory */
	rc = vg_yaml_open(&r, f->text, f->len, &err);
	while (rc == 0 && !y.rc && (rc = vg_yaml_next(&r, &err)) > 0) {
		y.doc = &r.doc;
		load_document(&y);
		rc = 0;
	}
	vg_yaml_close(&r);
	if (rc == -ENOMEM || y.rc == -ENOMEM) {
		vg_diag_add(rs, VG_DIAG_ERROR, NULL, "", "%s: out of memory", f->name);
		return -ENOMEM;
	}
	if (rc < 0) {
		struct vg_loc l = { .file = file, .line = err.line, .col = err.column };

		vg_diag_add(rs, VG_DIAG_ERROR, &l, "", "%s", err.msg);
	}
	return rc < 0 ? rc : y.rc;
}
