/* vigil run: the monitor. Parse options → one instance only → load and
 * attach the sensor → read events until told to stop → detach → report. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/config_load.h"
#include "config/config.h"
#include "control/ctl_server.h"
#include "metrics/metrics_http.h"
#include "web/web.h"
#include "web/web_mute.h"
#include "monitor/monitor.h"
#include "output/outputs.h"
#include "response/denylist.h"
#include "sensor/sensor.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/safe_file.h"

#define DEFAULT_LOCK_FILE "/run/vigil/vigil.lock"

#define MAX_RULE_FILES 64
#define MAX_OVERRIDES 256


/* Long options without a short form, numbered past every character. */
enum {
	OPT_COALESCE_MS = 0x100,
	OPT_CONTROL_SOCKET,
	OPT_NO_AUTH,
	OPT_AUTH_FAILURES,
	OPT_AUTH_WINDOW,
	OPT_AUTH_LIBPAM,
	OPT_METRICS_LISTEN,
	OPT_NO_PH,
};

static volatile sig_atomic_t stop_requested, reload_requested, reopen_requested;
/* The outputs, from --output or the configuration's outputs: list; freed by
 * cmd_run whatever run_main returns. */
static struct vg_output_conf *outputs[VG_OUTPUTS_MAX - 1];
static unsigned noutputs;
/* --deny-exec, --deny-exec-file and response.deny_exec */
static struct vg_denylist deny;

