/* Evaluation: every operator on every field type, lists and macros,
 * transformers, the per-event field cache, event-type indexing, outputs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "rules/rules.h"
#include "test_rules_fake.h"

static struct fake_event ev;
static unsigned evt_open, evt_execve, evt_connect;

static const char *prelude =
	"- list: shells\n"
	"  items: [bash, sh, '\"my shell\"']\n"
	"- list: more_shells\n"
	"  items: [shells, zsh]\n"
	"- list: ports\n"
	"  items: [22, 443]\n"
	"- list: nets\n"
	"  items: ['\"10.0.0.0/8\"', \"192.168.0.0/16\"]\n"
	"- list: empty\n"
	"  items: []\n"
	"- macro: is_shell\n"
	"  condition: proc.name in (more_shells)\n"
	"- macro: nested\n"
	"  condition: is_shell and user.uid = 0\n";

/* Compiles one rule with cond; returns the engine or NULL if it did not load. */
static struct vg_rules *build(const char *cond)
{
	char yaml[8192];
	struct vg_rules *rs = vg_rules_new();

	snprintf(yaml, sizeof(yaml),
		 "%s- rule: t\n  desc: d\n  output: \"out %%proc.name\"\n  priority: info\n"
		 "  condition: >-\n    %s\n",
		 prelude, cond);
	vg_rules_load_buffer(rs, "t.yaml", yaml, strlen(yaml));
	vg_rules_compile(rs);
	if (vg_rules_find(rs, "t")->state != VG_RULE_LOADED) {
		vg_rules_free(rs);
		return NULL;
	}
	return rs;
}

/* 1 match, 0 no match, -1 the rule did not compile */
static int eval(const char *cond, unsigned evtype)
{
	const struct vg_rule *m[4];
	struct vg_rules *rs = build(cond);
	int n;

	if (!rs)
		return -1;
	n = vg_rules_eval(rs, evtype, fake_get, &ev, m, 4);
	vg_rules_free(rs);
	return n;
}

static void base_event(void)
{
	memset(&ev, 0, sizeof(ev));
	fake_set(&ev, VG_F_PROC_NAME, -1, NULL, "bash");
	fake_set(&ev, VG_F_PROC_CMDLINE, -1, NULL, "bash -c 'cat /etc/shadow'");
	fake_set(&ev, VG_F_FD_NAME, -1, NULL, "/etc/shadow");
	fake_set(&ev, VG_F_FD_NUM, -1, NULL, "3");
	fake_set(&ev, VG_F_USER_UID, -1, NULL, "0");
	fake_set(&ev, VG_F_USER_LOGINUID, -1, NULL, "-1");
	fake_set(&ev, VG_F_EVT_IS_OPEN_READ, -1, NULL, "true");
	fake_set(&ev, VG_F_FD_SIP, -1, NULL, "10.1.2.3");
	fake_set(&ev, VG_F_FD_SPORT, -1, NULL, "443");
	fake_set(&ev, VG_F_PROC_ANAME, 1, NULL, "sshd");
	fake_set(&ev, VG_F_PROC_ANAME, 2, NULL, "systemd");
	fake_set(&ev, VG_F_EVT_ARG, -1, "flags", "O_RDONLY|O_CLOEXEC");
	fake_set(&ev, VG_F_PROC_EXEPATH, -1, NULL, "/usr/bin/Bash");
	fake_set(&ev, VG_F_PROC_PNAME, -1, NULL, "bash");
}

