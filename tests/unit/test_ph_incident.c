/* pH incidents: the anomaly records of one task episode make ONE alert,
 * reported after the hold time, naming the program by its path, listing
 * every novel call with its window; severity from what the calls do. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ph/ph_incident.h"
#include "ph/ph_model.h"
#include "sensor/event.h"
#include "sensor/syscalls.h"

#define MS 1000000ull

struct sink {
	int n;
	char rule[64], priority[32], output[8192];
	char calls[1024], exe[512], call[64], reason[256], events[2048], cmdline[256];
	char never_made[1024], family[64];
	int64_t lfc, anomalies, update, ppid;
};

static void copy_field(const struct vg_alert *a, const char *key, char *dst, size_t size)
{
	const struct vg_kv *kv = vg_fields_get(a->fields, key);

	dst[0] = 0;
	if (kv && kv->kind == VG_KV_STR)
		snprintf(dst, size, "%.*s", (int)kv->s_len, kv->s);
}

static int64_t int_field(const struct vg_alert *a, const char *key)
{
	const struct vg_kv *kv = vg_fields_get(a->fields, key);

	return kv ? kv->i : -1;
}

static void on_alert(void *ctx, const struct vg_alert *a)
{
	struct sink *s = ctx;

	s->n++;
	snprintf(s->rule, sizeof(s->rule), "%s", a->rule);
	snprintf(s->priority, sizeof(s->priority), "%s", a->priority);
	snprintf(s->output, sizeof(s->output), "%s", a->output);
	copy_field(a, "ph.calls", s->calls, sizeof(s->calls));
	copy_field(a, "ph.never_made", s->never_made, sizeof(s->never_made));
	copy_field(a, "ph.family_pids", s->family, sizeof(s->family));
	copy_field(a, "ph.exe", s->exe, sizeof(s->exe));
	copy_field(a, "ph.call", s->call, sizeof(s->call));
	copy_field(a, "ph.severity_reason", s->reason, sizeof(s->reason));
	copy_field(a, "ph.events", s->events, sizeof(s->events));
	copy_field(a, "proc.cmdline", s->cmdline, sizeof(s->cmdline));
	s->lfc = int_field(a, "ph.lfc");
	s->anomalies = int_field(a, "ph.anomalies");
	s->update = int_field(a, "ph.update");
	s->ppid = int_field(a, "proc.ppid");
}

/* The process table's answer: pid 4242 runs /srv/app (inode 77). */
static int proc_fn(void *ctx, uint32_t pid, struct vg_ph_proc_info *out)
{
	(void)ctx;
	if (pid != 4242)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->exe = "/srv/app";
	out->exe_ino = 77;
	out->cmdline = "app --serve";
	out->pname = "systemd";
	out->ppid = 1;
	out->user = "www";
	out->uid = 33;
	return 0;
}

static struct ph_alert_event rec(uint32_t tid, const char *call, uint32_t lfc, uint64_t ts)
{
	struct ph_alert_event e;

	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	e.kind = lfc == PH_TOLERIZE_LIMIT + 1 ? PH_EV_BURST : PH_EV_ANOMALY;
	e.ts_ns = ts;
	e.exe.dev = 3;
	e.exe.ino = 77;
	e.pid = 4242;
	e.tid = tid;
	e.call = (uint32_t)vg_syscall_nr(call);
	e.lfc = lfc;
	e.misses = 1;
	e.status = PH_PROFILE_NORMAL;
	e.window_size = 12;
	e.window_len = 2;
	e.window[0] = (uint16_t)vg_syscall_nr("read");
	e.window[1] = (uint16_t)vg_syscall_nr("write");
	memcpy(e.comm, "app", 4);
	return e;
}

