/* libFuzzer target: arbitrary bytes as a ring-buffer record.
 *
 * vg_event_decode must reject or accept without reading out of bounds; an
 * accepted record must give sane slots, and its fields must render as one
 * text line and as JSON that parses back, strictly, as valid UTF-8.
 * Seeds: tests/fuzz/corpus/decode (valid exec, file, net and sys records). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "output/alert.h"
#include "fields/extract.h"
#include "output/fields.h"
#include "sensor/event.h"
#include "../unit/utf8_check.h"
#include "util/macros.h"

/* Independent of output/utf8.c on purpose: RFC 3629, no overlongs, no
 * surrogates, nothing above U+10FFFF. */
static void check_slots(const struct vg_event *ev)
{
	const char *lo = ev->arena, *hi = ev->arena + sizeof(ev->arena);

	if (ev->arena_used > sizeof(ev->arena))
		abort();
	for (int i = 0; i < VG_S_COUNT; i++) {
		if (!ev->s[i])
			abort();
		if (ev->len[i] == 0 && ev->s[i][0] == 0)
			continue; /* the constant "" */
		if (ev->s[i] < lo || ev->s[i] + ev->len[i] >= hi || ev->s[i][ev->len[i]] != 0)
			abort();
		/* only the lists may hold NULs */
		if (i != VG_S_ARGS && i != VG_S_ENV && memchr(ev->s[i], 0, ev->len[i]))
			abort();
	}
}

static void check_json(const char *js)
{
	size_t len = strlen(js);
	struct json_tokener *tok;
	json_object *o;
	static const char *const keys[] = { "time",	"rule", "priority", "output",
					    "output_fields", "tags", "hostname", "source" };

	if (!valid_utf8((const unsigned char *)js, len) || memchr(js, '\n', len))
		abort();
	tok = json_tokener_new();
	if (!tok)
		return;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, js, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len || !json_object_is_type(o, json_type_object))
		abort();
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (!json_object_object_get_ex(o, keys[i], NULL))
			abort();
	json_object_put(o);
	json_tokener_free(tok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vg_event ev;
	static struct vg_fields fields;
	static char line[8192];
	static struct vg_rule_ctx *ctx;
	uint8_t *copy;
	char *js;
	size_t n;
	int ret;

	/* An exact-size heap copy: ASan then catches any read past size. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	ret = vg_event_decode(&ev, copy, size);
	if (ret != 0 && ret != -EINVAL)
		abort();
	if (ret) {
		free(copy);
		return 0;
	}
	check_slots(&ev);
	if (vg_event_family(ev.u.hdr.type) == VG_FAM_NONE)
		abort();

	/* the record through the rule extractors, as --events renders it (the
	 * one renderer; no process table: every field from the record alone) */
	if (!ctx && !(ctx = calloc(1, sizeof(*ctx))))
		abort();
	ctx->hostname = "fuzz";
	vg_rule_ctx_reset(ctx, &ev, ev.u.hdr.ts_ns);
	vg_fields_from_ctx(&fields, ctx);
	if (fields.n <= 0 || fields.n > VG_FIELDS_MAX || fields.used > sizeof(fields.buf))
		abort();
	n = vg_format_fields(line, sizeof(line), &fields);
	if (n >= sizeof(line) || memchr(line, '\n', n))
		abort();

	{
		static const char *const tags[] = { "fuzz" };
		struct vg_alert a = {
			.time_ns = ev.u.hdr.ts_ns,
			.rule = vg_event_name(&ev) ? vg_event_name(&ev) : "unknown",
			.priority = "Debug",
			.output = line,
			.fields = &fields,
			.tags = tags,
			.ntags = 1,
			.source = "syscall",
			.hostname = "fuzz\xff",
		};

		js = vg_alert_json(&a);
		if (js)
			check_json(js);
		free(js);
	}
	free(copy);
	return 0;
}
