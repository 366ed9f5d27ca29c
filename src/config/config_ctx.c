/* What the configuration's readers share (config_ctx.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_ctx.h"

void vg_config_add_error(struct vg_config_errors *errs, const char *where, const yaml_mark_t *mark,
			 const char *key, const char *fmt, ...)
{
	struct vg_config_error *e;
	va_list ap;

	errs->total++;
	if (errs->n == VG_CONFIG_ERRORS_MAX)
		return;
	e = &errs->e[errs->n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->where, sizeof(e->where), "%s", where);
	if (mark) {
		e->line = (unsigned)mark->line + 1;
		e->column = (unsigned)mark->column + 1;
	}
	snprintf(e->key, sizeof(e->key), "%s", key ? key : "");
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

void vg_config_error_format(const struct vg_config_error *e, char *buf, size_t len)
{
	const char *sep = e->key[0] ? ": " : "";

	if (e->line)
		snprintf(buf, len, "%s:%u:%u: %s%s%s", e->where, e->line, e->column, e->key, sep,
			 e->msg);
	else
		snprintf(buf, len, "%s: %s%s%s", e->where, e->key, sep, e->msg);
}

void vg_strlist_clear(struct vg_strlist *l)
{
	for (unsigned i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

void vg_output_entry_clear(struct vg_output_entry *o)
{
	free(o->type);
	for (unsigned i = 0; i < o->nkv; i++) {
		free(o->kv[i].key);
		free(o->kv[i].value);
	}
	memset(o, 0, sizeof(*o));
}

void vg_config_outputs_clear(struct vg_config *c)
{
	for (unsigned i = 0; i < c->noutputs; i++)
		vg_output_entry_clear(&c->outputs[i]);
	c->noutputs = 0;
}

void *vg_config_field(struct vg_config *c, const struct vg_config_key *k)
{
	return (char *)c + k->offset;
}

const void *vg_config_cfield(const struct vg_config *c, const struct vg_config_key *k)
{
	return (const char *)c + k->offset;
}

const char *vg_config_type_name(enum vg_config_type t)
{
	switch (t) {
	case VG_CT_BOOL: return "true or false";
	case VG_CT_UINT: return "a number";
	case VG_CT_SIZE: return "a size (bytes, K/M/G suffix)";
	case VG_CT_SECONDS: return "a duration (seconds, s/m/h/d suffix)";
	case VG_CT_STRING: return "a string";
	case VG_CT_ENUM: return "one of the names";
	case VG_CT_LIST: return "a list of strings";
	case VG_CT_OUTPUTS: return "a list of outputs";
	case VG_CT_WATCH: return "a list of paths or {path: ...} mappings";
	}
	return "?";
}

int vg_config_format_size(char *buf, size_t len, uint64_t v)
{
	if (v && !(v & ((1ull << 30) - 1)))
		return snprintf(buf, len, "%lluG", (unsigned long long)(v >> 30));
	if (v && !(v & ((1ull << 20) - 1)))
		return snprintf(buf, len, "%lluM", (unsigned long long)(v >> 20));
	if (v && !(v & ((1ull << 10) - 1)))
		return snprintf(buf, len, "%lluK", (unsigned long long)(v >> 10));
	return snprintf(buf, len, "%llu", (unsigned long long)v);
}

int vg_config_yaml_string(char *buf, size_t len, const char *s)
{
	bool plain = *s && !strchr("-?:,[]{}#&*!|>'\"%@`~ ", s[0]) && s[strlen(s) - 1] != ' ' &&
		     strcmp(s, "null") && strcmp(s, "true") && strcmp(s, "false");
	size_t at = 0;

	for (const char *p = s; *p && plain; p++)
		plain = (unsigned char)*p >= 0x20 && *p != 0x7f && !strchr(",[]{}#\"'", *p) &&
			!(*p == ':' && (p[1] == ' ' || !p[1]));
	if (plain)
		return snprintf(buf, len, "%s", s);
	at += (size_t)snprintf(len ? buf : NULL, len, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[8];

		if (*p == '"' || *p == '\\')
			snprintf(esc, sizeof(esc), "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			snprintf(esc, sizeof(esc), "\\x%02x", *p);
		else
			snprintf(esc, sizeof(esc), "%c", *p);
		at += (size_t)snprintf(at < len ? buf + at : NULL, at < len ? len - at : 0, "%s",
				       esc);
	}
	at += (size_t)snprintf(at < len ? buf + at : NULL, at < len ? len - at : 0, "\"");
	return (int)at;
}