static void test_one_incident_per_episode(void)
{
	struct vg_ph_incidents *in;
	struct sink s = { 0 };
	static const char *calls[] = { "uname", "read", "sysinfo", "write", "uname" };
	struct ph_alert_event e;

	CHECK_INT(vg_ph_incidents_new(&in, "h", 0, on_alert, &s), 0);
	vg_ph_incidents_set_proc(in, proc_fn, NULL);
	for (int i = 0; i < 5; i++) {
		e = rec(4242, calls[i], (uint32_t)i + 1, 1000 * MS + (uint64_t)i * MS);
		vg_ph_incidents_record(in, &e, 1000 * MS + (uint64_t)i * MS);
	}
	vg_ph_incidents_tick(in, 1010 * MS);
	CHECK_INT(s.n, 0); /* held: more of the episode may come */
	vg_ph_incidents_tick(in, 1000 * MS + VG_PH_INCIDENT_HOLD_NS);
	CHECK_INT(s.n, 0); /* the sensor's events have not reached the hold point yet */
	{
		struct vg_event *ev = calloc(1, sizeof(*ev));

		for (int i = 0; i < VG_S_COUNT; i++)
			ev->s[i] = "";
		ev->u.fork.hdr.type = VG_EV_FORK; /* any event: the sensor caught up */
		ev->u.fork.hdr.ts_ns = 1000 * MS + VG_PH_INCIDENT_HOLD_NS;
		vg_ph_incidents_event(in, ev);
		free(ev);
	}
	vg_ph_incidents_tick(in, 1000 * MS + VG_PH_INCIDENT_HOLD_NS);
	CHECK_INT(s.n, 1);
	CHECK_STR(s.rule, "pH incident");
	CHECK_STR(s.priority, "Warning"); /* harmless calls, no burst */
	CHECK_STR(s.exe, "/srv/app");
	CHECK_STR(s.cmdline, "app --serve");
	CHECK_INT(s.ppid, 1);
	CHECK_STR(s.call, "uname");
	CHECK_STR(s.calls, "uname read sysinfo write"); /* distinct, in order */
	CHECK_INT(s.anomalies, 5);
	CHECK_INT(s.lfc, 5);
	CHECK(strstr(s.output, "/srv/app (pid 4242 tid 4242, app --serve, parent systemd 1, user www)"));
	CHECK(strstr(s.output, "uname after [read write]"));
	/* more of the same episode, same severity: nothing new to say */
	e = rec(4242, "getcwd", 6, 1100 * MS);
	vg_ph_incidents_record(in, &e, 1100 * MS);
	vg_ph_incidents_tick(in, 1200 * MS);
	CHECK_INT(s.n, 1);
	/* an execve later in the episode raises it: one update, Critical */
	e = rec(4242, "execve", 7, 1300 * MS);
	vg_ph_incidents_record(in, &e, 1300 * MS);
	vg_ph_incidents_tick(in, 1310 * MS);
	CHECK_INT(s.n, 2);
	CHECK_STR(s.priority, "Critical");
	CHECK_INT(s.update, 1);
	CHECK(strstr(s.reason, "execve: runs a program"));
	/* quiet longer than the gap: the episode ends; the next anomaly is a new one */
	vg_ph_incidents_tick(in, 1300 * MS + VG_PH_INCIDENT_GAP_NS + MS);
	e = rec(4242, "uname", 1, 5000 * MS);
	vg_ph_incidents_record(in, &e, 5000 * MS);
	vg_ph_incidents_tick(in, 5000 * MS + VG_PH_INCIDENT_MAX_HOLD_NS); /* the sensor lags: at the latest */
	CHECK_INT(s.n, 3);
	CHECK_INT(s.update, 0);
	CHECK_INT(s.anomalies, 1);
	vg_ph_incidents_free(in);
}

static void test_severity_and_tasks(void)
{
	struct vg_ph_incidents *in;
	struct sink s = { 0 };
	struct ph_alert_event e;
	struct vg_ph_incident_stats st;

	CHECK_INT(vg_ph_incidents_new(&in, NULL, 0, on_alert, &s), 0);
	CHECK_INT(vg_ph_incidents_set_scope(in, VG_PH_SCOPE_ALL, NULL, 0), 0);
	/* no process table: the program is named by its identifier */
	e = rec(9, "connect", 1, 10 * MS);
	e.pid = 9;
	vg_ph_incidents_record(in, &e, 10 * MS);
	e = rec(10, "getpid", 13, 11 * MS); /* another task: its own episode, a burst */
	e.pid = 9;
	vg_ph_incidents_record(in, &e, 11 * MS);
	vg_ph_incidents_flush(in);
	CHECK_INT(s.n, 2);
	vg_ph_incidents_stats(in, &st);
	CHECK_INT(st.incidents, 2);
	CHECK_INT(st.records, 2);
	CHECK_STR(s.priority, "Error"); /* the burst, last */
	CHECK(strstr(s.reason, "burst"));
	CHECK_STR(s.exe, "0:3:77");
	vg_ph_incidents_free(in);

	CHECK_INT(vg_ph_call_severity("execve"), VG_PH_SEV_CRITICAL);
	CHECK_INT(vg_ph_call_severity("connect"), VG_PH_SEV_CRITICAL);
	CHECK_INT(vg_ph_call_severity("ptrace"), VG_PH_SEV_CRITICAL);
	CHECK_INT(vg_ph_call_severity("finit_module"), VG_PH_SEV_CRITICAL);
	CHECK_INT(vg_ph_call_severity("dup2"), VG_PH_SEV_ERROR);
	CHECK_INT(vg_ph_call_severity("clone3"), VG_PH_SEV_ERROR);
	CHECK_INT(vg_ph_call_severity("read"), VG_PH_SEV_WARNING);
	CHECK_INT(vg_ph_call_severity(NULL), VG_PH_SEV_WARNING);
}

