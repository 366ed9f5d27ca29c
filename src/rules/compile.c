/* Conditions -> compiled trees: lists and macros inlined (macro trees shared
 * between rules), fields resolved against the registry, values parsed to the
 * field's type once, regexes compiled once, "in" lists sorted. The pieces
 * are in compile_ctx.c (diagnostics, fields), lists.c, operands.c,
 * exceptions.c and template.c (outputs); this file builds the trees and
 * compiles every rule (compile.h). */
#include "rules/compile.h"
#include "rules/compile_ctx.h"
#include "rules/exceptions.h"
#include "rules/lists.h"
#include "rules/operands.h"
#include "rules/template.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct vg_node *compile_ast(struct vg_cctx *cc, const struct vg_ast *a);

/* Is op defined for a value of this type? */
static bool op_allowed(enum vg_ftype t, enum vg_op op)
{
	if (op == VG_OP_EXISTS)
		return true;
	switch (t) {
	case VG_FT_STR:
		return op != VG_OP_LT && op != VG_OP_LE && op != VG_OP_GT && op != VG_OP_GE;
	case VG_FT_INT:
	case VG_FT_UINT:
		return op <= VG_OP_GE || op == VG_OP_IN || op == VG_OP_INTERSECTS;
	case VG_FT_BOOL:
	case VG_FT_IPADDR:
	case VG_FT_IPNET:
		return op == VG_OP_EQ || op == VG_OP_NE || op == VG_OP_IN ||
		       op == VG_OP_INTERSECTS;
	case VG_FT_NONE:
		break;
	}
	return false;
}

static const struct vg_node *new_node(struct vg_cctx *cc, enum vg_node_kind kind)
{
	struct vg_node *n = vg_cc_alloc(cc, sizeof(*n));

	if (n) {
		n->kind = kind;
		n->weight = 1;
	}
	return n;
}

static const struct vg_node *wrap_not(struct vg_cctx *cc, const struct vg_node *kid)
{
	struct vg_node *n;

	if (!kid)
		return NULL;
	n = (struct vg_node *)new_node(cc, VG_N_NOT);
	if (!n)
		return NULL;
	n->kid = kid;
	n->weight = kid->weight;
	return n;
}

/* evt.type = x / in (...) -> a bit set tested without extraction */
static const struct vg_node *compile_evtype(struct vg_cctx *cc, const struct vg_ast *a,
					    const struct vg_ast_value *v, uint32_t n)
{
	struct vg_node *node = (struct vg_node *)new_node(cc, VG_N_EVTYPE);

	if (!node)
		return NULL;
	node->evts = vg_cc_alloc(cc, sizeof(*node->evts));
	if (!node->evts)
		return NULL;
	for (uint32_t i = 0; i < n; i++) {
		unsigned id = vg_evtype_lookup(v[i].s, v[i].len);

		if (id) {
			vg_evtset_add(node->evts, id);
		} else {
			struct vg_loc loc = cc->loc;

			if (cc->text && cc->text->npieces)
				vg_text_loc(cc->rs, cc->text, v[i].pos, &loc);
			vg_diag_add(cc->rs, VG_DIAG_WARNING, &loc, cc->item,
				    "unknown event type '%.*s' never matches", (int)v[i].len,
				    v[i].s);
		}
	}
	return a->check.op == VG_OP_NE ? wrap_not(cc, node) : node;
}

/* A field of a condition. One vigil records nothing for is absent on every
 * event: its comparisons are never true, so "not (container.image in
 * (...))" always is. Said once per rule or macro, as a warning: the rule
 * still loads, as Falco's own rules file must. */
static const struct vg_field_ref *condition_field(struct vg_cctx *cc, const struct vg_ast_field *af)
{
	const struct vg_field_ref *ref = vg_resolve_field(cc, af);
	struct vg_loc loc = cc->loc;

	if (!ref || !(ref->field->flags & VG_FF_NODATA) || cc->nodata_said == ref->field)
		return ref;
	cc->nodata_said = ref->field; /* not again for the next line of a list of them */
	if (cc->text && cc->text->npieces)
		vg_text_loc(cc->rs, cc->text, af->pos, &loc);
	vg_diag_add(cc->rs, VG_DIAG_WARNING, &loc, cc->item,
		    "vigil records nothing for field '%s': it is always absent, so comparisons "
		    "with it are false",
		    ref->field->name);
	return ref;
}

