/* pH alert records from the kernel → alerts: records of a wrong size, kind
 * or window are refused; a good one renders with syscall names, the
 * catalogue tag and priority of its kind, and its fields. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ph/ph_alert.h"
#include "ph/ph_model.h"

static struct ph_alert_event sample(void)
{
	struct ph_alert_event e;

	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	e.kind = PH_EV_ANOMALY;
	e.ts_ns = 1000;
	e.exe.dev = (259ull << 20) | 3; /* 259:3 */
	e.exe.ino = 123456;
	e.pid = 4242;
	e.tid = 4243;
	e.call = 63; /* uname */
	e.lfc = 1;
	e.misses = 1;
	e.status = PH_PROFILE_NORMAL;
	e.window_size = 12;
	e.window_len = 3;
	e.window[0] = 39;  /* getpid */
	e.window[1] = 110; /* getppid */
	e.window[2] = 102; /* getuid */
	memcpy(e.comm, "phtest", 7);
	return e;
}

static const struct vg_kv *field(const struct vg_ph_alert *a, const char *key)
{
	return vg_fields_get(&a->fields, key);
}

static void test_check(void)
{
	struct ph_alert_event e = sample();
	const char *why = NULL;

	CHECK_INT(vg_ph_record_check(&e, sizeof(e), &why), 0);
	CHECK_INT(vg_ph_record_check(&e, sizeof(e) - 1, &why), -EINVAL);
	CHECK(why && strstr(why, "shorter"));
	e.size = 8;
	CHECK_INT(vg_ph_record_check(&e, sizeof(e), &why), -EINVAL);
	e = sample();
	e.kind = 0;
	CHECK_INT(vg_ph_record_check(&e, sizeof(e), &why), -EINVAL);
	e.kind = PH_EV_RESPONSE + 1;
	CHECK_INT(vg_ph_record_check(&e, sizeof(e), &why), -EINVAL);
	e = sample();
	e.window_len = PH_EV_WINDOW + 1;
	CHECK_INT(vg_ph_record_check(&e, sizeof(e), &why), -EINVAL);
	CHECK(why && strstr(why, "window"));
}

static void test_render_anomaly(void)
{
	struct vg_ph_alert *a = calloc(1, sizeof(*a));
	struct ph_alert_event e = sample();
	char *json;

	vg_ph_alert_render(a, &e, 5000, "host1", NULL);
	CHECK_STR(a->alert.rule, "pH anomaly");
	CHECK_STR(a->alert.priority, "Warning");
	CHECK_INT(a->alert.ntags, 2);
	CHECK_STR(a->alert.tags[0], "VG-090");
	CHECK_INT(a->alert.time_ns, 6000);
	CHECK_STR(field(a, "ph.call")->s, "uname");
	CHECK_STR(field(a, "ph.window")->s, "getpid getppid getuid");
	CHECK_STR(field(a, "ph.state")->s, "normal");
	CHECK_STR(field(a, "ph.exe")->s, "259:3:123456"); /* no path known: the identifier */
	CHECK_STR(field(a, "ph.exe_id")->s, "259:3:123456");
	CHECK_INT(field(a, "ph.exe_ino")->i, 123456);
	CHECK_INT(field(a, "proc.pid")->i, 4242);
	CHECK_INT(field(a, "ph.lfc")->i, 1);
	CHECK_STR(field(a, "proc.name")->s, "phtest");
	CHECK(strstr(a->output, "phtest (pid 4242 tid 4243) made uname after [getpid getppid getuid]"));
	CHECK(strstr(a->output, "LFC 1"));
	json = vg_alert_json(&a->alert);
	CHECK(json && strstr(json, "\"ph.window\":\"getpid getppid getuid\""));
	CHECK(json && strstr(json, "\"tags\":[\"VG-090\",\"pH\"]"));
	free(json);
	free(a);
}

static void test_render_kinds(void)
{
	struct vg_ph_alert *a = calloc(1, sizeof(*a));
	struct ph_alert_event e = sample();

	e.kind = PH_EV_BURST;
	e.lfc = 13;
	vg_ph_alert_render(a, &e, 0, NULL, NULL);
	CHECK_STR(a->alert.rule, "pH anomaly burst");
	CHECK_STR(a->alert.priority, "Error");
	CHECK_STR(a->alert.tags[0], "VG-091");
	CHECK_STR(a->alert.hostname, "");

	e.kind = PH_EV_NORMAL;
	vg_ph_alert_render(a, &e, 0, NULL, "/usr/sbin/phtest");
	CHECK_STR(a->alert.rule, "pH profile normal");
	/* the program by its path; the identifier stays for `vigil profile` */
	CHECK_STR(field(a, "ph.exe")->s, "/usr/sbin/phtest");
	CHECK_STR(field(a, "ph.exe_id")->s, "259:3:123456");
	CHECK(strstr(a->output, "/usr/sbin/phtest"));
	CHECK_STR(a->alert.priority, "Informational");
	CHECK_STR(a->alert.tags[0], "VG-092");

	e.kind = PH_EV_TOLERIZED;
	e.status = 0;
	vg_ph_alert_render(a, &e, 0, NULL, NULL);
	/* a watched program is never silently dropped from testing */
	CHECK_STR(a->alert.rule, "pH profile disabled");
	CHECK_STR(a->alert.priority, "Error");
	CHECK_STR(field(a, "ph.state")->s, "training");

	/* a number without a name, an empty window, a 64-bit inode */
	e = sample();
	e.call = 1000;
	e.window_len = 0;
	e.exe.ino = ~0ull;
	vg_ph_alert_render(a, &e, 0, NULL, NULL);
	CHECK_STR(field(a, "ph.call")->s, "syscall_1000");
	CHECK_STR(field(a, "ph.window")->s, "");
	CHECK_INT(field(a, "ph.exe_ino")->kind, VG_KV_STR);
	CHECK_STR(field(a, "ph.exe_ino")->s, "18446744073709551615");
	CHECK_STR(vg_ph_state_name(PH_PROFILE_FROZEN), "frozen");
	free(a);
}

int main(void)
{
	test_check();
	test_render_anomaly();
	test_render_kinds();
	return check_report();
}
