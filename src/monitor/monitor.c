/* The monitor loop: every record from the sensor updates the process table
 * and, when asked, goes to the output; drops and counts are reported
 * periodically and at exit, so nothing is lost silently. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control/ctl_server.h"
#include "fields/extract.h"
#include "metrics/metrics_http.h"
#include "monitor/detect.h"
#include "monitor/detectors.h"
#include "monitor/mon_cost.h"
#include "monitor/mon_status.h"
#include "monitor/reload.h"
#include "monitor/monitor.h"
#include "monitor/monitor_outputs.h"
#include "monitor/path_resolve.h"
#include "output/alert.h"
#include "output/fields.h"
#include "output/outputs.h"
#include "proc/container.h"
#include "proc/procfs.h"
#include "proc/proctable.h"
#include "proc/usercache.h"
#include "response/kill.h"
#include "output/repeats.h"
#include "sensor/event.h"
#include "sensor/syscalls.h"
#include "util/clock.h"
#include "util/log.h"
#include "web/web.h"
#include "util/macros.h"

struct monitor {
	const struct vg_monitor_opts *opts;
	struct vg_outputs *outs;
	struct vg_drop_warn drop_warn;
	struct vg_proctable *procs;
	struct vg_cgmap *cgroups; /* NULL without cgroup v2 */
	struct vg_usercache *users;
	struct vg_detectors det; /* rules, pH, deny list, auth, self-protection */
	struct vg_reload *reloading; /* SIGHUP's reload thread, while it runs */
	bool reload_wanted;	     /* the dashboard asks for one ("mute similar") */
	struct vg_path_resolver *paths; /* file paths the kernel sent in pieces */
	uint64_t alerts;	  /* raised, across rule reloads */
	struct vg_repeats *repeats; /* identical alerts folded; NULL: off */
	struct vg_killer killer;  /* rule actions (enabled by --response) */
	struct vg_fields fields;
	struct vg_rule_ctx *event_ctx; /* the extractors' context for raw events (--events) */
	char hostname[256];
	int64_t boot_to_wall_ns; /* add to a CLOCK_BOOTTIME stamp */
	char line[3 * VG_EVENT_MAX];
	struct vg_control *control;   /* NULL without a control socket */
	struct vg_metrics *metrics;   /* NULL without metrics.listen */
	struct vg_ctl_registry *metrics_reg; /* the endpoint's, when no socket */
	struct vg_mon_status status;
	uint64_t refused_logged_ns;
	struct vg_web *web;	 /* NULL without web.listen */
};

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
	/* the same extractors as the rules: same names, same values */
	if (!m->event_ctx && !(m->event_ctx = calloc(1, sizeof(*m->event_ctx))))
		return;
	m->event_ctx->procs = m->procs;
	m->event_ctx->users = m->users;
	m->event_ctx->hostname = m->hostname;
	vg_rule_ctx_reset(m->event_ctx, ev, a.time_ns);
	vg_fields_from_ctx(&m->fields, m->event_ctx);
	if (!a.rule)
		a.rule = "unknown";
	vg_format_fields(m->line, sizeof(m->line), &m->fields);
	a.output = m->line;
	vg_outputs_emit_event(m->outs, &a);
}

/* Every detector's alerts, and raw events a detector prints (PAM calls
 * with --events, priority Debug: not counted as alerts). */
static void send_alert(void *ctx, const struct vg_alert *a)
{
	struct monitor *m = ctx;

	if (strcmp(a->priority, "Debug"))
		m->alerts++;
	vg_outputs_emit(m->outs, a);
	vg_web_note_alert(m->web, a);
}

/* The program image an alert is about (its proc.pid's executable), "" when
 * the alert names no process the table knows. */
static const char *alert_exe(struct monitor *m, const struct vg_alert *a)
{
	const struct vg_kv *kv = a->fields ? vg_fields_get(a->fields, "proc.pid") : NULL;
	const struct vg_proc *p;
	long pid;

	if (!kv)
		return "";
	pid = kv->kind == VG_KV_STR ? strtol(kv->s, NULL, 10) : (long)kv->i;
	p = pid > 0 ? vg_pt_lookup(m->procs, (uint32_t)pid) : NULL;
	return p ? p->img->exe : "";
}

