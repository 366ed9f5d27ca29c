/* Response: the deny-list parser (errors name file and line), the action
 * names, the /proc/PID/stat reader and the kill policy's refusals (which
 * are decided before any signal could be sent). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "response/denylist.h"
#include "response/kill.h"
#include "rules/rules.h"

static void test_denylist_parse(void)
{
	struct vg_denylist l = { 0 };
	struct vg_deny_err err = { { 0 } };
	const char ok[] = "# comment\n\n  /usr/bin/nc  \n\t/tmp/a b\r\n/usr/bin/nc\n   # indented\n/x";

	CHECK_INT(vg_denylist_parse(&l, "deny.txt", ok, sizeof(ok) - 1, &err), 0);
	CHECK_INT(l.n, 3); /* the duplicate is kept once */
	CHECK_STR(l.paths[0], "/usr/bin/nc");
	CHECK_STR(l.paths[1], "/tmp/a b");
	CHECK_STR(l.paths[2], "/x");
	CHECK(l.paths[0][255] == 0 && l.paths[0][12] == 0);
	vg_denylist_free(&l);

	const char rel[] = "/ok\n# c\nbin/sh\n";
	CHECK_INT(vg_denylist_parse(&l, "deny.txt", rel, sizeof(rel) - 1, &err), -EINVAL);
	CHECK_STR(err.msg, "deny.txt:3: path is not absolute (it must start with '/')");
	vg_denylist_free(&l);

	char longp[300];
	memset(longp, 'a', sizeof(longp));
	longp[0] = '/';
	CHECK_INT(vg_denylist_add(&l, longp, 256, "--deny-exec", 0, &err), -EINVAL);
	CHECK(strstr(err.msg, "--deny-exec: path is longer than 255 bytes") == err.msg);
	CHECK_INT(vg_denylist_add(&l, longp, 255, "--deny-exec", 0, &err), 0);
	CHECK_INT(vg_denylist_add(&l, "/a\tb", 4, "f", 7, &err), -EINVAL);
	CHECK_STR(err.msg, "f:7: path holds a control character (byte 3)");
	const char nul[] = "/a\0b\n";
	CHECK_INT(vg_denylist_parse(&l, "n.txt", nul, sizeof(nul) - 1, &err), -EINVAL);
	CHECK_STR(err.msg, "n.txt:1: line holds a NUL byte");
	vg_denylist_free(&l);

	/* the limit */
	char p[32];
	int ret = 0;
	for (unsigned i = 0; i <= VG_DENY_MAX_ENTRIES && !ret; i++) {
		int n = snprintf(p, sizeof(p), "/bin/p%u", i);
		ret = vg_denylist_add(&l, p, (size_t)n, "many.txt", i + 1, &err);
	}
	CHECK_INT(ret, -E2BIG);
	CHECK_INT(l.n, VG_DENY_MAX_ENTRIES);
	CHECK(strstr(err.msg, "many.txt:4097: too many paths") == err.msg);
	vg_denylist_free(&l);

	CHECK(vg_denylist_load_file(&l, "/nonexistent/deny.txt", &err) == -ENOENT);
	CHECK(strstr(err.msg, "/nonexistent/deny.txt: cannot open") == err.msg);
}

static void test_action_names(void)
{
	CHECK_INT(vg_action_parse("kill", 4), VG_ACTION_KILL);
	CHECK_INT(vg_action_parse("kill_pgroup", 11), VG_ACTION_KILL_PGROUP);
	CHECK_INT(vg_action_parse("none", 4), VG_ACTION_NONE);
	CHECK_INT(vg_action_parse("kil", 3), -EINVAL);
	CHECK_INT(vg_action_parse("KILL", 4), -EINVAL);
	CHECK_STR(vg_action_name(VG_ACTION_KILL_PGROUP), "kill_pgroup");
}

