/* Internals shared by the rule engine's files (not for users of rules.h). */
#ifndef VIGIL_RULES_ENGINE_H
#define VIGIL_RULES_ENGINE_H

#include <stdint.h>
#include <string.h>

#include "rules/arena.h"
#include "rules/ast.h"
#include "rules/rules.h"

#define VG_MAX_DIAGS 1000
#define VG_MAX_ITEMS 100000	     /* lists + macros + rules */
#define VG_MAX_LIST_ITEMS 1000000    /* all list items after expansion, per list */
#define VG_MAX_TEXT_PIECES 256	     /* appends to one condition */
#define VG_MAX_RULE_WEIGHT 200000    /* checks in one rule after macro expansion */
#define VG_MAX_MACRO_DEPTH 64	     /* macros inside macros */
#define VG_MAX_LIST_DEPTH 64	     /* lists inside lists */
#define VG_MAX_EXCEPTION_ROWS 100000 /* values of one exception */
#define VG_XFORM_BUF 65536	     /* scratch for transformed strings, per event */

/* Where a piece of text came from in a YAML file: enough to turn an offset
 * in the text back into a line and a column. */
struct vg_text_piece {
	uint32_t off;	/* offset in vg_text.s where this piece starts */
	int file;	/* index in vg_rules.files; -1 = none */
	uint8_t style;	/* yaml_scalar_style_t of the scalar */
	uint32_t line;	/* 1-based position of the scalar's first byte */
	uint32_t col;
	size_t start, end; /* byte range of the scalar in the file */
};

/* A condition or output: the text plus its origin (several pieces when
 * append: true added to it). */
struct vg_text {
	char *s;
	uint32_t len;
	struct vg_text_piece *pieces;
	uint32_t npieces;
};

struct vg_loc {
	int file; /* -1 = none */
	uint32_t line, col;
};

struct vg_src_file {
	const char *name;
	const char *text; /* kept for position mapping */
	size_t len;
};

enum vg_def_state { VG_DEF_NEW, VG_DEF_BUSY, VG_DEF_OK, VG_DEF_FAILED, VG_DEF_SKIPPED };

struct vg_list_def {
	const char *name;
	struct vg_loc loc;
	const char **items; /* as written in the YAML */
	uint32_t nitems, cap;
	/* resolution */
	enum vg_def_state state;
	struct vg_ast_value *flat; /* items with nested lists expanded */
	uint32_t nflat;
	bool used;
};

struct vg_macro_def {
	const char *name;
	struct vg_loc loc;
	struct vg_text cond;
	enum vg_def_state state;
	const struct vg_node *node;
	const char *skip_reason;
	bool used;
};

/* One "exceptions:" entry of a rule. */
struct vg_exc_row {
	struct vg_loc loc;
	uint32_t ncells;
	/* one entry per field; each is a single value (n == 1, !is_seq) or a
	 * sequence written in YAML */
	struct vg_exc_cell {
		const char **v;
		uint32_t n;
		bool is_seq;
	} *cells;
};

struct vg_exception {
	const char *name;
	struct vg_loc loc;
	const char **fields;
	uint32_t nfields;
	bool fields_is_seq; /* "fields: [a, b]" rather than "fields: a" */
	const char **comps; /* nfields entries */
	struct vg_loc fields_loc;
	struct vg_exc_row *rows;
	uint32_t nrows, cap;
};

struct vg_rule_def {
	struct vg_rule pub;
	struct vg_loc loc;
	struct vg_text cond;
	struct vg_text out;
	struct vg_exception *excs;
	uint32_t nexcs, cap;
	bool skip_if_unknown_filter;
	const char *skip_reason;
	/* optimize.c: the condition rewritten for each event type it can
	 * match (NULL: use pub.cond) */
	const struct vg_node **by_type;
};

struct vg_def_table; /* name -> index, per kind */

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

/* One field's values extracted for the current event, kept while the
 * rules of that event run (not the sensor's enum vg_slot). */
struct vg_field_cache {
	uint64_t gen;
	int n;
	uint32_t cap;
	struct vg_value *v;
	/* the single value in lower case, made for the event's first icontains
	 * on it and shared by the others */
	uint64_t low_gen;
	const char *low;
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

/* One rule as an event of one type meets it (evtindex.c). */
struct vg_indexed {
	const struct vg_rule *rule;
	const struct vg_node *cond; /* its tree for the type; cond->prog runs it */
	/* a remembered node the rule fails without, tested first (NULL: none):
	 * when it is already known false for the event, the rule is skipped
	 * without running its program (rules of a type often share one, such
	 * as "open for writing") */
	const struct vg_node *guard;
	/* the rules of a type are grouped by guard (evtindex.c): the entry
	 * after the last one with this guard, so that a guard known false
	 * skips its whole group at once */
	uint32_t group_end;
};

struct vg_rules {
	struct vg_arena arena; /* definitions and compiled trees */
	size_t max_file_bytes;
	unsigned max_files;
	bool compiled;

	struct vg_src_file *files;
	unsigned nfiles;

	struct vg_list_def **lists;
	uint32_t nlists, lists_cap;
	struct vg_macro_def **macros;
	uint32_t nmacros, macros_cap;
	struct vg_rule_def **rules;
	uint32_t nrules, rules_cap;
	struct vg_def_table *list_tab, *macro_tab, *rule_tab;

	struct vg_diag *diags;
	unsigned ndiags, diags_cap;
	unsigned nerrors, nwarnings, diags_dropped;