static const struct vg_node *compile_check(struct vg_cctx *cc, const struct vg_ast *a)
{
	const struct vg_ast_field *lf = &a->check.lhs;
	const struct vg_field_ref *ref = condition_field(cc, lf);
	struct vg_ast_value *vals = NULL;
	struct vg_check *chk;
	struct vg_node *node;
	uint32_t n = 0;
	char fname[160];

	if (!ref)
		return NULL;
	snprintf(fname, sizeof(fname), "%.*s", (int)lf->name_len, lf->name);
	chk = vg_cc_alloc(cc, sizeof(*chk));
	if (!chk)
		return NULL;
	chk->ref = ref;
	chk->op = a->check.op;
	chk->type = vg_cc_xform_type(cc, lf, ref->field->type);
	if (chk->type == VG_FT_NONE)
		return NULL;
	memcpy(chk->xform, lf->xform, sizeof(chk->xform));
	chk->nxform = lf->nxform;
	if (!op_allowed(chk->type, chk->op)) {
		vg_cc_error(cc, a->pos, "operator '%s' cannot be used on field '%s' (%s)",
			    vg_op_name(chk->op), fname, vg_ftype_name(chk->type));
		return NULL;
	}
	if (chk->op == VG_OP_EXISTS)
		goto done;
	if (a->check.rhs_is_field) {
		const struct vg_ast_field *rf = &a->check.rhs;
		enum vg_ftype rt;

		chk->rhs = condition_field(cc, rf);
		if (!chk->rhs)
			return NULL;
		rt = vg_cc_xform_type(cc, rf, chk->rhs->field->type);
		if (rt == VG_FT_NONE)
			return NULL;
		if (rt != chk->type && !((rt == VG_FT_IPADDR || rt == VG_FT_IPNET) &&
					 (chk->type == VG_FT_IPADDR || chk->type == VG_FT_IPNET))) {
			vg_cc_error(cc, rf->pos, "type mismatch: '%s' is %s, '%.*s' is %s", fname,
				    vg_ftype_name(chk->type), (int)rf->name_len, rf->name,
				    vg_ftype_name(rt));
			return NULL;
		}
		if (chk->op == VG_OP_GLOB || chk->op == VG_OP_IGLOB || chk->op == VG_OP_REGEX ||
		    chk->op == VG_OP_PMATCH || chk->op == VG_OP_BCONTAINS ||
		    chk->op == VG_OP_BSTARTSWITH) {
			vg_cc_error(cc, rf->pos, "operator '%s' needs a constant on its right",
				    vg_op_name(chk->op));
			return NULL;
		}
		memcpy(chk->rhs_xform, rf->xform, sizeof(chk->rhs_xform));
		chk->rhs_nxform = rf->nxform;
		goto done;
	}
	if (vg_op_is_list(chk->op)) {
		if (vg_expand_values(cc, a, &vals, &n) < 0)
			return NULL;
	} else {
		vals = a->check.vals;
		n = a->check.nvals;
	}
	if (ref->field->id == VG_F_EVT_TYPE && !lf->nxform &&
	    (chk->op == VG_OP_EQ || chk->op == VG_OP_NE || chk->op == VG_OP_IN ||
	     chk->op == VG_OP_INTERSECTS))
		return compile_evtype(cc, a, vals, n);
	chk->list_semantics = (ref->field->flags & VG_FF_LIST) && ref->index < 0 &&
			      chk->op == VG_OP_IN;
	if (vg_compile_operands(cc, chk, vals, n, fname) < 0)
		return NULL;
done:
	node = (struct vg_node *)new_node(cc, VG_N_CHECK);
	if (!node)
		return NULL;
	node->chk = chk;
	return node;
}

/* ---- macros ---- */

