/* Trace parsing. One line parser serves the file reader and the in-memory
 * parser the fuzz target drives, so both see the same rules. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "ph/trace.h"
#include "util/safe_file.h"

static int trace_fail(struct ph_trace_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int trace_fail(struct ph_trace_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int ph_trace_format_parse(const char *name, enum ph_trace_format *fmt)
{
	if (!strcmp(name, "adfa"))
		*fmt = PH_TRACE_ADFA;
	else if (!strcmp(name, "unm"))
		*fmt = PH_TRACE_UNM;
	else
		return -EINVAL;
	return 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Read the decimal number at line[*pos], at most max. */
static int trace_number(const char *line, size_t len, size_t *pos, uint32_t max, uint32_t *out,
			const char *what, struct ph_trace_error *err)
{
	size_t i = *pos;
	uint64_t v = 0;

	if (line[i] < '0' || line[i] > '9')
		return trace_fail(err, "column %zu: expected a %s, found %s", i + 1, what,
				  line[i] >= 0x21 && line[i] < 0x7f ? "a stray character"
								    : "a control byte");
	for (; i < len && line[i] >= '0' && line[i] <= '9'; i++) {
		v = v * 10 + (uint64_t)(line[i] - '0');
		if (v > max)
			return trace_fail(err, "column %zu: %s larger than %u", *pos + 1, what, max);
	}
	if (i < len && !is_space(line[i]))
		return trace_fail(err, "column %zu: unexpected character after the %s", i + 1,
				  what);
	*pos = i;
	*out = (uint32_t)v;
	return 0;
}

static size_t skip_space(const char *line, size_t len, size_t i)
{
	while (i < len && is_space(line[i]))
		i++;
	return i;
}

int ph_trace_parse_line(enum ph_trace_format fmt, const char *line, size_t len,
			ph_trace_call_fn fn, void *ctx, struct ph_trace_error *err)
{
	size_t i = skip_space(line, len, 0);
	uint32_t pid = 0, call;
	int ret;

	if (fmt == PH_TRACE_UNM) {
		if (i == len)
			return 0; /* blank line */
		ret = trace_number(line, len, &i, UINT32_MAX, &pid, "PID", err);
		if (ret)
			return ret;
		i = skip_space(line, len, i);
		if (i == len)
			return trace_fail(err, "expected \"PID SYSCALL\", the system call is missing");
		ret = trace_number(line, len, &i, PH_TRACE_CALL_MAX, &call, "system call number",
				   err);
		if (ret)
			return ret;
		if (skip_space(line, len, i) != len)
			return trace_fail(err, "expected \"PID SYSCALL\", found more fields");
		return fn(ctx, pid, call);
	}
	while (i < len) {
		ret = trace_number(line, len, &i, PH_TRACE_CALL_MAX, &call, "system call number",
				   err);
		if (ret)
			return ret;
		ret = fn(ctx, 0, call);
		if (ret)
			return ret;
		i = skip_space(line, len, i);
	}
	return 0;
}

/* Counts calls on their way to the caller's callback. */
struct trace_counter {
	ph_trace_call_fn fn;
	void *ctx;
	long calls;
};

static int trace_count_call(void *ctx, uint32_t pid, uint32_t call)
{
	struct trace_counter *c = ctx;

	c->calls++;
	return c->fn(c->ctx, pid, call);
}

static long trace_finish(enum ph_trace_format fmt, const struct trace_counter *c,
			 struct ph_trace_error *err)
{
	if (fmt == PH_TRACE_ADFA && c->calls == 0) {
		err->line = 0;
		return trace_fail(err, "no system calls in the trace");
	}
	return c->calls;
}