	/* interned field refs = cache slots */
	struct vg_field_ref **refs;
	uint32_t nrefs, refs_cap;
	struct vg_regex **regexes; /* to free */
	uint32_t nregexes, regexes_cap;
	/* a regex match could not be run during the current rule's evaluation
	 * (set by eval.c's match, moved to match_failures by vg_rules_eval) */
	bool regex_failed;
	uint64_t *match_failures; /* per rule (by index): matches that failed */

	/* evaluation */
	struct vg_indexed *by_type[VG_EVTYPE_MAX]; /* the rules each type meets, by group */
	uint32_t nby_type[VG_EVTYPE_MAX];
	struct vg_indexed *index_block; /* malloc'ed storage behind by_type */
	/* the rules one event matched, before they are put in rule order (the
	 * groups change the order of evaluation); as many as a type has rules */
	const struct vg_rule **hits;
	struct vg_evtset evtypes;
	struct vg_field_cache *slots;
	uint64_t gen;
	unsigned cur_evtype;
	vg_field_get get;
	const void *ctx;
	char *xbuf;
	size_t xused;
	char *lbuf; /* lower-case copies of values, per event (vg_field_cache.low) */
	size_t lused;
};

/* engine.c */
__attribute__((format(printf, 5, 6))) void vg_diag_add(struct vg_rules *rs,
						       enum vg_diag_level level,
						       const struct vg_loc *loc, const char *item,
						       const char *fmt, ...);
/* Location of byte off of a text. */
void vg_text_loc(const struct vg_rules *rs, const struct vg_text *t, uint32_t off,
		 struct vg_loc *loc);
struct vg_list_def *vg_find_list(const struct vg_rules *rs, const char *name, size_t len);
struct vg_macro_def *vg_find_macro(const struct vg_rules *rs, const char *name, size_t len);
struct vg_rule_def *vg_find_rule(const struct vg_rules *rs, const char *name, size_t len);
int vg_add_list(struct vg_rules *rs, struct vg_list_def *l);
int vg_add_macro(struct vg_rules *rs, struct vg_macro_def *m);
int vg_add_rule(struct vg_rules *rs, struct vg_rule_def *r);
/* appends src to dst with a separating space; both keep their origins */
int vg_text_append(struct vg_rules *rs, struct vg_text *dst, const struct vg_text *src);

/* yaml_load.c */
int vg_load_yaml(struct vg_rules *rs, int file);

/* compile.c */
struct vg_cctx {
	struct vg_rules *rs;
	const struct vg_text *text; /* for positions; NULL -> use loc */
	struct vg_loc loc;	    /* fallback position */
	char item[160];
	enum vg_diag_level level; /* of errors found (WARNING for unused macros) */
	int rc;			  /* 0, -EINVAL (error), 1 (skipped) */
	const char *skip_reason;
	unsigned depth;
	bool unknown_is_skip; /* skip-if-unknown-filter */
	const struct vg_field *nodata_said; /* the always-absent field last warned of */
};
const struct vg_node *vg_compile_ast(struct vg_cctx *cc, const struct vg_ast *ast);
int vg_compile_rules(struct vg_rules *rs);
const struct vg_field_ref *vg_resolve_field(struct vg_cctx *cc, const struct vg_ast_field *f);
void vg_cc_error(struct vg_cctx *cc, uint32_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void vg_cc_skip(struct vg_cctx *cc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vg_regex_free(struct vg_regex *re);

/* evtindex.c */
void vg_node_evtypes(const struct vg_node *n, bool negated, struct vg_evtset *out);
int vg_build_index(struct vg_rules *rs);

/* program.c: a condition as a list of tests with jumps (see there) */
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

/* optimize.c */
int vg_optimize_rules(struct vg_rules *rs);

/* output.c */
const struct vg_tmpl *vg_compile_output(struct vg_cctx *cc);

/* match.c: string matching used by the evaluator */
bool vg_glob_match(const char *pat, size_t plen, const char *s, size_t slen, bool icase);
bool vg_contains(const char *hay, size_t hlen, const char *needle, size_t nlen);
bool vg_icontains(const char *hay, size_t hlen, const char *lower_needle, size_t nlen);
bool vg_pmatch(const struct vg_operand_str *prefixes, uint32_t n, const char *s, size_t len);
int vg_str_cmp(const struct vg_operand_str *a, const struct vg_operand_str *b);
bool vg_str_in(const struct vg_operand_str *sorted, uint32_t n, const char *s, uint32_t len);
bool vg_net_contains(const struct vg_operand_net *net, const struct vg_ip *ip);
/* Hash tables of string operands, for checks with many of them: builds
 * c->set (in, intersects, pmatch; from VG_STRSET_MIN operands on); 0 or
 * -ENOMEM. */
#define VG_STRSET_MIN 4
int vg_strset_build(struct vg_arena *a, struct vg_check *c);
/* s is one of the operands (c->set must exist) */
bool vg_strset_has(const struct vg_check *c, const char *s, uint32_t len);
/* vg_pmatch through c->set: looks up the value's own prefixes that end at a
 * '/' (and the whole value), rather than comparing every path */
bool vg_pmatch_set(const struct vg_check *c, const char *s, uint32_t len);

/* a == b over n bytes: inlined, a word at a time (memcmp is a call, and the
 * strings rules compare are short) */
static inline bool vg_same_bytes(const char *a, const char *b, size_t n)
{
	for (; n >= 8; a += 8, b += 8, n -= 8) {
		uint64_t x, y;

		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y)
			return false;
	}
	for (; n; a++, b++, n--)
		if (*a != *b)
			return false;
	return true;
}

/* eval.c */
bool vg_eval_node(struct vg_rules *rs, const struct vg_node *n);
int vg_fetch(struct vg_rules *rs, const struct vg_field_ref *ref, const struct vg_value **vals);
int vg_eval_setup(struct vg_rules *rs);

#endif
