/* The monitor loop: every record from the sensor updates the process table
 * and, when asked, goes to the output; drops and counts are reported
 * periodically and at exit, so nothing is lost silently. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "monitor/detect.h"
#include "monitor/monitor.h"
#include "output/alert.h"
#include "output/fields.h"
#include "output/writer.h"
#include "ph/ph_kernel.h"
#include "proc/container.h"
#include "proc/procfs.h"
#include "proc/proctable.h"
#include "proc/usercache.h"
#include "sensor/event.h"
#include "sensor/syscalls.h"
#include "util/log.h"

struct monitor {
	const struct vg_monitor_opts *opts;
	struct vg_writer *out;
	struct vg_proctable *procs;
	struct vg_cgmap *cgroups; /* NULL without cgroup v2 */
	struct vg_usercache *users;
	struct vg_detect *detect; /* NULL without rules */
	struct vg_ph_kernel *ph;  /* NULL without --ph */
	uint64_t alerts;	  /* raised, across rule reloads */
	struct vg_fields fields;
	char cmdline[VG_ARGS_MAX + 1];
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

/* What the process table adds to an event's own fields. */
static void proc_view(struct monitor *m, const struct vg_event *ev, struct vg_proc_view *v)
{
	const struct vg_proc *p = vg_pt_lookup(m->procs, ev->u.hdr.pid);
	const struct vg_proc *parent;

	memset(v, 0, sizeof(*v));
	v->user = vg_uc_user(m->users, ev->u.hdr.uid, ev->u.hdr.ts_ns);
	if (!p)
		return;
	v->exepath = p->img->exe;
	vg_proc_cmdline(p, m->cmdline, sizeof(m->cmdline));
	v->cmdline = m->cmdline;
	parent = vg_pt_ancestor(m->procs, p, 1);
	v->pname = parent ? parent->comm : NULL;
	v->container_id = p->container.short_id;
}

