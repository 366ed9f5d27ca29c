/* Loading rules files: items, errors with file/line/column, append and
 * override across files, exceptions, Falco's stable rules, the CLI. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "cli/commands.h"
#include "rules/rules.h"
#include "test_rules_fake.h"

int cmd_rules(int argc, char **argv);

#define FALCO_RULES "../shared/compat/falco_rules.yaml"

static struct fake_event ev;
static unsigned evt_open, evt_execve;

static struct vg_rules *load2(const char *a, const char *b)
{
	struct vg_rules *rs = vg_rules_new();

	vg_rules_load_buffer(rs, "a.yaml", a, strlen(a));
	if (b)
		vg_rules_load_buffer(rs, "b.yaml", b, strlen(b));
	vg_rules_compile(rs);
	return rs;
}

/* the first diagnostic of a level, formatted */
static const char *diag(struct vg_rules *rs, enum vg_diag_level level)
{
	static char buf[1024];
	const struct vg_diag *d;
	unsigned n;

	d = vg_rules_diags(rs, &n);
	for (unsigned i = 0; i < n; i++) {
		if (d[i].level == level) {
			vg_diag_format(&d[i], buf, sizeof(buf));
			return buf;
		}
	}
	return "";
}

static void expect_diag(const char *yaml, enum vg_diag_level level, const char *want)
{
	struct vg_rules *rs = load2(yaml, NULL);
	const char *got = diag(rs, level);

	if (!strstr(got, want))
		fprintf(stderr, "diagnostic was '%s', expected '%s'\n", got, want);
	CHECK(strstr(got, want) != NULL);
	vg_rules_free(rs);
}

static int matches(struct vg_rules *rs, unsigned evtype, const char *name)
{
	const struct vg_rule *m[16];
	int n = vg_rules_eval(rs, evtype, fake_get, &ev, m, 16);

	for (int i = 0; i < n && i < 16; i++)
		if (!strcmp(m[i]->name, name))
			return 1;
	return 0;
}

#define RULE(name, cond)                                                                           \
	"- rule: " name "\n  desc: d\n  output: o\n  priority: WARNING\n  condition: " cond "\n"

static void test_items(void)
{
	const char *yaml = "- required_engine_version: 0.57.0\n"
			   "- required_plugin_versions:\n    - name: container\n      version: 0.4.0\n"
			   "- list: l\n  items: [a, b]\n"
			   "- macro: m\n  condition: proc.name in (l)\n"
			   "- rule: r\n  desc: >\n    multi\n    line\n  condition: >\n    evt.type = open\n"
			   "    and m\n  output: \"x=%proc.name\"\n  priority: Informational\n"
			   "  tags: [t1, t2]\n  enabled: false\n  source: syscall\n";
	struct vg_rules *rs = load2(yaml, NULL);
	const struct vg_rule *r = vg_rules_find(rs, "r");
	struct vg_rules_stats st;

	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_INT(r->state, VG_RULE_LOADED);
	CHECK(!r->enabled);
	CHECK_INT(r->priority, VG_PRIO_INFO);
	CHECK_INT(r->ntags, 2);
	CHECK_STR(r->tags[1], "t2");
	CHECK_STR(r->desc, "multi line\n");
	CHECK_STR(r->output, "x=%proc.name");
	CHECK_STR(r->file, "a.yaml");
	CHECK_INT(r->line, 9);
	vg_rules_get_stats(rs, &st);
	CHECK_INT(st.rules, 1);
	CHECK_INT(st.loaded, 1);
	CHECK_INT(st.disabled, 1);
	CHECK_INT(st.macros, 1);
	CHECK_INT(st.lists, 1);
	CHECK_INT(st.errors, 0);
	vg_rules_free(rs);

	/* priorities, case-insensitive */
	CHECK_INT(vg_priority_parse("emergency", 9), VG_PRIO_EMERGENCY);
	CHECK_INT(vg_priority_parse("ALERT", 5), VG_PRIO_ALERT);
	CHECK_INT(vg_priority_parse("Critical", 8), VG_PRIO_CRITICAL);
	CHECK_INT(vg_priority_parse("error", 5), VG_PRIO_ERROR);
	CHECK_INT(vg_priority_parse("warning", 7), VG_PRIO_WARNING);
	CHECK_INT(vg_priority_parse("NOTICE", 6), VG_PRIO_NOTICE);
	CHECK_INT(vg_priority_parse("info", 4), VG_PRIO_INFO);
	CHECK_INT(vg_priority_parse("debug", 5), VG_PRIO_DEBUG);
	CHECK_INT(vg_priority_parse("loud", 4), -EINVAL);
	CHECK_STR(vg_priority_name(VG_PRIO_WARNING), "Warning");
}

