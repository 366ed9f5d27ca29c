/* Detection: the rule set the monitor runs on every event, and the alerts
 * it raises. Loading checks the whole set first, so a broken reload never
 * replaces a working set. */
#ifndef VIGIL_MONITOR_DETECT_H
#define VIGIL_MONITOR_DETECT_H

#include <stdbool.h>
#include <stdint.h>

#include "monitor/detector.h"
#include "output/alert.h"
#include "sensor/event.h"
#include "util/macros.h"

struct vg_detect;
struct vg_proctable;
struct vg_usercache;
struct vg_sensor;

/* Loads and compiles the rule files in order (later files override earlier
 * ones). Every diagnostic is printed, with file, line and column. Returns 0,
 * or -EINVAL when a file has errors (nothing is kept). */
int vg_detect_load(struct vg_detect **out, const char *const *files, unsigned nfiles);
void vg_detect_free(struct vg_detect *d);
/* Whether the files load (0), printing what is wrong; nothing is kept. */
int vg_detect_check(const char *const *files, unsigned nfiles);

/* Where the extractor finds what the record alone does not carry. */
void vg_detect_bind(struct vg_detect *d, struct vg_proctable *procs, struct vg_usercache *users,
		    const char *hostname);

/* Rule actions (kill, kill_pgroup) go through k; without one (NULL, the
 * default) rules with actions only alert, and the alert says so. */
struct vg_killer;
void vg_detect_set_killer(struct vg_detect *d, const struct vg_killer *k);

/* Narrows the kernel's route table to the syscalls some enabled rule can
 * match. Returns how many syscalls stay routed. */
int vg_detect_narrow(const struct vg_detect *d, struct vg_sensor *s);

/* Runs the rules that can match ev; calls fn for each alert. Returns the
 * number of alerts. */
int vg_detect_event(struct vg_detect *d, const struct vg_event *ev, uint64_t wall_ns,
		    vg_alert_fn fn, void *ctx);

/* Rules loaded (0 for NULL), for `vigil status`. */
unsigned vg_detect_rule_count(const struct vg_detect *d);

/* A rule match that could not be run (the regex engine failed) is taken as
 * "no match" and counted per rule: vg_detect_tick logs new ones, at most
 * once per rule per VG_DETECT_FAILURE_LOG_NS; call it about once a second.
 * NULL is fine. */
#define VG_DETECT_FAILURE_LOG_NS (60ull * NSEC_PER_SEC)
void vg_detect_tick(struct vg_detect *d, uint64_t now_ns);

/* The "rules" section of `vigil status`: rules loaded, match failures in
 * all and by rule. d may be NULL (no rules). */
struct json_object;
int vg_detect_status(const struct vg_detect *d, struct json_object *sec);

#endif
