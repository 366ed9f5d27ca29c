/* vigil run: the monitor. Options (run_options.c) → configuration →
 * the monitor's options (run_config.c) → one instance only → the monitor
 * (monitor/monitor.c) until told to stop. SIGHUP's configuration reload
 * is prepared and applied here. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/config_load.h"
#include "cli/run_config.h"
#include "cli/run_options.h"
#include "config/config.h"
#include "monitor/monitor.h"
#include "web/web_mute.h"
#include "util/log.h"
#include "util/safe_file.h"

static volatile sig_atomic_t stop_requested, reload_requested, reopen_requested;
/* What the option structs point into: outputs, the deny list. */
static struct vg_run_storage storage;

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

/* The configuration: defaults → file → --set → the options' keys. The
 * file is read again on SIGHUP with the same command line. */
struct run_config {
	struct vg_run_args args;
	struct vg_config *start, *now; /* as started; as last reloaded */
	struct vg_monitor_opts *mo;
};

static struct run_config rc;

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
	struct vg_config_override all[2 * VG_RUN_OVERRIDES_MAX];
	struct vg_config_errors *errs;
	char line[1024];
	int ret;

	memcpy(all, rc.args.sets, rc.args.nsets * sizeof(all[0]));
	memcpy(all + rc.args.nsets, rc.args.opts, rc.args.nopts * sizeof(all[0]));
	ret = vg_cli_config_build(out, rc.args.config_path, all, rc.args.nsets + rc.args.nopts);
	if (ret)
		return ret;
	/* the options that add to the file's list (--deny-exec) */
	errs = calloc(1, sizeof(*errs));
	ret = errs ? vg_run_args_append(&rc.args, *out, errs) : -ENOMEM;
	for (unsigned i = 0; errs && i < errs->n; i++) {
		vg_config_error_format(&errs->e[i], line, sizeof(line));
		vg_err("%s", line);
	}
	free(errs);
	if (ret) {
		vg_config_free(*out);
		*out = NULL;
	}
	return ret;
}

/* SIGHUP, in the reload thread: read the file again. A broken file changes
 * nothing; a good one names the rule files to read (when rules were on at
 * start). Nothing the loop uses is touched here: reload_apply does that. */
static void *reload_prepare(void *ctx, const char *const **files, unsigned *nfiles)
{
	static const char *with[65];
	struct vg_config *fresh;

	(void)ctx;
	vg_info("reloading the configuration from %s",
		rc.args.config_path ? rc.args.config_path : VG_CONFIG_DEFAULT_PATH);
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

/* Whether an option on the command line sets key. */
static bool option_sets(const struct vg_run_args *a, const char *key)
{
	for (unsigned i = 0; i < a->nopts; i++)
		if (!strcmp(a->opts[i].key, key))
			return true;
	return false;
}

static int run_main(int argc, char **argv)
{
	struct vg_monitor_opts mo = { 0 };
	struct vg_sensor_opts so = { 0 };
	int lock_fd, ret;

	ret = vg_run_args_parse(&rc.args, argc, argv);
	if (rc.args.help) {
		vg_run_usage(stdout, vg_default_rules);
		return 0;
	}
	if (ret) {
		if (rc.args.usage_error)
			vg_run_usage(stderr, vg_default_rules);
		return ret;
	}
	if (option_sets(&rc.args, "rules.files") && option_sets(&rc.args, "rules.enabled")) {
		vg_err("--rules and --no-rules do not go together");
		return 2;
	}
	mo.reload = &reload_requested;
	mo.reopen = &reopen_requested;
	rc.mo = &mo;
	if (build_config(&rc.start))
		return 2;
	rc.now = rc.start;
	mo.reload_prepare = reload_prepare;
	mo.reload_apply = reload_apply;
	mo.reload_discard = reload_discard;
	if (vg_run_config_apply(&mo, &so, rc.start, rc.args.outputs, rc.args.noutputs, &storage)) {
		vg_config_free(rc.start);
		return 2;
	}
	prepare_overrides_file(&mo);
	set_rule_files(&mo, rc.start); /* after the options: the dashboard's file */
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

	vg_run_storage_free(&storage);
	return ret;
}
