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
#include "ph/ph_classify.h"
#include "ph/ph_incident_types.h"

struct vg_event;

struct vg_ph_incidents;

int vg_ph_incidents_new(struct vg_ph_incidents **out, const char *hostname,
			int64_t boot_to_wall_ns, vg_alert_fn fn, void *ctx);
void vg_ph_incidents_free(struct vg_ph_incidents *in);
void vg_ph_incidents_set_proc(struct vg_ph_incidents *in, vg_ph_proc_fn fn, void *ctx);
/* Whether a process's parent the table does not know yet (its fork event
 * comes through another ring) is read from /proc/PID/stat: on in the
 * monitor, off by default (pids made up by a test are not this machine's). */
void vg_ph_incidents_read_proc_parents(struct vg_ph_incidents *in, int on);
/* The report delay (first anomaly → alert) and the quiet gap that ends an
 * episode; 0 keeps the default. */
void vg_ph_incidents_set_timing(struct vg_ph_incidents *in, uint64_t hold_ns, uint64_t gap_ns);
/* The evidence threshold (the model's ph_episode_lfc(), docs/ph.md): an
 * episode is reported once its task's LFC reaches it, or at once when it
 * holds a dangerous call (Critical: exec, connect, ptrace, a socket put
 * on 0-2, a W+X mapping, a module load) or a response; an episode that
 * ends below it is counted (below_threshold), not reported. 1: every
 * episode (the default of vg_ph_incidents_new()). */
void vg_ph_incidents_set_threshold(struct vg_ph_incidents *in, uint32_t episode_lfc);
/* The alert scope and the watch list (absolute paths, always reported).
 * Returns 0 or -EINVAL (a path that is not absolute, or too many). */
int vg_ph_incidents_set_scope(struct vg_ph_incidents *in, enum vg_ph_scope scope,
			      const char *const *watch, unsigned nwatch);
/* 1 if alerts about pid (running the file `ino`) are reported. */
int vg_ph_incidents_in_scope(struct vg_ph_incidents *in, uint32_t pid, uint64_t ino);
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

void vg_ph_incidents_stats(const struct vg_ph_incidents *in, struct vg_ph_incident_stats *st);

#endif
