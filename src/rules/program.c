/* Conditions flattened into programs: a list of tests, each with the
 * instruction to go to when it holds and when it does not.
 *
 *   a and (b or not c)   ->   0: a  true 1  false F
 *                             1: b  true T  false 2
 *                             2: c  true F  false T
 *
 * Evaluating a tree costs a recursive call per node and a visit to every
 * "and", "or" and "not" on the way to the checks; a program runs a loop over
 * the checks alone, in the order the tree would meet them, with the same
 * short circuits. So the result and the checks that run are the tree's;
 * only the walk is cheaper.
 *
 * A node remembered per event (a macro, a check several rules share) stays
 * one instruction: its value is computed once per event, by its own program
 * when it is an and/or/not. Jumps only go forward, so a program ends. */
#include "rules/program.h"

#include <errno.h>

/* Whether the check can take the evaluator's short path: its field gives one
 * value at most (a plain field, or an indexed one such as proc.aname[2]) and
 * the value is compared as it is. */
static void mark_single(struct vg_check *c)
{
	const struct vg_field_ref *r = c->ref;

	c->single = !((r->field->flags & (VG_FF_ANY | VG_FF_LIST)) && r->index < 0) &&
		    !c->nxform && !c->rhs && !c->list_semantics && c->op != VG_OP_EXISTS &&
		    c->type != VG_FT_NONE;
}

/* instructions the node takes when it is inlined (not a remembered leaf) */
static uint32_t count(const struct vg_node *n, bool root)
{
	uint32_t sum = 0;

	if (n->memo && !root)
		return 1;
	switch (n->kind) {
	case VG_N_AND:
	case VG_N_OR:
		for (uint32_t i = 0; i < n->n; i++) {
			uint32_t k = count(n->kids[i], false);

			sum = sum + k < sum ? UINT32_MAX : sum + k;
		}
		return sum;
	case VG_N_NOT:
		return count(n->kid, false);
	case VG_N_TRUE:
	case VG_N_FALSE:
		return 0;
	case VG_N_EVTYPE:
	case VG_N_CHECK:
		break;
	}
	return 1;
}

struct emitter {
	struct vg_rules *rs;
	struct vg_prog *p;
	uint32_t free_at; /* instructions are placed from the end backwards */
	int err;
};

/* Emits n so that it continues at t when it holds and at f when not;
 * returns where it starts. The code of later siblings is emitted first, so
 * that their start is known: the program comes out in reading order. */
static uint32_t emit(struct emitter *e, const struct vg_node *n, bool root, uint32_t t,
		     uint32_t f)
{
	struct vg_insn *in;
	bool leaf_memo;

	if (!n->memo || root) {
		switch (n->kind) {
		case VG_N_AND:
			for (uint32_t i = n->n; i-- > 0;)
				t = emit(e, n->kids[i], false, t, f);
			return t;
		case VG_N_OR:
			for (uint32_t i = n->n; i-- > 0;)
				f = emit(e, n->kids[i], false, t, f);
			return f;
		case VG_N_NOT:
			return emit(e, n->kid, false, f, t);
		case VG_N_TRUE:
			return t;
		case VG_N_FALSE:
			return f;
		case VG_N_EVTYPE:
		case VG_N_CHECK:
			break;
		}
	}
	leaf_memo = n->memo && !root;
	if (leaf_memo && (n->kind == VG_N_AND || n->kind == VG_N_OR || n->kind == VG_N_NOT) &&
	    !n->prog) {
		/* a remembered and/or/not: computed by its own program */
		const struct vg_prog *own = vg_prog_build(e->rs, n);

		if (!own)
			e->err = -ENOMEM;
		((struct vg_node *)n)->prog = own;
	}
	in = &e->p->insn[--e->free_at];
	if (n->kind == VG_N_CHECK)
		mark_single(n->chk);
	in->on_true = t;
	in->on_false = f;
	if (leaf_memo) {
		in->kind = VG_I_MEMO;
		in->node = n;
	} else if (n->kind == VG_N_CHECK) {
		in->kind = VG_I_CHECK;
		in->chk = n->chk;
	} else {
		in->kind = VG_I_NODE; /* evt.type, in a tree the optimizer did not rewrite */
		in->node = n;
	}
	return e->free_at;
}

const struct vg_prog *vg_prog_build(struct vg_rules *rs, const struct vg_node *n)
{
	uint32_t len = count(n, true);
	struct emitter e = { .rs = rs };

	if (n->prog)
		return n->prog;
	if (len > VG_MAX_RULE_WEIGHT * 4)
		return NULL;
	e.p = vg_arena_alloc(&rs->arena, sizeof(*e.p) + (size_t)len * sizeof(e.p->insn[0]));
	if (!e.p)
		return NULL;
	e.p->n = len;
	e.free_at = len;
	e.p->entry = emit(&e, n, true, VG_PC_TRUE, VG_PC_FALSE);
	if (e.err || e.free_at != 0)
		return NULL;
	((struct vg_node *)n)->prog = e.p;
	return e.p;
}
