/* Rendering alerts and raw events: text lines and Falco-shaped JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "output/alert.h"
#include "util/macros.h"

void vg_format_time(char *buf, size_t size, uint64_t wall_ns)
{
	time_t secs = (time_t)(wall_ns / NSEC_PER_SEC);
	struct tm tm;
	char day[32];

	gmtime_r(&secs, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%09lluZ", day, (unsigned long long)(wall_ns % NSEC_PER_SEC));
}

/* Appends s, escaping what would break a line or be invisible. */
static size_t put_escaped(char *buf, size_t size, size_t at, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < len && at + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t n = c >= 0x80 ? vg_utf8_seq((const unsigned char *)s + i, len - i) : 1;

		if (c == '\\' || c == '\n' || c == '\t' || c == '\r') {
			buf[at++] = '\\';
			buf[at++] = c == '\n' ? 'n' : c == '\t' ? 't' : c == '\r' ? 'r' : '\\';
		} else if (c < 0x20 || c == 0x7f || n == 0) {
			/* control bytes, and bytes that are not UTF-8: the line
			 * stays valid text, and the raw byte stays visible */
			buf[at++] = '\\';
			buf[at++] = 'x';
			buf[at++] = hex[c >> 4];
			buf[at++] = hex[c & 15];
		} else { /* a character: all of its bytes, or none */
			if (at + n + 5 >= size)
				break;
			for (size_t k = 0; k < n; k++)
				buf[at++] = s[i + k];
			i += n - 1;
		}
	}
	buf[at < size ? at : size - 1] = 0;
	return at;
}

size_t vg_format_fields(char *buf, size_t size, const struct vg_fields *f)
{
	size_t at = 0;

	if (!size)
		return 0;
	buf[0] = 0;
	for (int i = 0; i < f->n && at + 8 < size; i++) {
		const struct vg_kv *kv = &f->kv[i];
		int n;

		if (i == 0) { /* evt.type leads, bare */
			at = put_escaped(buf, size, at, kv->s, kv->s_len);
			continue;
		}
		if ((kv->kind == VG_KV_STR && kv->s_len == 0) || kv->kind == VG_KV_NULL)
			continue; /* absent values make noise, not information */
		n = snprintf(buf + at, size - at, " %s=", kv->key);
		if (n < 0 || (size_t)n >= size - at) {
			buf[at] = 0; /* no half-written key */
			break;
		}
		at += n;
		if (kv->kind == VG_KV_STR) {
			at = put_escaped(buf, size, at, kv->s, kv->s_len);
		} else {
			if (kv->kind == VG_KV_BOOL)
				n = snprintf(buf + at, size - at, "%s", kv->i ? "true" : "false");
			else
				n = snprintf(buf + at, size - at, "%lld", (long long)kv->i);
			if (n < 0 || (size_t)n >= size - at) {
				buf[at] = 0;
				break;
			}
			at += n;
		}
	}
	return at < size ? at : size - 1;
}

size_t vg_alert_text(char *buf, size_t size, const struct vg_alert *a)
{
	char t[48];
	int n;

	if (!size)
		return 0;
	vg_format_time(t, sizeof(t), a->time_ns);
	n = snprintf(buf, size, "%s %s ", t, a->priority);
	if (n < 0 || (size_t)n >= size)
		return size - 1;
	/* A command line or path can hold newlines: one alert, one line. */
	return put_escaped(buf, size, (size_t)n, a->output, strlen(a->output));
}

static json_object *json_str(const char *s, size_t len)
{
	char stack[1024];
	char *tmp = len * 3 + 1 <= sizeof(stack) ? stack : malloc(len * 3 + 1);
	json_object *o;
	size_t n;

	if (!tmp)
		return NULL;
	n = vg_utf8_sanitize(tmp, s, len);
	o = json_object_new_string_len(tmp, (int)n);
	if (tmp != stack)
		free(tmp);
	return o;
}

char *vg_alert_json(const struct vg_alert *a)
{
	json_object *root = json_object_new_object();
	json_object *of = json_object_new_object();
	json_object *tags = json_object_new_array();
	char t[48];
	char *out = NULL;

	if (!root || !of || !tags)
		goto done;
	vg_format_time(t, sizeof(t), a->time_ns);
	json_object_object_add(root, "hostname", json_str(a->hostname, strlen(a->hostname)));
	json_object_object_add(root, "output", json_str(a->output, strlen(a->output)));
	json_object_object_add(root, "priority", json_object_new_string(a->priority));
	json_object_object_add(root, "rule", json_str(a->rule, strlen(a->rule)));
	json_object_object_add(root, "source", json_object_new_string(a->source));
	for (int i = 0; i < a->ntags; i++)
		json_object_array_add(tags, json_str(a->tags[i], strlen(a->tags[i])));
	json_object_object_add(root, "tags", tags);
	tags = NULL;
	json_object_object_add(root, "time", json_object_new_string(t));
	for (int i = 0; a->fields && i < a->fields->n; i++) {
		const struct vg_kv *kv = &a->fields->kv[i];
		json_object *v = kv->kind == VG_KV_STR	 ? json_str(kv->s, kv->s_len)
				 : kv->kind == VG_KV_BOOL ? json_object_new_boolean(kv->i)
				 : kv->kind == VG_KV_NULL ? NULL
							  : json_object_new_int64(kv->i);

		json_object_object_add(of, kv->key, v);
	}
	json_object_object_add(root, "output_fields", of);
	of = NULL;
	out = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
done:
	json_object_put(tags);
	json_object_put(of);
	json_object_put(root);
	return out;
}
