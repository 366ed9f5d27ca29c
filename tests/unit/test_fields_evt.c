/* evt.* and evt.arg.* fields of the other records (src/fields/evt.c,
 * args.c), the scratch area's limit, and the fields through the rule engine
 * (a small rule file, and Falco's stable rules). */
#include "fields_fixture.h"

static void test_sys(void)
{
	struct vg_event *ev = ev_new(VG_EV_PTRACE, 101, 300, 200, "cat");

	ev->u.sys.args[0] = 16; /* PTRACE_ATTACH */
	ev->u.sys.args[1] = 1234;
	ev->u.sys.target_pid = 1234;
	use(ev);
	CHECK_STR(F("evt.type"), "ptrace");
	CHECK_STR(S("evt.arg", -1, "request"), "PTRACE_ATTACH");
	CHECK_STR(S("evt.rawarg", -1, "request"), "16");
	CHECK_STR(S("evt.arg", -1, "pid"), "1234");
	free(ev);

	ev = ev_new(VG_EV_MPROTECT, 10, 300, 200, "cat");
	ev->u.sys.args[0] = 0x7f0000;
	ev->u.sys.args[1] = 4096;
	ev->u.sys.args[2] = 7;
	use(ev);
	CHECK_STR(S("evt.arg", -1, "prot"), "PROT_READ|PROT_WRITE|PROT_EXEC");
	CHECK_STR(S("evt.arg", -1, "addr"), "0x7f0000");
	CHECK_STR(F("evt.category"), "memory");
	free(ev);

	ev = ev_new(VG_EV_KILL, 62, 300, 200, "cat");
	ev->u.sys.target_pid = 1;
	ev->u.sys.aux = 9;
	ev->u.sys.res = -EPERM;
	use(ev);
	CHECK_STR(S("evt.arg", -1, "sig"), "SIGKILL");
	CHECK_STR(S("evt.arg", -1, "pid"), "1");
	CHECK_STR(F("evt.res"), "EPERM");
	free(ev);

	ev = ev_new(VG_EV_MEMFD_CREATE, 319, 300, 200, "cat");
	ev->u.sys.args[1] = 1 | 2;
	ev_str(ev, VG_S_STR, "payload", 7);
	use(ev);
	CHECK_STR(S("evt.arg", -1, "name"), "payload");
	CHECK_STR(S("evt.arg", -1, "flags"), "MFD_CLOEXEC|MFD_ALLOW_SEALING");
	free(ev);

	ev = ev_new(VG_EV_DUP, 33, 300, 200, "cat");
	ev->u.sys.args[0] = 5;
	ev->u.sys.args[1] = 1;
	ev->u.sys.res = 1;
	ev->u.sys.aux = 0010644; /* a pipe */
	use(ev);
	CHECK_STR(F("evt.type"), "dup2");
	CHECK_STR(S("evt.arg", -1, "oldfd"), "5");
	CHECK_STR(S("evt.arg", -1, "newfd"), "1");
	CHECK_STR(S("evt.arg", -1, "fd"), "5");
	CHECK_STR(F("evt.rawres"), "1");
	CHECK_STR(F("fd.type"), "pipe");
	CHECK_STR(F("fd.num"), "1");
	free(ev);

	/* pkey_mprotect is an event type of its own, as its syscall */
	ev = ev_new(VG_EV_MPROTECT, 329, 300, 200, "cat");
	CHECK_STR(vg_evtype_name(vg_rule_evtype(ev)), "pkey_mprotect");
	free(ev);
}

static void test_scratch_limit(void)
{
	static char args[VG_ARGS_MAX];
	struct vg_event *ev = ev_new(VG_EV_EXEC, -1, 300, 200, "big");
	struct vg_value v;
	int ok = 0;

	memset(args, 'a', sizeof(args));
	for (size_t i = 100; i < sizeof(args); i += 100)
		args[i] = 0;
	args[sizeof(args) - 1] = 0;
	ev->u.exec.argc = 40;
	ev_str(ev, VG_S_ARGS, args, sizeof(args));
	use(ev);
	for (int i = 0; i < 40; i++)
		ok += get("proc.args", -1, NULL, &v, 1) == 1;
	CHECK(ok >= 10);
	CHECK(ctx->used <= sizeof(ctx->scratch));
	free(ev);
}

