/* The configuration parser: defaults, every error kind with its line and
 * column, overrides and their order, and show → load round trips. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "config/config.h"

static struct vg_config_errors errs;

static struct vg_config *fresh(void)
{
	struct vg_config *c = NULL;

	CHECK_INT(vg_config_new(&c, "/usr/share/vigil/vigil_rules.yaml"), 0);
	memset(&errs, 0, sizeof(errs));
	return c;
}

static int load(struct vg_config *c, const char *text)
{
	memset(&errs, 0, sizeof(errs));
	return vg_config_load_buf(c, "t.yaml", text, strlen(text), &errs);
}

/* One bad document: exactly one error, at line:col, naming key, saying msg. */
static void expect_error(const char *text, unsigned line, unsigned col, const char *key,
			 const char *msg)
{
	struct vg_config *c = fresh();
	char buf[1024];

	CHECK_INT(load(c, text), -EINVAL);
	CHECK_INT(errs.n, 1);
	if (errs.n) {
		CHECK_INT(errs.e[0].line, line);
		CHECK_INT(errs.e[0].column, col);
		CHECK_STR(errs.e[0].key, key);
		vg_config_error_format(&errs.e[0], buf, sizeof(buf));
		if (!strstr(buf, msg) || strncmp(buf, "t.yaml:", 7))
			fprintf(stderr, "error text: %s (wanted %s)\n", buf, msg);
		CHECK(strstr(buf, msg) != NULL);
		CHECK(!strncmp(buf, "t.yaml:", 7));
	}
	vg_config_free(c);
}

static void test_defaults(void)
{
	struct vg_config *c = fresh();

	CHECK(c->rules.enabled);
	CHECK_INT(c->rules.files.n, 0);
	CHECK_INT(c->sensor.ring_size, 16u << 20);
	CHECK_INT(c->sensor.wakeup_bytes, 65536);
	CHECK_INT(c->sensor.poll_ms, 10);
	CHECK_INT(c->stats.interval, 60);
	CHECK_STR(c->lock_file, "/run/vigil/vigil.lock");
	CHECK(c->ph.enabled);
	CHECK_INT(c->ph.normal_wait, 604800);
	CHECK_INT(c->ph.min_train, 1000);
	CHECK_STR(c->ph.model, "fallback");
	CHECK_STR(c->ph.state_dir, "/var/lib/vigil/profiles");
	CHECK_INT(c->ph.save_interval, 600);
	CHECK(c->auth.enabled);
	CHECK_INT(c->auth.failures, 5);
	CHECK_INT(c->auth.window, 60);
	CHECK(!c->response.enabled);
	CHECK_STR(c->control.socket, "/run/vigil/vigil.sock");
	CHECK_STR(c->metrics.listen, "off");
	CHECK_INT(c->noutputs, 0);
	vg_config_free(c);
}

static void test_good_file(void)
{
	struct vg_config *c = fresh();

	CHECK_INT(load(c, "# a comment\n"
			  "rules:\n"
			  "  files: [/etc/vigil/a.yaml, /etc/vigil/b.yaml]\n"
			  "sensor:\n"
			  "  ring_size: 32M\n"
			  "  syscalls:\n"
			  "    - openat\n"
			  "    - connect\n"
			  "stats: {interval: 2m}\n"
			  "ph.enabled: yes\n" /* a dotted key at the top works too */
			  "ph:\n"
			  "  model: plain\n"
			  "  normal_wait: 1d\n"
			  "response:\n"
			  "  deny_exec: /usr/bin/nc, /usr/bin/ncat\n"
			  "metrics: {listen: \"127.0.0.1:9376\"}\n"
			  "outputs:\n"
			  "  - type: file\n"
			  "    path: /var/log/vigil.json\n"
			  "    min_priority: warning\n"
			  "  - {type: syslog}\n"),
		  0);
	CHECK_INT(errs.n, 0);
	CHECK_INT(c->rules.files.n, 2);
	CHECK_STR(c->rules.files.items[1], "/etc/vigil/b.yaml");
	CHECK_INT(c->sensor.ring_size, 32u << 20);
	CHECK_INT(c->sensor.syscalls.n, 2);
	CHECK_STR(c->sensor.syscalls.items[1], "connect");
	CHECK_INT(c->stats.interval, 120);
	CHECK(c->ph.enabled);
	CHECK_STR(c->ph.model, "plain");
	CHECK_INT(c->ph.normal_wait, 86400);
	CHECK_INT(c->response.deny_exec.n, 2);
	CHECK_STR(c->response.deny_exec.items[1], "/usr/bin/ncat");
	CHECK_STR(c->metrics.listen, "127.0.0.1:9376");
	CHECK_INT(c->noutputs, 2);
	CHECK_STR(c->outputs[0].type, "file");
	CHECK_INT(c->outputs[0].line, 18);
	CHECK_INT(c->outputs[0].nkv, 2);
	CHECK_STR(c->outputs[0].kv[0].key, "path");
	CHECK_STR(c->outputs[0].kv[0].value, "/var/log/vigil.json");
	CHECK_INT(c->outputs[0].kv[0].line, 19);
	CHECK_STR(c->outputs[0].kv[1].key, "min_priority");
	CHECK_STR(c->outputs[1].type, "syslog");
	CHECK_INT(c->outputs[1].nkv, 0);
	/* Keys the file does not name keep their defaults. */
	CHECK_INT(c->sensor.poll_ms, 10);
	vg_config_free(c);

	/* Empty files and empty groups are the defaults. */
	c = fresh();
	CHECK_INT(load(c, ""), 0);
	CHECK_INT(load(c, "# nothing\n"), 0);
	CHECK_INT(load(c, "sensor:\nph: ~\n"), 0);
	CHECK_INT(c->sensor.ring_size, 16u << 20);
	vg_config_free(c);
}

