/* The output keys (see output/out_schema.h): the table, the value readers
 * it drives, and its Markdown for docs/outputs.md. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "output/out_schema.h"
#include "rules/rules.h"
#include "util/parse.h"
#include "util/macros.h"

#define OFF(field) offsetof(struct vg_output_conf, field), sizeof(((struct vg_output_conf *)0)->field)

#define T(x) VG_OUT_TYPE_BIT(x)
#define ALL (T(VG_OUT_STDOUT) | T(VG_OUT_FILE) | T(VG_OUT_SYSLOG) | T(VG_OUT_WEBHOOK) | T(VG_OUT_PROGRAM))
#define NET (T(VG_OUT_SYSLOG) | T(VG_OUT_WEBHOOK))
#define RETRYING (T(VG_OUT_SYSLOG) | T(VG_OUT_WEBHOOK) | T(VG_OUT_PROGRAM))

static const char *const type_names[] = {
	[VG_OUT_STDOUT] = "stdout", [VG_OUT_FILE] = "file",	  [VG_OUT_SYSLOG] = "syslog",
	[VG_OUT_WEBHOOK] = "webhook", [VG_OUT_PROGRAM] = "program",
};
_Static_assert(ARRAY_SIZE(type_names) == VG_OUT_TYPES, "a name per type");

static const struct vg_out_choice formats[] = {
	{ "json", VG_FMT_JSON }, { "text", VG_FMT_TEXT }, { NULL, 0 },
};
static const struct vg_out_choice overflows[] = {
	{ "drop_newest", false }, { "drop_oldest", true }, { NULL, 0 },
};
static const struct vg_out_choice fsyncs[] = {
	{ "none", VG_FSYNC_NONE }, { "every", VG_FSYNC_EVERY }, { "interval", VG_FSYNC_INTERVAL },
	{ NULL, 0 },
};

/* In the order docs/outputs.md shows them: every type's keys first. */
const struct vg_out_key vg_out_keys[] = {
	{ "name", ALL, VG_OUT_KEY_NAME, OFF(name), 0, 0, NULL, NULL, "`TYPE` or `TYPE:TARGET`",
	  "the name shown in stats and warnings" },
	{ "min_priority", ALL, VG_OUT_KEY_PRIORITY, OFF(min_prio), 0, 0, NULL, "debug", NULL,
	  "the least severe priority sent: `emergency`, `alert`, `critical`, `error`, `warning`, "
	  "`notice`, `informational` (`info`), `debug` (everything, raw events too)" },
	{ "format", ALL & ~T(VG_OUT_WEBHOOK), VG_OUT_KEY_CHOICE, OFF(format), 0, 0, formats, NULL,
	  "`text` for stdout and syslog, `json` for file and program",
	  "`json` (Falco's alert shape) or `text` (`TIME PRIORITY MESSAGE`); a webhook posts JSON "
	  "only" },
	{ "queue", ALL, VG_OUT_KEY_U64, OFF(queue), 1, 10000000, NULL, "10000", NULL,
	  "the most alerts waiting" },
	{ "queue_bytes", ALL, VG_OUT_KEY_SIZE, OFF(queue_bytes), 4096, 4ull << 30, NULL, "64M", NULL,
	  "the most bytes waiting" },
	{ "overflow", ALL, VG_OUT_KEY_CHOICE, OFF(drop_oldest), 0, 0, overflows, "drop_newest", NULL,
	  "what a full queue does: `drop_newest` (refuse the new alert) or `drop_oldest`" },
	{ "drain_ms", ALL, VG_OUT_KEY_U64, OFF(drain_ms), 0, 600000, NULL, "2000", NULL,
	  "at exit, how long the output may take to send what it holds" },
	{ "path", T(VG_OUT_FILE), VG_OUT_KEY_PATH, OFF(path), 0, 0, NULL, NULL, "required",
	  "the file alerts are appended to (created 0600; reopened on SIGUSR1)" },
	{ "fsync", T(VG_OUT_FILE), VG_OUT_KEY_CHOICE, OFF(fsync), 0, 0, fsyncs, "none", NULL,
	  "`none` leaves flushing to the kernel, `every` calls fdatasync after each batch, "
	  "`interval` at most every `fsync_interval_ms`" },
	{ "fsync_interval_ms", T(VG_OUT_FILE), VG_OUT_KEY_U64, OFF(fsync_interval_ms), 1, 3600000,
	  NULL, "1000", NULL, "the time between two fdatasync calls with `fsync=interval`" },
	{ "address", T(VG_OUT_SYSLOG), VG_OUT_KEY_ADDRESS, OFF(address), 0, 0, NULL, NULL,
	  "the local syslog(3)",
	  "the collector vigil itself sends RFC 5424 messages to (`[IPv6]` hosts too)" },
	{ "facility", T(VG_OUT_SYSLOG), VG_OUT_KEY_FACILITY, OFF(facility), 0, 0, NULL, "daemon",
	  NULL,
	  "`kern`, `user`, `mail`, `daemon`, `auth`, `syslog`, `lpr`, `news`, `uucp`, `cron`, "
	  "`authpriv`, `ftp` or `local0` to `local7`" },
	{ "max_message", T(VG_OUT_SYSLOG), VG_OUT_KEY_U64, OFF(max_message), 480, 1 << 20, NULL,
	  "8192", NULL, "the most bytes per message (rsyslog's default `maxMessageSize`)" },
	{ "url", T(VG_OUT_WEBHOOK), VG_OUT_KEY_URL, OFF(url), 0, 0, NULL, NULL, "required",
	  "where each alert is POSTed as Falco's JSON" },
	{ "header", T(VG_OUT_WEBHOOK), VG_OUT_KEY_HEADER, OFF(headers), 0, 0, NULL, NULL, "none",
	  "`Name: value` added to each request (repeatable, up to 16)" },
	{ "ca_file", T(VG_OUT_WEBHOOK), VG_OUT_KEY_PATH, OFF(ca_file), 0, 0, NULL, NULL,
	  "the system's CAs", "PEM file of the CAs that may sign the server's certificate" },
	{ "cert", T(VG_OUT_WEBHOOK), VG_OUT_KEY_PATH, OFF(cert), 0, 0, NULL, NULL, "none",
	  "PEM client certificate (with `key`)" },
	{ "key", T(VG_OUT_WEBHOOK), VG_OUT_KEY_PATH, OFF(key), 0, 0, NULL, NULL, "none",
	  "PEM key of the client certificate (with `cert`)" },
	{ "insecure", T(VG_OUT_WEBHOOK), VG_OUT_KEY_BOOL, OFF(insecure), 0, 0, NULL, "false", NULL,
	  "no TLS verification (for testing only)" },
	{ "command", T(VG_OUT_PROGRAM), VG_OUT_KEY_STRING, OFF(command), 0, 0, NULL, NULL,
	  "required", "run as `/bin/sh -c CMD`, with the alerts as lines on its standard input" },
	{ "timeout_ms", NET, VG_OUT_KEY_U64, OFF(timeout_ms), 1, 600000, NULL, "5000", NULL,
	  "a send that cannot progress fails after this long" },
	{ "connect_timeout_ms", NET, VG_OUT_KEY_U64, OFF(connect_timeout_ms), 1, 600000, NULL,
	  "2000", NULL, "how long a connection may take" },
	{ "retries", T(VG_OUT_WEBHOOK), VG_OUT_KEY_U64, OFF(retries), 0, 100, NULL, "3", NULL,
	  "how many times a failed POST is tried again before the alert is dropped" },
	{ "backoff_ms", RETRYING, VG_OUT_KEY_U64, OFF(backoff_ms), 1, 3600000, NULL, "200", NULL,
	  "the first wait after a failure (reconnect, retry, restart), doubled each time" },
	{ "backoff_max_ms", RETRYING, VG_OUT_KEY_U64, OFF(backoff_max_ms), 1, 3600000, NULL,
	  "30000", NULL, "the longest wait after a failure" },
};
const size_t vg_out_nkeys = ARRAY_SIZE(vg_out_keys);

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
	for (size_t i = 0; i < ARRAY_SIZE(facilities); i++)
		if (!strcmp(name, facilities[i].name))
			return facilities[i].value;
	return -EINVAL;
}