static void on_reopen_signal(int sig)
{
	(void)sig;
	reopen_requested = 1;
}

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void on_reload_signal(int sig)
{
	(void)sig;
	reload_requested = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: vigil run [OPTIONS]\n\n"
		"Loads the kernel sensor and monitors the machine in the foreground until\n"
		"SIGINT or SIGTERM (or --duration), then detaches everything.\n\n"
		"Options:\n"
		"  -r, --rules FILE          load rules from FILE (Falco's rule language);\n"
		"                            repeat for more files, later ones override;\n"
		"                            SIGHUP reloads them (a broken set is refused);\n"
		"                            default: %s\n"
		"      --no-rules            run no rules (with --events: the sensor alone)\n"
		"  -e, --events              print every event the sensor sends\n"
		"  -j, --json                one JSON object per line (Falco's alert shape)\n"
		"  -o, --output-file PATH    append output to PATH instead of standard output\n"
		"      --output TYPE[:KEY=VALUE,...]\n"
		"                            send alerts to an output: stdout, file, syslog,\n"
		"                            webhook or program, each with its own queue and\n"
		"                            min_priority; repeatable; replaces the configuration's\n"
		"                            outputs; SIGUSR1 reopens files\n"
		"                            (e.g. file:path=/var/log/vigil.json,fsync=interval;\n"
		"                            see docs/outputs.md)\n"
		"  -d, --duration SECONDS    stop after SECONDS (default: run until signalled)\n"
		"      --ring-size BYTES     ring buffer size, a power of two; K/M/G suffixes\n"
		"                            (default 16M)\n"
		"      --wakeup-bytes BYTES  backlog that wakes the reader before its timer,\n"
		"                            checked every 64 records\n"
		"                            (default 64K)\n"
		"      --coalesce-ms MS      send a repeated open (same process image, credentials,\n"
		"                            file, flags) once per MS; the repeats in between\n"
		"                            are counted (in the next record and at exit);\n"
		"                            0 = send every open (default 1000)\n"
		"      --poll-ms MS          how often the reader drains the ring buffer\n"
		"                            (default 10)\n"
		"      --stats-interval SECONDS\n"
		"                            period of the stats line on stderr (default 60,\n"
		"                            0 = only at exit)\n"
		"      --syscalls LIST       only these syscalls, comma-separated (openat,connect);\n"
		"                            exec, fork and exit are always watched\n"
		"      --ph, --no-ph         run (the default) or not the pH model in the kernel:\n"
		"                            learn each program's system-call sequences, alert on\n"
		"                            calls outside them: one \"pH incident\" per task\n"
		"                            episode, \"pH profile normal\", \"pH profile disabled\"\n"
		"                            (see docs/ph.md)\n"
		"      --ph-normal-wait SECONDS\n"
		"                            with --ph: time from a profile freezing to its normal\n"
		"                            mode (default 604800, 7 days)\n"
		"      --ph-min-train CALLS  with --ph: calls a profile needs before it may freeze\n"
		"                            (default 1000)\n"
		"      --ph-plain            with --ph: plain pH (lookahead pairs, window 9)\n"
		"                            instead of the default 12-gram model\n"
		"      --ph-state-dir DIR    with --ph: where profiles are kept, one file each\n"
		"                            (default " VG_PH_STATE_DIR_DEFAULT ")\n"
		"      --ph-save-interval SECONDS\n"
		"                            with --ph: save changed profiles this often (default\n"
		"                            600; 0 = only at exit)\n"
		"      --ph-no-persist       with --ph: neither load nor save profiles\n"
		"      --ph-alert-scope services|all|watched\n"
		"                            whose pH alerts are reported; every program learns\n"
		"                            (default services: programs seen listening or\n"
		"                            accepting, daemons of pid 1; never shells,\n"
		"                            interpreters, compilers, coreutils unless watched)\n"
		"      --ph-watch PATH[,PATH]\n"
		"                            programs whose pH alerts are always reported\n"
		"      --ph-learning-window SECONDS\n"
		"                            with --ph: after this long, every profile that\n"
		"                            stopped changing becomes normal (default 0: off)\n"
		"      --ph-response kill|stop\n"
		"                            with --ph: kill or stop a task of a listed program\n"
		"                            whose LFC goes above --ph-response-lfc (default: off)\n"
		"      --ph-response-lfc N   the LFC limit of the response, 1 to 127 (default 12)\n"
		"      --ph-response-exe PATH\n"
		"                            a program the response applies to (by device and\n"
		"                            inode); repeat for more, up to 64\n"
		"      --lock-file PATH      single-instance lock (default " DEFAULT_LOCK_FILE ")\n"
		"      --response            carry out rule actions (action: kill / kill_pgroup);\n"
		"                            without it such rules only alert (docs/response.md)\n"
		"      --deny-exec PATH      kill any exec of PATH (by name, and by the file's\n"
		"                            device+inode at start) before it runs; repeatable\n"
		"      --deny-exec-file FILE absolute paths to deny, one per line, # comments\n"
		"      --no-auth             do not watch authentication (libpam probes, on by\n"
		"                            default: \"Authentication failure\", \"Password brute\n"
		"                            force\", \"Login after failures\"; see docs/auth.md)\n"
		"      --auth-failures N     failures that make a brute force (default 5)\n"
		"      --auth-window SECONDS within this many seconds (default 60)\n"
		"      --auth-libpam PATH    probe this libpam instead of the system's\n"
		"      --control-socket PATH root-only socket for vigil status/ps/profiles/profile\n"
		"                            (default " VG_CTL_DEFAULT_SOCKET "; \"none\": off)\n"
		"      --metrics-listen unix:PATH|HOST:PORT\n"
		"                            serve the figures of vigil status as Prometheus\n"
		"                            text on /metrics (off by default; \"on\":\n"
		"                            " VG_METRICS_DEFAULT_LISTEN ", root only);\n"
		"                            HOST:PORT needs --set metrics.token_file=FILE\n"
		"  -c, --config PATH         configuration file (default " VG_CONFIG_DEFAULT_PATH ";\n"
		"                            a missing default file means the built-in defaults);\n"
		"                            SIGHUP reloads it (a broken file is refused)\n"
		"  -s, --set KEY=VALUE       override a configuration key (repeatable; see\n"
		"                            vigil config keys); the options above win over it\n"
		"  -v, --verbose             more messages, including libbpf's\n"
		"  -h, --help                this help\n", vg_default_rules);
}