/* The sensor's exec event names the program an execve incident is about
 * (the table already shows the new program by then), and is listed. */
static void test_exec_event_names_and_is_listed(void)
{
	struct vg_ph_incidents *in;
	struct sink s = { 0 };
	struct ph_alert_event e;
	struct vg_event *ev = calloc(1, sizeof(*ev));

	CHECK_INT(vg_ph_incidents_new(&in, NULL, 0, on_alert, &s), 0);
	CHECK_INT(vg_ph_incidents_set_scope(in, VG_PH_SCOPE_ALL, NULL, 0), 0);
	for (int i = 0; i < VG_S_COUNT; i++)
		ev->s[i] = "";
	ev->u.exec.hdr.type = VG_EV_EXEC;
	ev->u.exec.hdr.pid = 555;
	ev->u.exec.hdr.ts_ns = 20 * MS;
	ev->u.exec.exe_ino = 77;
	ev->u.exec.exe_dev = 3;
	ev->s[VG_S_EXE] = "/opt/srv";
	ev->len[VG_S_EXE] = 8;
	vg_ph_incidents_event(in, ev);
	memset(&ev->u, 0, sizeof(ev->u));
	for (int i = 0; i < VG_S_COUNT; i++)
		ev->s[i] = "";
	ev->u.file.hdr.type = VG_EV_OPEN;
	ev->u.file.hdr.pid = 555;
	ev->u.file.hdr.ts_ns = 25 * MS;
	ev->s[VG_S_PATH] = "/etc/shadow";
	vg_ph_incidents_event(in, ev);
	e = rec(555, "execve", 1, 30 * MS);
	e.pid = 555;
	vg_ph_incidents_record(in, &e, 30 * MS);
	vg_ph_incidents_tick(in, 30 * MS + VG_PH_INCIDENT_MAX_HOLD_NS);
	CHECK_INT(s.n, 1);
	CHECK_STR(s.priority, "Critical");
	CHECK_STR(s.exe, "/opt/srv");
	CHECK(strstr(s.events, "/opt/srv"));
	CHECK(strstr(s.events, "/etc/shadow")); /* files it opened */
	vg_ph_incidents_free(in);
	free(ev);
}

/* The default scope: services (a daemon of pid 1, or a program seen
 * listening); tools learn silently unless watched. */
static int tool_fn(void *ctx, uint32_t pid, struct vg_ph_proc_info *out)
{
	memset(out, 0, sizeof(*out));
	out->exe = ctx;
	out->exe_ino = 77;
	out->ppid = pid == 4242 ? 1 : 300; /* 4242: a daemon; others: run from a shell */
	out->has_tty = pid != 4242;
	out->uid = 0;
	return 0;
}

