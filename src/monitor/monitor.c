/* The monitor loop: every record from the sensor updates the process table
 * and, when asked, goes to the output; drops and counts are reported
 * periodically and at exit, so nothing is lost silently. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "monitor/monitor.h"
#include "output/alert.h"
#include "output/fields.h"
#include "output/writer.h"
#include "sensor/event.h"
#include "util/log.h"

struct monitor {
	const struct vg_monitor_opts *opts;
	struct vg_writer *out;
	struct vg_fields fields;
	char hostname[256];
	int64_t boot_to_wall_ns; /* add to a CLOCK_BOOTTIME stamp */
	char line[3 * VG_EVENT_MAX];
};

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void print_event(struct monitor *m, const struct vg_event *ev)
{
	struct vg_alert a = {
		.time_ns = ev->u.hdr.ts_ns + m->boot_to_wall_ns,
		.rule = vg_event_name(ev),
		.priority = "Debug",
		.source = "syscall",
		.hostname = m->hostname,
		.fields = &m->fields,
	};
	char *json;

	vg_fields_from_event(&m->fields, ev, NULL);
	if (!a.rule)
		a.rule = "unknown";
	vg_format_fields(m->line, sizeof(m->line), &m->fields);
	a.output = m->line;
	if (m->opts->json) {
		json = vg_alert_json(&a);
		if (json)
			vg_writer_line(m->out, json, strlen(json));
		free(json);
	} else {
		char t[48];

		vg_format_time(t, sizeof(t), a.time_ns);
		vg_writer_printf(m->out, "%s %s", t, m->line);
	}
}

static int on_event(void *ctx, const struct vg_event *ev)
{
	struct monitor *m = ctx;

	if (m->opts->print_events)
		print_event(m, ev);
	return 0;
}

static void report(struct vg_sensor *s, const char *what, double secs)
{
	struct vg_sensor_stats st;
	char bytype[1024] = "";
	size_t at = 0;

	vg_sensor_stats(s, &st);
	for (int t = 0; t < VG_EV_TYPE_MAX && at < sizeof(bytype) - 64; t++)
		if (st.dropped[t])
			at += snprintf(bytype + at, sizeof(bytype) - at, " %s=%llu",
				       vg_event_type_name(t) ? vg_event_type_name(t) : "?",
				       (unsigned long long)st.dropped[t]);
	fprintf(stderr,
		"vigil: %s events=%llu rate=%.0f/s drops=%llu%s%s%s malformed=%llu compat32=%llu\n",
		what, (unsigned long long)st.received_total,
		secs > 0 ? st.received_total / secs : 0.0, (unsigned long long)st.dropped_total,
		at ? " (" : "", at ? bytype + 1 : "", at ? ")" : "", (unsigned long long)st.malformed,
		(unsigned long long)st.compat);
}

int vg_monitor_run(const struct vg_monitor_opts *mo, const struct vg_sensor_opts *so,
		   volatile sig_atomic_t *stop)
{
	struct monitor *m = calloc(1, sizeof(*m));
	struct vg_sensor *s = NULL;
	const char *why = NULL;
	uint64_t start, now, next_stats, deadline;
	int ret;

	if (!m)
		return -ENOMEM;
	m->opts = mo;
	gethostname(m->hostname, sizeof(m->hostname) - 1);
	m->boot_to_wall_ns = (int64_t)(clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME));
	ret = vg_writer_open(&m->out, mo->output_file);
	if (ret) {
		vg_err("cannot open output %s: %s", mo->output_file, strerror(-ret));
		goto out;
	}
	ret = vg_sensor_open(&s, so, on_event, m, &why);
	if (ret) {
		vg_err("%s: %s", why ? why : "cannot start the sensor", strerror(-ret));
		goto out;
	}
	fprintf(stderr, "vigil: ready (%d programs attached, ring buffer %u KiB)\n",
		vg_sensor_attached(s), so->ring_bytes >> 10);

	start = clock_ns(CLOCK_MONOTONIC);
	next_stats = start + mo->stats_interval_s * 1000000000ull;
	deadline = mo->duration_s ? start + mo->duration_s * 1000000000ull : 0;
	while (!*stop) {
		ret = vg_sensor_poll(s, (int)mo->poll_ms);
		if (ret < 0) {
			vg_err("reading events failed: %s", strerror(-ret));
			break;
		}
		vg_writer_flush(m->out);
		now = clock_ns(CLOCK_MONOTONIC);
		if (mo->stats_interval_s && now >= next_stats) {
			report(s, "stats", (now - start) / 1e9);
			next_stats = now + mo->stats_interval_s * 1000000000ull;
		}
		if (deadline && now >= deadline)
			break;
	}
	/* Drain what is left, so the exit counts are complete. */
	while (vg_sensor_poll(s, 0) > 0)
		;
	vg_writer_flush(m->out);
	report(s, "exit", (clock_ns(CLOCK_MONOTONIC) - start) / 1e9);
	ret = 0;
out:
	vg_sensor_close(s);
	vg_writer_close(m->out);
	free(m);
	return ret;
}