/* Whether an existing lock file holds what vigil writes there (a pid and
 * a newline, or nothing): anything else is some other file named by
 * mistake (--lock-file /etc/vigil/vigil.yaml) and is left alone. */
static bool looks_like_our_lock(int fd)
{
	char buf[40];
	ssize_t n = pread(fd, buf, sizeof(buf), 0);

	if (n < 0 || n > 24)
		return false;
	for (ssize_t i = 0; i < n; i++)
		if (!((buf[i] >= '0' && buf[i] <= '9') || (buf[i] == '\n' && i == n - 1)))
			return false;
	return true;
}

/* Holds an exclusive lock for the life of the process: the kernel drops it
 * when we exit, however we exit, so a crash never leaves a stale lock. The
 * file is opened as every file vigil writes (util/safe_file.h): never
 * through a symlink, never one another user made, never in a directory
 * others can swap it in. */
static int take_instance_lock(const char *path)
{
	char dir[4096], buf[32], err[600], esc[64];
	bool created;
	int fd, n;
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		if (mkdir(dir, 0700) && errno != EEXIST) {
			vg_err("cannot create %s: %s", vg_escape(dir, err, sizeof(err)),
			       strerror(errno));
			return -1;
		}
	}
	fd = vg_safe_open_write(path, O_RDWR, 0600, &created, err, sizeof(err));
	if (fd < 0) {
		vg_err("lock file: %s", err);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = 0;
		buf[strcspn(buf, "\n")] = 0;
		vg_err("another vigil is already running (pid %s, lock %s); stop it first",
		       buf[0] ? vg_escape(buf, esc, sizeof(esc)) : "?",
		       vg_escape(path, err, sizeof(err)));
		close(fd);
		return -1;
	}
	if (!created && !looks_like_our_lock(fd)) {
		vg_err("lock file %s holds something other than a pid: refused (vigil never "
		       "overwrites a file it did not make)",
		       vg_escape(path, err, sizeof(err)));
		close(fd);
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%d\n", getpid());
	if (ftruncate(fd, 0) || pwrite(fd, buf, n, 0) != n)
		vg_warn("cannot write pid to %s", vg_escape(path, err, sizeof(err)));
	return fd;
}

/* The configuration: defaults → file → --set → the specific options. The
 * file is read again on SIGHUP with the same overrides. */
struct run_config {
	const char *path; /* --config, or NULL for the default file */
	struct vg_config_override ov[MAX_OVERRIDES]; /* --set */
	unsigned nov;
	struct vg_config_override specific[MAX_OVERRIDES]; /* --ring-size... */
	unsigned nspecific;
	const char *rules[MAX_RULE_FILES]; /* --rules */
	unsigned nrules;
	struct vg_config *start, *now; /* as started; as last reloaded */
	struct vg_monitor_opts *mo;
};

static struct run_config rc;

static int add_override(struct vg_config_override *list, unsigned *n, struct vg_config_override o)
{
	if (*n == MAX_OVERRIDES) {
		vg_err("%s: too many options (at most %d)", o.origin, MAX_OVERRIDES);
		return -1;
	}
	list[(*n)++] = o;
	return 0;
}

/* The rule files the configuration names: its list, or the default file
 * (none when rules are off), and last the dashboard's overrides file
 * ("mute similar") when it has one. with[] holds the joined list (65 at
 * most); the loop and the reload thread each pass their own, so a reload
 * never rewrites the list the loop reads. */
static void rule_files_of(const struct vg_config *cfg, const char *overrides,
			  const char *with[65], const char *const **files, unsigned *nfiles)
{
	static const char *const default_list[] = { vg_default_rules };

	*nfiles = 0;
	if (!cfg->rules.enabled)
		return;
	if (cfg->rules.files.n) {
		*files = (const char *const *)cfg->rules.files.items;
		*nfiles = cfg->rules.files.n;
	} else if (access(vg_default_rules, R_OK) == 0) {
		*files = default_list;
		*nfiles = 1;
	} else {
		vg_err("default rules %s not found (pass --rules FILE, or --no-rules to run "
		       "without rules)",
		       vg_default_rules);
	}
	if (!overrides || !*nfiles || *nfiles >= 65)
		return;
	memcpy(with, *files, *nfiles * sizeof(with[0]));
	with[(*nfiles)++] = overrides;
	*files = with;
}