static void test_errors(void)
{
	/* YAML syntax: file, line, column */
	expect_diag("- rule: x\n  desc: \"never closed\n", VG_DIAG_ERROR,
		    "a.yaml:3:1: error: YAML: found unexpected end of stream");
	expect_diag("- rule: x\n  desc: [a\n", VG_DIAG_ERROR, "a.yaml:");
	expect_diag("foo: bar\n", VG_DIAG_ERROR, "a.yaml:1:1: error: a rules file must be a list");
	/* unknown field: position inside a folded condition */
	expect_diag("- rule: r1\n  desc: d\n  output: o\n  priority: info\n  condition: >\n"
		    "    evt.type = open\n    and proc.nme = bash\n",
		    VG_DIAG_ERROR, "a.yaml:7:9: error: rule 'r1': unknown field 'proc.nme'");
	/* unknown macro, in a plain scalar */
	expect_diag(RULE("r2", "evt.type = open and not my_macro"), VG_DIAG_ERROR,
		    "a.yaml:5:38: error: rule 'r2': undefined macro 'my_macro'");
	/* type mismatch */
	expect_diag(RULE("r3", "fd.num = abc"), VG_DIAG_ERROR,
		    "a.yaml:5:23: error: rule 'r3': type mismatch: 'abc' is not a valid int64");
	/* bad regex */
	expect_diag(RULE("r4", "proc.name regex 'a(b'"), VG_DIAG_ERROR,
		    "a.yaml:5:30: error: rule 'r4': bad regex 'a(b'");
	/* unterminated string inside a double-quoted YAML scalar */
	expect_diag(RULE("r5", "\"proc.name = 'abc\""), VG_DIAG_ERROR,
		    "a.yaml:5:27: error: rule 'r5': unterminated string");
	/* syntax error inside a macro is reported in the macro, the rule says so */
	expect_diag("- macro: m\n  condition: proc.name = a and\n" RULE("r6", "m"),
		    VG_DIAG_ERROR, "a.yaml:2:31: error: macro 'm': unexpected end of condition");
	{
		struct vg_rules *rs = load2("- macro: m\n  condition: proc.nope = a\n" RULE("r7", "evt.type=open and m"), NULL);
		const struct vg_diag *d;
		unsigned n;

		d = vg_rules_diags(rs, &n);
		CHECK(n >= 2);
		if (n >= 2) {
			CHECK_STR(d[0].item, "macro 'm'");
			CHECK_INT(d[0].line, 2);
			CHECK_INT(d[0].column, 14);
			CHECK_STR(d[1].item, "rule 'r7'");
			CHECK(strstr(d[1].msg, "uses macro 'm', which has errors") != NULL);
		}
		CHECK_INT(vg_rules_find(rs, "r7")->state, VG_RULE_FAILED);
		vg_rules_free(rs);
	}
	/* duplicates */
	expect_diag(RULE("d", "evt.type=open") RULE("d", "evt.type=open"), VG_DIAG_ERROR,
		    "a.yaml:6:3: error: rule 'd': duplicate rule name (first defined at line 1)");
	expect_diag("- list: l\n  items: [a]\n- list: l\n  items: [b]\n", VG_DIAG_ERROR,
		    "a.yaml:3:3: error: list 'l': duplicate list name");
	expect_diag("- rule: x\n  desc: a\n  desc: b\n", VG_DIAG_ERROR, "duplicate key 'desc'");
	/* missing keys, bad values */
	expect_diag("- rule: x\n  desc: d\n  condition: evt.type=open\n  priority: info\n",
		    VG_DIAG_ERROR, "a.yaml:1:3: error: rule 'x': rule has no 'output'");
	expect_diag("- rule: x\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: loud\n",
		    VG_DIAG_ERROR, "a.yaml:5:13: error: rule 'x': invalid priority 'loud'");
	expect_diag("- rule: x\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: info\n"
		    "  enabled: maybe\n",
		    VG_DIAG_ERROR, "'enabled' must be true or false");
	expect_diag("- macro: a\n  condition: b\n- macro: b\n  condition: a\n" RULE("c", "a"),
		    VG_DIAG_ERROR, "uses itself");
	expect_diag("- list: l\n  items: [l]\n" RULE("c", "proc.name in (l)"), VG_DIAG_ERROR,
		    "list 'l' contains itself");
	expect_diag(RULE("o", "evt.type=open") "  output: x\n", VG_DIAG_ERROR, "duplicate key");
	expect_diag("- rule: o\n  desc: d\n  condition: evt.type=open\n  priority: info\n"
		    "  output: \"%proc.nosuch\"\n",
		    VG_DIAG_ERROR, "a.yaml:5:13: error: rule 'o': unknown field 'proc.nosuch'");
	expect_diag("- nonsense: 1\n", VG_DIAG_WARNING, "unknown item ignored");
	expect_diag(RULE("w", "proc.name = x") "  colour: red\n", VG_DIAG_WARNING,
		    "unknown key 'colour' ignored");
	expect_diag(RULE("w", "proc.name = x"), VG_DIAG_WARNING, "does not restrict evt.type");
	expect_diag(RULE("u", "evt.type in (open, nosuchcall)"), VG_DIAG_WARNING,
		    "unknown event type 'nosuchcall'");
	/* a field vigil records nothing for: loaded, with a warning (once for
	 * a run of uses of it) naming where */
	expect_diag(RULE("c", "evt.type=open and not container.image.repository in (a, b)"),
		    VG_DIAG_WARNING,
		    "a.yaml:5:36: warning: rule 'c': vigil records nothing for field "
		    "'container.image.repository': it is always absent, so comparisons with it "
		    "are false");
	{
		struct vg_rules *rs =
			load2(RULE("c2", "evt.type=open and (container.privileged = true or "
					 "container.privileged = false) and not container.image = x"),
			      NULL);
		struct vg_rules_stats st;

		vg_rules_get_stats(rs, &st);
		CHECK_INT(st.loaded, 1);
		CHECK_INT(st.warnings, 2); /* privileged once, image once */
		vg_rules_free(rs);
	}
	/* skipped, not failed */
	expect_diag(RULE("k", "evt.type=open and k8s.ns.name = x"), VG_DIAG_SKIPPED,
		    "field 'k8s.ns.name' comes from Kubernetes metadata");
	expect_diag(RULE("p", "ct.name = x") "  source: aws_cloudtrail\n", VG_DIAG_SKIPPED,
		    "source 'aws_cloudtrail' needs a Falco plugin");
	{
		struct vg_rules *rs = load2(RULE("s", "evt.type=open and proc.unknownfield = x")
					    "  skip-if-unknown-filter: true\n", NULL);
		struct vg_rules_stats st;

		vg_rules_get_stats(rs, &st);
		CHECK_INT(st.skipped, 1);
		CHECK_INT(st.errors, 0);
		vg_rules_free(rs);
	}
	/* an unused broken macro is only a warning */
	{
		struct vg_rules *rs = load2("- macro: unused\n  condition: proc.bad = 1\n", NULL);

		CHECK_INT(vg_rules_diags(rs, &(unsigned){ 0 })[0].level, VG_DIAG_WARNING);
		CHECK(strstr(diag(rs, VG_DIAG_WARNING), "unused macro 'unused'") != NULL);
		vg_rules_free(rs);
	}
	/* files that cannot be read */
	{
		struct vg_rules *rs = vg_rules_new();

		CHECK_INT(vg_rules_load_file(rs, "/nonexistent/rules.yaml"), -ENOENT);
		CHECK(strstr(diag(rs, VG_DIAG_ERROR), "/nonexistent/rules.yaml: cannot open") != NULL);
		vg_rules_set_limits(rs, 10, 0, 0);
		CHECK_INT(vg_rules_load_buffer(rs, "big", "- list: x\n", 10), -EINVAL);
		CHECK_INT(vg_rules_load_buffer(rs, "big", "- list: x\n  items: []\n", 22), -EFBIG);
		CHECK_INT(vg_rules_compile(rs), -EINVAL);
		CHECK_INT(vg_rules_load_buffer(rs, "late", "", 0), -EBUSY);
		vg_rules_free(rs);
	}
}

