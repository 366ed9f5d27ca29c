/* ph.watch (src/config/config_watch.c): plain paths and mappings with a
 * program's own settings, every kind of bad entry with its line, column
 * and entry, the command line's "a,b" form, and show → load round trips. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
	return vg_config_load_buf(c, "w.yaml", text, strlen(text), &errs);
}

/* The error i of the last load: at line:col, naming key, saying msg. */
static void check_error(unsigned i, unsigned line, unsigned col, const char *key, const char *msg)
{
	char buf[1024];

	CHECK(i < errs.n);
	if (i >= errs.n)
		return;
	vg_config_error_format(&errs.e[i], buf, sizeof(buf));
	if (errs.e[i].line != line || errs.e[i].column != col || strcmp(errs.e[i].key, key) ||
	    !strstr(buf, msg))
		fprintf(stderr, "error %u: %s (wanted %u:%u %s: %s)\n", i, buf, line, col, key,
			msg);
	CHECK_INT(errs.e[i].line, line);
	CHECK_INT(errs.e[i].column, col);
	CHECK_STR(errs.e[i].key, key);
	CHECK(strstr(buf, msg) != NULL);
	CHECK(!strncmp(buf, "w.yaml:", 7));
}

static void expect_one_error(const char *text, unsigned line, unsigned col, const char *key,
			     const char *msg)
{
	struct vg_config *c = fresh();

	CHECK_INT(load(c, text), -EINVAL);
	CHECK_INT(errs.n, 1);
	check_error(0, line, col, key, msg);
	/* the list in force is untouched by a bad one */
	CHECK_INT(c->ph.watch.n, 0);
	vg_config_free(c);
}

static void test_default_is_empty(void)
{
	struct vg_config *c = fresh();

	CHECK_INT(c->ph.watch.n, 0);
	CHECK(c->ph.watch.paths != NULL && c->ph.watch.paths[0] == NULL);
	vg_config_free(c);
}

static void test_plain_paths_and_mappings(void)
{
	struct vg_config *c = fresh();
	const struct vg_watch_entry *e;

	CHECK_INT(load(c, "ph:\n"
			  "  watch:\n"
			  "    - /usr/sbin/sshd\n"
			  "    - path: /usr/sbin/nginx\n"
			  "      normal_wait: 2h\n"
			  "      coverage_runs: 20\n"
			  "      anomaly_limit: 100\n"
			  "      ignore_calls: [sched_getaffinity, getrandom]\n"
			  "    - {path: /opt/app/server, ignore_calls: \"madvise, mremap\"}\n"
			  "    - {path: /opt/app/worker, normal_wait: 0}\n"),
		  0);
	CHECK_INT(c->ph.watch.n, 4);
	if (c->ph.watch.n != 4) {
		vg_config_free(c);
		return;
	}
	/* the paths array, for readers that need only them */
	CHECK_STR(c->ph.watch.paths[0], "/usr/sbin/sshd");
	CHECK_STR(c->ph.watch.paths[1], "/usr/sbin/nginx");
	CHECK(c->ph.watch.paths[4] == NULL);
	e = &c->ph.watch.e[0];
	CHECK(e->normal_wait == VG_CONFIG_UNSET && e->coverage_runs == VG_CONFIG_UNSET &&
	      e->anomaly_limit == VG_CONFIG_UNSET && e->ignore_calls.n == 0);
	e = &c->ph.watch.e[1];
	CHECK_INT(e->normal_wait, 7200);
	CHECK_INT(e->coverage_runs, 20);
	CHECK_INT(e->anomaly_limit, 100);
	CHECK_INT(e->ignore_calls.n, 2);
	CHECK_STR(e->ignore_calls.items[1], "getrandom");
	e = &c->ph.watch.e[2];
	CHECK_INT(e->ignore_calls.n, 2);
	CHECK_STR(e->ignore_calls.items[0], "madvise");
	CHECK_STR(e->ignore_calls.items[1], "mremap");
	CHECK(e->normal_wait == VG_CONFIG_UNSET);
	/* 0 is a setting (normal as soon as it freezes), not "unset" */
	CHECK_INT(c->ph.watch.e[3].normal_wait, 0);
	vg_config_free(c);
}