/* ---- through the rule engine ---- */

static const char rules_yaml[] =
    "- list: shell_binaries\n"
    "  items: [bash, sh, zsh]\n"
    "- macro: open_read\n"
    "  condition: (evt.type in (open,openat,openat2) and evt.is_open_read=true\n"
    "              and fd.typechar='f' and fd.num>=0)\n"
    "- rule: Shadow read from a login shell\n"
    "  desc: t\n"
    "  condition: >\n"
    "    open_read and fd.name=/etc/shadow and proc.pname in (shell_binaries)\n"
    "    and proc.aname[2]=sshd and proc.aname=systemd and not proc.name in (shell_binaries)\n"
    "  output: \"read %fd.name by %proc.name parent=%proc.pname gparent=%proc.aname[2]"
    " flags=%evt.arg.flags cmd=%proc.cmdline user=%user.name res=%evt.res"
    " container=%container.id image=%container.image.repository\"\n"
    "  priority: WARNING\n"
    "- rule: Outbound HTTPS\n"
    "  desc: t\n"
    "  condition: evt.type=connect and fd.sip=93.184.216.34 and fd.sport=443"
    " and fd.snet=93.184.216.0/24 and fd.l4proto=tcp\n"
    "  output: \"conn %fd.name lport=%fd.lport\"\n"
    "  priority: NOTICE\n"
    "- rule: Failed open\n"
    "  desc: t\n"
    "  condition: evt.type=openat and evt.res=ENOENT and evt.failed=true and evt.rawres<0\n"
    "  output: \"failed %fd.name %evt.res\"\n"
    "  priority: INFO\n";

static void test_engine(void)
{
	struct vg_rules *rs = vg_rules_new();
	const struct vg_rule *m[8];
	struct vg_alert_text *alert = calloc(1, sizeof(*alert));
	struct vg_event *ev;
	int n;

	CHECK_INT(vg_rules_load_buffer(rs, "t.yaml", rules_yaml, strlen(rules_yaml)), 0);
	CHECK_INT(vg_rules_compile(rs), 0);

	ev = open_ev(300, 200, "cat", "/etc/shadow", O_RDONLY, 3);
	use(ev);
	n = vg_rules_eval(rs, vg_rule_evtype(ev), vg_rule_field_get, ctx, m, 8);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(m[0]->name, "Shadow read from a login shell");
		CHECK_INT(vg_rules_format(rs, m[0], vg_rule_field_get, ctx, alert), 0);
		CHECK_STR(alert->output, "read /etc/shadow by cat parent=bash gparent=sshd"
					 " flags=O_RDONLY cmd=cat /etc/shadow user=root res=SUCCESS"
					 " container=host image=<NA>");
		CHECK_STR(alert->fields[0].name, "fd.name");
		CHECK_STR(alert->fields[0].value, "/etc/shadow");
	}
	free(ev);

	/* the same open by the login shell itself does not match */
	ev = open_ev(200, 100, "bash", "/etc/shadow", O_RDONLY, 3);
	use(ev);
	CHECK_INT(vg_rules_eval(rs, vg_rule_evtype(ev), vg_rule_field_get, ctx, m, 8), 0);
	free(ev);

	ev = open_ev(300, 200, "cat", "/nonexistent", O_RDONLY, -ENOENT);
	use(ev);
	n = vg_rules_eval(rs, vg_rule_evtype(ev), vg_rule_field_get, ctx, m, 8);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(m[0]->name, "Failed open");
		vg_rules_format(rs, m[0], vg_rule_field_get, ctx, alert);
		CHECK_STR(alert->output, "failed /nonexistent ENOENT");
	}
	free(ev);

	ev = net_ev(VG_EV_CONNECT, 42, "10.0.0.5", 40000, "93.184.216.34", 443, 0);
	use(ev);
	n = vg_rules_eval(rs, vg_rule_evtype(ev), vg_rule_field_get, ctx, m, 8);
	CHECK_INT(n, 1);
	if (n == 1) {
		vg_rules_format(rs, m[0], vg_rule_field_get, ctx, alert);
		CHECK_STR(alert->output, "conn 10.0.0.5:40000->93.184.216.34:443 lport=40000");
	}
	free(ev);
	ev = net_ev(VG_EV_CONNECT, 42, "10.0.0.5", 40000, "93.184.217.34", 443, 0);
	use(ev);
	CHECK_INT(vg_rules_eval(rs, vg_rule_evtype(ev), vg_rule_field_get, ctx, m, 8), 0);
	free(ev);

	free(alert);
	vg_rules_free(rs);
}