static void print_event(struct monitor *m, const struct vg_event *ev)
{
	struct vg_proc_view view;

	struct vg_alert a = {
		.time_ns = ev->u.hdr.ts_ns + m->boot_to_wall_ns,
		.rule = vg_event_name(ev),
		.priority = "Debug",
		.source = "syscall",
		.hostname = m->hostname,
		.fields = &m->fields,
	};
	char *json;

	proc_view(m, ev, &view);
	vg_fields_from_event(&m->fields, ev, &view);
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

/* Keeps the process table current. Exits are applied after the event is
 * printed, so the exit event still shows the program that exited. */
static void track(struct monitor *m, const struct vg_event *ev)
{
	const struct vg_hdr *h = &ev->u.hdr;

	switch (h->type) {
	case VG_EV_FORK:
		/* A parent we never saw gets an entry first, so the child
		 * inherits its name and ids. */
		vg_pt_resolve(m->procs, h);
		vg_pt_on_fork(m->procs, h->pid, ev->u.fork.child_pid, ev->u.fork.child_start_ns);
		break;
	case VG_EV_EXEC:
		vg_pt_on_exec(m->procs, ev);
		break;
	case VG_EV_EXIT:
		break;
	case VG_EV_SETUID: {
		struct vg_proc *p = vg_pt_resolve(m->procs, h);

		if (p && ev->u.sys.res == 0)
			p->euid = ev->u.sys.new_euid;
		break;
	}
	default:
		vg_pt_resolve(m->procs, h);
		break;
	}
}

static void print_alert(void *ctx, const struct vg_alert *a)
{
	struct monitor *m = ctx;
	char *json;

	m->alerts++;
	if (m->opts->json) {
		json = vg_alert_json(a);
		if (json)
			vg_writer_line(m->out, json, strlen(json));
		free(json);
	} else {
		vg_alert_text(m->line, sizeof(m->line), a);
		vg_writer_line(m->out, m->line, strlen(m->line));
	}
}

static int on_event(void *ctx, const struct vg_event *ev)
{
	struct monitor *m = ctx;

	track(m, ev);
	if (m->ph && ev->u.hdr.type == VG_EV_EXEC) {
		/* pH names a profile's file by the program's path */
		const struct vg_proc *p = vg_pt_lookup(m->procs, ev->u.hdr.pid);

		if (p && p->img)
			vg_ph_kernel_note_exe(m->ph, p->img->exe_dev, p->img->exe_ino, p->img->exe);
	}
	if (m->detect)
		vg_detect_event(m->detect, ev, ev->u.hdr.ts_ns + m->boot_to_wall_ns, print_alert, m);
	if (m->opts->print_events)
		print_event(m, ev);
	if (ev->u.hdr.type == VG_EV_EXIT)
		vg_pt_on_exit(m->procs, ev->u.hdr.pid, ev->u.hdr.ts_ns, ev->u.exit.exit_code);
	return 0;
}

/* The kernel sends what the rules need (all of it when every event is
 * printed, or what --syscalls names). */
static void apply_routes(struct monitor *m, struct vg_sensor *s)
{
	if (m->detect && !m->opts->print_events && !m->opts->syscalls)
		vg_info("kernel filter: %d of %u watched syscalls needed by the rules",
			vg_detect_narrow(m->detect, s), vg_syscalls_count);
}

/* SIGHUP: a new rule set replaces the old only when it loads cleanly. */
static void reload_rules(struct monitor *m, struct vg_sensor *s)
{
	struct vg_detect *fresh;

	vg_info("reloading rules");
	if (vg_detect_load(&fresh, m->opts->rules_files, m->opts->nrules_files)) {
		vg_err("the new rules have errors: keeping the rules already running");
		return;
	}
	vg_detect_free(m->detect);
	m->detect = fresh;
	vg_detect_bind(m->detect, m->procs, m->users, m->hostname);
	apply_routes(m, s);
}

/* The table, seeded from /proc after the sensor is attached: a process
 * started in between is in both, and the events win. */
static int open_tables(struct monitor *m)
{
	struct vg_cgmap_opts co = { 0 };
	int ret;

	ret = vg_pt_new(&m->procs, VG_PT_DEFAULT_MAX, VG_PT_DEFAULT_GRACE_NS);
	if (!ret)
		ret = vg_uc_new(&m->users, 4096, 60ull * 1000000000ull);
	if (ret)
		return ret;
	if (vg_cgmap_new(&m->cgroups, &co)) {
		vg_warn("no cgroup v2 hierarchy: container ids come from /proc only");
		m->cgroups = NULL;
	}
	vg_pt_set_cgmap(m->procs, m->cgroups);
	return 0;
}

static void seed_tables(struct monitor *m)
{
	struct vg_procfs_stats ps = { 0 };
	int ret = vg_procfs_seed(m->procs, "/proc", m->cgroups, &ps);

	if (ret)
		vg_warn("reading /proc failed: %s; processes started before vigil will be unnamed",
			strerror(-ret));
	else
		vg_debug("process table seeded with %zu processes from /proc", ps.added);
}

static void report(struct monitor *m, struct vg_sensor *s, const char *what, double secs)
{

	struct vg_sensor_stats st;
	char breakdown[1024] = "";
	size_t at = 0;

	vg_sensor_stats(s, &st);
	for (int c = 0; c < VG_STATS_CPUS && at < sizeof(breakdown) - 64; c++)
		if (st.dropped_cpu[c])
			at += snprintf(breakdown + at, sizeof(breakdown) - at, " cpu%d=%llu", c,
				       (unsigned long long)st.dropped_cpu[c]);
	for (int t = 0; t < VG_EV_TYPE_MAX && at < sizeof(breakdown) - 64; t++)
		if (st.dropped[t])
			at += snprintf(breakdown + at, sizeof(breakdown) - at, " %s=%llu",
				       vg_event_type_name(t) ? vg_event_type_name(t) : "?",
				       (unsigned long long)st.dropped[t]);
	fprintf(stderr,
		"vigil: %s events=%llu rate=%.0f/s drops=%llu%s%s%s malformed=%llu socketcall32=%llu "
		"alerts=%llu\n",
		what, (unsigned long long)st.received_total,
		secs > 0 ? st.received_total / secs : 0.0, (unsigned long long)st.dropped_total,
		at ? " (" : "", at ? breakdown + 1 : "", at ? ")" : "", (unsigned long long)st.malformed,
		(unsigned long long)st.compat, (unsigned long long)m->alerts);
}

/* pH's counters at exit, so a lost alert is never silent. */
static void report_ph(struct vg_ph_kernel *ph)
{
	struct vg_ph_kernel_stats st;
	struct ph_persist_stats ps;
	struct vg_ph_memory mem;

	vg_ph_kernel_stop(ph); /* detach, then the exit save */
	vg_ph_kernel_stats(ph, &st);
	fprintf(stderr,
		"vigil: ph alerts=%llu drops=%llu malformed=%llu profiles=%llu model_errors=%llu "
		"profile_errors=%llu\n",
		(unsigned long long)st.alerts, (unsigned long long)st.drops,
		(unsigned long long)st.malformed, (unsigned long long)st.profiles,
		(unsigned long long)st.model_errors, (unsigned long long)st.profile_errors);
	vg_ph_kernel_persist_stats(ph, &ps);
	if (!vg_ph_kernel_memory(ph, &mem))
		fprintf(stderr,
			"vigil: ph memory profiles=%llu items=%llu bytes=%llu avg_per_profile=%llu "
			"(%llu B/profile + %llu B/item) disk=%llu saves=%llu written=%llu "
			"write_errors=%llu gc_items=%llu save_ms=%llu signal_windows=%llu responses=%llu\n",
			(unsigned long long)mem.profiles, (unsigned long long)mem.items,
			(unsigned long long)mem.total_bytes, (unsigned long long)mem.avg_bytes,
			(unsigned long long)mem.profile_bytes, (unsigned long long)mem.item_bytes,
			(unsigned long long)mem.disk_bytes, (unsigned long long)ps.saves,
			(unsigned long long)ps.written, (unsigned long long)ps.write_errors,
			(unsigned long long)ps.gc_items,
			(unsigned long long)(ps.save_ns_last / 1000000),
			(unsigned long long)st.signal_windows,
			(unsigned long long)st.responses);
}

/* Narrows the kernel's routes to the listed syscalls ("openat,execve").
 * Process lifecycle records are always sent: the process table needs them. */
static int narrow_syscalls(struct vg_sensor *s, const char *list)
{
	char *copy = strdup(list), *save = NULL, *name;
	bool keep[VG_NR_SYSCALLS] = { false };
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		int nr = vg_syscall_nr(name);

		if (nr < 0 || !vg_syscall_def(nr)) {
			vg_err("--syscalls: '%s' is not a syscall vigil watches", name);
			ret = -EINVAL;
			break;
		}
		keep[nr] = true;
	}
	for (unsigned i = 0; !ret && i < vg_syscalls_count; i++)
		vg_sensor_route(s, vg_syscalls[i].nr, keep[vg_syscalls[i].nr]);
	free(copy);
	return ret;
}

