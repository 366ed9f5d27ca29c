/* The rule engine's definitions as the rules files give them: lists, macros
 * and rules with their exceptions, the text of conditions and outputs with
 * where each piece came from, and the engine's limits. The loader
 * (yaml_load.c and load_*.c) fills them; the compiler (compile.c) reads
 * them. Types only: the first stage of the pipeline, included by all. */
#ifndef VIGIL_RULES_DEFS_H
#define VIGIL_RULES_DEFS_H

#include <stdbool.h>
#include <stdint.h>

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

#endif