/* With the dashboard, its overrides file ("mute similar") is made ready
 * once, at start; a file that cannot be used turns muting off. */
static void prepare_overrides_file(struct vg_monitor_opts *mo)
{
	char err[512];

	if (!mo->web.listen || !mo->web.overrides)
		return;
	if (vg_web_mute_prepare(mo->web.overrides, err, sizeof(err))) {
		vg_warn("web dashboard: %s; \"mute similar\" is off", err);
		mo->web.overrides = NULL;
	}
}

static void set_rule_files(struct vg_monitor_opts *mo, const struct vg_config *cfg)
{
	static const char *with[65];

	rule_files_of(cfg, mo->web.listen ? mo->web.overrides : NULL, with, &mo->rules_files,
		      &mo->nrules_files);
}

static int build_config(struct vg_config **out)
{
	struct vg_config_override all[2 * MAX_OVERRIDES + 1];
	unsigned n = 0;

	memcpy(all, rc.ov, rc.nov * sizeof(all[0]));
	n = rc.nov;
	memcpy(all + n, rc.specific, rc.nspecific * sizeof(all[0]));
	n += rc.nspecific;
	if (rc.nrules)
		all[n++] = (struct vg_config_override){ .origin = "--rules", .key = "rules.files",
							.items = rc.rules, .nitems = rc.nrules };
	return vg_cli_config_build(out, rc.path, all, n);
}

/* SIGHUP, in the reload thread: read the file again. A broken file changes
 * nothing; a good one names the rule files to read (when rules were on at
 * start). Nothing the loop uses is touched here: reload_apply does that. */
static void *reload_prepare(void *ctx, const char *const **files, unsigned *nfiles)
{
	static const char *with[65];
	struct vg_config *fresh;

	(void)ctx;
	vg_info("reloading the configuration from %s", rc.path ? rc.path : VG_CONFIG_DEFAULT_PATH);
	if (build_config(&fresh)) {
		vg_err("the new configuration has errors: keeping the one already running");
		return NULL;
	}
	if (rc.start->rules.enabled)
		rule_files_of(fresh, rc.mo->web.listen ? rc.mo->web.overrides : NULL, with, files,
			      nfiles);
	return fresh;
}

/* In the loop, once the reload is complete: applies what can change live
 * and names what needs a restart. */
static void reload_apply(void *ctx, void *config)
{
	struct vg_config *fresh = config;

	(void)ctx;
	vg_cli_config_log_changes(rc.now, fresh);
	rc.mo->stats_interval_s = fresh->stats.interval;
	if (rc.start->rules.enabled)
		set_rule_files(rc.mo, fresh);
	if (rc.now != rc.start)
		vg_config_free(rc.now);
	rc.now = fresh;
}

static void reload_discard(void *ctx, void *config)
{
	(void)ctx;
	vg_config_free(config);
}

/* The outputs: from --output when given, else the configuration's list. */
static int outputs_from_config(const struct vg_config *cfg)
{
	char err[512];

	for (unsigned i = 0; i < cfg->noutputs && !noutputs; i++) {
		const struct vg_output_entry *e = &cfg->outputs[i];
		struct vg_output_conf *c;

		if (vg_output_conf_new(&c, e->type, err, sizeof(err))) {
			vg_err("configuration line %u: outputs: %s", e->line, err);
			return -1;
		}
		outputs[i] = c;
		for (unsigned k = 0; k < e->nkv; k++)
			if (vg_output_conf_set(c, e->kv[k].key, e->kv[k].value, err, sizeof(err))) {
				vg_err("configuration line %u: outputs: %s", e->kv[k].line, err);
				noutputs = i + 1;
				return -1;
			}
		if (vg_output_conf_check(c, err, sizeof(err))) {
			vg_err("configuration line %u: outputs: %s", e->line, err);
			noutputs = i + 1;
			return -1;
		}
		if (i + 1 == cfg->noutputs)
			noutputs = cfg->noutputs;
	}
	return 0;
}

