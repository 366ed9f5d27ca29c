/* Output configuration: a type and key=value pairs, from the command line
 * spec "TYPE[:key=value,...]" or, one key at a time, from a config file.
 * Every error names the key and the problem. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "output/out_conf.h"
#include "rules/rules.h"
#include "util/parse.h"

#define SPEC_MAX 8192

static const char *const type_names[] = {
	[VG_OUT_STDOUT] = "stdout", [VG_OUT_FILE] = "file",	  [VG_OUT_SYSLOG] = "syslog",
	[VG_OUT_WEBHOOK] = "webhook", [VG_OUT_PROGRAM] = "program",
};

static const struct {
	const char *name;
	int value;
} facilities[] = {
	{ "kern", LOG_KERN },	  { "user", LOG_USER },	    { "mail", LOG_MAIL },
	{ "daemon", LOG_DAEMON }, { "auth", LOG_AUTH },	    { "syslog", LOG_SYSLOG },
	{ "lpr", LOG_LPR },	  { "news", LOG_NEWS },	    { "uucp", LOG_UUCP },
	{ "cron", LOG_CRON },	  { "authpriv", LOG_AUTHPRIV }, { "ftp", LOG_FTP },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
	{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

int vg_syslog_facility(const char *name)
{
	for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (!strcmp(name, facilities[i].name))
			return facilities[i].value;
	return -EINVAL;
}

const char *vg_output_type_name(enum vg_out_type t)
{
	return type_names[t];
}

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
	int t = -1;

	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (!strcmp(type, type_names[i]))
			t = (int)i;
	if (t < 0)
		return fail(err, errlen,
			    "unknown output type '%.64s' (stdout, file, syslog, webhook, program)", type);
	c = calloc(1, sizeof(*c));
	if (!c)
		return fail(err, errlen, "out of memory"), -ENOMEM;
	c->type = t;
	c->min_prio = VG_PRIO_DEBUG;
	c->queue = VG_OUTPUT_QUEUE_DEFAULT;
	c->queue_bytes = 64ull << 20;
	c->drain_ms = 2000;
	c->timeout_ms = 5000;
	c->connect_timeout_ms = 2000;
	c->retries = 3;
	c->backoff_ms = 200;
	c->backoff_max_ms = 30000;
	c->fsync_interval_ms = 1000;
	c->facility = LOG_DAEMON;
	c->max_message = 8192;
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

/* "udp://host:port", "tcp://[::1]:port" */
static int parse_address(struct vg_output_conf *c, const char *v, char *err, size_t errlen)
{
	const char *hp, *colon;
	size_t hlen;
	uint64_t port;

	if (!strncmp(v, "udp://", 6))
		c->transport = VG_TR_UDP;
	else if (!strncmp(v, "tcp://", 6))
		c->transport = VG_TR_TCP;
	else
		return fail(err, errlen, "address: '%.200s' must be udp://HOST:PORT or tcp://HOST:PORT",
			    v);
	hp = v + 6;
	if (*hp == '[') {
		const char *close = strchr(hp, ']');

		if (!close || close[1] != ':')
			return fail(err, errlen, "address: '%.200s' has an unclosed [IPv6] host", v);
		hp++;
		hlen = (size_t)(close - hp);
		colon = close + 1;
	} else {
		colon = strrchr(hp, ':');
		if (!colon)
			return fail(err, errlen, "address: '%.200s' has no :PORT", v);
		hlen = (size_t)(colon - hp);
	}
	if (!hlen || hlen >= sizeof(c->host))
		return fail(err, errlen, "address: '%.200s' has an empty or too long host", v);
	if (vg_parse_u64(colon + 1, &port) || port == 0 || port > 65535)
		return fail(err, errlen, "address: '%.200s' has no port from 1 to 65535", v);
	memcpy(c->host, hp, hlen);
	c->host[hlen] = 0;
	snprintf(c->port, sizeof(c->port), "%u", (unsigned)port);
	return 0;
}

static int set_u64(uint64_t *dst, const char *key, const char *v, uint64_t min, uint64_t max,
		   char *err, size_t errlen)
{
	uint64_t n;

	if (vg_parse_u64(v, &n) || n < min || n > max)
		return fail(err, errlen, "%s: '%.64s' must be a number from %llu to %llu", key, v,
			    (unsigned long long)min, (unsigned long long)max);
	*dst = n;
	return 0;
}

