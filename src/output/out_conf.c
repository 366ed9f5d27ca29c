/* Output configuration: a type and key=value pairs, from the command line
 * spec "TYPE[:key=value,...]" or, one key at a time, from a config file.
 * Every error names the key and the problem. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/out_conf.h"
#include "output/out_schema.h"

#define SPEC_MAX 8192

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int vg_output_conf_new(struct vg_output_conf **out, const char *type, char *err, size_t errlen)
{
	struct vg_output_conf *c;
	int t = vg_output_type_parse(type), ret = 0;

	if (t < 0)
		return fail(err, errlen,
			    "unknown output type '%.64s' (stdout, file, syslog, webhook, program)", type);
	c = calloc(1, sizeof(*c));
	if (!c)
		return fail(err, errlen, "out of memory"), -ENOMEM;
	c->type = t;
	/* Every key's default, as the table writes it (also the keys of other
	 * types: a conf holds no uninitialised value). */
	for (size_t i = 0; i < vg_out_nkeys && !ret; i++)
		if (vg_out_keys[i].def)
			ret = vg_out_key_set(&vg_out_keys[i], c, vg_out_keys[i].def, err, errlen);
	if (ret) {
		vg_output_conf_free(c);
		return ret;
	}
	*out = c;
	return 0;
}

void vg_output_conf_free(struct vg_output_conf *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->address);
	free(c->url);
	for (unsigned i = 0; i < c->nheaders; i++)
		free(c->headers[i]);
	free(c->ca_file);
	free(c->cert);
	free(c->key);
	free(c->command);
	free(c);
}

static int dup_str(char **dst, const char *src)
{
	if (!src) {
		*dst = NULL;
		return 0;
	}
	*dst = strdup(src);
	return *dst ? 0 : -ENOMEM;
}

int vg_output_conf_dup(struct vg_output_conf **out, const struct vg_output_conf *c)
{
	struct vg_output_conf *d = malloc(sizeof(*d));
	int ret = 0;

	if (!d)
		return -ENOMEM;
	*d = *c;
	ret |= dup_str(&d->path, c->path);
	ret |= dup_str(&d->address, c->address);
	ret |= dup_str(&d->url, c->url);
	for (unsigned i = 0; i < c->nheaders; i++)
		ret |= dup_str(&d->headers[i], c->headers[i]);
	ret |= dup_str(&d->ca_file, c->ca_file);
	ret |= dup_str(&d->cert, c->cert);
	ret |= dup_str(&d->key, c->key);
	ret |= dup_str(&d->command, c->command);
	if (ret) {
		vg_output_conf_free(d);
		return -ENOMEM;
	}
	*out = d;
	return 0;
}

const char *vg_output_conf_name(const struct vg_output_conf *c)
{
	return c->name;
}

int vg_output_conf_set(struct vg_output_conf *c, const char *key, const char *v, char *err,
		       size_t errlen)
{
	const struct vg_out_key *k = vg_out_key_find(key);
	const char *type = vg_output_type_name(c->type);

	if (!k)
		return fail(err, errlen, "unknown key '%.64s' for a %s output", key, type);
	if (!(k->types & VG_OUT_TYPE_BIT(c->type)))
		return fail(err, errlen, "key '%s' does not apply to a %s output", key, type);
	return vg_out_key_set(k, c, v, err, errlen);
}

/* Fills the name stats show: "type" or "type:target", when none is set. */
static void default_name(struct vg_output_conf *c)
{
	const char *target = c->type == VG_OUT_FILE	  ? c->path
			     : c->type == VG_OUT_SYSLOG	  ? c->address
			     : c->type == VG_OUT_WEBHOOK  ? c->url
			     : c->type == VG_OUT_PROGRAM ? c->command
							  : NULL;

	if (c->name[0])
		return;
	if (target)
		snprintf(c->name, sizeof(c->name), "%s:%s", vg_output_type_name(c->type), target);
	else
		snprintf(c->name, sizeof(c->name), "%s", vg_output_type_name(c->type));
	/* The name goes into one stats line: no spaces or controls. */
	for (char *s = c->name; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			*s = '_';
}

int vg_output_conf_check(struct vg_output_conf *c, char *err, size_t errlen)
{
	const char *type = vg_output_type_name(c->type);

	if (c->type == VG_OUT_FILE && !c->path)
		return fail(err, errlen, "a file output needs path=FILE");
	if (c->type == VG_OUT_WEBHOOK && !c->url)
		return fail(err, errlen, "a webhook output needs url=http(s)://...");
	if (c->type == VG_OUT_PROGRAM && !c->command)
		return fail(err, errlen, "a program output needs command=CMD");
	if (c->type == VG_OUT_WEBHOOK && c->format == VG_FMT_TEXT)
		return fail(err, errlen, "a webhook output posts JSON only");
	if (!!c->cert != !!c->key)
		return fail(err, errlen, "a %s output needs cert and key together", type);
	if (c->backoff_ms > c->backoff_max_ms)
		return fail(err, errlen, "backoff_ms must not exceed backoff_max_ms");
	default_name(c);
	return 0;
}

/* Copies one comma-separated item of spec from *at into out, undoing
 * "\," and "\\"; advances *at past the comma. */
static int next_item(const char **at, char *out, size_t size)
{
	const char *s = *at;
	size_t n = 0;

	while (*s && *s != ',') {
		if (*s == '\\' && (s[1] == ',' || s[1] == '\\'))
			s++;
		if (n + 1 >= size)
			return -E2BIG;
		out[n++] = *s++;
	}
	out[n] = 0;
	*at = *s ? s + 1 : s;
	return 0;
}

int vg_output_conf_parse(struct vg_output_conf **out, const char *spec, char *err, size_t errlen)
{
	char type[16], *item;
	const char *colon = strchr(spec, ':');
	size_t tlen = colon ? (size_t)(colon - spec) : strlen(spec);
	struct vg_output_conf *c;
	int ret;

	if (strlen(spec) > SPEC_MAX)
		return fail(err, errlen, "the output spec is longer than %d bytes", SPEC_MAX);
	if (!tlen || tlen >= sizeof(type))
		return fail(err, errlen, "'%.64s' does not start with an output type "
			    "(stdout, file, syslog, webhook, program)", spec);
	memcpy(type, spec, tlen);
	type[tlen] = 0;
	ret = vg_output_conf_new(&c, type, err, errlen);
	if (ret)
		return ret;
	item = malloc(SPEC_MAX + 1);
	if (!item) {
		vg_output_conf_free(c);
		return fail(err, errlen, "out of memory"), -ENOMEM;
	}
	for (const char *at = colon ? colon + 1 : ""; !ret && *at;) {
		char *eq;

		ret = next_item(&at, item, SPEC_MAX + 1);
		if (ret)
			break;
		eq = strchr(item, '=');
		if (!eq) {
			ret = fail(err, errlen, "'%.64s' is not key=value", item);
			break;
		}
		*eq = 0;
		ret = vg_output_conf_set(c, item, eq + 1, err, errlen);
	}
	free(item);
	if (!ret)
		ret = vg_output_conf_check(c, err, errlen);
	if (ret) {
		vg_output_conf_free(c);
		return ret;
	}
	*out = c;
	return 0;
}
