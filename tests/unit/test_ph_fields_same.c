/* One renderer: a pH incident names its process with the fields an event
 * of the same process shows (vg_fields_from_ctx over the process table),
 * value for value: path, command line, parent, user, container. */
#include "fields_fixture.h"
#include "output/fields.h"
#include "ph/ph_incident.h"
#include "ph/ph_model.h"
#include "ph/ph_procinfo.h"
#include "sensor/syscalls.h"

#define MS 1000000ull

static const char *const PROC_KEYS[] = { "proc.pid",	 "proc.name",	"proc.exepath",
					 "proc.cmdline", "proc.ppid",	"proc.pname",
					 "user.uid",	 "user.name",	"container.id" };

struct sink {
	int n;
	char text[ARRAY_SIZE(PROC_KEYS)][512];
	int present[ARRAY_SIZE(PROC_KEYS)];
};

/* a field as text, whatever its kind */
static int kv_text(const struct vg_fields *f, const char *key, char *buf, size_t size)
{
	const struct vg_kv *kv = vg_fields_get(f, key);

	if (!kv || kv->kind == VG_KV_NULL)
		return 0;
	if (kv->kind == VG_KV_STR)
		snprintf(buf, size, "%.*s", (int)kv->s_len, kv->s);
	else
		snprintf(buf, size, "%lld", (long long)kv->i);
	return 1;
}

static void on_alert(void *c, const struct vg_alert *a)
{
	struct sink *s = c;

	s->n++;
	for (size_t i = 0; i < ARRAY_SIZE(PROC_KEYS); i++)
		s->present[i] = kv_text(a->fields, PROC_KEYS[i], s->text[i], sizeof(s->text[i]));
}

static int describe(void *c, uint32_t pid, struct vg_ph_proc_info *out)
{
	return vg_ph_proc_describe(c, pid, T0, out);
}

static void test_incident_names_the_process_as_events_do(void)
{
	struct vg_ph_describer *d;
	struct vg_ph_incidents *in;
	struct vg_fields *evf = calloc(1, sizeof(*evf));
	struct vg_event *ev = open_ev(300, 200, "cat", "/etc/shadow", O_RDONLY, 3);
	struct ph_alert_event e;
	struct sink s = { 0 };
	char want[512];
	int compared = 0;

	/* the event of pid 300 (cat /etc/shadow, child of bash), as --events
	 * and the rules render it */
	use(ev);
	vg_fields_from_ctx(evf, ctx);

	CHECK_INT(vg_ph_describer_new(&d, fixture_pt, fixture_uc, "testhost"), 0);
	CHECK_INT(vg_ph_incidents_new(&in, "testhost", 0, on_alert, &s), 0);
	CHECK_INT(vg_ph_incidents_set_scope(in, VG_PH_SCOPE_ALL, NULL, 0), 0);
	vg_ph_incidents_set_proc(in, describe, d);

	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	e.kind = PH_EV_ANOMALY;
	e.ts_ns = T0;
	e.exe.ino = 4242; /* the table's image of pid 300 */
	e.pid = e.tid = 300;
	e.call = (uint32_t)vg_syscall_nr("uname");
	e.lfc = 1;
	e.status = PH_PROFILE_NORMAL;
	e.window_size = 12;
	memcpy(e.comm, "cat", 4);
	vg_ph_incidents_record(in, &e, T0);
	vg_ph_incidents_flush(in);
	CHECK_INT(s.n, 1);

	for (size_t i = 0; i < ARRAY_SIZE(PROC_KEYS); i++) {
		if (!kv_text(evf, PROC_KEYS[i], want, sizeof(want))) {
			fprintf(stderr, "the event has no %s\n", PROC_KEYS[i]);
			CHECK(0);
			continue;
		}
		CHECK(s.present[i]);
		if (!s.present[i])
			fprintf(stderr, "the incident has no %s (event: %s)\n", PROC_KEYS[i], want);
		else
			CHECK_STR(s.text[i], want);
		compared++;
	}
	CHECK_INT(compared, (int)ARRAY_SIZE(PROC_KEYS));
	/* and they are the table's process, not blanks */
	CHECK_STR(s.text[2], "/usr/bin/cat");
	CHECK_STR(s.text[5], "bash");

	/* asked again (a server's accepts): the same answer; another
	 * process: its own */
	{
		struct vg_ph_proc_info pi;

		CHECK_INT(describe(d, 300, &pi), 0);
		CHECK_STR(pi.exe, "/usr/bin/cat");
		CHECK_INT(describe(d, 300, &pi), 0);
		CHECK_STR(pi.cmdline, s.text[3]);
		CHECK_INT(describe(d, 200, &pi), 0);
		CHECK_STR(pi.exe, "/usr/bin/bash");
		CHECK_STR(pi.pname, "sshd");
	}

	/* a process the table does not know: no fields made up */
	CHECK_INT(describe(d, 99999, &(struct vg_ph_proc_info){ 0 }), -ENOENT);

	vg_ph_incidents_free(in);
	vg_ph_describer_free(d);
	free(ev);
	free(evf);
}

int main(void)
{
	fixture_setup();
	test_incident_names_the_process_as_events_do();
	return fixture_done();
}
