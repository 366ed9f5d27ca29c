/* What the compiler makes of a rule (compile.c, template.c): its condition
 * as a tree of checks, with operands parsed to the field's type, and its
 * output as a template of literal text and fields. The optimizer annotates
 * the tree (cost, chance, shortcuts), program.c attaches programs to it and
 * the evaluator runs it. Types only. */
#ifndef VIGIL_RULES_TREE_H
#define VIGIL_RULES_TREE_H

#include <stdbool.h>
#include <stdint.h>

#include "rules/ast.h"
#include "rules/evtypes.h"
#include "rules/fields.h"

/* Compiled condition tree. Macro subtrees are shared between rules. */
enum vg_node_kind { VG_N_TRUE, VG_N_FALSE, VG_N_AND, VG_N_OR, VG_N_NOT, VG_N_EVTYPE, VG_N_CHECK };

/* A string operand of a condition (not the record's struct vg_str). */
struct vg_operand_str {
	const char *s;
	uint32_t len;
};

/* An address or network operand (not the record's struct vg_net). */
struct vg_operand_net {
	uint8_t family;
	uint8_t prefix;
	uint8_t addr[16];
};

struct vg_regex; /* regex.h: an RE2 pattern */

struct vg_check {
	const struct vg_field_ref *ref;
	enum vg_op op;
	enum vg_ftype type; /* after the transformers */
	uint8_t xform[VG_AST_MAX_XFORMS];
	uint8_t nxform;
	bool list_semantics; /* VG_FF_LIST field: "in" needs every value in the set */
	const struct vg_field_ref *rhs; /* val(field) on the right, else NULL */
	uint8_t rhs_xform[VG_AST_MAX_XFORMS];
	uint8_t rhs_nxform;
	uint32_t n; /* operands */
	uint64_t lenmask; /* string operands of in/intersects/pmatch: bit min(len, 63) */
	/* in/intersects/pmatch with many operands: a hash table (match.c) of
	 * indexes + 1 into strs (0 = empty), set_mask + 1 slots; NULL when
	 * the operands are searched as they are */
	uint32_t *set;
	uint32_t set_mask;
	bool pmatch_root; /* pmatch with a table: "/" was one of the paths */
	/* glob: lengths of the literal text before the first and after the last
	 * special character, checked before the pattern is run (optimize.c) */
	uint32_t glob_pre, glob_suf;
	uint32_t glob_mid, glob_mid_len; /* a literal run the value must contain */
	/* program.c: one value at most, compared as it is (no transformer,
	 * no field on the right, not a list): the evaluator's short path */
	bool single;
	union {
		struct vg_operand_str *strs; /* sorted by (len, bytes) for in/intersects */
		int64_t *ints;	     /* sorted */
		uint64_t *uints;     /* sorted */
		bool *bools;
		struct vg_operand_net *nets;
		struct vg_regex *re;
	};
};

struct vg_prog;

struct vg_node {
	enum vg_node_kind kind;
	bool memo;	 /* a macro's root: its result is kept for the event */
	bool memo_val;
	uint64_t memo_gen;
	uint32_t n;	 /* kids of AND/OR */
	uint32_t weight; /* checks below, macros expanded (saturates) */
	float cost, pass; /* optimize.c: expected cost, chance to be true */
	const struct vg_prog *prog; /* program.c: computes this node (rule roots, memos) */
	union {
		const struct vg_node **kids;
		const struct vg_node *kid;
		struct vg_evtset *evts;
		struct vg_check *chk;
	};
};

struct vg_tmpl_seg {
	const char *lit; /* literal text, or NULL for a field */
	uint32_t lit_len;
	const struct vg_field_ref *ref; /* NULL with lit == NULL: unavailable field, "<NA>" */
	const char *display;		/* field as written */
};

struct vg_tmpl {
	struct vg_tmpl_seg *segs;
	uint32_t nsegs;
};

/* The event types node n can match (negated: under a NOT); tree.c. */
void vg_node_evtypes(const struct vg_node *n, bool negated, struct vg_evtset *out);

#endif