static void test_scope(void)
{
	struct vg_ph_incidents *in;
	struct sink s = { 0 };
	struct ph_alert_event e;
	struct vg_ph_incident_stats st;
	const char *watch[] = { "/usr/bin/sed" };
	const char *bad[] = { "sed" };

	CHECK(vg_ph_quiet_program("/usr/bin/sed"));
	CHECK(vg_ph_quiet_program("/usr/bin/python3.12"));
	CHECK(vg_ph_quiet_program("/usr/libexec/gcc/x86_64-linux-gnu/14/cc1"));
	CHECK(vg_ph_quiet_program("/bin/bash"));
	CHECK(!vg_ph_quiet_program("/usr/sbin/nginx"));
	CHECK(!vg_ph_quiet_program("/usr/sbin/sshd"));
	CHECK(!vg_ph_quiet_program(NULL));

	CHECK_INT(vg_ph_incidents_new(&in, NULL, 0, on_alert, &s), 0);
	vg_ph_incidents_set_proc(in, tool_fn, (void *)"/srv/app");
	/* a tool run from a terminal: learns, not reported */
	e = rec(555, "uname", 1, 10 * MS);
	e.pid = 555;
	vg_ph_incidents_record(in, &e, 10 * MS);
	vg_ph_incidents_flush(in);
	CHECK_INT(s.n, 0);
	vg_ph_incidents_stats(in, &st);
	CHECK_INT(st.out_of_scope, 1);
	CHECK(!vg_ph_incidents_in_scope(in, 555, 77));
	/* a daemon (parent pid 1, no terminal): reported */
	CHECK(vg_ph_incidents_in_scope(in, 4242, 77));
	e = rec(4242, "uname", 1, 20 * MS);
	vg_ph_incidents_record(in, &e, 20 * MS);
	vg_ph_incidents_flush(in);
	CHECK_INT(s.n, 1);
	/* a program seen listening is a server, whatever runs it */
	{
		struct vg_event *ev = calloc(1, sizeof(*ev));

		for (int i = 0; i < VG_S_COUNT; i++)
			ev->s[i] = "";
		ev->u.net.hdr.type = VG_EV_LISTEN;
		ev->u.net.hdr.pid = 555;
		vg_ph_incidents_event(in, ev);
		free(ev);
	}
	CHECK(vg_ph_incidents_in_scope(in, 555, 77));
	vg_ph_incidents_free(in);

	/* a quiet program is in scope when watched; watched-only scope */
	CHECK_INT(vg_ph_incidents_new(&in, NULL, 0, on_alert, &s), 0);
	vg_ph_incidents_set_proc(in, tool_fn, (void *)"/usr/bin/sed");
	CHECK(!vg_ph_incidents_in_scope(in, 4242, 77)); /* sed, even as a daemon */
	CHECK_INT(vg_ph_incidents_set_scope(in, VG_PH_SCOPE_SERVICES, watch, 1), 0);
	CHECK(vg_ph_incidents_in_scope(in, 555, 77));
	CHECK_INT(vg_ph_incidents_set_scope(in, VG_PH_SCOPE_WATCHED, NULL, 0), 0);
	CHECK(!vg_ph_incidents_in_scope(in, 4242, 77));
	CHECK_INT(vg_ph_incidents_set_scope(in, VG_PH_SCOPE_ALL, bad, 1), -EINVAL);
	vg_ph_incidents_free(in);
}

/* The sensor has caught up to `ts` (any event stamped then). */
static void sensor_at(struct vg_ph_incidents *in, uint64_t ts)
{
	struct vg_event *ev = calloc(1, sizeof(*ev));

	if (!ev)
		return;
	for (int i = 0; i < VG_S_COUNT; i++)
		ev->s[i] = "";
	ev->u.fork.hdr.type = VG_EV_FORK;
	ev->u.fork.hdr.ts_ns = ts;
	vg_ph_incidents_event(in, ev);
	free(ev);
}

/* The evidence threshold: an episode under it (what one novel call makes)
 * is counted, not reported, however long it stays open; one that reaches
 * it later is reported then; a dangerous call is reported at the hold
 * whatever its LFC. */