/* Parses and compiles a macro's own condition once; the outcome (tree,
 * failure or skip) is kept in the macro. */
static void compile_macro_body(struct vg_rules *rs, struct vg_macro_def *m,
			       enum vg_diag_level level, unsigned depth, const char *label)
{
	struct vg_cctx mc = { .rs = rs, .text = &m->cond, .loc = m->loc, .level = level,
			      .depth = depth };
	struct vg_parse_error perr;
	const struct vg_node *node = NULL;
	struct vg_ast *ast;

	snprintf(mc.item, sizeof(mc.item), "%s '%.120s'", label, m->name);
	m->state = VG_DEF_BUSY;
	if (vg_parse_condition(&rs->arena, m->cond.s, m->cond.len, &ast, &perr) < 0)
		vg_cc_error(&mc, perr.pos, "%s", perr.msg);
	else
		node = compile_ast(&mc, ast);
	if (mc.rc == 1) {
		m->state = VG_DEF_SKIPPED;
		m->skip_reason = mc.skip_reason;
	} else if (!node || mc.rc) {
		m->state = VG_DEF_FAILED;
	} else {
		m->state = VG_DEF_OK;
		/* rules share this tree: remember its value per event */
		((struct vg_node *)node)->memo = node->kind != VG_N_EVTYPE;
		m->node = node;
	}
}

static const struct vg_node *compile_macro(struct vg_cctx *cc, struct vg_macro_def *m,
					   uint32_t pos)
{
	if (m->state == VG_DEF_NEW) {
		if (cc->depth >= VG_MAX_MACRO_DEPTH) {
			vg_cc_error(cc, pos, "macros nested deeper than %d levels",
				    VG_MAX_MACRO_DEPTH);
			return NULL;
		}
		compile_macro_body(cc->rs, m, cc->level, cc->depth + 1, "macro");
	}
	m->used = true;
	switch (m->state) {
	case VG_DEF_OK:
		return m->node;
	case VG_DEF_BUSY:
		vg_cc_error(cc, pos, "macro '%s' uses itself (a cycle through macros)", m->name);
		return NULL;
	case VG_DEF_SKIPPED:
		vg_cc_skip(cc, "%s (via macro '%s')", m->skip_reason, m->name);
		return NULL;
	default:
		vg_cc_error(cc, pos, "uses macro '%s', which has errors", m->name);
		return NULL;
	}
}

/* ---- tree ---- */

static uint32_t add_weight(uint32_t a, uint32_t b)
{
	return a > UINT32_MAX / 2 - b ? UINT32_MAX / 2 : a + b;
}

static const struct vg_node *compile_ast(struct vg_cctx *cc, const struct vg_ast *a)
{
	struct vg_node *n;

	if (cc->rc)
		return NULL;
	switch (a->kind) {
	case VG_AST_AND:
	case VG_AST_OR:
		n = (struct vg_node *)new_node(cc, a->kind == VG_AST_AND ? VG_N_AND : VG_N_OR);
		if (!n)
			return NULL;
		n->kids = vg_cc_alloc(cc, a->list.n * sizeof(*n->kids));
		if (!n->kids)
			return NULL;
		n->n = a->list.n;
		n->weight = 0;
		for (uint32_t i = 0; i < a->list.n; i++) {
			n->kids[i] = compile_ast(cc, a->list.kids[i]);
			if (!n->kids[i])
				return NULL;
			n->weight = add_weight(n->weight, n->kids[i]->weight);
		}
		return n;
	case VG_AST_NOT:
		return wrap_not(cc, compile_ast(cc, a->kid));
	case VG_AST_MACRO: {
		struct vg_macro_def *m = vg_find_macro(cc->rs, a->macro.name, a->macro.len);

		if (!m) {
			if (vg_find_list(cc->rs, a->macro.name, a->macro.len))
				vg_cc_error(cc, a->pos,
					    "'%s' is a list, not a macro: use it after 'in'",
					    a->macro.name);
			else
				vg_cc_error(cc, a->pos, "undefined macro '%s'", a->macro.name);
			return NULL;
		}
		return compile_macro(cc, m, a->pos);
	}
	case VG_AST_CHECK:
		return compile_check(cc, a);
	}
	return NULL;
}