/* Every alert goes out here; raw events (Debug) are never folded. */
static void print_alert(void *ctx, const struct vg_alert *a)
{
	struct monitor *m = ctx;

	if (m->repeats && strcmp(a->priority, "Debug") &&
	    vg_repeats_fold(m->repeats, a, alert_exe(m, a), send_alert, m))
		return;
	send_alert(ctx, a);
}

static int on_event(void *ctx, const struct vg_event *ev)
{
	struct monitor *m = ctx;

	vg_pt_track(m->procs, ev);
	/* The sensor decodes into an event of its own, writable: its joined
	 * paths are replaced by resolved ones before anything reads them. */
	vg_path_resolve_event(m->paths, (struct vg_event *)ev);
	vg_detectors_event(&m->det, ev, ev->u.hdr.ts_ns + m->boot_to_wall_ns);
	if (m->opts->print_events)
		print_event(m, ev);
	vg_pt_track_exit(m->procs, ev);
	return 0;
}

/* The kernel sends what the detectors need (all of it when every event is
 * printed, or what --syscalls names), and the process table's calls. */
static const char *const setid_calls[] = { "setuid",	  "setgid",    "setreuid", "setregid",
					    "setresuid", "setresgid", "setfsuid", "setfsgid" };

static void apply_routes(struct monitor *m, struct vg_sensor *s)
{
	if (!vg_det_rules_detect(m->det.state[VG_DET_RULES]) || m->opts->syscalls)
		return;
	vg_detectors_routes(&m->det, s);
	/* the process table's sessions and groups (proc.sname, proc.vpgid),
	 * whatever the rules ask */
	vg_sensor_route(s, vg_syscall_nr("setsid"), true);
	vg_sensor_route(s, vg_syscall_nr("setpgid"), true);
	/* and the ids the sensor remembers after each set*id call
	 * (bpf/vg_facts.h): rare calls, always followed */
	for (size_t i = 0; i < ARRAY_SIZE(setid_calls); i++)
		vg_sensor_route(s, vg_syscall_nr(setid_calls[i]), true);
}

/* SIGHUP, once the reload thread is done: its configuration applied, and
 * its rule set swapped in when it loaded cleanly (monitor/reload.c). */
static void finish_reload(struct monitor *m, struct vg_sensor *s, struct vg_reload_result *res)
{
	if (res->config && m->opts->reload_apply)
		m->opts->reload_apply(m->opts->reload_ctx, res->config);
	if (!res->detect)
		return;
	vg_det_rules_replace(m->det.state[VG_DET_RULES], res->detect);
	m->status.rules = vg_detect_rule_count(res->detect);
	apply_routes(m, s);
}

/* The dashboard's "mute similar" wrote the overrides file: the rules are
 * read again as on SIGHUP, in the reload thread, never in the loop. */
static int web_reload_rules(void *ctx)
{
	struct monitor *m = ctx;

	if (!vg_det_rules_detect(m->det.state[VG_DET_RULES]))
		return -ENOENT;
	m->reload_wanted = true;
	return 0;
}

/* The table, seeded from /proc after the sensor is attached: a process
 * started in between is in both, and the events win. */
