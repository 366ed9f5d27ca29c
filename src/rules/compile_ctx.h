/* The compiler's context for one item (a rule, a macro): its text for
 * positions, its diagnostics, and the resolution of the fields it names
 * against the registry (fields.h) into refs shared by the whole engine. */
#ifndef VIGIL_RULES_COMPILE_CTX_H
#define VIGIL_RULES_COMPILE_CTX_H

#include <stdbool.h>
#include <stdint.h>

#include "rules/ast.h"
#include "rules/store.h"

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

/* An error at byte pos of cc's text (or at cc->loc without text); only the
 * first of an item is reported, later ones are usually its consequences. */
void vg_cc_error(struct vg_cctx *cc, uint32_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The item needs something vigil does not provide: skipped, not failed. */
void vg_cc_skip(struct vg_cctx *cc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* From the engine's arena; an "out of memory" error when it fails. */
void *vg_cc_alloc(struct vg_cctx *cc, size_t size);
/* The interned ref of a field as written (name, argument); NULL after an
 * error or a skip. */
const struct vg_field_ref *vg_resolve_field(struct vg_cctx *cc, const struct vg_ast_field *f);
/* Type of a field after its transformers; VG_FT_NONE (and an error) if a
 * transformer does not apply. */
enum vg_ftype vg_cc_xform_type(struct vg_cctx *cc, const struct vg_ast_field *af, enum vg_ftype t);

/* in, intersects, pmatch: operators that take a list of values */
static inline bool vg_op_is_list(enum vg_op op)
{
	return op == VG_OP_IN || op == VG_OP_INTERSECTS || op == VG_OP_PMATCH;
}

#endif