/* ---- rules ---- */

static void compile_rule(struct vg_rules *rs, struct vg_rule_def *r)
{
	struct vg_cctx cc = { .rs = rs, .text = &r->cond, .loc = r->loc, .level = VG_DIAG_ERROR };
	struct vg_parse_error perr;
	const struct vg_node *node = NULL;
	struct vg_ast *ast, *exc;
	int rc;

	if (r->pub.state == VG_RULE_FAILED)
		return;
	snprintf(cc.item, sizeof(cc.item), "rule '%.120s'", r->pub.name);
	cc.unknown_is_skip = r->skip_if_unknown_filter;
	if (strcmp(r->pub.source, "syscall") != 0) {
		r->pub.state = VG_RULE_SKIPPED;
		vg_diag_add(rs, VG_DIAG_SKIPPED, &r->loc, cc.item,
			    "source '%s' needs a Falco plugin, which vigil does not load",
			    r->pub.source);
		return;
	}
	rc = vg_parse_condition(&rs->arena, r->cond.s ? r->cond.s : "", r->cond.len, &ast, &perr);
	if (rc < 0)
		vg_cc_error(&cc, perr.pos, "%s", perr.msg);
	else
		node = compile_ast(&cc, ast);
	if (!cc.rc && r->nexcs && vg_exceptions_check(&cc, r)) {
		cc.text = NULL;
		exc = vg_exceptions_ast(&cc, r);
		if (exc && !cc.rc) {
			const struct vg_node *ex = compile_ast(&cc, exc);
			struct vg_node *both;

			if (ex) {
				both = (struct vg_node *)new_node(&cc, VG_N_AND);
				if (both) {
					both->kids = vg_cc_alloc(&cc, 2 * sizeof(*both->kids));
					if (both->kids) {
						both->n = 2;
						both->kids[0] = node;
						both->kids[1] = wrap_not(&cc, ex);
						both->weight = add_weight(node->weight, ex->weight);
						node = both->kids[1] ? both : NULL;
					}
				}
			}
		}
	}
	if (!cc.rc) {
		cc.text = &r->out;
		cc.loc = r->loc;
		r->pub.tmpl = vg_compile_output(&cc);
	}
	if (!cc.rc && node && node->weight > VG_MAX_RULE_WEIGHT) {
		cc.text = NULL;
		vg_cc_error(&cc, 0, "condition has %u checks once macros are expanded (limit %d)",
			    node->weight, VG_MAX_RULE_WEIGHT);
	}
	if (cc.rc == 1) {
		r->pub.state = VG_RULE_SKIPPED;
		r->skip_reason = cc.skip_reason;
		vg_diag_add(rs, VG_DIAG_SKIPPED, &r->loc, cc.item, "%s", cc.skip_reason);
		return;
	}
	if (cc.rc || !node) {
		r->pub.state = VG_RULE_FAILED;
		return;
	}
	r->pub.cond = node;
	r->pub.state = VG_RULE_LOADED;
	vg_node_evtypes(node, false, &r->pub.evtypes);
	{
		struct vg_evtset all;

		vg_evtset_fill(&all);
		r->pub.all_evtypes = vg_evtset_equal(&all, &r->pub.evtypes);
	}
	if (r->pub.all_evtypes)
		vg_diag_add(rs, VG_DIAG_WARNING, &r->loc, cc.item,
			    "condition does not restrict evt.type: the rule runs on every event");
}

int vg_compile_rules(struct vg_rules *rs)
{
	for (uint32_t i = 0; i < rs->nrules; i++)
		compile_rule(rs, rs->rules[i]);
	/* check the macros no rule uses too, but only warn about them */
	for (uint32_t i = 0; i < rs->nmacros; i++)
		if (rs->macros[i]->state == VG_DEF_NEW)
			compile_macro_body(rs, rs->macros[i], VG_DIAG_WARNING, 0, "unused macro");
	return 0;
}