static void test_errors(void)
{
	expect_error("sensor:\n  rng_size: 1M\n", 2, 3, "sensor.rng_size", "unknown key");
	expect_error("bogus: 1\n", 1, 1, "bogus", "unknown key");
	expect_error("sensor:\n  poll_ms: fast\n", 2, 12, "sensor.poll_ms", "expected a number");
	expect_error("sensor:\n  poll_ms: \"10\"\n", 2, 12, "sensor.poll_ms", "expected a number");
	expect_error("sensor:\n  poll_ms: 0\n", 2, 12, "sensor.poll_ms", "out of range");
	expect_error("sensor:\n  poll_ms: 10001\n", 2, 12, "sensor.poll_ms", "must be 1 to 10000");
	expect_error("sensor:\n  poll_ms: 99999999999999999999999\n", 2, 12, "sensor.poll_ms",
		     "expected a number");
	expect_error("sensor:\n  ring_size: 5000\n", 2, 14, "sensor.ring_size", "power of two");
	expect_error("sensor:\n  ring_size: 2G\n", 2, 14, "sensor.ring_size", "power of two");
	expect_error("sensor:\n  wakeup_bytes: 12X\n", 2, 17, "sensor.wakeup_bytes",
		     "expected a size");
	expect_error("stats:\n  interval: 2w\n", 2, 13, "stats.interval", "expected a duration");
	expect_error("stats:\n  interval: 2d\n", 2, 13, "stats.interval", "out of range");
	expect_error("ph:\n  enabled: maybe\n", 2, 12, "ph.enabled", "expected true or false");
	expect_error("ph:\n  enabled: \"true\"\n", 2, 12, "ph.enabled", "expected true or false");
	expect_error("ph:\n  model: fancy\n", 2, 10, "ph.model", "not one of fallback|ngram|plain");
	expect_error("ph:\n  state_dir: profiles\n", 2, 14, "ph.state_dir",
		     "not an absolute path");
	expect_error("lock_file: \"\"\n", 1, 12, "lock_file", "must not be empty");
	expect_error("lock_file: [a]\n", 1, 12, "lock_file", "expected a string, got a list");
	expect_error("lock_file: {a: b}\n", 1, 12, "lock_file", "got a mapping");
	expect_error("lock_file: \"a\\0b\"\n", 1, 12, "lock_file", "NUL byte");
	expect_error("sensor: 5\n", 1, 9, "sensor", "expected a mapping");
	expect_error("sensor:\n  syscalls: [openat, nosuch]\n", 2, 22, "sensor.syscalls",
		     "'nosuch' is not a syscall vigil watches");
	expect_error("sensor:\n  syscalls: [[openat]]\n", 2, 14, "sensor.syscalls",
		     "list items must be strings");
	expect_error("sensor:\n  syscalls: {a: b}\n", 2, 13, "sensor.syscalls", "expected a list");
	expect_error("response:\n  deny_exec: nc\n", 2, 14, "response.deny_exec",
		     "not an absolute path");
	expect_error("metrics:\n  listen: localhost\n", 2, 11, "metrics.listen", "HOST:PORT");
	expect_error("metrics:\n  listen: \"1.2.3.4:0\"\n", 2, 11, "metrics.listen", "HOST:PORT");
	expect_error("metrics:\n  listen: \"::1:80\"\n", 2, 11, "metrics.listen", "brackets");
	expect_error("stats:\n  interval: 1\nstats:\n  interval: 2\n", 4, 3, "stats.interval",
		     "given twice (first on line 2)");
	expect_error("outputs: stdout\n", 1, 10, "outputs", "expected a list of outputs");
	expect_error("outputs:\n  - path: /x\n", 2, 5, "outputs", "output without a type");
	expect_error("outputs:\n  - type: pigeon\n", 2, 11, "outputs", "unknown output type");
	expect_error("outputs:\n  - type: file\n    path: [a]\n", 3, 11, "outputs",
		     "scalar value");
	expect_error("outputs:\n  - type: file\n    path: a\n    path: b\n", 4, 5, "outputs",
		     "given twice (first on line 3)");
	expect_error("outputs:\n  - type: file\n    Bad-Key: 1\n", 3, 5, "outputs", "a-z");
	expect_error("outputs:\n  - stdout\n", 2, 5, "outputs", "mapping with a type");
	expect_error("- a\n- b\n", 1, 1, "", "must be a mapping");
	expect_error("sensor:\n  poll_ms: [\n", 3, 1, "", "YAML:");
	expect_error("a: 1\n---\nb: 2\n", 1, 1, "a", "unknown key");
	expect_error("stats: {interval: 1}\n---\nb: 2\n", 3, 1, "", "more than one YAML document");
	expect_error("\t- bad\n", 1, 1, "", "YAML:");
	/* read through util/yaml_doc as the rules are: brackets nested too deep
	 * are refused before parsing, at their line */
	{
		char deep[256] = "stats:\n  interval: ";

		memset(deep + strlen(deep), '[', 70);
		expect_error(deep, 2, 1, "", "nested deeper than 64");
	}
}

