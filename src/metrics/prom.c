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
 * `_count` gauge; strings are left out (they are not figures).
 *
 * Each family is declared once (one "# TYPE" line), and a total never
 * shares a family with its breakdown: when "ring_full" (a total) and
 * "ring_full_by_cpu" would both be vigil_..._ring_full, the breakdown is
 * named vigil_..._ring_full_by_cpu{cpu="..."}, so sum() over the family
 * never counts the total twice. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/prom.h"

#define NAME_MAX_LEN 200

struct names {
	char **v;
	size_t n, cap;
};

struct buf {
	char *s;
	size_t len, cap;
	int err;
	struct names scalars; /* every unlabelled family (first pass) */
	struct names declared; /* families with their TYPE line written */
	bool collect;	       /* the first pass: names only, no text */
};

static bool names_has(const struct names *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], name))
			return true;
	return false;
}

static int names_add(struct names *l, const char *name)
{
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 64;
		char **nv = realloc(l->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = ncap;
	}
	if (!(l->v[l->n] = strdup(name)))
		return -ENOMEM;
	l->n++;
	return 0;
}

static void names_free(struct names *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->err || b->collect)
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

/* Declares a family once; false when it was already (a duplicate series,
 * left out). In the first pass, records unlabelled families. */
static bool declare(struct buf *b, const char *name, bool labelled)
{
	if (b->collect) {
		if (!labelled && !names_has(&b->scalars, name) && names_add(&b->scalars, name))
			b->err = -ENOMEM;
		return false;
	}
	if (names_has(&b->declared, name))
		return labelled; /* a labelled family may continue; a scalar may not repeat */
	if (names_add(&b->declared, name)) {
		b->err = -ENOMEM;
		return false;
	}
	put(b, "# TYPE %s gauge\n", name);
	return true;
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
			if (b->collect)
				continue;
			/* a total of the same name: the breakdown is its own family */
			if (names_has(&b->scalars, name)) {
				name_append(name, sizeof(name), "by");
				name_append(name, sizeof(name), label[0] ? label : "key");
			}
			if (!declare(b, name, true))
				continue;
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
			name_append(name, sizeof(name), "count");
			if (declare(b, name, false))
				put(b, "%s %zu\n", name, json_object_array_length(v));
		} else if (is_figure(v)) {
			if (declare(b, name, false)) {
				put(b, "%s ", name);
				put_value(b, v);
				put(b, "\n");
			}
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
	b.collect = true; /* first the totals' names, then the text */
	walk(&b, "vigil", status, 0);
	b.collect = false;
	walk(&b, "vigil", status, 0);
	names_free(&b.scalars);
	names_free(&b.declared);
	if (b.err) {
		free(b.s);
		return b.err;
	}
	*out = b.s;
	*len = b.len;
	return 0;
}