static int set_bool(bool *dst, const char *key, const char *v, char *err, size_t errlen)
{
	if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1"))
		*dst = true;
	else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0"))
		*dst = false;
	else
		return fail(err, errlen, "%s: '%.64s' must be true or false", key, v);
	return 0;
}

static int set_str(char **dst, const char *key, const char *v, char *err, size_t errlen)
{
	char *s;

	if (!*v)
		return fail(err, errlen, "%s: must not be empty", key);
	if (strlen(v) > 4096)
		return fail(err, errlen, "%s: longer than 4096 bytes", key);
	s = strdup(v);
	if (!s)
		return fail(err, errlen, "out of memory"), -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

#define T(x) (1u << (x))
#define ALL (T(VG_OUT_STDOUT) | T(VG_OUT_FILE) | T(VG_OUT_SYSLOG) | T(VG_OUT_WEBHOOK) | T(VG_OUT_PROGRAM))
#define NET (T(VG_OUT_SYSLOG) | T(VG_OUT_WEBHOOK))
#define RETRYING (T(VG_OUT_SYSLOG) | T(VG_OUT_WEBHOOK) | T(VG_OUT_PROGRAM))

/* Which types take which key. */
static const struct {
	const char *key;
	unsigned types;
} keys[] = {
	{ "name", ALL },
	{ "min_priority", ALL },
	{ "format", ALL & ~T(VG_OUT_WEBHOOK) },
	{ "queue", ALL },
	{ "queue_bytes", ALL },
	{ "overflow", ALL },
	{ "drain_ms", ALL },
	{ "timeout_ms", NET },
	{ "connect_timeout_ms", NET },
	{ "retries", T(VG_OUT_WEBHOOK) },
	{ "backoff_ms", RETRYING },
	{ "backoff_max_ms", RETRYING },
	{ "path", T(VG_OUT_FILE) },
	{ "fsync", T(VG_OUT_FILE) },
	{ "fsync_interval_ms", T(VG_OUT_FILE) },
	{ "facility", T(VG_OUT_SYSLOG) },
	{ "address", T(VG_OUT_SYSLOG) },
	{ "max_message", T(VG_OUT_SYSLOG) },
	{ "url", T(VG_OUT_WEBHOOK) },
	{ "header", T(VG_OUT_WEBHOOK) },
	{ "ca_file", T(VG_OUT_WEBHOOK) },
	{ "cert", T(VG_OUT_WEBHOOK) },
	{ "key", T(VG_OUT_WEBHOOK) },
	{ "insecure", T(VG_OUT_WEBHOOK) },
	{ "command", T(VG_OUT_PROGRAM) },
};

int vg_output_conf_set(struct vg_output_conf *c, const char *key, const char *v, char *err,
		       size_t errlen)
{
	const char *type = type_names[c->type];
	size_t i;
	int p;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(key, keys[i].key))
			break;
	if (i == sizeof(keys) / sizeof(keys[0]))
		return fail(err, errlen, "unknown key '%.64s' for a %s output", key, type);
	if (!(keys[i].types & T(c->type)))
		return fail(err, errlen, "key '%s' does not apply to a %s output", key, type);

	if (!strcmp(key, "name")) {
		if (!*v || strlen(v) >= sizeof(c->name))
			return fail(err, errlen, "name: must be 1 to %zu bytes", sizeof(c->name) - 1);
		for (const char *s = v; *s; s++)
			if ((unsigned char)*s <= ' ' || *s == 0x7f)
				return fail(err, errlen, "name: no spaces or control characters");
		strcpy(c->name, v);
	} else if (!strcmp(key, "min_priority")) {
		p = vg_priority_parse(v, strlen(v));
		if (p < 0)
			return fail(err, errlen,
				    "min_priority: '%.64s' is not a priority (emergency, alert, critical, "
				    "error, warning, notice, informational, debug)", v);
		c->min_prio = p;
	} else if (!strcmp(key, "format")) {
		if (!strcmp(v, "json"))
			c->format = VG_FMT_JSON;
		else if (!strcmp(v, "text"))
			c->format = VG_FMT_TEXT;
		else
			return fail(err, errlen, "format: '%.64s' must be json or text", v);
	} else if (!strcmp(key, "queue")) {
		return set_u64(&c->queue, key, v, 1, VG_OUTPUT_QUEUE_MAX, err, errlen);
	} else if (!strcmp(key, "queue_bytes")) {
		uint64_t n;

		if (vg_parse_size(v, &n) || n < 4096 || n > (4ull << 30))
			return fail(err, errlen, "queue_bytes: '%.64s' must be a size from 4K to 4G", v);
		c->queue_bytes = n;
	} else if (!strcmp(key, "overflow")) {
		if (!strcmp(v, "drop_newest"))
			c->drop_oldest = false;
		else if (!strcmp(v, "drop_oldest"))
			c->drop_oldest = true;
		else
			return fail(err, errlen, "overflow: '%.64s' must be drop_newest or drop_oldest", v);
	} else if (!strcmp(key, "drain_ms")) {
		return set_u64(&c->drain_ms, key, v, 0, 600000, err, errlen);
	} else if (!strcmp(key, "timeout_ms")) {
		return set_u64(&c->timeout_ms, key, v, 1, 600000, err, errlen);
	} else if (!strcmp(key, "connect_timeout_ms")) {
		return set_u64(&c->connect_timeout_ms, key, v, 1, 600000, err, errlen);
	} else if (!strcmp(key, "retries")) {
		return set_u64(&c->retries, key, v, 0, 100, err, errlen);
	} else if (!strcmp(key, "backoff_ms")) {
		return set_u64(&c->backoff_ms, key, v, 1, 3600000, err, errlen);
	} else if (!strcmp(key, "backoff_max_ms")) {
		return set_u64(&c->backoff_max_ms, key, v, 1, 3600000, err, errlen);
	} else if (!strcmp(key, "path")) {
		return set_str(&c->path, key, v, err, errlen);
	} else if (!strcmp(key, "fsync")) {
		if (!strcmp(v, "none"))
			c->fsync = VG_FSYNC_NONE;
		else if (!strcmp(v, "every"))
			c->fsync = VG_FSYNC_EVERY;
		else if (!strcmp(v, "interval"))
			c->fsync = VG_FSYNC_INTERVAL;
		else
			return fail(err, errlen, "fsync: '%.64s' must be none, every or interval", v);
	} else if (!strcmp(key, "fsync_interval_ms")) {
		return set_u64(&c->fsync_interval_ms, key, v, 1, 3600000, err, errlen);
	} else if (!strcmp(key, "facility")) {
		p = vg_syslog_facility(v);
		if (p < 0)
			return fail(err, errlen,
				    "facility: '%.64s' is not a syslog facility (daemon, auth, authpriv, "
				    "user, local0 ... local7, ...)", v);
		c->facility = p;
	} else if (!strcmp(key, "address")) {
		int ret = parse_address(c, v, err, errlen);

		return ret ? ret : set_str(&c->address, key, v, err, errlen);
	} else if (!strcmp(key, "max_message")) {
		return set_u64(&c->max_message, key, v, 480, 1 << 20, err, errlen);
	} else if (!strcmp(key, "url")) {
		if (strncmp(v, "http://", 7) && strncmp(v, "https://", 8))
			return fail(err, errlen, "url: '%.200s' must start with http:// or https://", v);
		return set_str(&c->url, key, v, err, errlen);
	} else if (!strcmp(key, "header")) {
		const char *colon = strchr(v, ':');

		if (!colon || colon == v || strpbrk(v, "\r\n"))
			return fail(err, errlen, "header: '%.200s' must be 'Name: value' on one line", v);
		if (c->nheaders == VG_OUT_HEADERS_MAX)
			return fail(err, errlen, "header: at most %d headers", VG_OUT_HEADERS_MAX);
		c->headers[c->nheaders] = NULL;
		if (set_str(&c->headers[c->nheaders], key, v, err, errlen))
			return -ENOMEM;
		c->nheaders++;
	} else if (!strcmp(key, "ca_file")) {
		return set_str(&c->ca_file, key, v, err, errlen);
	} else if (!strcmp(key, "cert")) {
		return set_str(&c->cert, key, v, err, errlen);
	} else if (!strcmp(key, "key")) {
		return set_str(&c->key, key, v, err, errlen);
	} else if (!strcmp(key, "insecure")) {
		return set_bool(&c->insecure, key, v, err, errlen);
	} else if (!strcmp(key, "command")) {
		return set_str(&c->command, key, v, err, errlen);
	}
	return 0;
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
		snprintf(c->name, sizeof(c->name), "%s:%s", type_names[c->type], target);
	else
		snprintf(c->name, sizeof(c->name), "%s", type_names[c->type]);
	/* The name goes into one stats line: no spaces or controls. */
	for (char *s = c->name; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			*s = '_';
}

int vg_output_conf_check(struct vg_output_conf *c, char *err, size_t errlen)
{
	const char *type = type_names[c->type];

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
