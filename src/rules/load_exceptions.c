/* A rule's "exceptions:" (load_exceptions.h): names, fields, comparison
 * operators and rows of values, checked for shape; appended exceptions are
 * merged by name. The compiler turns them into checks (exceptions.c). */
#include "rules/load_exceptions.h"

#include <errno.h>
#include <string.h>

static int load_exception(struct vg_load *y, const struct vg_load_item *it, yaml_node_t *n,
			  struct vg_exception *e)
{
	yaml_node_t *name = map_get(y, n, "name"), *fields = map_get(y, n, "fields");
	yaml_node_t *comps = map_get(y, n, "comps"), *values = map_get(y, n, "values");
	uint32_t ncomps = 0;

	memset(e, 0, sizeof(*e));
	e->loc = vg_load_loc(y, n);
	if (!is_scalar(name) || slen(name) == 0) {
		yerr(y, n, it->label, "exception needs a 'name'");
		return -EINVAL;
	}
	e->name = vg_load_copy(y, name);
	if (!e->name)
		return -ENOMEM;
	if (fields) {
		e->fields_loc = vg_load_loc(y, fields);
		if (vg_load_strings(y, it, fields, "fields", &e->fields, &e->nfields,
				 &e->fields_is_seq) < 0)
			return -EINVAL;
		if (!e->nfields) {
			yerr(y, fields, it->label, "exception '%s' has no fields", e->name);
			return -EINVAL;
		}
	}
	if (comps) {
		bool comps_seq;

		if (vg_load_strings(y, it, comps, "comps", &e->comps, &ncomps, &comps_seq) < 0)
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
	e->rows = vg_load_alloc(y, (e->cap ? e->cap : 1) * sizeof(*e->rows));
	if (!e->rows)
		return -ENOMEM;
	for (yaml_node_item_t *s = values->data.sequence.items.start;
	     s < values->data.sequence.items.top; s++) {
		yaml_node_t *row = get_node(y, *s);
		struct vg_exc_row *r = &e->rows[e->nrows++];
		uint32_t ncells = 1;

		r->loc = vg_load_loc(y, row);
		/* with "fields: [a, b]" each value is a tuple; with "fields: a"
		 * each value is one item */
		if (e->fields_is_seq || (!fields && row->type == YAML_SEQUENCE_NODE &&
					 !is_scalar(row))) {
			if (row->type != YAML_SEQUENCE_NODE) {
				yerr(y, row, it->label,
				     "exception '%s': each value must be a list with one entry per "
				     "field",
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
			r->cells = vg_load_alloc(y, (ncells ? ncells : 1) * sizeof(*r->cells));
			if (!r->cells)
				return -ENOMEM;
			r->ncells = ncells;
			for (uint32_t c = 0; c < ncells; c++) {
				yaml_node_t *cell = get_node(y, row->data.sequence.items.start[c]);

				if (vg_load_strings(y, it, cell, "values", &r->cells[c].v,
						 &r->cells[c].n, &r->cells[c].is_seq) < 0)
					return -EINVAL;
			}
		} else {
			r->cells = vg_load_alloc(y, sizeof(*r->cells));
			if (!r->cells)
				return -ENOMEM;
			r->ncells = 1;
			if (vg_load_strings(y, it, row, "values", &r->cells[0].v, &r->cells[0].n,
					 &r->cells[0].is_seq) < 0)
				return -EINVAL;
		}
	}
	return 0;
}

int vg_load_exceptions(struct vg_load *y, const struct vg_load_item *it, yaml_node_t *n,
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
	*out = vg_load_alloc(y, (total ? total : 1) * sizeof(**out));
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
int vg_merge_exceptions(struct vg_load *y, const struct vg_load_item *it, struct vg_rule_def *r,
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
				     "exception '%s' has no 'fields' and the rule has no such "
				     "exception",
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