static void test_append_override(void)
{
	const char *base = "- list: bins\n  items: [bash]\n"
			   "- macro: m\n  condition: proc.name in (bins)\n"
			   "- rule: r\n  desc: d\n  output: first\n  priority: info\n"
			   "  condition: evt.type = open and m\n"
			   "- rule: keep\n  desc: d\n  output: o\n  priority: info\n"
			   "  condition: evt.type = open\n";
	const char *over = "- list: bins\n  items: [zsh]\n  override:\n    items: replace\n"
			   "- rule: r\n  output: second\n  priority: ERROR\n"
			   "  override:\n    output: replace\n    priority: replace\n"
			   "- rule: keep\n  enabled: false\n";
	struct vg_rules *rs;
	const struct vg_rule *r;

	/* append to a list (legacy) and to a macro */
	rs = load2(base, "- list: bins\n  items: [zsh]\n  append: true\n"
			 "- macro: m\n  condition: and user.uid = 0\n  append: true\n");
	fake_set(&ev, VG_F_USER_UID, -1, NULL, "0");
	ev.e[0].s = "zsh";
	CHECK_INT(matches(rs, evt_open, "r"), 1);
	ev.e[0].s = "bash";
	CHECK_INT(matches(rs, evt_open, "r"), 1);
	ev.e[ev.n - 1].s = "5"; /* uid */
	CHECK_INT(matches(rs, evt_open, "r"), 0);
	ev.e[ev.n - 1].s = "0";
	vg_rules_free(rs);

	/* override replace: later file wins */
	rs = load2(base, over);
	r = vg_rules_find(rs, "r");
	CHECK_STR(r->output, "second");
	CHECK_INT(r->priority, VG_PRIO_ERROR);
	CHECK(!vg_rules_find(rs, "keep")->enabled);
	CHECK_INT(matches(rs, evt_open, "r"), 0); /* bash replaced by zsh */
	CHECK_INT(matches(rs, evt_open, "keep"), 0);
	vg_rules_free(rs);

	/* override append of a rule condition, and a plain redefinition in a
	 * later file replaces the rule */
	rs = load2(base, "- rule: r\n  condition: and fd.num = 9\n  override:\n    condition: append\n"
			 "- rule: keep\n  desc: d2\n  output: o2\n  priority: debug\n"
			 "  condition: evt.type = execve\n");
	CHECK_INT(vg_rules_find(rs, "r")->state, VG_RULE_LOADED);
	CHECK_INT(matches(rs, evt_open, "r"), 0); /* fd.num is 3 */
	CHECK_INT(matches(rs, evt_execve, "keep"), 1);
	CHECK_INT(matches(rs, evt_open, "keep"), 0);
	CHECK_INT(vg_rules_count(rs), 2);
	vg_rules_free(rs);

	/* an error in an appended piece points into the second file */
	rs = load2(base, "- rule: r\n  condition: and proc.nope = 1\n  append: true\n");
	CHECK(strstr(diag(rs, VG_DIAG_ERROR), "b.yaml:2:18: error: rule 'r': unknown field 'proc.nope'") != NULL);
	vg_rules_free(rs);

	/* mistakes */
	rs = load2(base, "- rule: nope\n  condition: and x\n  append: true\n");
	CHECK(strstr(diag(rs, VG_DIAG_ERROR), "no rule 'nope' was defined before") != NULL);
	vg_rules_free(rs);
	rs = load2(base, "- rule: r\n  output: x\n  desc: y\n  override:\n    output: replace\n");
	CHECK(strstr(diag(rs, VG_DIAG_ERROR), "key 'desc' is not listed in 'override'") != NULL);
	vg_rules_free(rs);
	rs = load2(base, "- rule: r\n  priority: info\n  override:\n    priority: append\n");
	CHECK(strstr(diag(rs, VG_DIAG_ERROR), "can only be replaced") != NULL);
	vg_rules_free(rs);
	rs = load2(base, "- list: bins\n  items: [x]\n  append: true\n  override:\n    items: append\n");
	CHECK(strstr(diag(rs, VG_DIAG_ERROR), "cannot be used together") != NULL);
	vg_rules_free(rs);
	rs = load2(base, "- macro: nom\n  condition: x\n  override:\n    condition: replace\n");
	CHECK(strstr(diag(rs, VG_DIAG_ERROR), "no macro 'nom' was defined before") != NULL);
	vg_rules_free(rs);
	rs = load2(base, "- rule: ghost\n  enabled: false\n");
	CHECK(strstr(diag(rs, VG_DIAG_ERROR), "cannot change 'enabled'") != NULL);
	vg_rules_free(rs);
}