static int open_tables(struct monitor *m)
{
	struct vg_cgmap_opts co = { 0 };
	int ret;

	ret = vg_pt_new(&m->procs, VG_PT_DEFAULT_MAX, VG_PT_DEFAULT_GRACE_NS);
	if (!ret)
		ret = vg_uc_new(&m->users, 4096, 60ull * NSEC_PER_SEC);
	if (ret)
		return ret;
	if (vg_cgmap_new(&m->cgroups, &co)) {
		vg_warn("no cgroup v2 hierarchy: container ids come from /proc only");
		m->cgroups = NULL;
	}
	vg_pt_set_cgmap(m->procs, m->cgroups);
	m->paths = vg_path_resolver_new(m->procs);
	return m->paths ? 0 : -ENOMEM;
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
	char breakdown[1024] = "", shed[1024] = "";
	size_t at = 0, shed_at = 0;

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
	/* load shedding (bpf/vg_shed.h), apart from ring-full drops */
	for (int t = 0; t < VG_EV_TYPE_MAX && shed_at < sizeof(shed) - 64; t++)
		if (st.shed[t])
			shed_at += snprintf(shed + shed_at, sizeof(shed) - shed_at, " %s=%llu",
					    vg_event_type_name(t) ? vg_event_type_name(t) : "?",
					    (unsigned long long)st.shed[t]);
	fprintf(stderr,
		"vigil: %s events=%llu rate=%.0f/s drops=%llu%s%s%s malformed=%llu socketcall32=%llu "
		"coalesced=%llu alerts=%llu shed=%llu%s%s%s\n",
		what, (unsigned long long)st.received_total,
		secs > 0 ? st.received_total / secs : 0.0, (unsigned long long)st.dropped_total,
		at ? " (" : "", at ? breakdown + 1 : "", at ? ")" : "", (unsigned long long)st.malformed,
		(unsigned long long)st.compat, (unsigned long long)st.coalesced,
		(unsigned long long)m->alerts, (unsigned long long)st.shed_total,
		shed_at ? " (" : "", shed_at ? shed + 1 : "", shed_at ? ")" : "");
	if (st.uring_unpaired) /* io_uring records that could not wait for their result */
		fprintf(stderr, "vigil: %s io_uring unpaired=%llu\n", what,
			(unsigned long long)st.uring_unpaired);
	vg_monitor_outputs_report(m->outs, what);
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

/* A non-root client on the control socket: logged, at most once a second
 * (the count is in `vigil status`). */
static void control_refused(void *ctx, uid_t uid, gid_t gid, pid_t pid)
{
	struct monitor *m = ctx;
	uint64_t now = vg_clock_ns(CLOCK_MONOTONIC);

	if (now - m->refused_logged_ns < NSEC_PER_SEC && m->refused_logged_ns)
		return;
	m->refused_logged_ns = now;
	vg_warn("control socket: refused a client with uid %u gid %u pid %d (root only)",
		(unsigned)uid, (unsigned)gid, (int)pid);
}

/* The status sections and the detectors' commands, on a registry: the
 * control socket's, or the metrics endpoint's own when there is no socket.
 * The rules' section follows the monitor's, as `vigil status` prints them. */
static int register_status(struct monitor *m, struct vg_ctl_registry *reg)
{
	int ret = vg_ctl_add_status(reg, "monitor", vg_mon_status_section, &m->status);

	if (!ret)
		ret = vg_detectors_status(&m->det, VG_DET_RULES, reg);
	if (!ret && m->outs)
		ret = vg_ctl_add_status(reg, "outputs", vg_monitor_outputs_status, m->outs);
	if (!ret) /* what our BPF programs cost (src/monitor/mon_cost.c) */
		ret = vg_ctl_add_status(reg, "cost", vg_mon_cost_section, m->status.sensor);
	for (unsigned i = VG_DET_RULES + 1; !ret && i < VG_DET_COUNT; i++)
		ret = vg_detectors_status(&m->det, i, reg);
	return ret;
}

/* The control socket and the metrics endpoint, and what they answer.
 * Failing to open the socket is a warning: detection does not depend on
 * it. A metrics endpoint that was asked for and cannot listen is an error. */
static int open_control(struct monitor *m, struct vg_sensor *s)
{
	struct vg_control_opts co = { .path = m->opts->control_socket,
				      .on_refused = control_refused,
				      .ctx = m };
	struct vg_ctl_registry *reg = NULL;
	char err[512] = "";
	int ret;

	vg_mon_status_init(&m->status, s, vg_clock_ns(CLOCK_MONOTONIC));
	m->status.alerts = &m->alerts;
	m->status.repeats = m->repeats;
	m->status.paths = m->paths;
	m->status.rules = vg_detect_rule_count(vg_det_rules_detect(m->det.state[VG_DET_RULES]));
	if (co.path) {
		ret = vg_control_open(&m->control, &co, err, sizeof(err));
		if (ret) {
			vg_warn("control socket disabled: %s", err[0] ? err : strerror(-ret));
		} else {
			m->status.control = m->control;
			reg = vg_control_registry(m->control);
			ret = register_status(m, reg);
			if (ret)
				vg_warn("control socket: registering commands failed: %s",
					strerror(-ret));
		}
	}
	if (!m->opts->metrics_listen && !m->opts->web.listen)
		return 0;
	if (!reg) {
		ret = vg_ctl_registry_new(&m->metrics_reg);
		if (!ret)
			ret = register_status(m, m->metrics_reg);
		if (ret) {
			vg_err("metrics endpoint: %s", strerror(-ret));
			return ret;
		}
		reg = m->metrics_reg;
	}
	if (m->opts->web.listen) {
		struct vg_web_opts wo = m->opts->web;

		wo.reg = reg;
		wo.procs = m->procs;
		wo.ph = vg_det_ph_kernel(m->det.state[VG_DET_PH]);
		wo.rules_files = m->opts->rules_files;
		wo.nrules_files = m->opts->nrules_files;
		wo.reload_rules = web_reload_rules;
		wo.check_rules = vg_detect_check;
		wo.ctx = m;
		if (!vg_det_rules_detect(m->det.state[VG_DET_RULES]))
			wo.overrides = NULL; /* no rules: nothing to mute */
		ret = vg_web_open(&m->web, &wo, err, sizeof(err));
		if (ret) {
			vg_err("web dashboard: %s", err);
			return ret;
		}
	}
	if (!m->opts->metrics_listen)
		return 0;
	ret = vg_metrics_open(&m->metrics, m->opts->metrics_listen, m->opts->metrics_token_file,
			      reg, err, sizeof(err));
	if (ret) {
		vg_err("metrics endpoint: %s", err);
		return ret;
	}
	vg_info("metrics: %s/metrics", m->opts->metrics_listen);
	return 0;
}

/* How long the exit drains the ring at most. */
#define VG_MONITOR_EXIT_DRAIN_NS (200ull * 1000000ull)

/* The sensor, once the detectors that share its programs are open: --syscalls
 * narrows its routes at once. */
struct sensor_open {
	struct monitor *m;
	const struct vg_sensor_opts *so;
};

static int open_sensor(void *ctx, const struct vg_sensor_part *part, struct vg_sensor **out)
{
	struct sensor_open *o = ctx;
	const char *why = NULL;
	int ret = vg_sensor_open_with(out, o->so, part, on_event, o->m, &why);

	if (ret) {
		vg_err("%s: %s", why ? why : "cannot start the sensor", strerror(-ret));
		return ret;
	}
	if (o->m->opts->syscalls)
		ret = narrow_syscalls(*out, o->m->opts->syscalls);
	return ret;
}

int vg_monitor_run(const struct vg_monitor_opts *mo, const struct vg_sensor_opts *so,
		   volatile sig_atomic_t *stop)
{
	struct monitor *m = calloc(1, sizeof(*m));
	struct vg_detector_env env = { .opts = mo, .alert = print_alert };
	struct sensor_open so_ctx = { m, so };
	struct vg_sensor *s = NULL;
	uint64_t start, now, next_stats, next_reap, deadline;
	int ret;

	if (!m)
		return -ENOMEM;
	m->opts = mo;
	vg_killer_init(&m->killer, mo->response);
	gethostname(m->hostname, sizeof(m->hostname) - 1);
	m->boot_to_wall_ns =
		(int64_t)(vg_clock_ns(CLOCK_REALTIME) - vg_clock_ns(CLOCK_BOOTTIME));
	ret = vg_monitor_outputs_open(&m->outs, mo->outputs, mo->noutputs, mo->output_file,
				      mo->json, m->hostname);
	if (ret)
		goto out;
	ret = open_tables(m);
	if (ret) {
		vg_err("cannot create the process table: %s", strerror(-ret));
		goto out;
	}
	env.hostname = m->hostname;
	env.procs = m->procs;
	env.users = m->users;
	env.killer = &m->killer;
	env.alert_ctx = m;
	/* the sensor opens among them (open_sensor), after pH */
	ret = vg_detectors_open(&m->det, &env, open_sensor, &so_ctx);
	s = env.sensor;
	if (ret)
		goto out;
	apply_routes(m, s);
	seed_tables(m);
	if (mo->repeat_window_s && !(m->repeats = vg_repeats_new(mo->repeat_window_s * NSEC_PER_SEC)))
		vg_warn("repeated alerts are not folded: out of memory");
	ret = open_control(m, s);
	if (ret)
		goto out;
	fprintf(stderr, "vigil: ready (%d programs attached, ring buffer %u KiB)\n",
		vg_sensor_attached(s), so->ring_bytes >> 10);

	start = vg_clock_ns(CLOCK_MONOTONIC);
	next_stats = start + mo->stats_interval_s * NSEC_PER_SEC;
	next_reap = start;
	deadline = mo->duration_s ? start + mo->duration_s * NSEC_PER_SEC : 0;
	while (!*stop) {
		ret = vg_sensor_poll(s, (int)mo->poll_ms);
		if (ret < 0) {
			vg_err("reading events failed: %s", strerror(-ret));
			break;
		}
		if (mo->reopen && *mo->reopen) {
			*mo->reopen = 0;
			vg_outputs_reopen(m->outs);
		}
		/* a reload is read in a thread; a SIGHUP meanwhile waits for it */
		if (((mo->reload && *mo->reload) || m->reload_wanted) && !m->reloading) {
			if (mo->reload)
				*mo->reload = 0;
			m->reload_wanted = false;
			if (vg_reload_start(&m->reloading, mo))
				vg_err("cannot start the reload: keeping everything as it is");
		}
		if (m->reloading) {
			struct vg_reload_result res;

			if (vg_reload_poll(m->reloading, &res)) {
				m->reloading = NULL;
				finish_reload(m, s, &res);
			} else if (vg_reload_age_ms(m->reloading) > VG_RELOAD_MAX_MS) {
				vg_err("the reload has read for more than %u s: abandoned, keeping "
				       "everything as it is", VG_RELOAD_MAX_MS / 1000);
				vg_reload_abandon(m->reloading);
				m->reloading = NULL;
			}
		}
		now = vg_clock_ns(CLOCK_MONOTONIC);
		vg_control_serve(m->control, now / 1000000ull);
		vg_metrics_serve(m->metrics);
		vg_web_serve(m->web);
		vg_mon_status_tick(&m->status, now);
		if (now >= next_reap) {
			vg_pt_reap(m->procs, vg_clock_ns(CLOCK_BOOTTIME));
			vg_repeats_flush(m->repeats, vg_clock_ns(CLOCK_REALTIME), false, send_alert, m);
			next_reap = now + NSEC_PER_SEC;
			vg_monitor_outputs_warn(m->outs, now, &m->drop_warn);
		}
		vg_detectors_tick(&m->det, now);
		if (mo->stats_interval_s && now >= next_stats) {
			report(m, s, "stats", (now - start) / 1e9);
			next_stats = now + mo->stats_interval_s * NSEC_PER_SEC;
		}
		if (deadline && now >= deadline)
			break;
	}
	vg_detectors_stop(&m->det); /* auth's detach is slow: overlaps what follows */
	vg_reload_abandon(m->reloading);
	m->reloading = NULL;
	/* Drain what is left, so the exit counts are complete; but never for
	 * long: under a flood the ring refills as fast as it drains, and the
	 * exit (stats, profile save) must not wait for a quiet moment. */
	for (uint64_t end = vg_clock_ns(CLOCK_MONOTONIC) + VG_MONITOR_EXIT_DRAIN_NS;
	     vg_sensor_poll(s, 0) > 0 && vg_clock_ns(CLOCK_MONOTONIC) < end;)
		;
	vg_repeats_flush(m->repeats, 0, true, send_alert, m); /* the last summaries */
	vg_outputs_close(m->outs); /* drains each queue, bounded by its drain_ms */
	report(m, s, "exit", (vg_clock_ns(CLOCK_MONOTONIC) - start) / 1e9);
	vg_detectors_report(&m->det); /* pH's stops and saves its profiles first */
	ret = 0;
out:
	vg_metrics_close(m->metrics);
	vg_web_close(m->web);
	vg_control_close(m->control);
	vg_ctl_registry_free(m->metrics_reg);
	vg_sensor_close(s); /* first: it reads pH's ring buffer */
	vg_detectors_close(&m->det); /* in reverse */
	vg_outputs_free(m->outs);
	vg_repeats_free(m->repeats);
	vg_path_resolver_free(m->paths);
	vg_pt_free(m->procs);
	vg_cgmap_free(m->cgroups);
	vg_uc_free(m->users);
	free(m->event_ctx);
	free(m);
	return ret;
}