/* The keys of the parts built beside the configuration (coalescing, auth,
 * response, control socket, outputs) into the monitor's options. */
static int apply_config(struct vg_monitor_opts *mo, struct vg_sensor_opts *so,
			const struct vg_config *cfg)
{
	struct vg_deny_err derr;

	so->coalesce_ms = cfg->sensor.coalesce_ms;
	so->bpf_stats = cfg->sensor.bpf_stats;
	so->no_io_uring = !cfg->sensor.io_uring;
	mo->no_auth = !cfg->auth.enabled;
	mo->auth_opts.detect.failures = cfg->auth.failures;
	mo->auth_opts.detect.window_s = cfg->auth.window;
	mo->response = cfg->response.enabled;
	for (unsigned i = 0; i < cfg->response.deny_exec.n; i++) {
		const char *path = cfg->response.deny_exec.items[i];

		if (vg_denylist_add(&deny, path, strlen(path), "response.deny_exec", 0, &derr)) {
			vg_err("%s", derr.msg);
			return -1;
		}
	}
	mo->deny = &deny;
	mo->control_socket = strcmp(cfg->control.socket, "none") ? cfg->control.socket : NULL;
	mo->ph_opts.state_dir = cfg->ph.state_dir;
	mo->ph_opts.save_interval_s = cfg->ph.save_interval;
	mo->ph_opts.alert_scope = !strcmp(cfg->ph.alert_scope, "all")	    ? VG_PH_SCOPE_ALL
				  : !strcmp(cfg->ph.alert_scope, "watched") ? VG_PH_SCOPE_WATCHED
									    : VG_PH_SCOPE_SERVICES;
	mo->ph_opts.watch = (const char *const *)cfg->ph.watch.items;
	mo->ph_opts.nwatch = cfg->ph.watch.n;
	mo->ph_opts.learning_window_s = cfg->ph.learning_window;
	mo->metrics_listen = !strcmp(cfg->metrics.listen, "off") ? NULL :
			     !strcmp(cfg->metrics.listen, "on") ? VG_METRICS_DEFAULT_LISTEN :
								  cfg->metrics.listen;
	mo->metrics_token_file = cfg->metrics.token_file;
	mo->web.listen = !strcmp(cfg->web.listen, "off") ? NULL :
			 !strcmp(cfg->web.listen, "on") ? VG_WEB_DEFAULT_LISTEN : cfg->web.listen;
	mo->web.token_file = cfg->web.token_file;
	mo->web.allow_remote = cfg->web.allow_remote;
	mo->web.tls_cert = strcmp(cfg->web.tls_cert, "none") ? cfg->web.tls_cert : NULL;
	mo->web.tls_key = strcmp(cfg->web.tls_key, "none") ? cfg->web.tls_key : NULL;
	mo->web.overrides = strcmp(cfg->web.overrides, "none") ? cfg->web.overrides : NULL;
	if (outputs_from_config(cfg))
		return -1;
	mo->outputs = outputs;
	mo->noutputs = noutputs;
	mo->reopen = &reopen_requested;
	return 0;
}

/* sensor.syscalls as the monitor takes it: "openat,connect". */
static const char *join_syscalls(const struct vg_strlist *l, char *buf, size_t len)
{
	size_t at = 0;

	if (!l->n)
		return NULL;
	buf[0] = 0;
	for (unsigned i = 0; i < l->n && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? "," : "", l->items[i]);
	return buf;
}