static void test_exceptions(void)
{
	const char *yaml =
		"- list: trusted\n  items: [bash]\n"
		"- rule: r\n  desc: d\n  output: o\n  priority: info\n"
		"  condition: evt.type = open and fd.name startswith /etc\n"
		"  exceptions:\n"
		"    - name: proc_file\n      fields: [proc.name, fd.name]\n"
		"      comps: [=, startswith]\n"
		"      values:\n        - [vim, /etc/hosts]\n"
		"    - name: by_name\n      fields: proc.name\n      values: [cron, anacron]\n"
		"    - name: by_list\n      fields: [proc.pname, fd.name]\n      comps: [in, pmatch]\n"
		"      values:\n        - [trusted, [/etc/ssl, /etc/pki]]\n"
		"    - name: empty\n      fields: [proc.name]\n";
	const char *more = "- rule: r\n  exceptions:\n    - name: by_name\n      values: [login]\n"
			   "    - name: new_one\n      fields: user.uid\n      comps: =\n"
			   "      values: [\"1000\"]\n  override:\n    exceptions: append\n";
	struct vg_rules *rs = load2(yaml, more);

	CHECK_INT(vg_rules_find(rs, "r")->state, VG_RULE_LOADED);
	CHECK_INT(rs ? (int)diag(rs, VG_DIAG_ERROR)[0] : 1, 0);
	/* base event: bash opens /etc/shadow: pname bash is trusted but the
	 * path is not under /etc/ssl */
	CHECK_INT(matches(rs, evt_open, "r"), 1);
	ev.e[0].s = "cron";
	CHECK_INT(matches(rs, evt_open, "r"), 0);
	ev.e[0].s = "login"; /* appended from the second file */
	CHECK_INT(matches(rs, evt_open, "r"), 0);
	ev.e[0].s = "vim";
	CHECK_INT(matches(rs, evt_open, "r"), 1);
	ev.e[2].s = "/etc/hosts";
	CHECK_INT(matches(rs, evt_open, "r"), 0);
	ev.e[0].s = "bash";
	ev.e[2].s = "/etc/ssl/certs/x.pem"; /* pname bash in trusted and under /etc/ssl */
	CHECK_INT(matches(rs, evt_open, "r"), 0);
	ev.e[2].s = "/etc/shadow";
	vg_rules_free(rs);

	expect_diag("- rule: r\n  desc: d\n  output: o\n  priority: info\n  condition: evt.type=open\n"
		    "  exceptions:\n    - name: e\n      fields: [proc.name, fd.name]\n"
		    "      values:\n        - [onlyone]\n",
		    VG_DIAG_ERROR, "a.yaml:10:11: error: rule 'r': exception 'e': 1 values for 2 fields");
	expect_diag("- rule: r\n  desc: d\n  output: o\n  priority: info\n  condition: evt.type=open\n"
		    "  exceptions:\n    - name: e\n      fields: [proc.nope]\n      values: [[x]]\n",
		    VG_DIAG_ERROR, "unknown field 'proc.nope'");
	expect_diag("- rule: r\n  desc: d\n  output: o\n  priority: info\n  condition: evt.type=open\n"
		    "  exceptions:\n    - name: e\n      fields: [proc.name]\n      comps: [like]\n",
		    VG_DIAG_ERROR, "unknown comparison operator 'like'");
	expect_diag("- rule: r\n  desc: d\n  output: o\n  priority: info\n  condition: evt.type=open\n"
		    "  exceptions:\n    - name: e\n      fields: [fd.num]\n      values: [[abc]]\n",
		    VG_DIAG_ERROR, "type mismatch");
	expect_diag("- rule: r\n  desc: d\n  output: o\n  priority: info\n  condition: evt.type=open\n"
		    "  exceptions:\n    - name: e\n      fields: [proc.name]\n"
		    "    - name: e\n      fields: [fd.name]\n",
		    VG_DIAG_ERROR, "duplicate exception name 'e'");
}

