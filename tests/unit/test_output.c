/* Output: UTF-8 sanitising, Falco-shaped JSON, the one-line text form, time
 * stamps, record → fields and the flag names behind them. */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <json-c/json.h>

#include "check.h"
#include "fields/extract.h"
#include "output/alert.h"
#include "output/fields.h"
#include "fields/names.h"
#include "sensor/event.h"
#include "utf8_check.h"

/* ---- helpers ---- */

/* Sanitises len bytes into an exactly sized heap buffer (so ASan sees any
 * write past 3 * len + 1) and compares with the expected bytes. */
static int sanitizes_to(const char *in, size_t len, const char *want, size_t want_len)
{
	char *out = malloc(3 * len + 1);
	size_t n;
	int ok;

	if (!out)
		return 0;
	n = vg_utf8_sanitize(out, in, len);
	ok = n == want_len && memcmp(out, want, n) == 0 && out[n] == 0;
	free(out);
	return ok;
}

#define SANE(in, want) CHECK(sanitizes_to(in, sizeof(in) - 1, want, sizeof(want) - 1))
#define FFFD "\xef\xbf\xbd"

/* Parses JSON strictly and as UTF-8; NULL if it is not one valid object. */
static json_object *parse_json(const char *s)
{
	struct json_tokener *tok = json_tokener_new();
	json_object *o;

	if (!tok)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, s, (int)strlen(s));
	if (o && (json_tokener_get_error(tok) != json_tokener_success ||
		  json_tokener_get_parse_end(tok) != strlen(s) ||
		  !json_object_is_type(o, json_type_object))) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v = get(o, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* Each key at most once: a JSON object would silently keep only one. */
static int keys_unique(const struct vg_fields *f)
{
	for (int i = 0; i < f->n; i++)
		for (int j = i + 1; j < f->n; j++)
			if (!strcmp(f->kv[i].key, f->kv[j].key))
				return 0;
	return 1;
}

/* a string field, terminated (values point into the record or the
 * renderer's scratch and need not end in NUL) */
static const char *field_str(const struct vg_fields *f, const char *key)
{
	static char buf[4][4096];
	static unsigned k;
	const struct vg_kv *kv = vg_fields_get(f, key);
	char *b = buf[k++ % 4];

	if (!kv || kv->kind != VG_KV_STR)
		return NULL;
	snprintf(b, sizeof(buf[0]), "%.*s", (int)kv->s_len, kv->s);
	return b;
}

/* prints the rendered fields (when a check fails, to see what is there) */
static void dump_fields(const struct vg_fields *f)
{
	for (int i = 0; getenv("VG_TEST_DUMP") && i < f->n; i++)
		fprintf(stderr, "  %s kind=%d %.*s %lld\n", f->kv[i].key, f->kv[i].kind,
			(int)f->kv[i].s_len, f->kv[i].s ? f->kv[i].s : "", (long long)f->kv[i].i);
}

static long long field_int(const struct vg_fields *f, const char *key)
{
	const struct vg_kv *kv = vg_fields_get(f, key);

	return kv && kv->kind != VG_KV_STR ? (long long)kv->i : -999999;
}

/* Records built in memory as the kernel lays them out. */
union record {
	struct vg_hdr hdr;
	struct vg_exec exec;
	struct vg_file file;
	struct vg_net net;
	unsigned char b[4096];
};

static size_t rec_used;

static void rec_init(union record *r, unsigned type, size_t fixed, int syscall_nr)
{
	memset(r, 0, sizeof(*r));
	r->hdr.type = type;
	r->hdr.pid = 4242;
	r->hdr.tid = 4243;
	r->hdr.ppid = 1;
	r->hdr.uid = 1000;
	r->hdr.gid = 100;
	r->hdr.syscall_nr = syscall_nr;
	memcpy(r->hdr.comm, "curl", 4);
	rec_used = fixed;
}

static struct vg_str rec_str(union record *r, const void *bytes, size_t len)
{
	struct vg_str s = { .off = (__u16)rec_used, .len = (__u16)len };

	memcpy(r->b + rec_used, bytes, len);
	rec_used += len + 1;
	return s;
}

static int decode(struct vg_event *ev, union record *r)
{
	r->hdr.size = (__u16)rec_used;
	return vg_event_decode(ev, r, rec_used);
}

static struct vg_event *ev;
static struct vg_fields *fl;
static struct vg_rule_ctx *rctx; /* no process table: the record's fields alone */

/* ev's fields as --events renders them (the one renderer) */
static void render(void)
{
	vg_rule_ctx_reset(rctx, ev, 1);
	vg_fields_from_ctx(fl, rctx);
}

/* ---- UTF-8 ---- */

static void test_utf8(void)
{
	SANE("plain ascii", "plain ascii");
	SANE("", "");
	SANE("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	/* the edges of the valid ranges */
	SANE("\xc2\x80\xdf\xbf", "\xc2\x80\xdf\xbf");
	SANE("\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf",
	     "\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf");
	SANE("\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf");
	/* NUL and control bytes are valid UTF-8: kept */
	SANE("a\0b\n", "a\0b\n");

	/* invalid bytes: one U+FFFD each, neighbours kept */
	SANE("\xff", FFFD);
	SANE("a\xff" "b", "a" FFFD "b");
	SANE("\x80", FFFD);
	SANE("\xfe\xfe", FFFD FFFD);
	/* overlong forms */
	SANE("\xc0\xaf", FFFD FFFD);
	SANE("\xc1\xbf", FFFD FFFD);
	SANE("\xe0\x80\xaf", FFFD FFFD FFFD);
	SANE("\xf0\x80\x80\xaf", FFFD FFFD FFFD FFFD);
	/* UTF-16 surrogates */
	SANE("\xed\xa0\x80", FFFD FFFD FFFD);
	SANE("\xed\xbf\xbf", FFFD FFFD FFFD);
	/* above U+10FFFF */
	SANE("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD);
	SANE("\xf5\x80\x80\x80", FFFD FFFD FFFD FFFD);
	/* cut short, at the end and in the middle */
	SANE("\xe2\x82", FFFD FFFD);
	SANE("\xe2\x82x", FFFD FFFD "x");
	SANE("\xf0\x9f\x98", FFFD FFFD FFFD);

	/* every single byte value: output is valid and within 3 * len + 1 */
	for (int c = 0; c < 256; c++) {
		char in = (char)c, out[4];
		size_t n = vg_utf8_sanitize(out, &in, 1);

		CHECK(valid_utf8(out, n));
		CHECK(n == (c < 0x80 ? 1 : 3));
	}
}

/* ---- time ---- */

static void test_time(void)
{
	char b[48];

	vg_format_time(b, sizeof(b), 1000000005ull);
	CHECK_STR(b, "1970-01-01T00:00:01.000000005Z");
	vg_format_time(b, sizeof(b), 0);
	CHECK_STR(b, "1970-01-01T00:00:00.000000000Z");
	vg_format_time(b, sizeof(b), 1700000000123456789ull);
	CHECK_STR(b, "2023-11-14T22:13:20.123456789Z");
	vg_format_time(b, sizeof(b), 999999999ull);
	CHECK_STR(b, "1970-01-01T00:00:00.999999999Z");
	/* a short buffer is cut, still terminated */
	vg_format_time(b, 11, 1000000005ull);
	CHECK_STR(b, "1970-01-01");
}

/* ---- text line ---- */

static void test_format_fields(void)
{
	char b[512];
	size_t n;

	fl->n = 0;
	fl->kv[fl->n++] = (struct vg_kv){ .key = "evt.type", .kind = VG_KV_STR, .s = "openat",
					  .s_len = 6 };
	fl->kv[fl->n++] = (struct vg_kv){ .key = "proc.pid", .kind = VG_KV_INT, .i = -5 };
	fl->kv[fl->n++] = (struct vg_kv){ .key = "fd.name", .kind = VG_KV_STR,
					  .s = "a\nb\tc\r\x01\x7f\\d\xff\xc3\xa9\xc3", .s_len = 14 };
	fl->kv[fl->n++] = (struct vg_kv){ .key = "empty", .kind = VG_KV_STR, .s = "", .s_len = 0 };
	fl->kv[fl->n++] = (struct vg_kv){ .key = "ok", .kind = VG_KV_BOOL, .i = 1 };
	fl->kv[fl->n++] = (struct vg_kv){ .key = "no", .kind = VG_KV_BOOL, .i = 0 };
	fl->kv[fl->n++] = (struct vg_kv){ .key = "nul", .kind = VG_KV_STR, .s = "x\0y", .s_len = 3 };
	n = vg_format_fields(b, sizeof(b), fl);
	/* bytes that are not UTF-8 are escaped too (the line stays valid text);
	 * valid UTF-8 ("\xc3\xa9") passes through */
	CHECK_STR(b, "openat proc.pid=-5 fd.name=a\\nb\\tc\\r\\x01\\x7f\\\\d\\xff\xc3\xa9\\xc3 ok=true "
		     "no=false nul=x\\x00y");
	CHECK_INT(n, strlen(b));
	CHECK(!strchr(b, '\n') && !strchr(b, '\r') && !strchr(b, '\t'));

	/* the leading evt.type is escaped too */
	fl->kv[0].s = "x\ny";
	fl->kv[0].s_len = 3;
	fl->n = 1;
	vg_format_fields(b, sizeof(b), fl);
	CHECK_STR(b, "x\\ny");

	/* short buffers: terminated, and the length returned is the string's
	 * (the line is used both ways: written by length, copied by strlen) */
	fl->kv[0].s = "openat";
	fl->kv[0].s_len = 6;
	fl->n = 7;
	n = vg_format_fields(b, 15, fl); /* " proc.pid=" does not fit */
	CHECK_INT(n, strlen(b));
	{
		int mismatches = 0;

		for (size_t size = 1; size < 80; size++) {
			memset(b, 'Z', sizeof(b));
			n = vg_format_fields(b, size, fl);
			CHECK(n < size);
			mismatches += n != strlen(b);
		}
		CHECK_INT(mismatches, 0);
	}
	CHECK_INT(vg_format_fields(b, 0, fl), 0);

	/* a value made only of bytes to escape, in a buffer it overflows */
	{
		static char many[600];

		memset(many, '\n', sizeof(many));
		fl->kv[1] = (struct vg_kv){ .key = "k", .kind = VG_KV_STR, .s = many,
					    .s_len = sizeof(many) };
		fl->n = 2;
		n = vg_format_fields(b, sizeof(b), fl);
		CHECK(n < sizeof(b));
		CHECK_INT(n, strlen(b));
		CHECK(!strchr(b, '\n'));
	}
}

/* ---- JSON ---- */

static void test_alert_json(void)
{
	static const char *const tags[] = { "T1055", "process", "bad\xff\"tag" };
	struct vg_alert a = {
		.time_ns = 1000000005ull,
		.rule = "Rule \"quoted\"\nnext",
		.priority = "Warning",
		.output = "shell in \xff container \x01",
		.fields = fl,
		.tags = tags,
		.ntags = 3,
		.source = "syscall",
		.hostname = "host\xc3\xa9",
	};
	json_object *o, *of, *t, *v;
	char *js;

	fl->n = 0;
	fl->kv[fl->n++] = (struct vg_kv){ .key = "evt.type", .kind = VG_KV_STR, .s = "execve",
					  .s_len = 6 };
	fl->kv[fl->n++] = (struct vg_kv){ .key = "proc.pid", .kind = VG_KV_INT, .i = 4242 };
	fl->kv[fl->n++] = (struct vg_kv){ .key = "big", .kind = VG_KV_INT, .i = -9000000000ll };
	fl->kv[fl->n++] = (struct vg_kv){ .key = "proc.is_exe_from_memfd", .kind = VG_KV_BOOL,
					  .i = 1 };
	fl->kv[fl->n++] = (struct vg_kv){ .key = "proc.cmdline", .kind = VG_KV_STR,
					  .s = "sh -c \"x\"\n\\\xff\x80", .s_len = 14 };
	fl->kv[fl->n++] = (struct vg_kv){ .key = "nul", .kind = VG_KV_STR, .s = "a\0b", .s_len = 3 };

	js = vg_alert_json(&a);
	CHECK(js != NULL);
	if (!js)
		return;
	CHECK(valid_utf8(js, strlen(js)));
	CHECK(!strchr(js, '\n')); /* one line */
	o = parse_json(js);
	CHECK(o != NULL);
	if (!o) {
		free(js);
		return;
	}
	CHECK_STR(get_str(o, "time"), "1970-01-01T00:00:01.000000005Z");
	CHECK_STR(get_str(o, "rule"), "Rule \"quoted\"\nnext");
	CHECK_STR(get_str(o, "priority"), "Warning");
	CHECK_STR(get_str(o, "output"), "shell in " FFFD " container \x01");
	CHECK_STR(get_str(o, "hostname"), "host\xc3\xa9");
	CHECK_STR(get_str(o, "source"), "syscall");
	t = get(o, "tags");
	CHECK(t && json_object_is_type(t, json_type_array) && json_object_array_length(t) == 3);
	if (t && json_object_is_type(t, json_type_array) && json_object_array_length(t) == 3) {
		CHECK_STR(json_object_get_string(json_object_array_get_idx(t, 0)), "T1055");
		CHECK_STR(json_object_get_string(json_object_array_get_idx(t, 2)),
			  "bad" FFFD "\"tag");
	}
	of = get(o, "output_fields");
	CHECK(of && json_object_is_type(of, json_type_object));
	if (of) {
		CHECK_STR(get_str(of, "evt.type"), "execve");
		v = get(of, "proc.pid");
		CHECK(v && json_object_is_type(v, json_type_int) && json_object_get_int64(v) == 4242);
		v = get(of, "big");
		CHECK(v && json_object_get_int64(v) == -9000000000ll);
		v = get(of, "proc.is_exe_from_memfd");
		CHECK(v && json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v));
		CHECK_STR(get_str(of, "proc.cmdline"), "sh -c \"x\"\n\\" FFFD FFFD);
		v = get(of, "nul");
		CHECK(v && json_object_get_string_len(v) == 3 &&
		      memcmp(json_object_get_string(v), "a\0b", 3) == 0);
	}
	json_object_put(o);
	free(js);

	/* no fields, no tags: still the full shape */
	a.fields = NULL;
	a.ntags = 0;
	a.tags = NULL;
	js = vg_alert_json(&a);
	CHECK(js != NULL);
	o = js ? parse_json(js) : NULL;
	CHECK(o != NULL);
	if (o) {
		t = get(o, "tags");
		CHECK(t && json_object_is_type(t, json_type_array) && json_object_array_length(t) == 0);
		of = get(o, "output_fields");
		CHECK(of && json_object_is_type(of, json_type_object) &&
		      json_object_object_length(of) == 0);
		json_object_put(o);
	}
	free(js);

	/* a long value (past json_str's stack buffer) of invalid bytes */
	{
		static char big[3000];

		memset(big, 0xff, sizeof(big));
		big[sizeof(big) - 1] = 0;
		a.output = big;
		js = vg_alert_json(&a);
		CHECK(js != NULL);
		o = js ? parse_json(js) : NULL;
		CHECK(o != NULL);
		if (o)
			CHECK_INT(strlen(get_str(o, "output")), 3 * (sizeof(big) - 1));
		json_object_put(o);
		free(js);
	}
}

static void test_alert_text(void)
{
	struct vg_alert a = { .time_ns = 1000000005ull, .priority = "Critical", .output = "boom" };
	char b[64];
	size_t n;

	n = vg_alert_text(b, sizeof(b), &a);
	CHECK_STR(b, "1970-01-01T00:00:01.000000005Z Critical boom");
	CHECK_INT(n, strlen(b));
	n = vg_alert_text(b, 12, &a);
	CHECK_INT(n, 11);
	CHECK_STR(b, "1970-01-01T");
	/* a command line with a newline stays on one line */
	a.output = "cmdline=sh -c\nid\x01";
	n = vg_alert_text(b, sizeof(b), &a);
	CHECK_STR(b, "1970-01-01T00:00:01.000000005Z Critical cmdline=sh -c\\nid\\x01");
	CHECK(strchr(b, '\n') == NULL);
	CHECK_INT(n, strlen(b));
}

/* ---- record → fields ---- */

static void test_exec_fields(void)
{
	static union record r;
	static const char args[] = "ls\0-l\0/tmp dir\0";
	static const char env[] = "LD_PRELOAD=/x.so\0LD_AUDIT=/y.so";
	char line[1024];
	char *js;
	json_object *o;

	rec_init(&r, VG_EV_EXEC, sizeof(struct vg_exec), 59);
	r.hdr.flags = VG_F_EXE_MEMFD;
	memcpy(r.hdr.comm, "0123456789abcdef", 16); /* full, no NUL */
	r.exec.argc = 3;
	r.exec.euid = 0;
	r.exec.loginuid = 0xffffffffu; /* unset */
	r.exec.cap_effective_lo = 0xffffffff;
	r.exec.cap_effective_hi = 0x1;
	r.exec.exe = rec_str(&r, "/memfd:x (deleted)", 18);
	r.exec.filename = rec_str(&r, "/proc/self/fd/3", 15);
	r.exec.args = rec_str(&r, args, sizeof(args) - 1);
	r.exec.cwd = rec_str(&r, "/root", 5);
	r.exec.tty = rec_str(&r, "pts3", 4);
	r.exec.env = rec_str(&r, env, sizeof(env) - 1);
	CHECK_INT(decode(ev, &r), 0);
	render();
	dump_fields(fl);

	CHECK(keys_unique(fl));
	CHECK_STR(field_str(fl, "evt.type"), "execve");
	CHECK_STR(fl->kv[0].key, "evt.type"); /* leads: the text line relies on it */
	CHECK_STR(field_str(fl, "proc.name"), "0123456789abcdef");
	CHECK_INT(field_int(fl, "proc.pid"), 4242);
	CHECK_INT(field_int(fl, "thread.tid"), 4243);
	CHECK_INT(field_int(fl, "user.uid"), 0); /* the effective uid, as Falco's */
	CHECK_STR(field_str(fl, "proc.exepath"), "/memfd:x (deleted)");
	CHECK_STR(field_str(fl, "proc.exe"), "ls");
	CHECK_STR(field_str(fl, "evt.arg.filename"), "/proc/self/fd/3");
	/* Falco's: the name, then the arguments after argv[0] */
	CHECK_STR(field_str(fl, "proc.cmdline"), "0123456789abcdef -l /tmp dir");
	CHECK_STR(field_str(fl, "proc.cwd"), "/root/");
	CHECK_INT(field_int(fl, "vigil.proc.argc"), 3);
	CHECK_INT(field_int(fl, "user.loginuid"), -1);
	CHECK_INT(field_int(fl, "proc.is_exe_from_memfd"), 1);
	CHECK_INT(vg_fields_get(fl, "proc.is_exe_from_memfd")->kind, VG_KV_BOOL);
	CHECK_INT(field_int(fl, "vigil.proc.is_exe_deleted"), 0);
	CHECK_INT(field_int(fl, "proc.args_truncated"), 0);
	CHECK(strncmp(field_str(fl, "thread.cap_effective"), "CAP_CHOWN CAP_DAC_OVERRIDE", 26) == 0);
	CHECK(strstr(field_str(fl, "thread.cap_effective"), " CAP_MAC_OVERRIDE") != NULL);
	CHECK_STR(field_str(fl, "proc.env"), "LD_PRELOAD=/x.so LD_AUDIT=/y.so");
	CHECK_STR(field_str(fl, "vigil.proc.tty_name"), "pts/3");
	CHECK(vg_fields_get(fl, "user.name") == NULL);
	CHECK(vg_fields_get(fl, "no.such.field") == NULL);

	/* the text line and the JSON of the same event */
	vg_format_fields(line, sizeof(line), fl);
	CHECK(strncmp(line, "execve proc.pid=4242 ", 21) == 0);
	CHECK(strstr(line, " proc.cmdline=0123456789abcdef -l /tmp dir ") != NULL);
	CHECK(strstr(line, " proc.is_exe_from_memfd=true") != NULL);
	{
		struct vg_alert a = { .time_ns = 1, .rule = "execve", .priority = "Debug",
				      .output = line, .fields = fl, .source = "syscall",
				      .hostname = "h" };

		js = vg_alert_json(&a);
		o = js ? parse_json(js) : NULL;
		CHECK(o != NULL);
		if (o) {
			json_object *of = get(o, "output_fields");

			CHECK(of && json_object_object_length(of) == fl->n);
			CHECK_STR(get_str(of, "proc.cmdline"), "0123456789abcdef -l /tmp dir");
		}
		json_object_put(o);
		free(js);
	}

	/* a failed exec; no env, no args: the command line is the name alone */
	rec_init(&r, VG_EV_EXEC, sizeof(struct vg_exec), -1);
	r.hdr.flags = VG_F_EXE_DELETED | VG_F_ARGS_TRUNC;
	CHECK_INT(decode(ev, &r), 0);
	render();
	CHECK(keys_unique(fl));
	CHECK_STR(field_str(fl, "proc.cmdline"), field_str(fl, "proc.name"));
	CHECK(vg_fields_get(fl, "proc.exe") == NULL);
	CHECK_INT(field_int(fl, "proc.is_exe_from_memfd"), 0);
	CHECK_INT(field_int(fl, "vigil.proc.is_exe_deleted"), 1);
	CHECK_INT(field_int(fl, "proc.args_truncated"), 1);
	CHECK(vg_fields_get(fl, "proc.env") == NULL);
	CHECK(vg_fields_get(fl, "user.name") == NULL);
}

static void test_net_fields(void)
{
	static union record r;

	rec_init(&r, VG_EV_CONNECT, sizeof(struct vg_net), 42);
	r.net.res = -115; /* EINPROGRESS */
	r.net.fd = 3;
	r.net.domain = AF_INET;
	r.net.type = SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC;
	r.net.protocol = 6;
	r.net.local = (struct vg_sockaddr){ .family = AF_INET, .port = 5,
					    .addr = { 127, 0, 0, 1 } };
	r.net.remote = (struct vg_sockaddr){ .family = AF_INET, .port = 80,
					     .addr = { 10, 0, 0, 1 } };
	CHECK_INT(decode(ev, &r), 0);
	render();
	CHECK(keys_unique(fl));
	CHECK_STR(field_str(fl, "evt.type"), "connect");
	CHECK_STR(field_str(fl, "fd.name"), "127.0.0.1:5->10.0.0.1:80");
	CHECK_STR(field_str(fl, "fd.type"), "ipv4");
	CHECK_STR(field_str(fl, "fd.l4proto"), "tcp");
	CHECK_STR(field_str(fl, "fd.lip"), "127.0.0.1");
	CHECK_STR(field_str(fl, "fd.rip"), "10.0.0.1");
	CHECK_INT(field_int(fl, "fd.lport"), 5);
	CHECK_INT(field_int(fl, "fd.rport"), 80);
	CHECK_STR(field_str(fl, "evt.res"), "EINPROGRESS");
	CHECK_INT(field_int(fl, "evt.rawres"), -115);
	CHECK_INT(field_int(fl, "fd.num"), 3);
	/* connect's arguments are Falco's: the descriptor and the tuple */
	CHECK_STR(field_str(fl, "evt.arg.tuple"), "127.0.0.1:5->10.0.0.1:80");

	/* IPv6, UDP */
	rec_init(&r, VG_EV_CONNECT, sizeof(struct vg_net), 42);
	r.net.domain = AF_INET6;
	r.net.type = SOCK_DGRAM;
	r.net.local = (struct vg_sockaddr){ .family = AF_INET6, .port = 5353 };
	r.net.local.addr[15] = 1;
	r.net.remote = (struct vg_sockaddr){ .family = AF_INET6, .port = 443,
					     .addr = { 0x20, 0x01, 0x0d, 0xb8 } };
	r.net.remote.addr[15] = 1;
	CHECK_INT(decode(ev, &r), 0);
	render();
	CHECK_STR(field_str(fl, "fd.name"), "[::1]:5353->[2001:db8::1]:443");
	CHECK_STR(field_str(fl, "fd.type"), "ipv6");
	CHECK_STR(field_str(fl, "fd.l4proto"), "udp");

	/* AF_UNIX */
	rec_init(&r, VG_EV_CONNECT, sizeof(struct vg_net), 42);
	r.net.domain = AF_UNIX;
	r.net.type = SOCK_STREAM;
	r.net.unix_path = rec_str(&r, "/run/docker.sock", 16);
	CHECK_INT(decode(ev, &r), 0);
	render();
	CHECK(keys_unique(fl));
	CHECK_STR(field_str(fl, "fd.type"), "unix");
	CHECK_STR(field_str(fl, "fd.name"), "/run/docker.sock");

	/* listen */
	rec_init(&r, VG_EV_LISTEN, sizeof(struct vg_net), 50);
	r.net.domain = AF_INET;
	r.net.backlog = 128;
	CHECK_INT(decode(ev, &r), 0);
	render();
	CHECK_STR(field_str(fl, "evt.arg.backlog"), "128");
}

static void test_file_fields(void)
{
	static union record r;

	rec_init(&r, VG_EV_OPEN, sizeof(struct vg_file), 257);
	r.file.res = 3;
	r.file.fd = -1;
	r.file.flags = O_WRONLY | O_CREAT | O_TRUNC;
	r.file.mode = 0644;
	r.file.ino = 12;
	r.file.path_raw = rec_str(&r, "passwd", 6);
	r.file.dir = rec_str(&r, "/etc", 4);
	CHECK_INT(decode(ev, &r), 0);
	render();
	CHECK(keys_unique(fl));
	CHECK_STR(field_str(fl, "evt.type"), "openat");
	CHECK_STR(field_str(fl, "fd.name"), "/etc/passwd");
	CHECK_STR(field_str(fl, "fd.nameraw"), "passwd");
	CHECK_INT(field_int(fl, "fd.num"), 3);
	CHECK_INT(field_int(fl, "fd.ino"), 12);
	CHECK_STR(field_str(fl, "evt.arg.flags"), "O_WRONLY|O_CREAT|O_TRUNC");
	CHECK_STR(field_str(fl, "evt.arg.mode"), "0644");

	rec_init(&r, VG_EV_RENAME, sizeof(struct vg_file), 82);
	r.file.fd = -1;
	r.file.path_raw = rec_str(&r, "/tmp/a", 6);
	r.file.path2_raw = rec_str(&r, "/tmp/b", 6);
	CHECK_INT(decode(ev, &r), 0);
	render();
	CHECK(keys_unique(fl));
	CHECK_STR(field_str(fl, "evt.arg.oldpath"), "/tmp/a");
	CHECK_STR(field_str(fl, "evt.arg.newpath"), "/tmp/b");

	rec_init(&r, VG_EV_CHOWN, sizeof(struct vg_file), 93);
	r.file.fd = 7;
	r.file.uid = 0xffffffffu;
	r.file.gid = 0;
	CHECK_INT(decode(ev, &r), 0);
	render();
	CHECK(keys_unique(fl));
	CHECK_INT(field_int(fl, "fd.num"), 7);
	CHECK_STR(field_str(fl, "evt.arg.uid"), "-1");
	CHECK_STR(field_str(fl, "evt.arg.gid"), "0");
}

/* ---- flag names ---- */

static void test_flagnames(void)
{
	char b[256];

	CHECK_STR(vg_open_flags(b, sizeof(b), O_RDONLY), "O_RDONLY");
	CHECK_STR(vg_open_flags(b, sizeof(b), O_RDWR | O_CLOEXEC), "O_RDWR|O_CLOEXEC");
	CHECK_STR(vg_open_flags(b, sizeof(b), O_WRONLY | O_CREAT | O_EXCL), "O_WRONLY|O_CREAT|O_EXCL");
	CHECK_STR(vg_open_flags(b, sizeof(b), O_RDONLY | O_DIRECTORY), "O_RDONLY|O_DIRECTORY");
	/* O_LARGEFILE (0100000 in the kernel) is noise on 64-bit */
	CHECK_STR(vg_open_flags(b, sizeof(b), 0100000), "O_RDONLY");
	/* O_TMPFILE contains the O_DIRECTORY bit: it must be named as itself */
	CHECK_STR(vg_open_flags(b, sizeof(b), O_RDWR | O_TMPFILE), "O_RDWR|O_TMPFILE");
	/* unknown bits are shown, not dropped */
	CHECK_STR(vg_open_flags(b, sizeof(b), O_WRONLY | 0x80000000u), "O_WRONLY|0x80000000");
	/* a small buffer is cut, terminated */
	vg_open_flags(b, 10, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND);
	CHECK(strlen(b) == 9);

	CHECK_STR(vg_prot_flags(b, sizeof(b), 0), "PROT_NONE");
	CHECK_STR(vg_prot_flags(b, sizeof(b), PROT_READ | PROT_WRITE | PROT_EXEC),
		  "PROT_READ|PROT_WRITE|PROT_EXEC");
	CHECK_STR(vg_prot_flags(b, sizeof(b), PROT_WRITE | PROT_EXEC), "PROT_WRITE|PROT_EXEC");
	CHECK_STR(vg_prot_flags(b, sizeof(b), PROT_EXEC | 0x10), "PROT_EXEC|0x10");

	CHECK_STR(vg_clone_ns_flags(b, sizeof(b), 0), "0");
	CHECK_STR(vg_clone_ns_flags(b, sizeof(b), CLONE_NEWNS | CLONE_NEWUSER),
		  "CLONE_NEWNS|CLONE_NEWUSER");
	CHECK_STR(vg_clone_ns_flags(b, sizeof(b), CLONE_NEWNET | 0x1), "CLONE_NEWNET|0x1");
	/* every name fits or is cut safely, whatever the buffer */
	for (size_t size = 1; size < 40; size++) {
		memset(b, 'Z', sizeof(b));
		vg_clone_ns_flags(b, size, ~0ull);
		CHECK(strlen(b) < size);
	}

	CHECK_STR(vg_ptrace_request(b, sizeof(b), 16), "PTRACE_ATTACH");
	CHECK_STR(vg_ptrace_request(b, sizeof(b), 0x4206), "PTRACE_SEIZE");
	CHECK_STR(vg_ptrace_request(b, sizeof(b), 999), "999");
	CHECK_STR(vg_signal_name(b, sizeof(b), 9), "SIGKILL");
	CHECK_STR(vg_signal_name(b, sizeof(b), 0), "0");
	CHECK_STR(vg_signal_name(b, sizeof(b), 200), "200");
	CHECK_STR(vg_socket_family(b, sizeof(b), AF_INET6), "AF_INET6");
	CHECK_STR(vg_socket_family(b, sizeof(b), 0), "AF_UNSPEC");
	CHECK_STR(vg_socket_family(b, sizeof(b), 99), "99");
	CHECK_STR(vg_socket_type(b, sizeof(b), SOCK_DGRAM | SOCK_CLOEXEC), "SOCK_DGRAM");
	CHECK_STR(vg_socket_type(b, sizeof(b), 15), "15");
	CHECK_STR(vg_bpf_cmd(b, sizeof(b), 5), "BPF_PROG_LOAD");
	CHECK_STR(vg_bpf_cmd(b, sizeof(b), 1000), "1000");
	CHECK_STR(vg_prctl_option(b, sizeof(b), 15), "PR_SET_NAME");
	CHECK_STR(vg_file_type(0100644), "file");
	CHECK_STR(vg_file_type(040755), "directory");
	CHECK_STR(vg_file_type(0140777), "socket");
	CHECK_STR(vg_file_type(010600), "pipe");
	CHECK_STR(vg_file_type(0), "");
}

int main(void)
{
	ev = calloc(1, sizeof(*ev));
	fl = calloc(1, sizeof(*fl));
	rctx = calloc(1, sizeof(*rctx));
	if (!ev || !fl || !rctx)
		return 1;
	test_utf8();
	test_time();
	test_format_fields();
	test_alert_json();
	test_alert_text();
	test_exec_fields();
	test_net_fields();
	test_file_fields();
	test_flagnames();
	free(rctx);
	free(fl);
	free(ev);
	return check_report();
}
