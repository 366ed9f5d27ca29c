/* Which event types can a condition match? As Falco does: evt.type checks
 * give sets, "and" intersects, "or" unites, "not" complements (De Morgan
 * under negation), and any other check allows every type. (tree.h) */
#include "rules/tree.h"

void vg_node_evtypes(const struct vg_node *n, bool negated, struct vg_evtset *out)
{
	struct vg_evtset kid;

	switch (n->kind) {
	case VG_N_EVTYPE:
		*out = *n->evts;
		if (negated)
			vg_evtset_complement(out);
		return;
	case VG_N_NOT:
		vg_node_evtypes(n->kid, !negated, out);
		return;
	case VG_N_AND:
	case VG_N_OR: {
		/* under negation, "and" becomes "or" and the reverse */
		bool unite = (n->kind == VG_N_OR) != negated;

		vg_node_evtypes(n->kids[0], negated, out);
		for (uint32_t i = 1; i < n->n; i++) {
			vg_node_evtypes(n->kids[i], negated, &kid);
			if (unite)
				vg_evtset_union(out, &kid);
			else
				vg_evtset_intersect(out, &kid);
		}
		return;
	}
	case VG_N_FALSE:
		if (!negated) {
			vg_evtset_clear(out);
			return;
		}
		break;
	case VG_N_TRUE:
	case VG_N_CHECK:
		break;
	}
	vg_evtset_fill(out);
}