/* an execve by a shell below an http server: "Run shell untrusted" */
static void shell_event(struct fake_event *e)
{
	memset(e, 0, sizeof(*e));
	fake_set(e, VG_F_PROC_NAME, -1, NULL, "bash");
	fake_set(e, VG_F_PROC_PNAME, -1, NULL, "nginx");
	fake_set(e, VG_F_PROC_ANAME, 1, NULL, "nginx");
	fake_set(e, VG_F_PROC_ANAME, 2, NULL, "systemd");
	fake_set(e, VG_F_PROC_CMDLINE, -1, NULL, "bash -i");
	fake_set(e, VG_F_PROC_PCMDLINE, -1, NULL, "nginx: worker");
	fake_set(e, VG_F_PROC_EXE, -1, NULL, "/bin/bash");
	fake_set(e, VG_F_PROC_PEXE, -1, NULL, "/usr/sbin/nginx");
	fake_set(e, VG_F_PROC_ARGS, -1, NULL, "-i");
	fake_set(e, VG_F_PROC_CWD, -1, NULL, "/var/www");
	fake_set(e, VG_F_USER_NAME, -1, NULL, "www-data");
	fake_set(e, VG_F_USER_UID, -1, NULL, "33");
	fake_set(e, VG_F_CONTAINER_ID, -1, NULL, "host");
	fake_set(e, VG_F_PROC_TTY, -1, NULL, "0");
	fake_set(e, VG_F_PROC_IS_EXE_FROM_MEMFD, -1, NULL, "false");
	fake_set(e, VG_F_PROC_IS_EXE_UPPER_LAYER, -1, NULL, "false");
}

