/* The status report (the JSON that `vigil status --json` shows) as
 * Prometheus text exposition (format 0.0.4): one figure, one source.
 *
 *   {"monitor": {"uptime_s": 12, "events_by_type": {"openat": 5}}}
 *   → vigil_monitor_uptime_s 12
 *     vigil_monitor_events{type="openat"} 5
 *
 * Numbers and booleans become gauges named after their path. An object
 * whose key holds "by_" ("events_by_type", "ring_full_by_cpu") becomes one
 * metric with a label named after what follows "by_". Arrays become a
 * `_count` gauge; strings are left out (they are not figures). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/prom.h"

#define NAME_MAX_LEN 200

struct buf {
	char *s;
	size_t len, cap;
	int err;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->err)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->err = -EINVAL;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		if (b->cap > VG_PROM_MAX) {
			b->err = -E2BIG;
			return;
		}
		char *grown = realloc(b->s, b->cap * 2);

		if (!grown) {
			b->err = -ENOMEM;
			return;
		}
		b->s = grown;
		b->cap *= 2;
	}
}

/* Appends a path component to a metric name: [a-zA-Z0-9_] only. */
static void name_append(char *name, size_t size, const char *part)
{
	size_t at = strlen(name);

	if (at && at + 1 < size)
		name[at++] = '_';
	for (const char *p = part; *p && at + 1 < size; p++) {
		char c = *p;

		name[at++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
					     (c >= '0' && c <= '9') || c == '_' ?
				     c :
				     '_';
	}
	name[at] = 0;
}

/* A label value with \, " and newlines escaped, as the format asks. */
static void put_label_value(struct buf *b, const char *v)
{
	for (const char *p = v; *p; p++) {
		if (*p == '\\' || *p == '"')
			put(b, "\\%c", *p);
		else if (*p == '\n')
			put(b, "\\n");
		else
			put(b, "%c", *p);
	}
}

static int is_figure(struct json_object *v)
{
	enum json_type t = json_object_get_type(v);

	return t == json_type_int || t == json_type_double || t == json_type_boolean;
}

static void put_value(struct buf *b, struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_boolean:
		put(b, "%d", json_object_get_boolean(v) ? 1 : 0);
		break;
	case json_type_double:
		put(b, "%.17g", json_object_get_double(v));
		break;
	default:
		if (json_object_get_int64(v) == INT64_MAX)
			put(b, "%llu", (unsigned long long)json_object_get_uint64(v));
		else
			put(b, "%lld", (long long)json_object_get_int64(v));
		break;
	}
}

static void walk(struct buf *b, const char *prefix, struct json_object *o, int depth)
{
	if (depth > 8)
		return;
	json_object_object_foreach(o, key, v)
	{
		char name[NAME_MAX_LEN];
		const char *by = strstr(key, "by_");

		snprintf(name, sizeof(name), "%s", prefix);
		if (json_object_is_type(v, json_type_object) && by) {
			char label[64] = "", base[NAME_MAX_LEN];
			size_t n = (size_t)(by - key);

			/* events_by_type → vigil_..._events{type="..."} */
			while (n && key[n - 1] == '_')
				n--;
			snprintf(base, sizeof(base), "%.*s", (int)n, key);
			name_append(name, sizeof(name), base[0] ? base : "value");
			name_append(label, sizeof(label), by + 3);
			put(b, "# TYPE %s gauge\n", name);
			json_object_object_foreach(v, lkey, lval)
			{
				if (!is_figure(lval))
					continue;
				put(b, "%s{%s=\"", name, label[0] ? label : "key");
				put_label_value(b, lkey);
				put(b, "\"} ");
				put_value(b, lval);
				put(b, "\n");
			}
			continue;
		}
		name_append(name, sizeof(name), key);
		if (json_object_is_type(v, json_type_object)) {
			walk(b, name, v, depth + 1);
		} else if (json_object_is_type(v, json_type_array)) {
			put(b, "# TYPE %s_count gauge\n%s_count %zu\n", name, name,
			    json_object_array_length(v));
		} else if (is_figure(v)) {
			put(b, "# TYPE %s gauge\n%s ", name, name);
			put_value(b, v);
			put(b, "\n");
		}
	}
}

int vg_prom_render(struct json_object *status, char **out, size_t *len)
{
	struct buf b = { .cap = 4096 };

	*out = NULL;
	*len = 0;
	if (!json_object_is_type(status, json_type_object))
		return -EINVAL;
	b.s = malloc(b.cap);
	if (!b.s)
		return -ENOMEM;
	b.s[0] = 0;
	walk(&b, "vigil", status, 0);
	if (b.err) {
		free(b.s);
		return b.err;
	}
	*out = b.s;
	*len = b.len;
	return 0;
}
