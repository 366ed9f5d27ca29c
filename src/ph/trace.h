/* Recorded system-call traces for `vigil replay`: ADFA-LD files (one trace
 * per file, one line of space-separated call numbers) and the UNM sets
 * (lines "PID SYSCALL", every PID one trace, usually gzip'd). Library code:
 * errors come back with the line and the problem, the caller prints them. */
#ifndef VIGIL_PH_TRACE_H
#define VIGIL_PH_TRACE_H
#include <stddef.h>
#include <stdint.h>

enum ph_trace_format {
	PH_TRACE_ADFA,
	PH_TRACE_UNM,
};

#define PH_TRACE_CALL_MAX 1023      /* highest system-call number accepted */
#define PH_TRACE_LINE_MAX (1u << 20) /* longest line accepted, bytes */

struct ph_trace_error {
	unsigned long line; /* 1-based; 0 when the problem is not on a line */
	char msg[128];
};

/* Called for every system call in file order; pid is 0 for ADFA. A negative
 * return stops the parse and is returned as is. */
typedef int (*ph_trace_call_fn)(void *ctx, uint32_t pid, uint32_t call);

/* "adfa" / "unm" -> format; 0 or -EINVAL. */
int ph_trace_format_parse(const char *name, enum ph_trace_format *fmt);

/* Parse one line (without its newline). Returns 0 or -EINVAL with err->msg
 * set (err->line is left to the caller). */
int ph_trace_parse_line(enum ph_trace_format fmt, const char *line, size_t len,
			ph_trace_call_fn fn, void *ctx, struct ph_trace_error *err);

/* Parse a whole file held in memory. Returns the number of calls (>= 0) or a
 * negative errno with err filled in. An ADFA trace without calls is an error. */
long ph_trace_parse_buf(enum ph_trace_format fmt, const char *buf, size_t len,
			ph_trace_call_fn fn, void *ctx, struct ph_trace_error *err);

/* Read a file, plain or gzip'd, with the same parser. */
long ph_trace_read_file(enum ph_trace_format fmt, const char *path, ph_trace_call_fn fn, void *ctx,
			struct ph_trace_error *err);

#endif