static void test_falco_rules(void)
{
	struct vg_rules *rs = vg_rules_new();
	struct vg_rules_stats st;
	const struct vg_rule *m[8];
	const struct vg_diag *d;
	struct vg_evtset set;
	struct fake_event e;
	unsigned nd;
	int n;

	CHECK_INT(vg_rules_load_file(rs, FALCO_RULES), 0);
	CHECK_INT(vg_rules_compile(rs), 0);
	vg_rules_get_stats(rs, &st);
	CHECK_INT(st.errors, 0);
	CHECK_INT(st.failed, 0);
	CHECK(st.rules >= 25);
	CHECK_INT(st.loaded + st.skipped, st.rules);
	/* only k8s/plugin fields may skip a rule */
	d = vg_rules_diags(rs, &nd);
	for (unsigned i = 0; i < nd; i++) {
		if (d[i].level != VG_DIAG_SKIPPED)
			continue;
		CHECK(strstr(d[i].msg, "field 'k8s.") != NULL);
	}
	CHECK_INT(st.skipped, 1);
	CHECK_INT(vg_rules_find(rs, "Contact K8S API Server From Container")->state,
		  VG_RULE_SKIPPED);
	vg_rules_evtypes(rs, &set);
	CHECK(vg_evtset_has(&set, evt_execve));
	CHECK(vg_evtset_has(&set, evt_open));
	CHECK(vg_evtset_has(&set, vg_evtype_lookup("ptrace", 6)));
	CHECK(!vg_evtset_has(&set, vg_evtype_lookup("read", 4)));
	for (unsigned i = 0; i < vg_rules_count(rs); i++)
		CHECK(!vg_rules_get(rs, i)->all_evtypes);

	shell_event(&e);
	n = vg_rules_eval(rs, evt_execve, fake_get, &e, m, 8);
	CHECK_INT(n, 1);
	if (n >= 1) {
		static struct vg_alert_text a;

		CHECK_STR(m[0]->name, "Run shell untrusted");
		CHECK_INT(vg_rules_format(rs, m[0], fake_get, &e, &a), 0);
		CHECK(strncmp(a.output, "Shell spawned by untrusted binary | parent_exe=/usr/sbin/nginx", 62) == 0);
		CHECK_STR(a.fields[0].name, "proc.pexe");
	}
	/* the same shell below sshd is not "untrusted", but www-data is a
	 * system user, so the session is "System user interactive" */
	e.e[1].s = "sshd";
	e.e[2].s = "sshd";
	n = vg_rules_eval(rs, evt_execve, fake_get, &e, m, 8);
	CHECK_INT(n, 1);
	if (n == 1)
		CHECK_STR(m[0]->name, "System user interactive");
	e.e[10].s = "alice";
	CHECK_INT(vg_rules_eval(rs, evt_execve, fake_get, &e, m, 8), 0);

	/* speed: the default rules on execve events (ASan build: a low bar;
	 * the optimised build does several million per second) */
	{
		struct timespec t0, t1;
		const int N = 100000;
		double secs;

		e.e[1].s = "nginx";
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (int i = 0; i < N; i++)
			vg_rules_eval(rs, (i & 1) ? evt_execve : evt_open, fake_get, &e, m, 8);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		printf("falco rules: %.0f events/s\n", N / secs);
		CHECK(N / secs > 50000);
	}
	vg_rules_free(rs);

	/* loading the file twice: the second copy overrides the first */
	rs = vg_rules_new();
	CHECK_INT(vg_rules_load_file(rs, FALCO_RULES), 0);
	CHECK_INT(vg_rules_load_file(rs, FALCO_RULES), 0);
	CHECK_INT(vg_rules_compile(rs), 0);
	CHECK_INT(vg_rules_count(rs), st.rules);
	vg_rules_free(rs);
}