/* The configuration reads its files and its --set values as the rules do
 * (util/yaml_doc): YAML's null in any case, a FIFO refused without blocking,
 * too-deep brackets in a --set value refused. */
static void test_yaml_helper(void)
{
	struct vg_config *c = fresh();
	char path[64] = "/tmp/vg-config-fifo-XXXXXX", deep[128] = "ph.model=";

	CHECK_INT(load(c, "sensor: NULL\nstats: Null\n"), 0);
	CHECK_INT(errs.n, 0);
	/* a FIFO: named by its path, refused before any open that could block */
	CHECK(mkdtemp(path) != NULL);
	strcat(path, "/f");
	CHECK_INT(mkfifo(path, 0600), 0);
	memset(&errs, 0, sizeof(errs));
	CHECK_INT(vg_config_load_file(c, path, &errs), -EINVAL);
	CHECK_INT(errs.n, 1);
	CHECK_STR(errs.e[0].where, path);
	CHECK(strstr(errs.e[0].msg, "not a regular file") != NULL);
	CHECK(strstr(errs.e[0].msg, path) == NULL); /* said once, in where */
	unlink(path);
	*strrchr(path, '/') = 0;
	rmdir(path);
	/* a missing file is -ENOENT and no error: the caller decides */
	memset(&errs, 0, sizeof(errs));
	CHECK_INT(vg_config_load_file(c, "/nonexistent/vigil.yaml", &errs), -ENOENT);
	CHECK_INT(errs.n, 0);
	memset(deep + strlen(deep), '[', 70);
	memset(&errs, 0, sizeof(errs));
	CHECK_INT(vg_config_set(c, deep, "--set", &errs), -EINVAL);
	CHECK_INT(errs.n, 1);
	CHECK(strstr(errs.e[0].msg, "not valid YAML: brackets nested deeper") != NULL);
	vg_config_free(c);
}

static void test_all_errors_reported(void)
{
	struct vg_config *c = fresh();
	char many[8192];
	size_t at = 0;

	CHECK_INT(load(c, "a: 1\nb: 2\nsensor:\n  poll_ms: x\n"), -EINVAL);
	CHECK_INT(errs.n, 3);
	CHECK_INT(errs.e[2].line, 4);
	/* More errors than are kept: counted. */
	for (int i = 0; i < 40; i++)
		at += (size_t)snprintf(many + at, sizeof(many) - at, "k%d: 1\n", i);
	CHECK_INT(load(c, many), -EINVAL);
	CHECK_INT(errs.n, VG_CONFIG_ERRORS_MAX);
	CHECK_INT(errs.total, 40);
	vg_config_free(c);
}

