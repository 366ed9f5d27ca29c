/* The configuration into the monitor's options (run_config.h). Every key
 * that `vigil run` reads is read here, once. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/run_config.h"
#include "metrics/metrics_http.h"
#include "util/log.h"
#include "web/web.h"

/* The outputs: from --output when given, else the configuration's list. */
static int outputs_of(const struct vg_config *cfg, const char *const *cli, unsigned ncli,
		      struct vg_run_storage *st)
{
	char err[512];

	for (unsigned i = 0; i < ncli; i++) {
		if (st->noutputs == VG_OUTPUTS_MAX - 1) {
			vg_err("--output: at most %d outputs", VG_OUTPUTS_MAX - 1);
			return -1;
		}
		if (vg_output_conf_parse(&st->outputs[st->noutputs], cli[i], err, sizeof(err))) {
			vg_err("--output %s: %s", cli[i], err);
			return -1;
		}
		st->noutputs++;
	}
	for (unsigned i = 0; i < cfg->noutputs && !ncli; i++) {
		const struct vg_output_entry *e = &cfg->outputs[i];
		struct vg_output_conf *c;

		if (vg_output_conf_new(&c, e->type, err, sizeof(err))) {
			vg_err("configuration line %u: outputs: %s", e->line, err);
			return -1;
		}
		st->outputs[st->noutputs++] = c;
		for (unsigned k = 0; k < e->nkv; k++)
			if (vg_output_conf_set(c, e->kv[k].key, e->kv[k].value, err, sizeof(err))) {
				vg_err("configuration line %u: outputs: %s", e->kv[k].line, err);
				return -1;
			}
		if (vg_output_conf_check(c, err, sizeof(err))) {
			vg_err("configuration line %u: outputs: %s", e->line, err);
			return -1;
		}
	}
	return 0;
}

