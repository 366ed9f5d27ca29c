/* The dashboard's memory of alerts: the last VG_WEB_ALERTS_MAX alerts
 * (each as its Falco JSON with an id and the process's ancestry, rendered
 * once when raised), and alerts per priority for each of the last
 * VG_WEB_MINUTES minutes. Memory is bounded: old alerts are dropped first. */
#ifndef VIGIL_WEB_WEB_ALERTS_H
#define VIGIL_WEB_WEB_ALERTS_H

#include <stdint.h>

#include <json-c/json.h>

#include "output/alert.h"
#include "proc/proctable.h"

#define VG_WEB_ALERTS_MAX 10000 /* about 1-2 KiB each */
#define VG_WEB_MINUTES 60
#define VG_WEB_PRIORITIES 8 /* Emergency .. Debug, Falco's order */

struct vg_web_alert {
	uint64_t id; /* 1, 2, ... in order raised */
	uint32_t pid;
	uint64_t ph_ino; /* pH alerts: the profile's executable inode (ph.exe_ino), else 0 */
	char *json; /* {"id":N,"alert":{Falco's},"ancestry":[...]} */
};

struct vg_web_alerts {
	struct vg_web_alert ring[VG_WEB_ALERTS_MAX];
	uint64_t next_id; /* id of the next alert */
	uint64_t minute[VG_WEB_MINUTES]; /* which minute (since the epoch) each row counts */
	uint64_t by_minute[VG_WEB_MINUTES][VG_WEB_PRIORITIES];
	uint64_t by_priority[VG_WEB_PRIORITIES]; /* since start */
};

/* 0 Emergency ... 7 Debug; unknown names count as Debug. */
int vg_web_priority_index(const char *name);
extern const char *const vg_web_priority_names[VG_WEB_PRIORITIES];

void vg_web_alerts_init(struct vg_web_alerts *s);
void vg_web_alerts_free(struct vg_web_alerts *s);
/* Keeps a; procs (may be NULL) gives the ancestry of its proc.pid. */
void vg_web_alerts_add(struct vg_web_alerts *s, const struct vg_alert *a,
		       struct vg_proctable *procs);
/* The stored alert with this id, or NULL (never raised, or dropped). */
const struct vg_web_alert *vg_web_alerts_get(const struct vg_web_alerts *s, uint64_t id);
/* Alerts of pid among those kept. */
unsigned vg_web_alerts_of_pid(const struct vg_web_alerts *s, uint32_t pid);
/* {"minutes":[t...],"Emergency":[n...],...} for the last VG_WEB_MINUTES
 * minutes up to now_s (oldest first). */
struct json_object *vg_web_alerts_history(const struct vg_web_alerts *s, uint64_t now_s);

#endif
