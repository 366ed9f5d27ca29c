/* pH incidents: the anomaly records of one task episode become ONE alert.
 *
 * The kernel sends a record per anomalous call (an n-gram model flags the
 * novel call and the n - 1 calls after it, so one new call makes up to 12
 * records). An operator wants one alert per thing that happened: which
 * program (by path, with its command line, parent, user, container), which
 * calls were outside its profile and after what, what the process did
 * around it according to the sensor (files opened, connects, execs), and a
 * severity from what the calls do rather than from the LFC.
 *
 * An episode is the anomalies of one task (thread) of one executable with
 * gaps shorter than `gap_ns`. It is reported `hold_ns` after its first
 * anomaly (so the calls that follow within that time, and the sensor's
 * events, are in it; when the sensor's ring lags, until its events reach
 * that point, at most VG_PH_INCIDENT_MAX_HOLD_NS), or earlier when the
 * table is full. The process is
 * looked up when the episode is reported: by then the sensor's exec event
 * (another ring) has reached the process table. Anomalies that come
 * after the report stay in the same episode silently, unless they raise its
 * severity: then one update is reported. */
#ifndef VIGIL_PH_INCIDENT_H
#define VIGIL_PH_INCIDENT_H

#include <stddef.h>
#include <stdint.h>

#include <vigil/ph_events.h>

#include "output/alert.h"
#include "output/fields.h"

struct vg_event;

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
typedef void (*vg_ph_incident_fn)(void *ctx, const struct vg_alert *a);

enum vg_ph_severity {
	VG_PH_SEV_WARNING = 0, /* calls outside the profile */
	VG_PH_SEV_ERROR = 1,   /* a burst (LFC over the tolerize limit), or a risky call */
	VG_PH_SEV_CRITICAL = 2 /* the calls exec, connect, inject, load modules ... */
};

struct vg_ph_incidents;

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

int vg_ph_incidents_new(struct vg_ph_incidents **out, const char *hostname,
			int64_t boot_to_wall_ns, vg_ph_incident_fn fn, void *ctx);
void vg_ph_incidents_free(struct vg_ph_incidents *in);
void vg_ph_incidents_set_proc(struct vg_ph_incidents *in, vg_ph_proc_fn fn, void *ctx);
/* The report delay (first anomaly → alert) and the quiet gap that ends an
 * episode; 0 keeps the default. */
void vg_ph_incidents_set_timing(struct vg_ph_incidents *in, uint64_t hold_ns, uint64_t gap_ns);
/* The alert scope and the watch list (absolute paths, always reported).
 * Returns 0 or -EINVAL (a path that is not absolute, or too many). */
int vg_ph_incidents_set_scope(struct vg_ph_incidents *in, enum vg_ph_scope scope,
			      const char *const *watch, unsigned nwatch);
/* 1 if alerts about pid (running the file `ino`) are reported. */
int vg_ph_incidents_in_scope(struct vg_ph_incidents *in, uint32_t pid, uint64_t ino);
/* 1 for the programs the services scope leaves quiet (by file name;
 * ph_classify.c). */
int vg_ph_quiet_program(const char *exe_path);
/* A checked anomaly, burst or response record. `now_ns` is CLOCK_BOOTTIME. */
void vg_ph_incidents_record(struct vg_ph_incidents *in, const struct ph_alert_event *e,
			    uint64_t now_ns);
/* A sensor event: the kinds an incident lists (opens, connects, execs,
 * dups, W+X mappings, ptrace, module loads ...) are remembered briefly. */
void vg_ph_incidents_event(struct vg_ph_incidents *in, const struct vg_event *ev);
/* Reports the episodes that are due and ends the quiet ones. */
void vg_ph_incidents_tick(struct vg_ph_incidents *in, uint64_t now_ns);
/* The path of pid's executable if it is still the file `ino` (from the
 * process table, else /proc/PID/exe), or NULL. */
const char *vg_ph_incidents_exe_of(struct vg_ph_incidents *in, uint32_t pid, uint64_t ino);
/* The path the last exec of (dev, ino) named, or NULL. */
const char *vg_ph_incidents_known_exe(const struct vg_ph_incidents *in, uint64_t dev,
				      uint64_t ino);
/* Reports every open episode now (at exit). */
void vg_ph_incidents_flush(struct vg_ph_incidents *in);

/* Severity of a novel call by itself (the sensor's events can raise dup2
 * and mprotect): exported for the tests. */
enum vg_ph_severity vg_ph_call_severity(const char *call);
/* Why a call is risky ("runs a program"), or NULL (ph_classify.c). */
const char *vg_ph_call_why(const char *call);

struct vg_ph_incident_stats {
	uint64_t incidents; /* alerts reported (updates included) */
	uint64_t updates;   /* of which severity updates */
	uint64_t records;   /* anomaly records folded into episodes */
	uint64_t evicted;   /* episodes reported early: table full */
	uint64_t out_of_scope; /* episodes of programs outside the alert scope */
};
void vg_ph_incidents_stats(const struct vg_ph_incidents *in, struct vg_ph_incident_stats *st);

#endif
