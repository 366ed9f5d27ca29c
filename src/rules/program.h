/* Program stage: a condition tree as a list of tests with jumps, which the
 * evaluator runs without recursion (program.c explains the layout). */
#ifndef VIGIL_RULES_PROGRAM_H
#define VIGIL_RULES_PROGRAM_H

#include <stdint.h>

#include "rules/store.h"
#include "rules/tree.h"

enum vg_insn_kind {
	VG_I_CHECK, /* a check */
	VG_I_MEMO,  /* a node remembered per event (its own program, or a check) */
	VG_I_NODE,  /* any other node, through the tree evaluator */
};

#define VG_PC_TRUE UINT32_MAX	     /* end: the condition holds */
#define VG_PC_FALSE (UINT32_MAX - 1) /* end: it does not */

struct vg_insn {
	enum vg_insn_kind kind;
	uint32_t on_true, on_false; /* the next instruction, or VG_PC_TRUE/FALSE */
	union {
		const struct vg_check *chk;
		const struct vg_node *node;
	};
};

struct vg_prog {
	uint32_t entry; /* first instruction, or VG_PC_TRUE/FALSE for a constant */
	uint32_t n;
	struct vg_insn insn[];
};

/* The program computing n (kept in n->prog; remembered nodes below n get
 * theirs too). NULL when out of memory. */
const struct vg_prog *vg_prog_build(struct vg_rules *rs, const struct vg_node *n);

#endif