static void test_strings(void)
{
	CHECK_INT(eval("proc.name = bash", evt_open), 1);
	CHECK_INT(eval("proc.name == bash", evt_open), 1);
	CHECK_INT(eval("proc.name = bas", evt_open), 0);
	CHECK_INT(eval("proc.name != sh", evt_open), 1);
	CHECK_INT(eval("proc.name != bash", evt_open), 0);
	CHECK_INT(eval("proc.cmdline contains \"/etc/sha\"", evt_open), 1);
	CHECK_INT(eval("proc.cmdline contains nope", evt_open), 0);
	CHECK_INT(eval("proc.cmdline icontains BASH", evt_open), 1);
	CHECK_INT(eval("proc.cmdline icontains xbash", evt_open), 0);
	CHECK_INT(eval("proc.cmdline bcontains 2D63", evt_open), 1); /* "-c" */
	CHECK_INT(eval("proc.cmdline bstartswith 62617368", evt_open), 1);
	CHECK_INT(eval("proc.cmdline bstartswith 00", evt_open), 0);
	CHECK_INT(eval("fd.name startswith /etc/", evt_open), 1);
	CHECK_INT(eval("fd.name startswith /usr", evt_open), 0);
	CHECK_INT(eval("fd.name endswith shadow", evt_open), 1);
	CHECK_INT(eval("fd.name endswith shadowx", evt_open), 0);
	CHECK_INT(eval("fd.name glob '/etc/*'", evt_open), 1);
	CHECK_INT(eval("fd.name glob '/e?c/[a-s]hadow'", evt_open), 1);
	CHECK_INT(eval("fd.name glob '/etc/[!s]*'", evt_open), 0);
	CHECK_INT(eval("fd.name glob '*/shad*'", evt_open), 1);
	CHECK_INT(eval("fd.name glob '/ETC/*'", evt_open), 0);
	CHECK_INT(eval("fd.name iglob '/ETC/*'", evt_open), 1);
	CHECK_INT(eval("fd.name regex '/etc/(shadow|passwd)'", evt_open), 1);
	CHECK_INT(eval("fd.name regex 'shadow'", evt_open), 0); /* anchored like Falco */
	CHECK_INT(eval("fd.name regex '.*sha.*'", evt_open), 1);
	CHECK_INT(eval("fd.name pmatch (/etc, /usr)", evt_open), 1);
	CHECK_INT(eval("fd.name pmatch (/et)", evt_open), 0);
	CHECK_INT(eval("fd.name pmatch (/etc/shadow)", evt_open), 1);
	CHECK_INT(eval("fd.name pmatch (/)", evt_open), 1);
	CHECK_INT(eval("fd.name pmatch (/etc/)", evt_open), 1);
	CHECK_INT(eval("proc.name in (zsh, bash)", evt_open), 1);
	CHECK_INT(eval("proc.name in (zsh, bas)", evt_open), 0);
	CHECK_INT(eval("proc.name intersects (bash)", evt_open), 1);
	CHECK_INT(eval("proc.name exists", evt_open), 1);
	CHECK_INT(eval("proc.pexe exists", evt_open), 0);
	CHECK_INT(eval("not proc.pexe exists", evt_open), 1);
	/* an absent field fails every comparison, != included */
	CHECK_INT(eval("proc.pexe != foo", evt_open), 0);
	CHECK_INT(eval("proc.pexe = foo", evt_open), 0);
	/* string fields take numbers as strings */
	CHECK_INT(eval("proc.name != 0", evt_open), 1);
	/* numeric operators do not apply to strings */
	CHECK_INT(eval("proc.name < 3", evt_open), -1);
}

static void test_numbers_bools_ips(void)
{
	CHECK_INT(eval("fd.num = 3", evt_open), 1);
	CHECK_INT(eval("fd.num != 3", evt_open), 0);
	CHECK_INT(eval("fd.num >= 0", evt_open), 1);
	CHECK_INT(eval("fd.num > 3", evt_open), 0);
	CHECK_INT(eval("fd.num < 4", evt_open), 1);
	CHECK_INT(eval("fd.num <= 2", evt_open), 0);
	CHECK_INT(eval("fd.num = -1", evt_open), 0);
	CHECK_INT(eval("fd.num in (1, 2, 3)", evt_open), 1);
	CHECK_INT(eval("fd.num = 0x3", evt_open), 1);
	CHECK_INT(eval("user.loginuid = -1", evt_open), 1);
	CHECK_INT(eval("user.uid = 0", evt_open), 1);
	CHECK_INT(eval("user.uid in (1000, 0)", evt_open), 1);
	CHECK_INT(eval("fd.sport in (ports)", evt_open), 1);
	CHECK_INT(eval("fd.sport > 1024", evt_open), 0);
	CHECK_INT(eval("evt.is_open_read = true", evt_open), 1);
	CHECK_INT(eval("evt.is_open_read = false", evt_open), 0);
	CHECK_INT(eval("evt.is_open_read != false", evt_open), 1);
	CHECK_INT(eval("fd.sip = 10.1.2.3", evt_open), 1);
	CHECK_INT(eval("fd.sip = \"10.1.2.4\"", evt_open), 0);
	CHECK_INT(eval("fd.sip in (nets)", evt_open), 1);
	CHECK_INT(eval("fd.snet in (\"192.168.0.0/16\")", evt_open), 0);
	CHECK_INT(eval("fd.sip != \"10.0.0.0/8\"", evt_open), 0);
	/* type mismatches are load errors */
	CHECK_INT(eval("fd.num = abc", evt_open), -1);
	CHECK_INT(eval("user.uid = -1", evt_open), -1);
	CHECK_INT(eval("evt.is_open_read = yes", evt_open), -1);
	CHECK_INT(eval("fd.sip = not-an-ip", evt_open), -1);
	CHECK_INT(eval("fd.num contains 3", evt_open), -1);
	CHECK_INT(eval("fd.num = 1.5", evt_open), -1);
	CHECK_INT(eval("fd.num > 99999999999999999999", evt_open), -1);
}