static void test_rule_action_key(void)
{
	struct vg_rules *rs = vg_rules_new();
	const char y[] = "- rule: a\n  desc: d\n  condition: evt.type = execve\n  output: o\n"
			 "  priority: warning\n  action: kill_pgroup\n"
			 "- rule: b\n  desc: d\n  condition: evt.type = execve\n  output: o\n"
			 "  priority: warning\n  action: nuke\n";
	unsigned n = 0;
	const struct vg_diag *d;

	CHECK_INT(vg_rules_load_buffer(rs, "r.yaml", y, sizeof(y) - 1), -EINVAL);
	vg_rules_compile(rs);
	CHECK_INT(vg_rules_find(rs, "a")->action, VG_ACTION_KILL_PGROUP);
	d = vg_rules_diags(rs, &n);
	CHECK_INT(n, 1);
	CHECK_INT(d[0].line, 12);
	CHECK(strstr(d[0].msg, "invalid action 'nuke'") != NULL);
	vg_rules_free(rs);
}

static void test_proc_stat(void)
{
	struct vg_stat_view st = { 0 };
	const char line[] = "1234 (a (b) c) S 1 1200 1200 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
			    "98765 1000 10 18446744073709551615\n";

	CHECK_INT(vg_parse_proc_stat(line, &st), 0);
	CHECK_INT(st.pgrp, 1200);
	CHECK_INT(st.flags, 4194560);
	CHECK_INT(st.starttime, 98765);
	CHECK_INT(vg_parse_proc_stat("1 (x) S 1 2", &st), -EINVAL);
	CHECK_INT(vg_parse_proc_stat("no paren", &st), -EINVAL);
}

/* Refusals come before any signal: safe to run anywhere. */
static void test_kill_policy(void)
{
	struct vg_killer k;
	struct vg_action_result r;

	vg_killer_init(&k, false);
	CHECK_INT(vg_killer_act(&k, VG_ACTION_KILL, 4242, 0, 0, &r), -ECANCELED);
	CHECK(strncmp(r.what, "disabled", 8) == 0);
	CHECK_INT(r.latency_us, -1);
	vg_killer_init(&k, true);
	CHECK_INT(vg_killer_act(&k, VG_ACTION_KILL, 1, 0, 0, &r), -EPERM);
	CHECK_STR(r.what, "refused(pid 1)");
	CHECK_INT(vg_killer_act(&k, VG_ACTION_KILL, (uint32_t)getpid(), 0, 0, &r), -EPERM);
	CHECK_STR(r.what, "refused(vigil itself)");
	CHECK_INT(vg_killer_act(&k, VG_ACTION_KILL_PGROUP, 0, 0, 0, &r), -EPERM);
	/* kthreadd (pid 2) is a kernel thread */
	if (access("/proc/2/stat", R_OK) == 0) {
		CHECK_INT(vg_killer_act(&k, VG_ACTION_KILL, 2, 0, 0, &r), -EPERM);
		CHECK_STR(r.what, "refused(kernel thread)");
	}
	/* a child of ours, given a start time it does not have: a reused pid */
	pid_t child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	CHECK(child > 0);
	if (child > 0) {
		CHECK_INT(vg_killer_act(&k, VG_ACTION_KILL, (uint32_t)child, 1, 0, &r), -EPERM);
		CHECK_STR(r.what, "refused(pid reused)");
		/* the same child, start time unknown: killed through its pidfd */
		CHECK_INT(vg_killer_act(&k, VG_ACTION_KILL, (uint32_t)child, 0, 0, &r), 0);
		CHECK_STR(r.what, "killed");
		int status = 0;
		CHECK_INT(waitpid(child, &status, 0), child);
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	}
	CHECK_INT(vg_killer_act(&k, VG_ACTION_NONE, 4242, 0, 0, &r), -EINVAL);
}

int main(void)
{
	test_denylist_parse();
	test_action_names();
	test_rule_action_key();
	test_proc_stat();
	test_kill_policy();
	return check_report();
}