long ph_trace_parse_buf(enum ph_trace_format fmt, const char *buf, size_t len,
			ph_trace_call_fn fn, void *ctx, struct ph_trace_error *err)
{
	struct trace_counter c = { fn, ctx, 0 };
	size_t start = 0;

	err->line = 0;
	err->msg[0] = '\0';
	while (start < len) {
		const char *nl = memchr(buf + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - buf) : len;
		int ret;

		err->line++;
		if (end - start > PH_TRACE_LINE_MAX)
			return trace_fail(err, "line longer than %u bytes", PH_TRACE_LINE_MAX);
		ret = ph_trace_parse_line(fmt, buf + start, end - start, trace_count_call, &c, err);
		if (ret)
			return ret;
		start = end + 1;
	}
	return trace_finish(fmt, &c, err);
}

/* Buffered line reader over gzread (which also reads uncompressed files).
 * gzread rather than gzgets so that a NUL byte cannot hide part of a line. */
struct trace_reader {
	gzFile gz;
	size_t pos, len;
	char buf[65536];
};

/* Read one line, without its newline, into *line (grown as needed, at most
 * PH_TRACE_LINE_MAX). Returns its length, -1 at end of file, or a negative
 * errno other than -1 with err->msg set. */
static long trace_getline(struct trace_reader *r, char **line, size_t *cap,
			  struct ph_trace_error *err)
{
	size_t len = 0;
	int any = 0;

	for (;;) {
		const char *nl;
		size_t n;

		if (r->pos == r->len) {
			int got = gzread(r->gz, r->buf, sizeof(r->buf));
			int zerr = Z_OK;
			const char *zmsg = gzerror(r->gz, &zerr);

			/* zlib reports a truncated stream as end of file plus Z_BUF_ERROR */
			if (got < 0 || (got == 0 && zerr != Z_OK))
				return trace_fail(err, "cannot read: %s", zmsg);
			if (got == 0)
				return any ? (long)len : -1;
			r->pos = 0;
			r->len = (size_t)got;
		}
		any = 1;
		nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
		n = nl ? (size_t)(nl - (r->buf + r->pos)) : r->len - r->pos;
		if (len + n > PH_TRACE_LINE_MAX)
			return trace_fail(err, "line longer than %u bytes", PH_TRACE_LINE_MAX);
		if (len + n > *cap) {
			size_t ncap = *cap ? *cap : 4096;
			char *p;

			while (ncap < len + n)
				ncap *= 2;
			p = realloc(*line, ncap);
			if (!p)
				return -ENOMEM;
			*line = p;
			*cap = ncap;
		}
		memcpy(*line + len, r->buf + r->pos, n);
		len += n;
		r->pos += n;
		if (nl) {
			r->pos++; /* the newline */
			return (long)len;
		}
	}
}

long ph_trace_read_file(enum ph_trace_format fmt, const char *path, ph_trace_call_fn fn, void *ctx,
			struct ph_trace_error *err)
{
	struct trace_counter c = { fn, ctx, 0 };
	struct trace_reader *r;
	char *line = NULL;
	size_t cap = 0;
	long ret = 0;
	char why[600];
	int fd;

	err->line = 0;
	err->msg[0] = '\0';
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	errno = 0;
	/* a FIFO or device is refused before any open that could block */
	fd = vg_safe_open_read(path, false, why, sizeof(why));
	r->gz = fd >= 0 ? gzdopen(fd, "rb") : NULL;
	if (!r->gz) {
		ret = fd < 0 ? fd : errno ? -errno : -ENOMEM;
		if (fd >= 0)
			close(fd);
		snprintf(err->msg, sizeof(err->msg), "cannot open: %s",
			 ret == -EINVAL ? "not a regular file (a FIFO or device)" : strerror((int)-ret));
		free(r);
		return ret;
	}
	for (;;) {
		long len;

		err->line++;
		len = trace_getline(r, &line, &cap, err);
		if (len == -1)
			break;
		if (len < 0) {
			ret = len;
			goto out;
		}
		ret = ph_trace_parse_line(fmt, line, (size_t)len, trace_count_call, &c, err);
		if (ret)
			goto out;
	}
	err->line = 0;
	ret = trace_finish(fmt, &c, err);
out:
	free(line);
	gzclose(r->gz);
	free(r);
	return ret;
}
