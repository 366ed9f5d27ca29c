/* Self-protection (VG-083): alerts when another process signals or
 * ptraces the monitor, or removes one of its BPF links; at start-up, a
 * warning and an alert when another copy of vigil runs. Fed from the
 * monitor's event callback and its loop. */
#ifndef VIGIL_AUDIT_SELF_PROTECT_H
#define VIGIL_AUDIT_SELF_PROTECT_H

#include <stdint.h>
#include <sys/types.h>

#include "output/alert.h"

struct vg_alert;
struct vg_event;
struct vg_sensor;
struct vg_selfprot;


#define VG_SP_MAX_LINKS 64 /* links of ours watched */

/* Records our links (the bpf_link descriptors this process holds) and
 * looks for other copies of vigil. Call after the sensor is attached. */
int vg_sp_open(struct vg_selfprot **out, const char *hostname, vg_alert_fn fn, void *ctx);
void vg_sp_free(struct vg_selfprot *sp);
/* Keeps the syscalls it watches (kill, tkill, tgkill, ptrace, bpf) routed
 * whatever the rules narrowed. */
void vg_sp_routes(struct vg_sensor *s);
void vg_sp_event(struct vg_selfprot *sp, const struct vg_event *ev, uint64_t wall_ns);
/* Checks that each of our links still exists; call about once a second. */
void vg_sp_tick(struct vg_selfprot *sp, uint64_t wall_ns);
/* Events lost so far (the sensor's drops and shed records): VG_SP_DROP_ALERT
 * or more within VG_SP_DROP_WINDOW_S seconds is an alert ("vigil events
 * dropped"), once per window: a flood that blinds the monitor is an attack
 * on it. Call about once a second. */
#define VG_SP_DROP_ALERT 1000
#define VG_SP_DROP_WINDOW_S 10
void vg_sp_drops(struct vg_selfprot *sp, uint64_t dropped_total, uint64_t wall_ns);
/* Another `vigil run` process (not pid self), or 0. Exposed for tests. */
pid_t vg_sp_other_copy(pid_t self, char *exe, size_t size);

#endif
