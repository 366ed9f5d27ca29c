/* An alert, or a raw event in the same shape, and its two renderings:
 * a text line and Falco's JSON (time, rule, priority, output,
 * output_fields, tags, hostname, source). */
#ifndef VIGIL_OUTPUT_ALERT_H
#define VIGIL_OUTPUT_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include "output/fields.h"

struct vg_alert {
	uint64_t time_ns;     /* wall clock, ns since the epoch */
	const char *rule;     /* the rule name; for raw events the event type */
	const char *priority; /* Falco's names: "Emergency" ... "Debug" */
	const char *output;   /* the message */
	const struct vg_fields *fields;
	const char *const *tags;
	int ntags;
	const char *source; /* "syscall" */
	const char *hostname;
};

/* "2026-11-22T02:30:00.123456789Z" */
void vg_format_time(char *buf, size_t size, uint64_t wall_ns);
/* The raw-event message: "openat pid=1 comm=cat fd.name=/etc/passwd ..."
 * with non-printable bytes escaped so it stays one line. */
size_t vg_format_fields(char *buf, size_t size, const struct vg_fields *f);
/* One line (no newline) into buf; returns its length (truncated at size). */
/* The one alert callback: every detector (rules, pH, auth, the deny list,
 * self-protection) and the repeat folder hand alerts on through it. An
 * alert of priority "Debug" is a raw event (a PAM call with --events): it
 * goes to the outputs, but is not counted or folded as an alert. */
typedef void (*vg_alert_fn)(void *ctx, const struct vg_alert *a);

size_t vg_alert_text(char *buf, size_t size, const struct vg_alert *a);
/* One JSON object (no newline), always valid UTF-8; returns a malloc'ed
 * string the caller frees, or NULL on allocation failure. */
char *vg_alert_json(const struct vg_alert *a);

/* Length of the valid UTF-8 sequence at s (left bytes available), or 0. */
size_t vg_utf8_seq(const unsigned char *s, size_t left);

/* Copies len bytes of s as valid UTF-8: each invalid byte becomes U+FFFD.
 * Returns the output length; out must hold 3 * len + 1 bytes. */
size_t vg_utf8_sanitize(char *out, const char *s, size_t len);

#endif
