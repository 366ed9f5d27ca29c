/* pH alert records from the kernel (include/vigil/ph_events.h) → vigil
 * alerts (Falco's shape): checked, then rendered with syscall names. */
#ifndef VIGIL_PH_ALERT_H
#define VIGIL_PH_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include <vigil/ph_events.h>

#include "output/alert.h"
#include "output/fields.h"

/* One rendered alert and the buffers its strings point into. Valid until
 * the next vg_ph_alert_render() on the same struct. */
struct vg_ph_alert {
	struct vg_alert alert;
	struct vg_fields fields;
	const char *tags[2];
	char comm[PH_EV_COMM_LEN + 1];
	char call[32];
	char window[PH_EV_WINDOW * 32];
	char exe_id[64]; /* "MAJOR:MINOR:INODE" */
	char exe[512];	 /* the path when known, else exe_id */
	char ino[24];
	char output[2048];
};

/* Checks a raw record from the ring: size, kind and window length.
 * Returns 0, or -EINVAL with *why naming the problem. */
int vg_ph_record_check(const void *data, size_t size, const char **why);
/* Renders a checked record. boot_to_wall_ns turns its CLOCK_BOOTTIME stamp
 * into wall time; exe_path (NULL: unknown) names the program, else its
 * identifier "MAJOR:MINOR:INODE" does. Anomaly records are normally folded
 * into incidents (ph_incident.h) rather than rendered one by one. */
void vg_ph_alert_render(struct vg_ph_alert *out, const struct ph_alert_event *e,
			int64_t boot_to_wall_ns, const char *hostname, const char *exe_path);
/* "kill" or "stop" for the response's signal. */
const char *vg_ph_response_name(uint32_t sig);
/* "training", "frozen" or "normal" for profile status bits. */
const char *vg_ph_state_name(uint32_t status);

/* The name of a symbol of pH's sequences: a system call's name,
 * io_uring:IORING_OP_* for an io_uring request, else syscall_N. */
void vg_ph_call_name(char *buf, size_t size, unsigned nr);

#endif