static void test_limits(void)
{
	struct vg_config *c = fresh();
	char *big = malloc(70000);
	size_t at;

	/* 65 rule files: one more than allowed. */
	at = (size_t)snprintf(big, 70000, "rules:\n  files:\n");
	for (int i = 0; i < 65; i++)
		at += (size_t)snprintf(big + at, 70000 - at, "    - /r%d.yaml\n", i);
	CHECK_INT(load(c, big), -EINVAL);
	CHECK(errs.n == 1 && strstr(errs.e[0].msg, "more than 64 items"));
	CHECK_INT(errs.e[0].line, 67);
	/* A value longer than VG_CONFIG_STRING_MAX. */
	at = (size_t)snprintf(big, 70000, "lock_file: /");
	memset(big + at, 'a', 5000);
	big[at + 5000] = '\n';
	big[at + 5001] = 0;
	CHECK_INT(load(c, big), -EINVAL);
	CHECK(errs.n == 1 && strstr(errs.e[0].msg, "longer than"));
	/* 17 outputs. */
	at = (size_t)snprintf(big, 70000, "outputs:\n");
	for (int i = 0; i < 17; i++)
		at += (size_t)snprintf(big + at, 70000 - at, "  - {type: stdout}\n");
	CHECK_INT(load(c, big), -EINVAL);
	CHECK(errs.n == 1 && strstr(errs.e[0].msg, "more than 16 outputs"));
	free(big);
	CHECK_INT(c->noutputs, 0); /* the failed lists changed nothing */
	CHECK_INT(c->rules.files.n, 0);
	vg_config_free(c);
}

static void test_overrides(void)
{
	struct vg_config *c = fresh();
	static const char *const rules[] = { "/x.yaml", "/y, z.yaml" };
	struct vg_config_override ov[] = {
		{ .origin = "--set", .value = "sensor.poll_ms=20" },
		{ .origin = "--set", .value = "sensor.syscalls=openat, connect" },
		{ .origin = "--set", .value = "outputs=[{type: stdout, format: json}]" },
		{ .origin = "--set", .value = "rules.files=[/a.yaml]" },
		{ .origin = "--poll-ms", .key = "sensor.poll_ms", .value = "30" },
		{ .origin = "--rules", .key = "rules.files", .items = rules, .nitems = 2 },
	};

	CHECK_INT(load(c, "sensor: {poll_ms: 5, wakeup_bytes: 1K}\n"), 0);
	CHECK_INT(vg_config_apply(c, ov, 4, &errs), 0);
	CHECK_INT(c->sensor.poll_ms, 20); /* --set wins over the file */
	CHECK_INT(c->sensor.wakeup_bytes, 1024);
	CHECK_INT(c->sensor.syscalls.n, 2);
	CHECK_STR(c->sensor.syscalls.items[1], "connect");
	CHECK_INT(c->noutputs, 1);
	CHECK_STR(c->outputs[0].kv[0].value, "json");
	CHECK_STR(c->rules.files.items[0], "/a.yaml");
	CHECK_INT(vg_config_apply(c, ov + 4, 2, &errs), 0);
	CHECK_INT(c->sensor.poll_ms, 30); /* a specific option wins over --set */
	CHECK_INT(c->rules.files.n, 2);
	CHECK_STR(c->rules.files.items[1], "/y, z.yaml"); /* items are not split */
	/* KEY= empties a list. */
	CHECK_INT(vg_config_set(c, "sensor.syscalls=", "--set", &errs), 0);
	CHECK_INT(c->sensor.syscalls.n, 0);

	/* Bad overrides: named by their origin, without a line. */
	memset(&errs, 0, sizeof(errs));
	CHECK_INT(vg_config_set(c, "sensor.poll_ms=0", "--set", &errs), -EINVAL);
	CHECK_INT(vg_config_set(c, "nope=1", "--set", &errs), -EINVAL);
	CHECK_INT(vg_config_set(c, "sensor=1", "--set", &errs), -EINVAL);
	CHECK_INT(vg_config_set(c, "novalue", "--set", &errs), -EINVAL);
	CHECK_INT(vg_config_set(c, "ph.model=[", "--set", &errs), -EINVAL);
	CHECK_INT(vg_config_set_kv(c, "sensor.ring_size", "3000", "--ring-size", &errs), -EINVAL);
	CHECK_INT(errs.n, 6);
	CHECK_INT(errs.e[0].line, 0);
	CHECK_STR(errs.e[0].where, "--set");
	CHECK_STR(errs.e[0].key, "sensor.poll_ms");
	CHECK(strstr(errs.e[1].msg, "unknown key") != NULL);
	CHECK(strstr(errs.e[2].msg, "is a group") != NULL);
	CHECK(strstr(errs.e[3].msg, "not KEY=VALUE") != NULL);
	CHECK(strstr(errs.e[4].msg, "not valid YAML") != NULL);
	CHECK_STR(errs.e[5].where, "--ring-size");
	CHECK_INT(c->sensor.poll_ms, 30); /* unchanged by the failures */
	vg_config_free(c);
}

