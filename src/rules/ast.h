/* The syntax tree of one condition, as written (macros and lists are not yet
 * resolved). Built by parser.c in an arena. Positions are byte offsets in the
 * condition text; the loader maps them back to file lines and columns. */
#ifndef VIGIL_RULES_AST_H
#define VIGIL_RULES_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/arena.h"

enum vg_op {
	VG_OP_EQ,
	VG_OP_NE,
	VG_OP_LT,
	VG_OP_LE,
	VG_OP_GT,
	VG_OP_GE,
	VG_OP_CONTAINS,
	VG_OP_ICONTAINS,
	VG_OP_BCONTAINS,
	VG_OP_STARTSWITH,
	VG_OP_BSTARTSWITH,
	VG_OP_ENDSWITH,
	VG_OP_GLOB,
	VG_OP_IGLOB,
	VG_OP_REGEX,
	VG_OP_IN,
	VG_OP_INTERSECTS,
	VG_OP_PMATCH,
	VG_OP_EXISTS,
};

enum vg_xform {
	VG_XF_TOLOWER = 1,
	VG_XF_TOUPPER,
	VG_XF_BASENAME,
	VG_XF_LEN,
	VG_XF_B64,
};

#define VG_AST_MAX_XFORMS 4 /* nested transformers: tolower(basename(x)) */
#define VG_AST_MAX_DEPTH 100

enum vg_ast_kind { VG_AST_AND, VG_AST_OR, VG_AST_NOT, VG_AST_MACRO, VG_AST_CHECK };

struct vg_ast_field {
	const char *name; /* e.g. "evt.arg.flags", not NUL-terminated */
	uint32_t name_len;
	const char *arg; /* the [ ] argument, decoded, NUL-terminated; NULL if none */
	uint32_t arg_len;
	uint8_t xform[VG_AST_MAX_XFORMS]; /* xform[0] is applied first */
	uint8_t nxform;
	uint32_t pos;
};

struct vg_ast_value {
	const char *s; /* decoded, NUL-terminated */
	uint32_t len;
	bool quoted;
	uint32_t pos;
};

struct vg_ast {
	enum vg_ast_kind kind;
	uint32_t pos;
	union {
		struct {
			struct vg_ast **kids;
			uint32_t n;
		} list; /* AND, OR */
		struct vg_ast *kid; /* NOT */
		struct {
			const char *name; /* NUL-terminated */
			uint32_t len;
		} macro;
		struct {
			struct vg_ast_field lhs;
			enum vg_op op;
			bool rhs_is_field; /* val(field) or a transformer on the right */
			struct vg_ast_field rhs;
			bool rhs_list_name; /* "in listname" without parentheses */
			struct vg_ast_value *vals;
			uint32_t nvals;
		} check;
	};
};

struct vg_parse_error {
	uint32_t pos;
	char msg[160];
};

/* Parses a condition. Returns 0, -EINVAL with err filled for a syntax error,
 * or -ENOMEM. */
int vg_parse_condition(struct vg_arena *a, const char *text, size_t len, struct vg_ast **out,
		       struct vg_parse_error *err);
/* Parses a lone field reference with optional transformers ("proc.aname[2]",
 * "tolower(proc.name)"), as used in exceptions and outputs. *used is set to
 * the bytes consumed. */
int vg_parse_field(struct vg_arena *a, const char *text, size_t len, struct vg_ast_field *out,
		   size_t *used, struct vg_parse_error *err);
const char *vg_op_name(enum vg_op op);
/* the operator written as text ("=", "in", "startswith" ...); -1 if unknown */
int vg_op_from_text(const char *s, size_t len);
const char *vg_xform_name(enum vg_xform xf);

#endif