static void test_fields_with_args(void)
{
	CHECK_INT(eval("proc.aname[1] = sshd", evt_open), 1);
	CHECK_INT(eval("proc.aname[2] = sshd", evt_open), 0);
	CHECK_INT(eval("proc.aname = systemd", evt_open), 1);	 /* any ancestor */
	CHECK_INT(eval("proc.aname in (init, sshd)", evt_open), 1);
	CHECK_INT(eval("proc.aname[3] exists", evt_open), 0);
	CHECK_INT(eval("evt.arg.flags contains O_RDONLY", evt_open), 1);
	CHECK_INT(eval("evt.arg[flags] contains O_CLOEXEC", evt_open), 1);
	CHECK_INT(eval("evt.arg.mode exists", evt_open), 0);
	CHECK_INT(eval("evt.arg = x", evt_open), -1);		/* needs an argument */
	CHECK_INT(eval("proc.name[1] = x", evt_open), -1);	/* takes none */
	CHECK_INT(eval("proc.aname[x] = y", evt_open), -1);	/* numeric index */
	CHECK_INT(eval("proc.nosuch = y", evt_open), -1);
}

static void test_transformers(void)
{
	CHECK_INT(eval("tolower(proc.exepath) = /usr/bin/bash", evt_open), 1);
	CHECK_INT(eval("toupper(proc.name) = BASH", evt_open), 1);
	CHECK_INT(eval("basename(fd.name) = shadow", evt_open), 1);
	CHECK_INT(eval("tolower(basename(proc.exepath)) = bash", evt_open), 1);
	CHECK_INT(eval("len(proc.name) = 4", evt_open), 1);
	CHECK_INT(eval("len(proc.name) > 4", evt_open), 0);
	CHECK_INT(eval("proc.name = val(proc.pname)", evt_open), 1);
	CHECK_INT(eval("proc.name != val(proc.pname)", evt_open), 0);
	CHECK_INT(eval("fd.num = val(proc.name)", evt_open), -1); /* types differ */
	CHECK_INT(eval("len(fd.num) = 1", evt_open), -1);
	fake_set(&ev, VG_F_PROC_ENV, -1, "X", "aGVsbG8=");
	CHECK_INT(eval("b64(proc.env[X]) = hello", evt_open), 1);
}

static void test_logic_lists_macros(void)
{
	CHECK_INT(eval("is_shell", evt_open), 1);
	CHECK_INT(eval("not is_shell", evt_open), 0);
	CHECK_INT(eval("nested and fd.num = 3", evt_open), 1);
	CHECK_INT(eval("is_shell and fd.num = 4 or user.uid = 0", evt_open), 1);
	CHECK_INT(eval("is_shell and (fd.num = 4 or user.uid = 1)", evt_open), 0);
	CHECK_INT(eval("proc.name in (more_shells, fish)", evt_open), 1);
	CHECK_INT(eval("proc.name in (empty)", evt_open), 0);
	CHECK_INT(eval("not proc.name in (empty)", evt_open), 1);
	CHECK_INT(eval("proc.name in shells", evt_open), 1);
	CHECK_INT(eval("proc.name in \"shells\"", evt_open), -1); /* not a list form */
	CHECK_INT(eval("proc.name = shells", evt_open), 0);	  /* = does not expand lists */
	CHECK_INT(eval("proc.name in ('shells')", evt_open), 0);  /* quoted: a value */
	CHECK_INT(eval("no_such_macro", evt_open), -1);
	CHECK_INT(eval("shells", evt_open), -1); /* a list used as a macro */
	CHECK_INT(eval("proc.name in nolist", evt_open), -1);
	/* '"my shell"' in a list is a quoted string */
	ev.e[0].s = "my shell";
	CHECK_INT(eval("proc.name in (shells)", evt_open), 1);
	ev.e[0].s = "bash";
}

