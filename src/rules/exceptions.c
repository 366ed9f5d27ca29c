/* A rule's exceptions as a condition: each row of values becomes checks
 * ("field comp value" per field, and-ed), every row of every exception is
 * or-ed, and the rule's condition gets "and not (...)" of it (exceptions.h).
 * Built as a syntax tree, so that it is compiled as the condition is. */
#include "rules/exceptions.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static struct vg_ast *exc_check(struct vg_cctx *cc, const struct vg_exception *e, uint32_t f,
				const struct vg_exc_cell *cells, uint32_t ncells)
{
	struct vg_parse_error perr;
	struct vg_ast *a = vg_cc_alloc(cc, sizeof(*a));
	const char *fs = e->fields[f];
	const char *comp = e->comps ? e->comps[f] : (e->fields_is_seq ? "=" : "in");
	int op = vg_op_from_text(comp, strlen(comp));
	uint32_t nv = 0;
	size_t used;

	if (!a)
		return NULL;
	a->kind = VG_AST_CHECK;
	a->check.op = (enum vg_op)op;
	if (vg_parse_field(&cc->rs->arena, fs, strlen(fs), &a->check.lhs, &used, &perr) < 0 ||
	    used != strlen(fs)) {
		vg_cc_error(cc, 0, "exception '%s': invalid field '%s'", e->name, fs);
		return NULL;
	}
	for (uint32_t c = 0; c < ncells; c++)
		nv += cells[c].n;
	if (!vg_op_is_list(a->check.op) && (ncells != 1 || cells[0].n != 1 || cells[0].is_seq)) {
		vg_cc_error(cc, 0, "exception '%s': '%s' needs a single value for field '%s'",
			    e->name, comp, fs);
		return NULL;
	}
	a->check.vals = vg_cc_alloc(cc, (nv ? nv : 1) * sizeof(*a->check.vals));
	if (!a->check.vals)
		return NULL;
	for (uint32_t c = 0; c < ncells; c++) {
		for (uint32_t k = 0; k < cells[c].n; k++) {
			struct vg_ast_value *v = &a->check.vals[a->check.nvals++];
			const char *s = cells[c].v[k];

			v->s = s;
			v->len = (uint32_t)strlen(s);
			/* a bare list name in a list comparison stands for its items */
			v->quoted = !(vg_op_is_list(a->check.op) && !cells[c].is_seq &&
				      vg_find_list(cc->rs, s, v->len));
		}
	}
	return a;
}

static struct vg_ast *new_list_ast(struct vg_cctx *cc, enum vg_ast_kind kind, uint32_t n)
{
	struct vg_ast *a = vg_cc_alloc(cc, sizeof(*a));

	if (!a)
		return NULL;
	a->kind = kind;
	a->list.kids = vg_cc_alloc(cc, (n ? n : 1) * sizeof(*a->list.kids));
	return a->list.kids ? a : NULL;
}

/* OR of every exception row, as a syntax tree; NULL with rc == 0 if the rule
 * has no values at all */
struct vg_ast *vg_exceptions_ast(struct vg_cctx *cc, const struct vg_rule_def *r)
{
	uint32_t total = 0;
	struct vg_ast *any;

	for (uint32_t i = 0; i < r->nexcs; i++)
		total += r->excs[i].nrows;
	if (!total)
		return NULL;
	any = new_list_ast(cc, VG_AST_OR, total);
	if (!any)
		return NULL;
	for (uint32_t i = 0; i < r->nexcs; i++) {
		const struct vg_exception *e = &r->excs[i];
		bool one_list = !e->fields_is_seq;

		if (!e->nrows)
			continue;
		cc->loc = e->loc;
		if (one_list) {
			/* fields: x, comps: in, values: [a, b] -> x in (a, b) */
			const char *comp = e->comps ? e->comps[0] : "in";
			int op = vg_op_from_text(comp, strlen(comp));

			if (vg_op_is_list((enum vg_op)op)) {
				struct vg_exc_cell *cells =
				    vg_cc_alloc(cc, e->nrows * sizeof(*cells));
				struct vg_ast *chk;

				if (!cells)
					return NULL;
				for (uint32_t k = 0; k < e->nrows; k++)
					cells[k] = e->rows[k].cells[0];
				chk = exc_check(cc, e, 0, cells, e->nrows);
				if (!chk)
					return NULL;
				any->list.kids[any->list.n++] = chk;
				continue;
			}
		}
		for (uint32_t k = 0; k < e->nrows; k++) {
			const struct vg_exc_row *row = &e->rows[k];
			uint32_t nf = e->fields_is_seq ? e->nfields : 1;
			struct vg_ast *all = new_list_ast(cc, VG_AST_AND, nf);

			cc->loc = row->loc;
			if (!all)
				return NULL;
			if (!row->cells) {
				vg_cc_error(cc, 0, "exception '%s': empty value", e->name);
				return NULL;
			}
			for (uint32_t f = 0; f < nf; f++) {
				struct vg_ast *chk = exc_check(cc, e, f, &row->cells[f], 1);

				if (!chk)
					return NULL;
				all->list.kids[all->list.n++] = chk;
			}
			any->list.kids[any->list.n++] = all->list.n == 1 ? all->list.kids[0] : all;
		}
	}
	return any;
}

/* rows appended later must still have one value per field */
bool vg_exceptions_check(struct vg_cctx *cc, const struct vg_rule_def *r)
{
	for (uint32_t i = 0; i < r->nexcs; i++) {
		const struct vg_exception *e = &r->excs[i];

		cc->loc = e->loc;
		if (!e->nfields) {
			vg_cc_error(cc, 0, "exception '%s' has no fields", e->name);
			return false;
		}
		for (uint32_t k = 0; k < e->nrows; k++) {
			const struct vg_exc_row *row = &e->rows[k];
			uint32_t want = e->fields_is_seq ? e->nfields : 1;

			if (row->ncells != want) {
				cc->loc = row->loc;
				vg_cc_error(cc, 0, "exception '%s': %u values for %u fields",
					    e->name, row->ncells, want);
				return false;
			}
		}
	}
	return true;
}