static void test_evidence_threshold(void)
{
	struct vg_ph_incidents *in;
	struct sink s = { 0 };
	struct ph_alert_event e;
	struct vg_ph_incident_stats st;
	uint64_t t = 1000 * MS;

	CHECK_INT(vg_ph_incidents_new(&in, "h", 0, on_alert, &s), 0);
	vg_ph_incidents_set_proc(in, proc_fn, NULL);
	vg_ph_incidents_set_threshold(in, PH_FALLBACK_EPISODE_LFC);
	/* one novel call: itself and 3 of the 4 calls after it, LFC 1..4 */
	for (uint32_t i = 0; i + 1 < PH_FALLBACK_EPISODE_LFC; i++) {
		e = rec(4242, i ? "read" : "mprotect", i + 1, t + i * MS);
		vg_ph_incidents_record(in, &e, t + i * MS);
	}
	sensor_at(in, t + VG_PH_INCIDENT_HOLD_NS);
	for (uint64_t now = t; now < t + VG_PH_INCIDENT_GAP_NS + 20 * MS; now += 10 * MS)
		vg_ph_incidents_tick(in, now);
	CHECK_INT(s.n, 0);
	vg_ph_incidents_stats(in, &st);
	CHECK_INT(st.below_threshold, 1);
	CHECK_INT(st.incidents, 0);

	/* a second episode: under the threshold at the hold, over it later */
	t = 5000 * MS;
	e = rec(4242, "uname", 1, t);
	vg_ph_incidents_record(in, &e, t);
	sensor_at(in, t + VG_PH_INCIDENT_HOLD_NS);
	vg_ph_incidents_tick(in, t + VG_PH_INCIDENT_HOLD_NS);
	CHECK_INT(s.n, 0);
	for (uint32_t i = 2; i <= PH_FALLBACK_EPISODE_LFC; i++) {
		e = rec(4242, i == 2 ? "sysinfo" : "write", i, t + 500 * MS + i * MS);
		vg_ph_incidents_record(in, &e, t + 500 * MS + i * MS);
	}
	vg_ph_incidents_tick(in, t + 510 * MS);
	CHECK_INT(s.n, 1);
	CHECK_STR(s.priority, "Warning");
	CHECK_STR(s.calls, "uname sysinfo write");
	CHECK_INT(s.lfc, PH_FALLBACK_EPISODE_LFC);

	/* another task: a dangerous call at LFC 1 is reported at the hold */
	t = 9000 * MS;
	e = rec(4243, "execve", 1, t);
	vg_ph_incidents_record(in, &e, t);
	sensor_at(in, t + VG_PH_INCIDENT_HOLD_NS);
	vg_ph_incidents_tick(in, t + VG_PH_INCIDENT_HOLD_NS);
	CHECK_INT(s.n, 2);
	CHECK_STR(s.priority, "Critical");
	CHECK_INT(s.lfc, 1);
	/* and one under the threshold still open at the end is counted */
	e = rec(4244, "read", 2, t + MS);
	vg_ph_incidents_record(in, &e, t + MS);
	vg_ph_incidents_flush(in);
	CHECK_INT(s.n, 2);
	vg_ph_incidents_stats(in, &st);
	CHECK_INT(st.below_threshold, 2);
	CHECK_INT(st.incidents, 2);
	vg_ph_incidents_free(in);
}

/* The model's verdict in the records (PH_EV_F_*) decides, not the LFC:
 * known calls somewhere new at LFC 8 without evidence are counted, not
 * reported; with a never-made call the evidence comes at the model's
 * episode_lfc, and the incident names the never-made calls. */
static void test_model_verdict(void)
{
	struct vg_ph_incidents *in;
	struct sink s = { 0 };
	struct ph_alert_event e;
	struct vg_ph_incident_stats st;
	uint64_t t = 1000 * MS;

	CHECK_INT(vg_ph_incidents_new(&in, "h", 0, on_alert, &s), 0);
	vg_ph_incidents_set_proc(in, proc_fn, NULL);
	vg_ph_incidents_set_threshold(in, PH_FALLBACK_EPISODE_LFC);
	/* a relocated madvise and its followers: LFC 8, all known calls */
	for (uint32_t i = 0; i < 8; i++) {
		e = rec(4242, i ? "read" : "madvise", i + 1, t + i * MS);
		e.flags = PH_EV_F_JUDGED;
		vg_ph_incidents_record(in, &e, t + i * MS);
	}
	sensor_at(in, t + VG_PH_INCIDENT_HOLD_NS);
	for (uint64_t now = t; now < t + VG_PH_INCIDENT_GAP_NS + 20 * MS; now += 10 * MS)
		vg_ph_incidents_tick(in, now);
	CHECK_INT(s.n, 0);
	vg_ph_incidents_stats(in, &st);
	CHECK_INT(st.below_threshold, 1);

	/* uname never made, then its followers: the model's evidence */
	t = 5000 * MS;
	e = rec(4242, "uname", 1, t);
	e.flags = PH_EV_F_JUDGED | PH_EV_F_NEVER_MADE;
	vg_ph_incidents_record(in, &e, t);
	e = rec(4242, "sysinfo", 2, t + MS);
	e.flags = PH_EV_F_JUDGED | PH_EV_F_NEVER_MADE | PH_EV_F_EVIDENCE;
	vg_ph_incidents_record(in, &e, t + MS);
	e = rec(4242, "write", 3, t + 2 * MS);
	e.flags = PH_EV_F_JUDGED | PH_EV_F_EVIDENCE;
	vg_ph_incidents_record(in, &e, t + 2 * MS);
	sensor_at(in, t + VG_PH_INCIDENT_HOLD_NS);
	vg_ph_incidents_tick(in, t + VG_PH_INCIDENT_HOLD_NS);
	CHECK_INT(s.n, 1);
	CHECK_STR(s.calls, "uname sysinfo write");
	CHECK_STR(s.never_made, "uname sysinfo");
	CHECK(strstr(s.output, "never made before: uname sysinfo") != NULL);
	CHECK_INT(s.lfc, 3); /* under episode_lfc: the model judged */
	vg_ph_incidents_free(in);
}