static bool matched(const struct vg_rule *const *m, int n, const char *name)
{
	for (int i = 0; i < n && i < 32; i++)
		if (!strcmp(m[i]->name, name))
			return true;
	return false;
}

static void test_falco_rules(void)
{
	static const char *const paths[] = {"../shared/compat/falco_rules.yaml",
					    "/work/shared/compat/falco_rules.yaml"};
	const char *rule = "Read sensitive file untrusted";
	struct vg_rules *rs = vg_rules_new();
	struct vg_alert_text *alert = calloc(1, sizeof(*alert));
	const struct vg_rule *m[32];
	const struct vg_rule *r;
	struct vg_event *ev;
	int loaded = -1, n;

	for (size_t i = 0; i < 2 && loaded < 0; i++) {
		FILE *f = fopen(paths[i], "r");

		if (!f)
			continue;
		fclose(f);
		loaded = vg_rules_load_file(rs, paths[i]);
	}
	CHECK_INT(loaded, 0);
	vg_rules_compile(rs);
	r = vg_rules_find(rs, rule);
	CHECK(r && r->state == VG_RULE_LOADED && r->enabled);

	/* cat, child of an interactive bash, reads /etc/shadow */
	ev = open_ev(300, 200, "cat", "/etc/shadow", O_RDONLY | O_CLOEXEC, 3);
	use(ev);
	n = vg_rules_eval(rs, vg_rule_evtype(ev), vg_rule_field_get, ctx, m, 32);
	CHECK(matched(m, n, rule));
	for (int i = 0; i < n && i < 32; i++) {
		if (strcmp(m[i]->name, rule))
			continue;
		CHECK_INT(vg_rules_format(rs, m[i], vg_rule_field_get, ctx, alert), 0);
		CHECK_STR(
		    alert->output,
		    "Sensitive file opened for reading by non-trusted program | file=/etc/shadow"
		    " gparent=sshd ggparent=systemd gggparent=<NA> evt_type=openat user=root"
		    " user_uid=0 user_loginuid=1000 process=cat proc_exepath=/usr/bin/cat"
		    " parent=bash command=cat /etc/shadow terminal=34819");
	}
	free(ev);

	/* sshd reading it is trusted */
	ev = open_ev(400, 1, "sshd", "/etc/shadow", O_RDONLY | O_CLOEXEC, 3);
	use(ev);
	n = vg_rules_eval(rs, vg_rule_evtype(ev), vg_rule_field_get, ctx, m, 32);
	CHECK(n >= 0 && !matched(m, n, rule));
	free(ev);

	/* a write open is not a read */
	ev = open_ev(300, 200, "cat", "/etc/shadow", O_WRONLY, 3);
	use(ev);
	n = vg_rules_eval(rs, vg_rule_evtype(ev), vg_rule_field_get, ctx, m, 32);
	CHECK(n >= 0 && !matched(m, n, rule));
	free(ev);

	free(alert);
	vg_rules_free(rs);
}

/* thread.cap_*: from the process table for processes that did not exec
 * while we watched (seeded from /proc/PID/status), the effective set from
 * the last exec, the inheritable set kept across it */

int main(void)
{
	fixture_setup();
	test_sys();
	test_scratch_limit();
	test_engine();
	test_falco_rules();
	return fixture_done();
}
