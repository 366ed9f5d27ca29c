/* Rule actions: SIGKILL a process, or its process group, when a rule with
 * "action: kill" / "action: kill_pgroup" matches (vigil run --response).
 * Never vigil itself, pid 1 or kernel threads; the victim is pinned with a
 * pidfd and checked against the start time the process table knows, so a
 * reused pid is never hit. */
#ifndef VIGIL_RESPONSE_KILL_H
#define VIGIL_RESPONSE_KILL_H

#include <stdbool.h>
#include <stdint.h>

#include "rules/rules.h"

/* What was done, for the alert's vigil.action field. */
struct vg_action_result {
	char what[96];	    /* "killed", "refused(pid 1)", "disabled", "failed(...)" */
	int64_t latency_us; /* event (kernel time) to signal sent; -1 if none sent */
};

struct vg_killer {
	bool enabled;	  /* --response: act; otherwise only say what would be done */
	uint32_t self;	  /* vigil's pid */
	uint32_t self_pgrp; /* vigil's process group */
	const char *proc; /* "/proc", or a test's copy */
};

/* Defaults for this process (enabled as given). */
void vg_killer_init(struct vg_killer *k, bool enabled);

/* Applies action a to process pid for an event at event_ns (CLOCK_BOOTTIME).
 * start_ns is the process's start time (CLOCK_BOOTTIME) as vigil knows it,
 * 0 if unknown. Returns 0 when the signal was sent, otherwise a negative
 * errno (-EPERM: refused by policy, -ECANCELED: disabled); out says why. */
int vg_killer_act(const struct vg_killer *k, enum vg_rule_action a, uint32_t pid,
		  uint64_t start_ns, uint64_t event_ns, struct vg_action_result *out);

/* The fields of /proc/PID/stat that decide whether a process may be killed.
 * Exposed for the unit test. Returns 0 or -EINVAL if line is malformed. */
struct vg_stat_view {
	uint32_t pgrp;
	uint32_t flags;	    /* PF_* */
	uint64_t starttime; /* clock ticks since boot */
};
int vg_parse_proc_stat(const char *line, struct vg_stat_view *out);

#endif
