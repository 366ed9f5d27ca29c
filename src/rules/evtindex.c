/* The index stage: for each event type, the enabled rules that can match it
 * (their types come from tree.c), so that an event meets only those. */
#include "rules/evtindex.h"
#include "rules/program.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The remembered node a program tests first, when the rule fails without
 * it; NULL if there is none. */
static const struct vg_node *guard_of(const struct vg_prog *p)
{
	const struct vg_insn *in;

	if (p->entry >= p->n)
		return NULL;
	in = &p->insn[p->entry];
	return in->kind == VG_I_MEMO && in->on_false == VG_PC_FALSE ? in->node : NULL;
}

/* Puts the rules of one type that share a guard next to each other (groups
 * in the order their first rule comes, rules in rule order inside a group)
 * and notes where each group ends. Rules without a guard are groups of one. */
static void group_by_guard(struct vg_indexed *x, uint32_t n)
{
	for (uint32_t i = 0; i < n; i = x[i].group_end) {
		uint32_t end = i + 1;

		if (x[i].guard) {
			/* pull the later rules with this guard up, keeping order */
			for (uint32_t j = i + 1; j < n; j++) {
				struct vg_indexed moved = x[j];

				if (moved.guard != x[i].guard)
					continue;
				memmove(&x[end + 1], &x[end], (j - end) * sizeof(*x));
				x[end++] = moved;
			}
		}
		for (uint32_t k = i; k < end; k++)
			x[k].group_end = end;
	}
}

int vg_build_index(struct vg_rules *rs)
{
	size_t total = 0, at = 0, most = 1;
	struct vg_indexed *block;
	const struct vg_rule **hits;

	vg_evtset_clear(&rs->evtypes);
	for (unsigned t = 0; t < VG_EVTYPE_MAX; t++)
		rs->nby_type[t] = 0;
	for (uint32_t i = 0; i < rs->nrules; i++) {
		const struct vg_rule *r = &rs->rules[i]->pub;

		if (r->state != VG_RULE_LOADED || !r->enabled)
			continue;
		vg_evtset_union(&rs->evtypes, &r->evtypes);
		for (unsigned t = 0; t < VG_EVTYPE_MAX; t++)
			if (vg_evtset_has(&r->evtypes, t)) {
				rs->nby_type[t]++;
				total++;
			}
	}
	block = calloc(total ? total : 1, sizeof(*block));
	if (!block)
		return -ENOMEM;
	for (unsigned t = 0; t < VG_EVTYPE_MAX; t++) {
		rs->by_type[t] = block + at;
		at += rs->nby_type[t];
		rs->nby_type[t] = 0;
	}
	for (uint32_t i = 0; i < rs->nrules; i++) {
		const struct vg_rule_def *d = rs->rules[i];
		const struct vg_rule *r = &d->pub;

		if (r->state != VG_RULE_LOADED || !r->enabled)
			continue;
		for (unsigned t = 0; t < VG_EVTYPE_MAX; t++) {
			struct vg_indexed *x;
			const struct vg_node *cond;
			const struct vg_prog *prog;

			if (!vg_evtset_has(&r->evtypes, t))
				continue;
			cond = d->by_type && d->by_type[t] ? d->by_type[t] : r->cond;
			if (cond->kind == VG_N_FALSE)
				continue; /* can never match this type */
			prog = vg_prog_build(rs, cond);
			if (!prog) {
				free(block);
				return -ENOMEM;
			}
			x = &rs->by_type[t][rs->nby_type[t]++];
			x->rule = r;
			x->cond = cond;
			x->guard = cond->memo ? NULL : guard_of(prog);
		}
	}
	for (unsigned t = 0; t < VG_EVTYPE_MAX; t++) {
		group_by_guard(rs->by_type[t], rs->nby_type[t]);
		if (rs->nby_type[t] > most)
			most = rs->nby_type[t];
	}
	hits = calloc(most, sizeof(*hits));
	if (!hits) {
		free(block);
		return -ENOMEM;
	}
	free(rs->index_block);
	free(rs->hits);
	rs->index_block = block;
	rs->hits = hits;
	return 0;
}