/* The exec deny list: response.deny_exec, then each response.deny_exec_file. */
static int deny_of(const struct vg_config *cfg, struct vg_denylist *deny)
{
	struct vg_deny_err derr;

	for (unsigned i = 0; i < cfg->response.deny_exec.n; i++) {
		const char *path = cfg->response.deny_exec.items[i];

		if (vg_denylist_add(deny, path, strlen(path), "response.deny_exec", 0, &derr)) {
			vg_err("%s", derr.msg);
			return -1;
		}
	}
	for (unsigned i = 0; i < cfg->response.deny_exec_file.n; i++)
		if (vg_denylist_load_file(deny, cfg->response.deny_exec_file.items[i], &derr)) {
			vg_err("%s", derr.msg);
			return -1;
		}
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

/* "off"/"none" mean unset; "on" the default address. */
static const char *listen_of(const char *v, const char *on)
{
	return !strcmp(v, "off") ? NULL : !strcmp(v, "on") ? on : v;
}

static const char *unless_none(const char *v)
{
	return strcmp(v, "none") ? v : NULL;
}

static void sensor_of(const struct vg_config *cfg, struct vg_sensor_opts *so)
{
	so->ring_bytes = cfg->sensor.ring_size;
	so->wakeup_bytes = cfg->sensor.wakeup_bytes;
	so->coalesce_ms = cfg->sensor.coalesce_ms;
	so->bpf_stats = cfg->sensor.bpf_stats;
	so->no_io_uring = !cfg->sensor.io_uring;
	so->verbose = cfg->log.verbose;
}

_Static_assert(VG_CONFIG_UNSET == VG_PH_WATCH_UNSET, "an unset ph.watch setting is copied as is");

/* ph.watch entries as pH takes them (ph_kernel_opts.h); kept in st. */
static int watch_of(const struct vg_config *cfg, struct vg_ph_kernel_opts *o,
		    struct vg_run_storage *st)
{
	const struct vg_watch_list *l = &cfg->ph.watch;

	free(st->watch);
	st->watch = l->n ? calloc(l->n, sizeof(*st->watch)) : NULL;
	if (l->n && !st->watch) {
		vg_err("no memory for the pH watch list");
		return -1;
	}
	for (unsigned i = 0; i < l->n; i++)
		st->watch[i] = (struct vg_ph_watch_opt){
			.path = l->e[i].path,
			.normal_wait_s = l->e[i].normal_wait,
			.coverage_runs = l->e[i].coverage_runs,
			.anomaly_limit = l->e[i].anomaly_limit,
			.ignore_calls = (const char *const *)l->e[i].ignore_calls.items,
			.nignore_calls = l->e[i].ignore_calls.n,
		};
	o->watch_opts = st->watch;
	return 0;
}

static int ph_of(const struct vg_config *cfg, struct vg_ph_kernel_opts *o,
		 struct vg_run_storage *st)
{
	const char *r = cfg->ph.response;

	o->normal_wait_s = cfg->ph.normal_wait;
	o->min_train = cfg->ph.min_train;
	o->plain = !strcmp(cfg->ph.model, "plain");
	o->ngram_only = !strcmp(cfg->ph.model, "ngram");
	o->state_dir = cfg->ph.state_dir;
	o->save_interval_s = cfg->ph.save_interval;
	o->no_persist = !cfg->ph.persist;
	o->alert_scope = !strcmp(cfg->ph.alert_scope, "all")	   ? VG_PH_SCOPE_ALL
			 : !strcmp(cfg->ph.alert_scope, "watched") ? VG_PH_SCOPE_WATCHED
								   : VG_PH_SCOPE_SERVICES;
	o->watch = (const char *const *)cfg->ph.watch.paths;
	o->nwatch = cfg->ph.watch.n;
	if (watch_of(cfg, o, st))
		return -1;
	o->learning_window_s = cfg->ph.learning_window;
	o->coverage_runs = (uint32_t)cfg->ph.coverage_runs;
	o->coverage_calls = cfg->ph.coverage_calls;
	o->coverage_block_s = cfg->ph.coverage_block;
	o->response_sig = !strcmp(r, "kill") ? SIGKILL : !strcmp(r, "stop") ? SIGSTOP : 0;
	o->response_lfc = (uint32_t)cfg->ph.response_lfc;
	o->response_exes = (const char *const *)cfg->ph.response_exe.items;
	o->nresponse_exes = cfg->ph.response_exe.n;
	if (!!o->response_sig != !!o->nresponse_exes) {
		vg_err("ph.response and ph.response_exe (--ph-response, --ph-response-exe) go "
		       "together");
		return -1;
	}
	return 0;
}

int vg_run_config_apply(struct vg_monitor_opts *mo, struct vg_sensor_opts *so,
			const struct vg_config *cfg, const char *const *cli_outputs,
			unsigned ncli_outputs, struct vg_run_storage *st)
{
	sensor_of(cfg, so);
	if (cfg->log.verbose)
		vg_log_max = VG_LOG_DEBUG;
	mo->print_events = cfg->output.events;
	mo->json = cfg->output.json;
	mo->output_file = cfg->output.file[0] ? cfg->output.file : NULL;
	mo->duration_s = cfg->duration;
	mo->poll_ms = cfg->sensor.poll_ms;
	mo->syscalls = join_syscalls(&cfg->sensor.syscalls, st->syscalls, sizeof(st->syscalls));
	mo->stats_interval_s = cfg->stats.interval;
	mo->repeat_window_s = cfg->alerts.repeat_window;
	mo->ph = cfg->ph.enabled;
	if (ph_of(cfg, &mo->ph_opts, st))
		return -1;
	mo->no_auth = !cfg->auth.enabled;
	mo->auth_opts.libpam = cfg->auth.libpam[0] ? cfg->auth.libpam : NULL;
	mo->auth_opts.detect.failures = cfg->auth.failures;
	mo->auth_opts.detect.window_s = cfg->auth.window;
	mo->response = cfg->response.enabled;
	if (deny_of(cfg, &st->deny))
		return -1;
	mo->deny = &st->deny;
	mo->control_socket = unless_none(cfg->control.socket);
	mo->metrics_listen = listen_of(cfg->metrics.listen, VG_METRICS_DEFAULT_LISTEN);
	mo->metrics_token_file = cfg->metrics.token_file;
	mo->web.listen = listen_of(cfg->web.listen, VG_WEB_DEFAULT_LISTEN);
	mo->web.token_file = cfg->web.token_file;
	mo->web.allow_remote = cfg->web.allow_remote;
	mo->web.tls_cert = unless_none(cfg->web.tls_cert);
	mo->web.tls_key = unless_none(cfg->web.tls_key);
	mo->web.overrides = unless_none(cfg->web.overrides);
	if (outputs_of(cfg, cli_outputs, ncli_outputs, st))
		return -1;
	mo->outputs = st->outputs;
	mo->noutputs = st->noutputs;
	return 0;
}

void vg_run_storage_free(struct vg_run_storage *st)
{
	free(st->watch);
	st->watch = NULL;
	while (st->noutputs)
		vg_output_conf_free(st->outputs[--st->noutputs]);
	vg_denylist_free(&st->deny);
}
