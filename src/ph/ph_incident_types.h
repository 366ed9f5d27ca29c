/* pH incidents: the types and limits shared by the public interface
 * (ph_incident.h), the episode table inside (ph_episode.h) and the call
 * classes (ph_classify.h). A leaf of src/ph: it includes only the alert
 * (for the callback type every detector shares). */
#ifndef VIGIL_PH_INCIDENT_TYPES_H
#define VIGIL_PH_INCIDENT_TYPES_H

#include <stdint.h>

#include "output/alert.h"

#define VG_PH_INCIDENT_HOLD_NS (40ull * 1000000ull)	 /* report 40 ms after the first anomaly */
#define VG_PH_INCIDENT_MAX_HOLD_NS (90ull * 1000000ull) /* ... or later, when the sensor lags */
#define VG_PH_INCIDENT_GAP_NS (2000ull * 1000000ull) /* quiet this long: the episode ends */
#define VG_PH_INCIDENT_SLOTS 256			 /* episodes open at once */
#define VG_PH_INCIDENT_CALLS 24				 /* distinct novel calls listed */
#define VG_PH_RECENT_EVENTS 2048 /* sensor events remembered, all processes */
#define VG_PH_RECENT_BEFORE_NS (2000ull * 1000000ull) /* events this long before the episode */
#define VG_PH_INCIDENT_EVENTS 8	      /* events listed per incident */

/* What the monitor's process table says about a process; strings may be
 * NULL. Filled by the caller's lookup function. */
struct vg_ph_proc_info {
	const char *exe;     /* executable path */
	const char *cmdline; /* "name arg1 arg2" */
	const char *pname;   /* parent's name */
	const char *user;    /* user name */
	const char *container_id;
	uint32_t ppid;
	int64_t uid;	  /* -1 unknown */
	uint64_t exe_ino; /* the inode of exe, 0 unknown: checked against the record's */
	int has_tty;	  /* a controlling terminal: run by a person, not a service */
};
/* Returns 0 and fills *out (strings valid until the next call), or -ENOENT. */
typedef int (*vg_ph_proc_fn)(void *ctx, uint32_t pid, struct vg_ph_proc_info *out);
/* Called with each incident; the alert is valid during the call only. */

enum vg_ph_severity {
	VG_PH_SEV_WARNING = 0, /* calls outside the profile */
	VG_PH_SEV_ERROR = 1,   /* a burst (LFC over the tolerize limit), or a risky call */
	VG_PH_SEV_CRITICAL = 2 /* the calls exec, connect, inject, load modules ... */
};

/* Which programs' incidents are reported (pH learns every program). */
enum vg_ph_scope {
	/* long-running programs that serve the network or run as services:
	 * a program seen listening or accepting, or a process without a
	 * terminal whose parent is pid 1; shells, interpreters, compilers and
	 * coreutils never, unless watched */
	VG_PH_SCOPE_SERVICES = 0,
	VG_PH_SCOPE_ALL = 1,	 /* every program */
	VG_PH_SCOPE_WATCHED = 2, /* only the watch list */
};
#define VG_PH_WATCH_MAX 256

struct vg_ph_incident_stats {
	uint64_t incidents; /* alerts reported (updates included) */
	uint64_t updates;   /* of which severity updates */
	uint64_t records;   /* anomaly records folded into episodes */
	uint64_t evicted;   /* episodes reported early: table full */
	uint64_t out_of_scope; /* episodes of programs outside the alert scope */
	/* episodes that ended below the evidence threshold (an LFC under
	 * the model's evidence and no dangerous call): not reported */
	uint64_t below_threshold;
	/* processes whose anomalies joined their parent's or child's episode
	 * (one incident for an attack that forks) */
	uint64_t family_joined;
};

#endif