static void test_evtypes(void)
{
	struct vg_rules *rs;
	const struct vg_rule *r, *m[2];
	struct vg_evtset set;

	CHECK_INT(eval("evt.type = open", evt_open), 1);
	CHECK_INT(eval("evt.type = open", evt_execve), 0);
	CHECK_INT(eval("evt.type in (execve, open)", evt_execve), 1);
	CHECK_INT(eval("evt.type != open", evt_execve), 1);
	CHECK_INT(eval("evt.type startswith ope", evt_open), 1);

	rs = build("evt.type in (open, execve) and proc.name = bash");
	r = vg_rules_find(rs, "t");
	CHECK(vg_evtset_has(&r->evtypes, evt_open));
	CHECK(vg_evtset_has(&r->evtypes, evt_execve));
	CHECK(!vg_evtset_has(&r->evtypes, evt_connect));
	CHECK_INT(vg_evtset_count(&r->evtypes), 2);
	vg_rules_evtypes(rs, &set);
	CHECK_INT(vg_evtset_count(&set), 2);
	/* the index keeps the rule away from other event types: no extraction */
	memset(ev.calls, 0, sizeof(ev.calls));
	CHECK_INT(vg_rules_eval(rs, evt_connect, fake_get, &ev, m, 2), 0);
	CHECK_INT(ev.calls[VG_F_PROC_NAME], 0);
	CHECK_INT(vg_rules_set_enabled(rs, "t", false), 0);
	vg_rules_evtypes(rs, &set);
	CHECK_INT(vg_evtset_count(&set), 0);
	CHECK_INT(vg_rules_eval(rs, evt_open, fake_get, &ev, m, 2), 0);
	CHECK_INT(vg_rules_set_enabled(rs, "nope", false), -ENOENT);
	vg_rules_free(rs);

	/* De Morgan: not (evt.type = open or proc.name = x) can only be a non-open */
	rs = build("not (evt.type = open or proc.name = x)");
	r = vg_rules_find(rs, "t");
	CHECK(!vg_evtset_has(&r->evtypes, evt_open));
	CHECK(vg_evtset_has(&r->evtypes, evt_execve));
	vg_rules_free(rs);

	rs = build("(evt.type = open and fd.num = 1) or (evt.type = connect and fd.num = 2)");
	r = vg_rules_find(rs, "t");
	CHECK_INT(vg_evtset_count(&r->evtypes), 2);
	CHECK(vg_evtset_has(&r->evtypes, evt_connect));
	vg_rules_free(rs);

	rs = build("proc.name = bash");
	r = vg_rules_find(rs, "t");
	CHECK(r->all_evtypes);
	vg_rules_free(rs);

	CHECK(vg_evtype_lookup("openat2", 7) != 0);
	CHECK(vg_evtype_lookup("nosuchcall", 10) == 0);
	CHECK_STR(vg_evtype_name(vg_evtype_lookup("procexit", 8)), "procexit");
}

static void test_cache_and_output(void)
{
	const char *yaml =
		"- macro: m\n  condition: proc.name = bash\n"
		"- rule: a\n  desc: d\n  priority: warning\n"
		"  condition: evt.type = open and m and proc.name != zsh\n"
		"  output: \"opened %fd.name by %proc.name (gp=%proc.aname[2] f=%evt.arg.flags"
		" ppid=%proc.ppid uid=%user.uid pod=%k8s.pod.name 100%% %% done\"\n"
		"- rule: b\n  desc: d\n  priority: notice\n"
		"  condition: evt.type = open and m\n  output: second %proc.name\n";
	struct vg_rules *rs = vg_rules_new();
	const struct vg_rule *m[4];
	static struct vg_alert_text alert;

	vg_rules_load_buffer(rs, "o.yaml", yaml, strlen(yaml));
	CHECK_INT(vg_rules_compile(rs), 0);
	memset(ev.calls, 0, sizeof(ev.calls));
	CHECK_INT(vg_rules_eval(rs, evt_open, fake_get, &ev, m, 4), 2);
	/* proc.name is used three times by two rules: extracted once */
	CHECK_INT(ev.calls[VG_F_PROC_NAME], 1);
	CHECK_STR(m[0]->name, "a");
	CHECK_STR(m[1]->name, "b");
	CHECK_INT(vg_rules_format(rs, m[0], fake_get, &ev, &alert), 0);
	CHECK_STR(alert.output, "opened /etc/shadow by bash (gp=systemd f=O_RDONLY|O_CLOEXEC"
				" ppid=<NA> uid=0 pod=<NA> 100% % done");
	CHECK_INT(ev.calls[VG_F_PROC_NAME], 1);
	CHECK_INT(alert.nfields, 7);
	CHECK_STR(alert.fields[0].name, "fd.name");
	CHECK_STR(alert.fields[0].value, "/etc/shadow");
	CHECK(alert.fields[0].present);
	CHECK_STR(alert.fields[2].name, "proc.aname[2]");
	CHECK_STR(alert.fields[2].value, "systemd");
	CHECK_STR(alert.fields[3].name, "evt.arg.flags");
	CHECK_STR(alert.fields[4].name, "proc.ppid");
	CHECK(!alert.fields[4].present);
	CHECK_STR(alert.fields[4].value, "<NA>");
	CHECK_STR(alert.fields[6].name, "k8s.pod.name");
	CHECK_INT(vg_rules_eval(rs, evt_open, fake_get, &ev, m, 1), 2); /* counts past max */
	/* a new event: extracted again */
	CHECK_INT(ev.calls[VG_F_PROC_NAME], 2);
	vg_rules_free(rs);
}