static void test_build(void)
{
	struct vg_config *c = (struct vg_config *)1;
	struct vg_config_override ov = { .origin = "--set", .value = "stats.interval=7" };

	memset(&errs, 0, sizeof(errs));
	/* An explicit file that is missing is an error. */
	CHECK_INT(vg_config_build(&c, "/r.yaml", "/nonexistent/vigil.yaml", NULL, 0, &errs),
		  -ENOENT);
	CHECK(c == NULL);
	CHECK(errs.n == 1 && strstr(errs.e[0].msg, "no such file"));
	/* A file that exists, then the override. */
	memset(&errs, 0, sizeof(errs));
	CHECK_INT(vg_config_build(&c, "/r.yaml", "tests/fuzz/corpus/config/good.yaml", &ov, 1,
				  &errs),
		  0);
	if (c) {
		CHECK_INT(c->stats.interval, 7);
		CHECK_INT(c->sensor.poll_ms, 25);
		CHECK_STR(c->builtin_rules, "/r.yaml");
	}
	vg_config_free(c);
	/* A directory is not a file. */
	memset(&errs, 0, sizeof(errs));
	CHECK(vg_config_build(&c, "/r.yaml", "tests", NULL, 0, &errs) < 0);
	CHECK(errs.n == 1);
}

/* show prints YAML that loads back to the same configuration. */
static void test_round_trip(void)
{
	struct vg_config *c = fresh(), *back = fresh();
	char *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	FILE *f;

	CHECK_INT(load(c, "rules: {files: [\"/odd: name.yaml\", \"#x\", \"a,b\", \"q\\\"t\"]}\n"
			  "lock_file: \"/tmp/ \\t x\"\n"
			  "sensor: {ring_size: 4K, wakeup_bytes: 1000}\n"
			  "outputs: [{type: webhook, url: \"http://h/x?a=1&b=[2]\"}]\n"),
		  0);
	f = open_memstream(&a, &na);
	vg_config_show(c, f);
	fclose(f);
	CHECK_INT(load(back, a), 0);
	f = open_memstream(&b, &nb);
	vg_config_show(back, f);
	fclose(f);
	CHECK_STR(a, b);
	CHECK_STR(back->rules.files.items[0], "/odd: name.yaml");
	CHECK_STR(back->lock_file, "/tmp/ \t x");
	CHECK_STR(back->outputs[0].kv[0].value, "http://h/x?a=1&b=[2]");
	free(a);
	free(b);
	vg_config_free(c);
	vg_config_free(back);
}

/* The example file loads, and equals the defaults. */
static void test_example(void)
{
	struct vg_config *c = fresh(), *d = fresh();
	char *ex = NULL, *a = NULL, *b = NULL;
	size_t n = 0, na = 0, nb = 0;
	FILE *f = open_memstream(&ex, &n);

	vg_config_example(f);
	fclose(f);
	CHECK_INT(load(c, ex), 0);
	f = open_memstream(&a, &na);
	vg_config_show(c, f);
	fclose(f);
	f = open_memstream(&b, &nb);
	vg_config_show(d, f);
	fclose(f);
	CHECK_STR(a, b);
	/* Every key is in it. */
	for (unsigned i = 0; i < vg_config_nkeys; i++) {
		const char *name = strrchr(vg_config_keys[i].name, '.');
		char want[128];

		snprintf(want, sizeof(want), "#%s: ", name ? name + 1 : vg_config_keys[i].name);
		CHECK(strstr(ex, want) != NULL);
	}
	free(ex);
	free(a);
	free(b);
	vg_config_free(c);
	vg_config_free(d);
}

int main(void)
{
	test_defaults();
	test_good_file();
	test_errors();
	test_all_errors_reported();
	test_yaml_helper();
	test_limits();
	test_overrides();
	test_build();
	test_round_trip();
	test_example();
	return check_report();
}
