/* The regex engine behind the rules' `regex` operator (RE2 through
 * rules/re2_c.h): Falco's semantics (POSIX syntax, whole-value match), time
 * linear in the subject whatever the pattern, and a match that cannot be run
 * counted against its rule instead of passing silently as "no match". */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "rules/re2_c.h"
#include "rules/rules.h"

static int full(const char *pat, const char *s)
{
	char err[160];
	struct vg_re *re = vg_re_compile(pat, strlen(pat), err, sizeof(err));
	int r;

	if (!re)
		return -100;
	r = vg_re_full_match(re, s, strlen(s));
	vg_re_free(re);
	return r;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_semantics(void)
{
	char err[160];
	struct vg_re *re;

	CHECK_INT(full("/etc/(shadow|passwd)", "/etc/shadow"), 1);
	CHECK_INT(full("shadow", "/etc/shadow"), 0); /* the whole value, as Falco's */
	CHECK_INT(full(".*shadow", "/etc/shadow"), 1);
	CHECK_INT(full("a|ab", "ab"), 1); /* alternation is not left-biased at the end */
	CHECK_INT(full("[[:digit:]]+", "0123"), 1);
	CHECK_INT(full("0*[2-7][0-7][0-7][0-7]", "02777"), 1);
	CHECK_INT(full("0*[2-7][0-7][0-7][0-7]", "0777"), 0);
	/* a NUL inside the value is a byte like any other */
	{
		static const char v[] = "ab\0cd";
		re = vg_re_compile("ab.cd", 5, err, sizeof(err));
		CHECK(re != NULL);
		CHECK_INT(vg_re_full_match(re, v, 5), 1);
		vg_re_free(re);
	}
	/* POSIX syntax, as Falco compiles it: Perl classes are refused, with
	 * RE2's reason */
	re = vg_re_compile("\\d+", 3, err, sizeof(err));
	CHECK(re == NULL);
	CHECK(strstr(err, "invalid escape sequence") != NULL);
	re = vg_re_compile("a(b", 3, err, sizeof(err));
	CHECK(re == NULL);
	CHECK(strstr(err, "missing )") != NULL);
	/* backreferences are what makes an engine backtrack: RE2 has none */
	CHECK(vg_re_compile("(a)\\1", 5, err, sizeof(err)) == NULL);
	vg_re_free(NULL);
	CHECK_INT(vg_re_full_match(NULL, "a", 1), -EINVAL);
}

/* `.*(a+)+$` on a long run of a's costs seconds to a backtracking engine
 * from about 30 characters; RE2 does a megabyte in milliseconds. */
static void test_linear_time(void)
{
	size_t n = 1 << 20;
	char *s = malloc(n + 2), err[160];
	struct vg_re *re = vg_re_compile(".*(a+)+$", 8, err, sizeof(err));
	double t0;

	CHECK(s && re);
	if (!s || !re) {
		free(s);
		vg_re_free(re);
		return;
	}
	memset(s, 'a', n);
	s[n] = '!';
	s[n + 1] = 0;
	t0 = now_s();
	CHECK_INT(vg_re_full_match(re, s, 31), 1);
	CHECK_INT(vg_re_full_match(re, s, n + 1), 0);
	CHECK_INT(vg_re_full_match(re, s, n), 1);
	CHECK(now_s() - t0 < 2.0); /* under ASan on a loaded machine; typically ~0.05 s */
	vg_re_free(re);
	free(s);
}

/* VG-003's patterns (rules/vigil_rules.yaml) on the paths that ran PCRE2's
 * JIT stack out: '/' + './' * 1000 + 'etc/shadow' and '../' * 1000 + ... */
static void test_deep_paths(void)
{
	const char *pat =
		"(/+|(\\.\\./+)+)(\\./+)*(etc/+(shadow|gshadow|sudoers|sudoers\\.d|pam\\.d|"
		"pam\\.conf|passwd|group|ld\\.so\\.preload|crontab|cron\\.d|ssh|security|profile|"
		"bash\\.bashrc)|root/+\\.ssh)(/.*)?";
	char *a = malloc(4000), *b = malloc(4000);

	CHECK(a && b);
	if (!a || !b) {
		free(a);
		free(b);
		return;
	}
	strcpy(a, "/");
	strcpy(b, "");
	for (int i = 0; i < 1000; i++) {
		strcat(a, "./");
		strcat(b, "../");
	}
	strcat(a, "etc/shadow");
	strcat(b, "etc/shadow");
	CHECK_INT(full(pat, a), 1);
	CHECK_INT(full(pat, b), 1);
	CHECK_INT(full(pat, "/etc/shadow"), 1);
	CHECK_INT(full(pat, "/tmp/etc/shadow"), 0);
	free(a);
	free(b);
}

/* A value the engine cannot take (longer than RE2's int): the getter hands
 * it a length RE2 would refuse; the wrapper rejects it before reading. */
static const char tiny[] = "x";
static int huge_get(const void *ctx, const struct vg_field_ref *ref, struct vg_value *out,
		    unsigned max)
{
	(void)ctx;
	if (!max || ref->field->type != VG_FT_STR)
		return 0;
	memset(out, 0, sizeof(*out));
	out->s.ptr = tiny;
	out->s.len = 0x80000001u;
	return 1;
}

static void test_failures_counted(void)
{
	static const char yaml[] =
		"- rule: with_regex\n  desc: d\n  output: o\n  priority: info\n"
		"  condition: evt.type = open and proc.name regex 'x.*'\n"
		"- rule: plain\n  desc: d\n  output: o\n  priority: info\n"
		"  condition: evt.type = open and proc.name startswith x\n";
	struct vg_rules *rs = vg_rules_new();
	const struct vg_rule *m[4];
	unsigned evt_open = vg_evtype_lookup("open", 4);

	CHECK_INT(vg_rules_load_buffer(rs, "f.yaml", yaml, sizeof(yaml) - 1), 0);
	CHECK_INT(vg_rules_compile(rs), 0);
	CHECK_INT(vg_rules_eval(rs, evt_open, huge_get, NULL, m, 4), 1); /* plain only */
	CHECK_STR(m[0]->name, "plain");
	CHECK_INT(vg_rules_eval(rs, evt_open, huge_get, NULL, m, 4), 1);
	CHECK_INT(vg_rules_match_failures(rs, vg_rules_find(rs, "with_regex")), 2);
	CHECK_INT(vg_rules_match_failures(rs, vg_rules_find(rs, "plain")), 0);
	vg_rules_free(rs);
}

int main(void)
{
	test_semantics();
	test_linear_time();
	test_deep_paths();
	test_failures_counted();
	return check_report();
}