static int run_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rules", required_argument, 0, 'r' },
		{ "no-rules", no_argument, 0, 'N' },
		{ "events", no_argument, 0, 'e' },
		{ "json", no_argument, 0, 'j' },
		{ "output-file", required_argument, 0, 'o' },
		{ "output", required_argument, 0, 'U' },
		{ "duration", required_argument, 0, 'd' },
		{ "ring-size", required_argument, 0, 'R' },
		{ "wakeup-bytes", required_argument, 0, 'W' },
		{ "coalesce-ms", required_argument, 0, OPT_COALESCE_MS },
		{ "poll-ms", required_argument, 0, 'P' },
		{ "stats-interval", required_argument, 0, 'S' },
		{ "lock-file", required_argument, 0, 'L' },
		{ "syscalls", required_argument, 0, 'C' },
		{ "ph", no_argument, 0, 'H' },
		{ "no-ph", no_argument, 0, OPT_NO_PH },
		{ "ph-normal-wait", required_argument, 0, 'n' },
		{ "ph-min-train", required_argument, 0, 'm' },
		{ "ph-plain", no_argument, 0, 'p' },
		{ "response", no_argument, 0, 'K' },
		{ "deny-exec", required_argument, 0, 'X' },
		{ "deny-exec-file", required_argument, 0, 'F' },
		{ "control-socket", required_argument, 0, OPT_CONTROL_SOCKET },
		{ "metrics-listen", required_argument, 0, OPT_METRICS_LISTEN },
		{ "no-auth", no_argument, 0, OPT_NO_AUTH },
		{ "auth-failures", required_argument, 0, OPT_AUTH_FAILURES },
		{ "auth-window", required_argument, 0, OPT_AUTH_WINDOW },
		{ "auth-libpam", required_argument, 0, OPT_AUTH_LIBPAM },
		{ "config", required_argument, 0, 'c' },
		{ "set", required_argument, 0, 's' },
		{ "ph-state-dir", required_argument, 0, 1001 },
		{ "ph-save-interval", required_argument, 0, 1002 },
		{ "ph-no-persist", no_argument, 0, 1003 },
		{ "ph-response", required_argument, 0, 1004 },
		{ "ph-response-lfc", required_argument, 0, 1005 },
		{ "ph-response-exe", required_argument, 0, 1006 },
		{ "ph-alert-scope", required_argument, 0, 1007 },
		{ "ph-watch", required_argument, 0, 1008 },
		{ "ph-learning-window", required_argument, 0, 1009 },
		{ "verbose", no_argument, 0, 'v' },
		{ "help", no_argument, 0, 'h' },
		{ 0 },
	};
	static char syscalls[8192];
	struct vg_config_override o;
	struct vg_monitor_opts mo = { .stats_interval_s = 60 };
	struct vg_sensor_opts so = { .ring_bytes = VG_SENSOR_DEFAULT_RING, .wakeup_bytes = 65536 };
	const char *response_exes[VG_PH_RESPONSE_EXES_MAX];
	bool no_rules = false;
	char err[512];
	struct vg_deny_err derr;
	uint64_t v;
	int c, lock_fd, ret;

	mo.poll_ms = 10;
	mo.ph_opts.normal_wait_s = VG_PH_NORMAL_WAIT_DEFAULT_S;
	mo.ph_opts.save_interval_s = VG_PH_SAVE_INTERVAL_DEFAULT_S;
	mo.ph_opts.response_exes = response_exes;
	mo.reload = &reload_requested;
	rc.mo = &mo;
	optind = 1;
	/* The options that are configuration keys become overrides: checked
	 * by the configuration's schema, applied over the file. */