int vg_monitor_run(const struct vg_monitor_opts *mo, const struct vg_sensor_opts *so,
		   volatile sig_atomic_t *stop)
{
	struct monitor *m = calloc(1, sizeof(*m));
	struct vg_sensor *s = NULL;
	struct vg_ph_kernel *ph = NULL;
	const char *why = NULL;
	uint64_t start, now, next_stats, next_reap, deadline;
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
	if (mo->nrules_files) {
		ret = vg_detect_load(&m->detect, mo->rules_files, mo->nrules_files);
		if (ret)
			goto out; /* refuse to start on broken rules */
	}
	ret = open_tables(m);
	if (ret) {
		vg_err("cannot create the process table: %s", strerror(-ret));
		goto out;
	}
	ret = vg_sensor_open(&s, so, on_event, m, &why);
	if (ret) {
		vg_err("%s: %s", why ? why : "cannot start the sensor", strerror(-ret));
		goto out;
	}
	if (mo->syscalls && (ret = narrow_syscalls(s, mo->syscalls)))
		goto out;
	/* pH: its own BPF object; alerts come through print_alert() */
	if (mo->ph && (ret = vg_ph_kernel_open(&ph, &mo->ph_opts, s, print_alert, m, m->hostname,
					       &why))) {
		vg_err("%s: %s", why ? why : "cannot start pH", strerror(-ret));
		goto out;
	}
	m->ph = ph;
	if (m->detect)
		vg_detect_bind(m->detect, m->procs, m->users, m->hostname);
	apply_routes(m, s);
	seed_tables(m);
	fprintf(stderr, "vigil: ready (%d programs attached, ring buffer %u KiB)\n",
		vg_sensor_attached(s), so->ring_bytes >> 10);

	start = clock_ns(CLOCK_MONOTONIC);
	next_stats = start + mo->stats_interval_s * 1000000000ull;
	next_reap = start;
	deadline = mo->duration_s ? start + mo->duration_s * 1000000000ull : 0;
	while (!*stop) {
		ret = vg_sensor_poll(s, (int)mo->poll_ms);
		if (ret < 0) {
			vg_err("reading events failed: %s", strerror(-ret));
			break;
		}
		vg_writer_flush(m->out);
		if (mo->reload && *mo->reload) {
			*mo->reload = 0;
			if (mo->nrules_files)
				reload_rules(m, s);
		}
		now = clock_ns(CLOCK_MONOTONIC);
		if (now >= next_reap) {
			vg_pt_reap(m->procs, clock_ns(CLOCK_BOOTTIME));
			next_reap = now + 1000000000ull;
		}
		vg_ph_kernel_tick(ph); /* periodic profile save; NULL without --ph */
		if (mo->stats_interval_s && now >= next_stats) {
			report(m, s, "stats", (now - start) / 1e9);
			next_stats = now + mo->stats_interval_s * 1000000000ull;
		}
		if (deadline && now >= deadline)
			break;
	}
	/* Drain what is left, so the exit counts are complete. */
	while (vg_sensor_poll(s, 0) > 0)
		;
	vg_writer_flush(m->out);
	report(m, s, "exit", (clock_ns(CLOCK_MONOTONIC) - start) / 1e9);
	if (ph)
		report_ph(ph);
	ret = 0;
out:
	vg_sensor_close(s); /* first: it reads pH's ring buffer */
	vg_ph_kernel_close(ph);
	vg_writer_close(m->out);
	vg_detect_free(m->detect);
	vg_pt_free(m->procs);
	vg_cgmap_free(m->cgroups);
	vg_uc_free(m->users);
	free(m);
	return ret;
}
