/* Eval stage: an event's fields fetched once into slots, each rule's
 * program run over them (vg_rules_eval in rules.h). */
#ifndef VIGIL_RULES_EVAL_H
#define VIGIL_RULES_EVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "rules/store.h"
#include "rules/tree.h"

#define VG_XFORM_BUF 65536 /* scratch for transformed strings, per event */

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

bool vg_eval_node(struct vg_rules *rs, const struct vg_node *n);
int vg_fetch(struct vg_rules *rs, const struct vg_field_ref *ref, const struct vg_value **vals);
int vg_eval_setup(struct vg_rules *rs);

#endif