/* Rules that share a first check are evaluated as a group (evtindex.c):
 * matches still come in rule order, the first max of them, and a group
 * whose shared check fails is skipped without changing any result. */
static void test_groups_keep_rule_order(void)
{
	static const char *const yaml =
		"- macro: reading\n  condition: evt.is_open_read = true\n"
		"- macro: as_root\n  condition: user.uid = 0\n"
		"- rule: r1\n  desc: d\n  output: o\n  priority: info\n"
		"  condition: evt.type = open and reading and fd.name startswith /etc\n"
		"- rule: r2\n  desc: d\n  output: o\n  priority: info\n"
		"  condition: evt.type = open and as_root and proc.name = bash\n"
		"- rule: r3\n  desc: d\n  output: o\n  priority: info\n"
		"  condition: evt.type = open and reading and proc.name = bash\n"
		"- rule: r4\n  desc: d\n  output: o\n  priority: info\n"
		"  condition: evt.type = open and as_root and fd.name = /etc/shadow\n"
		"- rule: r5\n  desc: d\n  output: o\n  priority: info\n"
		"  condition: evt.type = open and reading and fd.name = /nothere\n"
		"- rule: r6\n  desc: d\n  output: o\n  priority: info\n"
		"  condition: evt.type = open and proc.name = bash\n";
	struct vg_rules *rs = vg_rules_new();
	const struct vg_rule *m[8];
	int n;

	CHECK_INT(vg_rules_load_buffer(rs, "groups.yaml", yaml, strlen(yaml)), 0);
	CHECK_INT(vg_rules_compile(rs), 0);
	n = vg_rules_eval(rs, evt_open, fake_get, &ev, m, 8);
	CHECK_INT(n, 5);
	if (n == 5) {
		CHECK_STR(m[0]->name, "r1");
		CHECK_STR(m[1]->name, "r2");
		CHECK_STR(m[2]->name, "r3");
		CHECK_STR(m[3]->name, "r4");
		CHECK_STR(m[4]->name, "r6");
	}
	/* room for two: the first two in rule order, the count of all */
	CHECK_INT(vg_rules_eval(rs, evt_open, fake_get, &ev, m, 2), 5);
	CHECK_STR(m[0]->name, "r1");
	CHECK_STR(m[1]->name, "r2");
	/* not reading: r1, r3, r5 fail with their shared check */
	base_event();
	ev.n = 0;
	fake_set(&ev, VG_F_PROC_NAME, -1, NULL, "bash");
	fake_set(&ev, VG_F_FD_NAME, -1, NULL, "/etc/shadow");
	fake_set(&ev, VG_F_USER_UID, -1, NULL, "0");
	fake_set(&ev, VG_F_EVT_IS_OPEN_READ, -1, NULL, "false");
	n = vg_rules_eval(rs, evt_open, fake_get, &ev, m, 8);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(m[0]->name, "r2");
		CHECK_STR(m[1]->name, "r4");
		CHECK_STR(m[2]->name, "r6");
	}
	base_event();
	vg_rules_free(rs);
}

int main(void)
{
	evt_open = vg_evtype_lookup("open", 4);
	evt_execve = vg_evtype_lookup("execve", 6);
	evt_connect = vg_evtype_lookup("connect", 7);
	base_event();
	test_strings();
	test_numbers_bools_ips();
	test_fields_with_args();
	test_transformers();
	test_logic_lists_macros();
	test_evtypes();
	test_cache_and_output();
	test_groups_keep_rule_order();
	return check_report();
}