/* A table with a family: 4242 (/srv/app, parent 1), its child 5000 and
 * an unrelated 6000 (parent 1), both running /srv/app too. */
static int family_proc_fn(void *ctx, uint32_t pid, struct vg_ph_proc_info *out)
{
	if (pid != 5000 && pid != 6000)
		return proc_fn(ctx, pid, out);
	proc_fn(ctx, 4242, out);
	out->ppid = pid == 5000 ? 4242 : 1;
	return 0;
}

/* An attack that forks (system(): the child's execve, the parent's clone3)
 * is one incident: the child's records join the parent's open episode, in
 * either order; an unrelated process of the same program is its own. */
static void test_family_is_one_incident(void)
{
	struct vg_ph_incidents *in;
	struct sink s = { 0 };
	struct ph_alert_event e;
	struct vg_ph_incident_stats st;
	uint64_t t = 1000 * MS;

	CHECK_INT(vg_ph_incidents_new(&in, "h", 0, on_alert, &s), 0);
	CHECK_INT(vg_ph_incidents_set_scope(in, VG_PH_SCOPE_ALL, NULL, 0), 0);
	vg_ph_incidents_set_proc(in, family_proc_fn, NULL);
	/* the child first (its execve at exec), then the parent's clone3 */
	e = rec(5000, "execve", 1, t);
	e.pid = 5000;
	vg_ph_incidents_record(in, &e, t);
	e = rec(4242, "clone3", 1, t + MS);
	vg_ph_incidents_record(in, &e, t + MS);
	e = rec(6000, "uname", 1, t + 2 * MS); /* not family */
	e.pid = 6000;
	vg_ph_incidents_record(in, &e, t + 2 * MS);
	e = rec(5000, "dup2", 2, t + 3 * MS); /* the child again: in the family's */
	e.pid = 5000;
	vg_ph_incidents_record(in, &e, t + 3 * MS);
	sensor_at(in, t + VG_PH_INCIDENT_HOLD_NS);
	vg_ph_incidents_tick(in, t + VG_PH_INCIDENT_HOLD_NS);
	vg_ph_incidents_flush(in);
	vg_ph_incidents_stats(in, &st);
	CHECK_INT(st.family_joined, 1);
	CHECK_INT(s.n, 2);
	CHECK_INT(st.incidents, 2);
	vg_ph_incidents_free(in);

	/* the parent first: the child joins it; the incident names both */
	memset(&s, 0, sizeof(s));
	CHECK_INT(vg_ph_incidents_new(&in, "h", 0, on_alert, &s), 0);
	CHECK_INT(vg_ph_incidents_set_scope(in, VG_PH_SCOPE_ALL, NULL, 0), 0);
	vg_ph_incidents_set_proc(in, family_proc_fn, NULL);
	e = rec(4242, "clone3", 1, t);
	vg_ph_incidents_record(in, &e, t);
	e = rec(5000, "execve", 2, t + MS);
	e.pid = 5000;
	vg_ph_incidents_record(in, &e, t + MS);
	sensor_at(in, t + VG_PH_INCIDENT_HOLD_NS);
	vg_ph_incidents_tick(in, t + VG_PH_INCIDENT_HOLD_NS);
	CHECK_INT(s.n, 1);
	CHECK_STR(s.priority, "Critical");
	CHECK_STR(s.calls, "clone3 execve");
	CHECK_STR(s.family, "5000");
	CHECK(strstr(s.output, "pid 4242 tid 4242, with its parent or child pid 5000") != NULL);
	vg_ph_incidents_flush(in);
	CHECK_INT(s.n, 1);
	vg_ph_incidents_free(in);
}

int main(void)
{
	test_scope();
	test_one_incident_per_episode();
	test_severity_and_tasks();
	test_exec_event_names_and_is_listed();
	test_evidence_threshold();
	test_model_verdict();
	test_family_is_one_incident();
	return check_report();
}
