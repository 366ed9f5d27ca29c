/* The engine's store, at the bottom of the pipeline: the struct every stage
 * works on (definitions, diagnostics, and the compiled and indexed state
 * the evaluator reads), its tables of lists, macros and rules by name, its
 * diagnostics, and positions in the rules files. Every later stage calls
 * down into this; it calls none of them.
 *
 * The pipeline, each stage calling only the ones before it:
 *   defs.h (definitions) -> yaml_load.c, load_*.c (YAML -> definitions)
 *   -> compile.c with cctx.c, lists.c, operands.c, exceptions.c, template.c
 *      (definitions -> trees, tree.h) -> optimize.c -> program.c
 *   -> evtindex.c -> eval.c, format.c; engine.c is the façade (rules.h). */
#ifndef VIGIL_RULES_STORE_H
#define VIGIL_RULES_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "rules/arena.h"
#include "rules/defs.h"
#include "rules/rules.h"

struct vg_def_table; /* name -> index, per kind (store.c) */
struct vg_indexed;   /* evtindex.h */
struct vg_field_cache;	     /* eval.h */
struct vg_field_ref;
struct vg_regex;

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

#endif