const char *vg_output_type_name(enum vg_out_type t)
{
	return (unsigned)t < VG_OUT_TYPES ? type_names[t] : "?";
}

int vg_output_type_parse(const char *name)
{
	for (int t = 0; t < VG_OUT_TYPES; t++)
		if (!strcmp(name, type_names[t]))
			return t;
	return -EINVAL;
}

const struct vg_out_key *vg_out_key_find(const char *name)
{
	for (size_t i = 0; i < vg_out_nkeys; i++)
		if (!strcmp(name, vg_out_keys[i].key))
			return &vg_out_keys[i];
	return NULL;
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

static void *field(struct vg_output_conf *c, const struct vg_out_key *k)
{
	return (char *)c + k->offset;
}

/* An enum or a bool, by the field's size. */
static void store_int(struct vg_output_conf *c, const struct vg_out_key *k, int v)
{
	if (k->size == sizeof(bool))
		*(bool *)field(c, k) = v;
	else
		*(int *)field(c, k) = v;
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

static int set_choice(const struct vg_out_key *k, struct vg_output_conf *c, const char *v,
		      char *err, size_t errlen)
{
	char names[128] = "";
	size_t i;

	for (i = 0; k->choices[i].name; i++) {
		if (!strcmp(v, k->choices[i].name)) {
			store_int(c, k, k->choices[i].value);
			return 0;
		}
	}
	/* "json or text", "none, every or interval" */
	for (size_t j = 0; j < i; j++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
			 !j ? "" : j + 1 == i ? " or " : ", ", k->choices[j].name);
	return fail(err, errlen, "%s: '%.64s' must be %s", k->key, v, names);
}

int vg_out_key_set(const struct vg_out_key *k, struct vg_output_conf *c, const char *v,
		   char *err, size_t errlen)
{
	uint64_t n;
	int p;

	switch (k->kind) {
	case VG_OUT_KEY_NAME:
		if (!*v || strlen(v) >= sizeof(c->name))
			return fail(err, errlen, "name: must be 1 to %zu bytes", sizeof(c->name) - 1);
		for (const char *s = v; *s; s++)
			if ((unsigned char)*s <= ' ' || *s == 0x7f)
				return fail(err, errlen, "name: no spaces or control characters");
		strcpy(c->name, v);
		return 0;
	case VG_OUT_KEY_PRIORITY:
		p = vg_priority_parse(v, strlen(v));
		if (p < 0)
			return fail(err, errlen,
				    "%s: '%.64s' is not a priority (emergency, alert, critical, "
				    "error, warning, notice, informational, debug)", k->key, v);
		store_int(c, k, p);
		return 0;
	case VG_OUT_KEY_CHOICE:
		return set_choice(k, c, v, err, errlen);
	case VG_OUT_KEY_U64:
		if (vg_parse_u64(v, &n) || n < k->min || n > k->max)
			return fail(err, errlen, "%s: '%.64s' must be a number from %llu to %llu",
				    k->key, v, (unsigned long long)k->min, (unsigned long long)k->max);
		*(uint64_t *)field(c, k) = n;
		return 0;
	case VG_OUT_KEY_SIZE:
		/* the range as the docs write it: 4K to 4G */
		if (vg_parse_size(v, &n) || n < k->min || n > k->max)
			return fail(err, errlen, "%s: '%.64s' must be a size from %lluK to %lluG",
				    k->key, v, (unsigned long long)(k->min >> 10),
				    (unsigned long long)(k->max >> 30));
		*(uint64_t *)field(c, k) = n;
		return 0;
	case VG_OUT_KEY_STRING:
	case VG_OUT_KEY_PATH:
		return set_str(field(c, k), k->key, v, err, errlen);
	case VG_OUT_KEY_BOOL:
		if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1"))
			store_int(c, k, true);
		else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0"))
			store_int(c, k, false);
		else
			return fail(err, errlen, "%s: '%.64s' must be true or false", k->key, v);
		return 0;
	case VG_OUT_KEY_FACILITY:
		p = vg_syslog_facility(v);
		if (p < 0)
			return fail(err, errlen,
				    "%s: '%.64s' is not a syslog facility (daemon, auth, authpriv, "
				    "user, local0 ... local7, ...)", k->key, v);
		store_int(c, k, p);
		return 0;
	case VG_OUT_KEY_ADDRESS:
		p = parse_address(c, v, err, errlen);
		return p ? p : set_str(field(c, k), k->key, v, err, errlen);
	case VG_OUT_KEY_URL:
		if (strncmp(v, "http://", 7) && strncmp(v, "https://", 8))
			return fail(err, errlen, "%s: '%.200s' must start with http:// or https://",
				    k->key, v);
		return set_str(field(c, k), k->key, v, err, errlen);
	case VG_OUT_KEY_HEADER: {
		const char *colon = strchr(v, ':');

		if (!colon || colon == v || strpbrk(v, "\r\n"))
			return fail(err, errlen, "%s: '%.200s' must be 'Name: value' on one line",
				    k->key, v);
		if (c->nheaders == VG_OUT_HEADERS_MAX)
			return fail(err, errlen, "%s: at most %d headers", k->key, VG_OUT_HEADERS_MAX);
		c->headers[c->nheaders] = NULL;
		p = set_str(&c->headers[c->nheaders], k->key, v, err, errlen);
		if (p)
			return p;
		c->nheaders++;
		return 0;
	}
	}
	return fail(err, errlen, "%s: no reader for this key", k->key);
}

/* The "outputs" column: "all", "all but webhook", or the types by name. */
static void print_types(FILE *f, unsigned types)
{
	unsigned all = VG_OUT_TYPE_BIT(VG_OUT_TYPES) - 1, n = 0;

	if (types == all) {
		fputs("all", f);
		return;
	}
	if (__builtin_popcount(all & ~types) == 1) {
		fprintf(f, "all but %s", vg_output_type_name(__builtin_ctz(all & ~types)));
		return;
	}
	for (int t = 0; t < VG_OUT_TYPES; t++)
		if (types & VG_OUT_TYPE_BIT(t))
			fprintf(f, "%s%s", n++ ? ", " : "", type_names[t]);
}

/* The "value" column, from the kind. */
static void print_values(FILE *f, const struct vg_out_key *k)
{
	switch (k->kind) {
	case VG_OUT_KEY_NAME:
		fputs("text without spaces, up to 127 bytes", f);
		break;
	case VG_OUT_KEY_PRIORITY:
		fputs("a priority", f);
		break;
	case VG_OUT_KEY_CHOICE:
		for (size_t i = 0; k->choices[i].name; i++)
			fprintf(f, "%s`%s`", i ? ", " : "", k->choices[i].name);
		break;
	case VG_OUT_KEY_U64:
		fprintf(f, "%llu to %llu", (unsigned long long)k->min, (unsigned long long)k->max);
		break;
	case VG_OUT_KEY_SIZE:
		fprintf(f, "%lluK to %lluG (K/M/G suffixes)", (unsigned long long)(k->min >> 10),
			(unsigned long long)(k->max >> 30));
		break;
	case VG_OUT_KEY_STRING:
		fputs("text", f);
		break;
	case VG_OUT_KEY_PATH:
		fputs("a path", f);
		break;
	case VG_OUT_KEY_BOOL:
		fputs("`true`, `false`", f);
		break;
	case VG_OUT_KEY_FACILITY:
		fputs("a facility", f);
		break;
	case VG_OUT_KEY_ADDRESS:
		fputs("`udp://HOST:PORT`, `tcp://HOST:PORT`", f);
		break;
	case VG_OUT_KEY_URL:
		fputs("`http://...`, `https://...`", f);
		break;
	case VG_OUT_KEY_HEADER:
		fputs("a header line", f);
		break;
	}
}

void vg_out_keys_markdown(FILE *f)
{
	fputs("| key | outputs | value | default | meaning |\n|---|---|---|---|---|\n", f);
	for (size_t i = 0; i < vg_out_nkeys; i++) {
		const struct vg_out_key *k = &vg_out_keys[i];

		fprintf(f, "| `%s` | ", k->key);
		print_types(f, k->types);
		fputs(" | ", f);
		print_values(f, k);
		if (k->def_doc)
			fprintf(f, " | %s | %s |\n", k->def_doc, k->doc);
		else
			fprintf(f, " | `%s` | %s |\n", k->def, k->doc);
	}
}