static void test_bad_entries(void)
{
	expect_one_error("ph:\n  watch: [usr/bin/x]\n", 2, 11, "ph.watch[1]",
			 "'usr/bin/x' is not an absolute path");
	expect_one_error("ph:\n  watch:\n    - /a\n    - {path: /b, normal_wait: 2x}\n", 4, 31,
			 "ph.watch[2].normal_wait", "expected a duration");
	expect_one_error("ph:\n  watch:\n    - {path: /b, normal_wait: 99999999999}\n", 3, 31,
			 "ph.watch[1].normal_wait", "out of range");
	expect_one_error("ph:\n  watch:\n    - {path: /b, normal_wait: \"10\"}\n", 3, 31,
			 "ph.watch[1].normal_wait", "expected a duration");
	expect_one_error("ph:\n  watch:\n    - {path: /b, coverage_runs: -1}\n", 3, 33,
			 "ph.watch[1].coverage_runs", "expected a number, got '-1'");
	expect_one_error("ph:\n  watch:\n    - {path: /b, anomaly_limit: 2000000000}\n", 3, 33,
			 "ph.watch[1].anomaly_limit", "out of range");
	expect_one_error("ph:\n  watch:\n    - {path: /b, ignore_calls: [futex, nosuchcall]}\n", 3,
			 40, "ph.watch[1].ignore_calls", "'nosuchcall' is not a system call name");
	expect_one_error("ph:\n  watch:\n    - {path: /b, ignore_calls: [futex, futex]}\n", 3, 40,
			 "ph.watch[1].ignore_calls", "'futex' is listed twice");
	expect_one_error("ph:\n  watch:\n    - {normal_wait: 1h}\n", 3, 7, "ph.watch[1]",
			 "a mapping needs path:");
	expect_one_error("ph:\n  watch:\n    - {path: /b, normal_wiat: 1h}\n", 3, 18,
			 "ph.watch[1].normal_wiat", "unknown setting");
	expect_one_error("ph:\n  watch:\n    - {path: /b, path: /c}\n", 3, 18, "ph.watch[1].path",
			 "given twice");
	expect_one_error("ph:\n  watch:\n    - [/a]\n", 3, 7, "ph.watch[1]",
			 "expected a path or a mapping, got a list");
	expect_one_error("ph:\n  watch:\n    - {path: [/a]}\n", 3, 14, "ph.watch[1].path",
			 "expected a single value, got a list");
	expect_one_error("ph:\n  watch:\n    - /a\n    - {path: /a, normal_wait: 1}\n", 4, 7,
			 "ph.watch[2]", "'/a' is listed twice");
	expect_one_error("ph:\n  watch: {path: /a}\n", 2, 10, "ph.watch",
			 "expected a list of paths or {path: ...} mappings");
}

/* Every bad entry is reported in one load, each with its own entry. */
static void test_all_bad_entries_reported(void)
{
	struct vg_config *c = fresh();

	CHECK_INT(load(c, "ph:\n"
			  "  watch:\n"
			  "    - rel\n"
			  "    - {path: /a, normal_wait: x, ignore_calls: [nope]}\n"
			  "    - /b\n"
			  "    - {}\n"),
		  -EINVAL);
	CHECK_INT(errs.n, 4);
	check_error(0, 3, 7, "ph.watch[1]", "not an absolute path");
	check_error(1, 4, 31, "ph.watch[2].normal_wait", "expected a duration");
	check_error(2, 4, 49, "ph.watch[2].ignore_calls", "'nope'");
	check_error(3, 6, 7, "ph.watch[4]", "a mapping needs path:");
	vg_config_free(c);
}

/* --ph-watch PATH,PATH and --set ph.watch=[{...}] */
static void test_command_line(void)
{
	struct vg_config *c = fresh();

	CHECK_INT(vg_config_set(c, "ph.watch=/a, /b", "--ph-watch", &errs), 0);
	CHECK_INT(c->ph.watch.n, 2);
	CHECK_STR(c->ph.watch.paths[1], "/b");
	CHECK_INT(vg_config_set(c, "ph.watch=[{path: /c, anomaly_limit: 5}]", "--set", &errs), 0);
	CHECK_INT(c->ph.watch.n, 1);
	CHECK_INT(c->ph.watch.e[0].anomaly_limit, 5);
	memset(&errs, 0, sizeof(errs));
	CHECK_INT(vg_config_set(c, "ph.watch=/a,,/b", "--ph-watch", &errs), -EINVAL);
	CHECK_INT(errs.n, 1);
	CHECK_INT(errs.e[0].line, 0); /* a --set has no line */
	CHECK_INT(c->ph.watch.n, 1);  /* kept */
	CHECK_INT(vg_config_set(c, "ph.watch=", "--ph-watch", &errs), 0);
	CHECK_INT(c->ph.watch.n, 0);
	vg_config_free(c);
}

static char *show(const struct vg_config *c)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);

	vg_config_show(c, f);
	fclose(f);
	return text;
}

static void test_round_trip(void)
{
	struct vg_config *c = fresh(), *back = fresh();
	char *a, *b;

	CHECK_INT(load(c, "ph:\n  watch:\n    - /x y\n"
			  "    - {path: /n, normal_wait: 1d, coverage_runs: 0, anomaly_limit: 0, "
			  "ignore_calls: [read]}\n"),
		  0);
	a = show(c);
	CHECK(strstr(a, "watch: [/x y, {path: /n, normal_wait: 86400, coverage_runs: 0, "
			"anomaly_limit: 0, ignore_calls: [read]}]") != NULL);
	CHECK_INT(load(back, a), 0);
	b = show(back);
	CHECK_STR(a, b);
	CHECK_INT(back->ph.watch.e[1].coverage_runs, 0);
	free(a);
	free(b);
	vg_config_free(c);
	vg_config_free(back);
}

/* The settings are documented wherever the keys are. */
static void test_documented(void)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);

	vg_config_example(f);
	vg_config_markdown(f);
	fclose(f);
	for (unsigned i = 0; i < vg_config_nwatch_keys; i++) {
		char want[64];

		snprintf(want, sizeof(want), "`ph.watch[].%s`", vg_config_watch_keys[i].name);
		CHECK(strstr(text, want) != NULL);
		snprintf(want, sizeof(want), "#   %s (", vg_config_watch_keys[i].name);
		CHECK(strstr(text, want) != NULL);
	}
	free(text);
}

int main(void)
{
	test_default_is_empty();
	test_plain_paths_and_mappings();
	test_bad_entries();
	test_all_bad_entries_reported();
	test_command_line();
	test_round_trip();
	test_documented();
	return check_report();
}
