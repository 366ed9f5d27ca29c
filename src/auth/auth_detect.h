/* Authentication detections from finished PAM calls: "Authentication
 * failure" (VG-070), "Password brute force" (VG-071), "Login after
 * failures" (VG-072), and the raw events (--events) in the same shape.
 * Pure user-space logic: no BPF here, so the window logic is unit-tested. */
#ifndef VIGIL_AUTH_DETECT_H
#define VIGIL_AUTH_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vigil/auth_events.h>

#include "output/alert.h"
#include "output/fields.h"

#define VG_AUTH_FAILURES_DEFAULT 5u
#define VG_AUTH_FAILURES_MAX 1000u
#define VG_AUTH_WINDOW_DEFAULT_S 60u
#define VG_AUTH_WINDOW_MAX_S 86400u
#define VG_AUTH_KEYS_DEFAULT 4096u /* users, hosts and services followed */

/* One finished PAM call, strings terminated (empty when unknown). */
struct vg_auth_attempt {
	uint64_t time_ns; /* wall clock */
	uint64_t mono_ns; /* a monotonic clock for the windows (CLOCK_BOOTTIME) */
	int kind;	  /* enum auth_ev_kind */
	int result;	  /* PAM return code */
	uint32_t pid, tid, uid;
	const char *comm, *exepath;
	const char *service, *user, *ruser, *rhost, *tty;
};

struct vg_auth_detect_opts {
	unsigned failures;  /* N: failures that make a burst */
	uint64_t window_s;  /* T: within this many seconds */
	unsigned max_keys;  /* limit on followed keys; the stalest goes first */
	const char *hostname;
};

/* One rendered alert or event and the buffers its strings point into;
 * valid during the callback only. */
struct vg_auth_alert {
	struct vg_alert alert;
	struct vg_fields fields;
	const char *tags[4];
	char result[32];
	char output[1536];
};


struct vg_auth_detect;

int vg_auth_detect_new(struct vg_auth_detect **out, const struct vg_auth_detect_opts *o);
void vg_auth_detect_free(struct vg_auth_detect *d);
/* Feeds one finished call: alerts go to fn. With events, the call itself
 * goes to fn first as a raw event (priority Debug). Returns the number of
 * alerts raised. */
int vg_auth_detect_feed(struct vg_auth_detect *d, const struct vg_auth_attempt *a, bool events,
			vg_alert_fn fn, void *ctx);
/* Keys followed now (for tests and stats). */
size_t vg_auth_detect_keys(const struct vg_auth_detect *d);

/* "success", "auth_err", "user_unknown", ... or "pam_error_N". */
const char *vg_pam_result_name(int code, char *buf, size_t size);
/* "pam_authenticate", ... or NULL for an unknown kind. */
const char *vg_auth_kind_name(int kind);
/* Whether a result of this call counts as a failed authentication. */
bool vg_auth_is_failure(int kind, int result);

#endif