#define SPECIFIC(opt, k, v)                                                                        \
	do {                                                                                       \
		o = (struct vg_config_override){ .origin = (opt), .key = (k), .value = (v) };      \
		if (add_override(rc.specific, &rc.nspecific, o))                                   \
			return 2;                                                                  \
	} while (0)
	while ((c = getopt_long(argc, argv, "r:ejo:d:c:s:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (rc.nrules == MAX_RULE_FILES) {
				vg_err("--rules: at most %d files", MAX_RULE_FILES);
				return 2;
			}
			rc.rules[rc.nrules++] = optarg;
			break;
		case 'N':
			no_rules = true;
			SPECIFIC("--no-rules", "rules.enabled", "false");
			break;
		case 'c':
			rc.path = optarg;
			break;
		case 's':
			o = (struct vg_config_override){ .origin = "--set", .value = optarg };
			if (add_override(rc.ov, &rc.nov, o))
				return 2;
			break;
		case 'e':
			mo.print_events = true;
			break;
		case 'j':
			mo.json = true;
			break;
		case 'o':
			mo.output_file = optarg;
			break;
		case 'd':
			if (vg_parse_u64(optarg, &v) || v == 0 || v > 100000000) {
				vg_err("--duration: '%s' is not a number of seconds", optarg);
				return 2;
			}
			mo.duration_s = v;
			break;
		case 'R':
			SPECIFIC("--ring-size", "sensor.ring_size", optarg);
			break;
		case 'W':
			SPECIFIC("--wakeup-bytes", "sensor.wakeup_bytes", optarg);
			break;
		case 'P':
			SPECIFIC("--poll-ms", "sensor.poll_ms", optarg);
			break;
		case 'S':
			SPECIFIC("--stats-interval", "stats.interval", optarg);
			break;
		case 'L':
			SPECIFIC("--lock-file", "lock_file", optarg);
			break;
		case 'C':
			SPECIFIC("--syscalls", "sensor.syscalls", optarg);
			break;
		case 'H':
			SPECIFIC("--ph", "ph.enabled", "true");
			break;
		case OPT_NO_PH:
			SPECIFIC("--no-ph", "ph.enabled", "false");
			break;
		case 'n':
			SPECIFIC("--ph-normal-wait", "ph.normal_wait", optarg);
			break;
		case 'm':
			SPECIFIC("--ph-min-train", "ph.min_train", optarg);
			break;
		case 'p':
			SPECIFIC("--ph-plain", "ph.model", "plain");
			break;
		case 'U':
			if (noutputs == VG_OUTPUTS_MAX - 1) {
				vg_err("--output: at most %d outputs", VG_OUTPUTS_MAX - 1);
				return 2;
			}
			if (vg_output_conf_parse(&outputs[noutputs], optarg, err, sizeof(err))) {
				vg_err("--output %s: %s", optarg, err);
				return 2;
			}
			noutputs++;
			break;
		case OPT_COALESCE_MS:
			SPECIFIC("--coalesce-ms", "sensor.coalesce_ms", optarg);
			break;
		case 'K':
			SPECIFIC("--response", "response.enabled", "true");
			break;
		case 'X':
			if (vg_denylist_add(&deny, optarg, strlen(optarg), "--deny-exec", 0, &derr)) {
				vg_err("%s", derr.msg);
				return 2;
			}
			break;
		case 'F':
			if (vg_denylist_load_file(&deny, optarg, &derr)) {
				vg_err("%s", derr.msg);
				return 2;
			}
			break;
		case OPT_CONTROL_SOCKET:
			SPECIFIC("--control-socket", "control.socket", optarg);
			break;
		case OPT_METRICS_LISTEN:
			SPECIFIC("--metrics-listen", "metrics.listen", optarg);
			break;
		case OPT_NO_AUTH:
			SPECIFIC("--no-auth", "auth.enabled", "false");
			break;
		case OPT_AUTH_FAILURES:
			SPECIFIC("--auth-failures", "auth.failures", optarg);
			break;
		case OPT_AUTH_WINDOW:
			SPECIFIC("--auth-window", "auth.window", optarg);
			break;
		case OPT_AUTH_LIBPAM:
			mo.auth_opts.libpam = optarg;
			break;
		case 1001:
			SPECIFIC("--ph-state-dir", "ph.state_dir", optarg);
			break;
		case 1002:
			SPECIFIC("--ph-save-interval", "ph.save_interval", optarg);
			break;
		case 1007:
			SPECIFIC("--ph-alert-scope", "ph.alert_scope", optarg);
			break;
		case 1008:
			SPECIFIC("--ph-watch", "ph.watch", optarg);
			break;
		case 1009:
			SPECIFIC("--ph-learning-window", "ph.learning_window", optarg);
			break;
		case 1003:
			mo.ph_opts.no_persist = true;
			break;
		case 1004:
			if (!strcmp(optarg, "kill"))
				mo.ph_opts.response_sig = SIGKILL;
			else if (!strcmp(optarg, "stop"))
				mo.ph_opts.response_sig = SIGSTOP;
			else {
				vg_err("--ph-response: '%s' must be kill or stop", optarg);
				return 2;
			}
			break;
		case 1005:
			if (vg_parse_u64(optarg, &v) || v == 0 || v > 127) {
				vg_err("--ph-response-lfc: '%s' must be 1 to 127", optarg);
				return 2;
			}
			mo.ph_opts.response_lfc = (uint32_t)v;
			break;
		case 1006:
			if (mo.ph_opts.nresponse_exes == VG_PH_RESPONSE_EXES_MAX) {
				vg_err("--ph-response-exe: at most %d programs", VG_PH_RESPONSE_EXES_MAX);
				return 2;
			}
			response_exes[mo.ph_opts.nresponse_exes++] = optarg;
			break;
		case 'v':
			so.verbose = true;
			vg_log_max = VG_LOG_DEBUG;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		vg_err("run: unexpected argument '%s'", argv[optind]);
		usage(stderr);
		return 2;
	}
#undef SPECIFIC
	if (!!mo.ph_opts.response_sig != !!mo.ph_opts.nresponse_exes) {
		vg_err("--ph-response and --ph-response-exe go together");
		return 2;
	}
	if (no_rules && rc.nrules) {
		vg_err("--rules and --no-rules do not go together");
		return 2;
	}
	if (build_config(&rc.start))
		return 2;
	rc.now = rc.start;
	so.ring_bytes = rc.start->sensor.ring_size;
	so.wakeup_bytes = rc.start->sensor.wakeup_bytes;
	mo.poll_ms = rc.start->sensor.poll_ms;
	mo.syscalls = join_syscalls(&rc.start->sensor.syscalls, syscalls, sizeof(syscalls));
	mo.stats_interval_s = rc.start->stats.interval;
	mo.repeat_window_s = rc.start->alerts.repeat_window;
	mo.ph = rc.start->ph.enabled;
	mo.ph_opts.normal_wait_s = rc.start->ph.normal_wait;
	mo.ph_opts.min_train = rc.start->ph.min_train;
	mo.ph_opts.plain = !strcmp(rc.start->ph.model, "plain");
	mo.reload_prepare = reload_prepare;
	mo.reload_apply = reload_apply;
	mo.reload_discard = reload_discard;
	if (apply_config(&mo, &so, rc.start)) {
		vg_config_free(rc.start);
		return 2;
	}
	prepare_overrides_file(&mo);
	set_rule_files(&mo, rc.start); /* after apply_config: the dashboard's file */
	if (rc.start->rules.enabled && !mo.nrules_files) {
		/* detection off without a word is what an attacker would want */
		vg_config_free(rc.start);
		return 2;
	}
	if (geteuid() != 0) {
		vg_err("vigil run needs root (it loads BPF programs)");
		vg_config_free(rc.start);
		return 1;
	}
	lock_fd = take_instance_lock(rc.start->lock_file);
	if (lock_fd < 0) {
		vg_config_free(rc.start);
		return 1;
	}

	struct sigaction sa = { .sa_handler = on_stop_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_reload_signal;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_reopen_signal;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	ret = vg_monitor_run(&mo, &so, &stop_requested);
	close(lock_fd);
	if (rc.now != rc.start)
		vg_config_free(rc.now);
	vg_config_free(rc.start);
	return ret ? 1 : 0;
}

int cmd_run(int argc, char **argv)
{
	int ret = run_main(argc, argv);

	while (noutputs)
		vg_output_conf_free(outputs[--noutputs]);
	vg_denylist_free(&deny);
	return ret;
}
