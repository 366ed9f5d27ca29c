/* The audit's verdict on one BPF object: expected, or suspicious and why.
 * Pure logic over what the inventory found, so it is unit-tested alone. */
#ifndef VIGIL_AUDIT_VERDICT_H
#define VIGIL_AUDIT_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "audit/inventory.h"

struct vg_audit_policy {
	/* programs allowed to hold BPF objects, by process name (comm); an
	 * entry ending in '*' is a prefix. NULL: the default list. */
	const char *const *allow;
	size_t nallow;
};

/* The built-in allow list (vigil, systemd and its services, container
 * runtimes, known agents; not bpftool). */
extern const char *const vg_audit_default_allow[];
extern const size_t vg_audit_default_nallow;

bool vg_audit_allowed(const struct vg_audit_policy *p, const char *comm);
/* Sets o->verdict and o->reason. */
void vg_bpf_verdict(struct vg_bpf_obj *o, const struct vg_audit_policy *p);

#endif