static int run_cli(int argc, char **argv)
{
	fflush(stdout);
	return cmd_rules(argc, argv);
}

static void test_cli(void)
{
	char path[] = "/tmp/vigil-rules-test-XXXXXX";
	const char *bad = RULE("r", "evt.type = open and proc.nme = x");
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_INT(write(fd, bad, strlen(bad)), (long)strlen(bad));
	close(fd);
	{
		char *ok[] = { "rules", "check", "-q", FALCO_RULES, NULL };
		char *err[] = { "rules", "check", FALCO_RULES, path, NULL };
		char *usage1[] = { "rules", NULL };
		char *usage2[] = { "rules", "check", NULL };
		char *usage3[] = { "rules", "check", "-x", FALCO_RULES, NULL };

		CHECK_INT(run_cli(4, ok), 0);
		CHECK_INT(run_cli(4, err), 1);
		CHECK_INT(run_cli(1, usage1), 2);
		CHECK_INT(run_cli(2, usage2), 2);
		CHECK_INT(run_cli(4, usage3), 2);
	}
	unlink(path);
}

int main(void)
{
	evt_open = vg_evtype_lookup("open", 4);
	evt_execve = vg_evtype_lookup("execve", 6);
	memset(&ev, 0, sizeof(ev));
	fake_set(&ev, VG_F_PROC_NAME, -1, NULL, "bash");
	fake_set(&ev, VG_F_PROC_PNAME, -1, NULL, "bash");
	fake_set(&ev, VG_F_FD_NAME, -1, NULL, "/etc/shadow");
	fake_set(&ev, VG_F_FD_NUM, -1, NULL, "3");
	test_items();
	test_errors();
	test_append_override();
	test_exceptions();
	test_falco_rules();
	test_cli();
	return check_report();
}
