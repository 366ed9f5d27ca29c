/* The options of `vigil run` (run_options.h): the table, the command line
 * parsed through it, and the usage text printed from it. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/run_options.h"
#include "util/log.h"
#include "util/macros.h"

/* Rows in the order of the usage text. The help says what the option does;
 * the key (and its default) is added when printed. */
const struct vg_run_option vg_run_options[] = {
	{ "rules", 'r', "FILE", VG_RO_LIST, "rules.files", NULL,
	  "load rules from FILE (Falco's rule language); repeat for more files, later ones "
	  "override; SIGHUP reloads them (a broken set is refused)" },
	{ "no-rules", 0, NULL, VG_RO_FLAG, "rules.enabled", "false",
	  "run no rules (with --events: the sensor alone)" },
	{ "events", 'e', NULL, VG_RO_FLAG, "output.events", "true",
	  "print every event the sensor sends" },
	{ "json", 'j', NULL, VG_RO_FLAG, "output.json", "true",
	  "one JSON object per line (Falco's alert shape)" },
	{ "output-file", 'o', "PATH", VG_RO_VALUE, "output.file", NULL,
	  "append output to PATH instead of standard output" },
	{ "output", 0, "TYPE[:KEY=VALUE,...]", VG_RO_OUTPUT, "outputs", NULL,
	  "send alerts to an output: stdout, file, syslog, webhook or program, each with its "
	  "own queue and min_priority; repeatable; replaces the configuration's outputs; "
	  "SIGUSR1 reopens files (e.g. file:path=/var/log/vigil.json,fsync=interval; see "
	  "docs/outputs.md)" },
	{ "duration", 'd', "SECONDS", VG_RO_VALUE, "duration", NULL,
	  "stop after SECONDS (0: run until signalled)" },
	{ "ring-size", 0, "BYTES", VG_RO_VALUE, "sensor.ring_size", NULL,
	  "ring buffer size, a power of two; K/M/G suffixes" },
	{ "wakeup-bytes", 0, "BYTES", VG_RO_VALUE, "sensor.wakeup_bytes", NULL,
	  "backlog that wakes the reader before its timer, checked every 64 records" },
	{ "coalesce-ms", 0, "MS", VG_RO_VALUE, "sensor.coalesce_ms", NULL,
	  "send a repeated open (same process image, credentials, file, flags) once per MS; "
	  "the repeats in between are counted (in the next record and at exit); 0 = send every "
	  "open" },
	{ "poll-ms", 0, "MS", VG_RO_VALUE, "sensor.poll_ms", NULL,
	  "how often the reader drains the ring buffer" },
	{ "stats-interval", 0, "SECONDS", VG_RO_VALUE, "stats.interval", NULL,
	  "period of the stats line on stderr (0 = only at exit)" },
	{ "syscalls", 0, "LIST", VG_RO_VALUE, "sensor.syscalls", NULL,
	  "only these syscalls, comma-separated (openat,connect); exec, fork and exit are "
	  "always watched" },
	{ "ph", 0, NULL, VG_RO_FLAG, "ph.enabled", "true",
	  "run (the default) the pH model in the kernel: learn each program's system-call "
	  "sequences, alert on calls outside them: one \"pH incident\" per task episode, "
	  "\"pH profile normal\", \"pH profile disabled\" (see docs/ph.md)" },
	{ "no-ph", 0, NULL, VG_RO_FLAG, "ph.enabled", "false", "do not run pH" },
	{ "ph-normal-wait", 0, "SECONDS", VG_RO_VALUE, "ph.normal_wait", NULL,
	  "time from a profile freezing to its normal mode at the latest (ph.coverage_runs "
	  "makes it normal sooner)" },
	{ "ph-min-train", 0, "CALLS", VG_RO_VALUE, "ph.min_train", NULL,
	  "calls a profile needs before it may freeze" },
	{ "ph-plain", 0, NULL, VG_RO_FLAG, "ph.model", "plain",
	  "plain pH (lookahead pairs, window 9) instead of the default 12-gram model" },
	{ "ph-state-dir", 0, "DIR", VG_RO_VALUE, "ph.state_dir", NULL,
	  "where profiles are kept, one file each" },
	{ "ph-save-interval", 0, "SECONDS", VG_RO_VALUE, "ph.save_interval", NULL,
	  "save changed profiles this often (0 = only at exit)" },
	{ "ph-no-persist", 0, NULL, VG_RO_FLAG, "ph.persist", "false",
	  "neither load nor save profiles" },
	{ "ph-alert-scope", 0, "services|all|watched", VG_RO_VALUE, "ph.alert_scope", NULL,
	  "whose pH alerts are reported; every program learns (services: programs seen "
	  "listening or accepting, daemons of pid 1; never shells, interpreters, compilers, "
	  "coreutils unless watched)" },
	{ "ph-watch", 0, "PATH[,PATH]", VG_RO_VALUE, "ph.watch", NULL,
	  "programs whose pH alerts are always reported (settings per program: ph.watch "
	  "mappings in the configuration)" },
	{ "ph-learning-window", 0, "SECONDS", VG_RO_VALUE, "ph.learning_window", NULL,
	  "after this long, every profile that stopped changing becomes normal (0: off)" },
	{ "ph-response", 0, "kill|stop", VG_RO_VALUE, "ph.response", NULL,
	  "kill or stop a task of a listed program whose LFC goes above --ph-response-lfc" },
	{ "ph-response-lfc", 0, "N", VG_RO_VALUE, "ph.response_lfc", NULL,
	  "the LFC limit of the response, 1 to 127" },
	{ "ph-response-exe", 0, "PATH", VG_RO_LIST, "ph.response_exe", NULL,
	  "a program the response applies to (by device and inode); repeat for more, up to 64" },
	{ "lock-file", 0, "PATH", VG_RO_VALUE, "lock_file", NULL, "single-instance lock" },
	{ "response", 0, NULL, VG_RO_FLAG, "response.enabled", "true",
	  "carry out rule actions (action: kill / kill_pgroup); without it such rules only "
	  "alert (docs/response.md)" },
	{ "deny-exec", 0, "PATH", VG_RO_APPEND, "response.deny_exec", NULL,
	  "kill any exec of PATH (by name, and by the file's device+inode at start) before it "
	  "runs; repeatable, added to the configuration's list" },
	{ "deny-exec-file", 0, "FILE", VG_RO_APPEND, "response.deny_exec_file", NULL,
	  "absolute paths to deny, one per line, # comments; repeatable" },
	{ "no-auth", 0, NULL, VG_RO_FLAG, "auth.enabled", "false",
	  "do not watch authentication (libpam probes, on by default: \"Authentication "
	  "failure\", \"Password brute force\", \"Login after failures\"; see docs/auth.md)" },
	{ "auth-failures", 0, "N", VG_RO_VALUE, "auth.failures", NULL,
	  "failures that make a brute force" },
	{ "auth-window", 0, "SECONDS", VG_RO_VALUE, "auth.window", NULL,
	  "within this many seconds" },
	{ "auth-libpam", 0, "PATH", VG_RO_VALUE, "auth.libpam", NULL,
	  "probe this libpam instead of the system's" },
	{ "control-socket", 0, "PATH", VG_RO_VALUE, "control.socket", NULL,
	  "root-only socket for vigil status/ps/profiles/profile (\"none\": off)" },
	{ "metrics-listen", 0, "unix:PATH|HOST:PORT", VG_RO_VALUE, "metrics.listen", NULL,
	  "serve the figures of vigil status as Prometheus text on /metrics (\"on\": "
	  "unix:/run/vigil/metrics.sock, root only); HOST:PORT needs --set "
	  "metrics.token_file=FILE" },
	{ "verbose", 'v', NULL, VG_RO_FLAG, "log.verbose", "true",
	  "more messages, including libbpf's" },
	{ "config", 'c', "PATH", VG_RO_CONFIG, NULL, NULL,
	  "configuration file (default " VG_CONFIG_DEFAULT_PATH "; a missing default file "
	  "means the built-in defaults); SIGHUP reloads it (a broken file is refused)" },
	{ "set", 's', "KEY=VALUE", VG_RO_SET, NULL, NULL,
	  "override a configuration key (repeatable; see vigil config keys); the options "
	  "above win over it" },
	{ "help", 'h', NULL, VG_RO_HELP, NULL, NULL, "this help" },
};

const unsigned vg_run_noptions = ARRAY_SIZE(vg_run_options);

_Static_assert(ARRAY_SIZE(vg_run_options) <= VG_RUN_LIST_MAX,
	       "a repeatable option's list is indexed by its row");

static int add(struct vg_config_override *list, unsigned *n, struct vg_config_override o)
{
	if (*n == VG_RUN_OVERRIDES_MAX) {
		vg_err("%s: too many options (at most %d)", o.origin, VG_RUN_OVERRIDES_MAX);
		return 2;
	}
	list[(*n)++] = o;
	return 0;
}

/* One row, used once: what it adds to a. */
static int take(struct vg_run_args *a, unsigned row, const char *origin, const char *arg)
{
	const struct vg_run_option *o = &vg_run_options[row];

	switch (o->kind) {
	case VG_RO_VALUE:
	case VG_RO_FLAG:
		return add(a->opts, &a->nopts,
			   (struct vg_config_override){ .origin = origin, .key = o->key,
							.value = o->kind == VG_RO_FLAG ? o->value
										       : arg });
	case VG_RO_LIST:
	case VG_RO_APPEND:
		if (a->nlists[row] == VG_RUN_LIST_MAX) {
			vg_err("%s: at most %d", origin, VG_RUN_LIST_MAX);
			return 2;
		}
		a->lists[row][a->nlists[row]++] = arg;
		return 0;
	case VG_RO_OUTPUT:
		if (a->noutputs == VG_RUN_LIST_MAX) {
			vg_err("%s: at most %d outputs", origin, VG_RUN_LIST_MAX);
			return 2;
		}
		a->outputs[a->noutputs++] = arg;
		return 0;
	case VG_RO_CONFIG:
		a->config_path = arg;
		return 0;
	case VG_RO_SET:
		return add(a->sets, &a->nsets,
			   (struct vg_config_override){ .origin = origin, .value = arg });
	case VG_RO_HELP:
		a->help = true;
		return 0;
	}
	return 2;
}

/* "--no-rules", the name errors give, for each row. */
static char origins[ARRAY_SIZE(vg_run_options)][40];

int vg_run_args_parse(struct vg_run_args *a, int argc, char **argv)
{
	struct option longopts[ARRAY_SIZE(vg_run_options) + 1];
	char shortopts[2 * ARRAY_SIZE(vg_run_options) + 1];
	size_t ns = 0;
	int c, idx, ret;

	memset(a, 0, sizeof(*a));
	memset(longopts, 0, sizeof(longopts));
	for (unsigned i = 0; i < vg_run_noptions; i++) {
		const struct vg_run_option *o = &vg_run_options[i];

		snprintf(origins[i], sizeof(origins[i]), "--%s", o->name);
		longopts[i] = (struct option){ o->name, o->arg ? required_argument : no_argument,
					       NULL, 0x100 + (int)i };
		if (o->short_name) {
			shortopts[ns++] = o->short_name;
			if (o->arg)
				shortopts[ns++] = ':';
		}
	}
	shortopts[ns] = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, &idx)) != -1) {
		unsigned row = vg_run_noptions;

		if (c >= 0x100)
			row = (unsigned)c - 0x100;
		for (unsigned i = 0; c < 0x100 && i < vg_run_noptions; i++)
			if (vg_run_options[i].short_name == c)
				row = i;
		if (row == vg_run_noptions) { /* getopt said why */
			a->usage_error = true;
			return 2;
		}
		ret = take(a, row, origins[row], optarg);
		if (ret)
			return ret;
	}
	if (a->help)
		return 0;
	if (optind < argc) {
		vg_err("run: unexpected argument '%s'", argv[optind]);
		a->usage_error = true;
		return 2;
	}
	/* the lists replace the key's value as a whole, after every single value */
	for (unsigned i = 0; i < vg_run_noptions; i++)
		if (vg_run_options[i].kind == VG_RO_LIST && a->nlists[i] &&
		    (ret = add(a->opts, &a->nopts,
			       (struct vg_config_override){ .origin = origins[i],
							    .key = vg_run_options[i].key,
							    .items = a->lists[i],
							    .nitems = a->nlists[i] })))
			return ret;
	return 0;
}

int vg_run_args_append(const struct vg_run_args *a, struct vg_config *cfg,
		       struct vg_config_errors *errs)
{
	int ret = 0;

	for (unsigned i = 0; i < vg_run_noptions; i++) {
		const struct vg_run_option *o = &vg_run_options[i];
		const struct vg_config_key *k = o->kind == VG_RO_APPEND ? vg_config_key_find(o->key)
									 : NULL;
		const struct vg_strlist *have;
		const char **all;

		if (!k || !a->nlists[i])
			continue;
		have = (const struct vg_strlist *)((const char *)cfg + k->offset);
		all = calloc(have->n + a->nlists[i], sizeof(*all));
		if (!all)
			return -ENOMEM;
		for (unsigned j = 0; j < have->n; j++)
			all[j] = have->items[j];
		for (unsigned j = 0; j < a->nlists[i]; j++)
			all[have->n + j] = a->lists[i][j];
		if (vg_config_set_list(cfg, o->key, all, have->n + a->nlists[i], origins[i], errs))
			ret = -EINVAL;
		free(all);
	}
	return ret;
}

/* Writes text from column 28, wrapped before column 80. */
static void wrap(FILE *out, const char *text, size_t col)
{
	const size_t indent = 28, width = 80;

	while (*text) {
		size_t room = width - indent, n = strlen(text);

		if (col > indent - 2) {
			fputc('\n', out);
			col = 0;
		}
		fprintf(out, "%*s", (int)(indent - col), "");
		if (n > room) {
			n = room;
			while (n > 0 && text[n] != ' ')
				n--;
			if (!n)
				n = room;
		}
		fprintf(out, "%.*s\n", (int)n, text);
		text += n;
		while (*text == ' ')
			text++;
		col = 0;
	}
}

/* The key an option sets and its default, as "[key; default X]" (empty for
 * the options that set no key). Shared by the usage text and the docs. */
void vg_run_option_key_note(const struct vg_run_option *o, const char *default_rules, char *buf,
			    size_t size)
{
	const struct vg_config_key *k = o->key ? vg_config_key_find(o->key) : NULL;

	if (o->kind == VG_RO_FLAG)
		snprintf(buf, size, "[%s: %s]", o->key, o->value);
	else if (k && !strcmp(k->name, "rules.files"))
		snprintf(buf, size, "[%s; default %s]", k->name, default_rules);
	else if (k && k->def[0] && strcmp(k->def, "[]"))
		snprintf(buf, size, "[%s; default %s]", k->name, k->def);
	else if (k)
		snprintf(buf, size, "[%s]", k->name);
	else
		buf[0] = 0;
}

void vg_run_usage(FILE *out, const char *default_rules)
{
	fprintf(out, "Usage: vigil run [OPTIONS]\n\n"
		     "Loads the kernel sensor and monitors the machine in the foreground until\n"
		     "SIGINT or SIGTERM (or --duration), then detaches everything. Each option\n"
		     "sets the configuration key named in brackets (vigil config keys).\n\n"
		     "Options:\n");
	for (unsigned i = 0; i < vg_run_noptions; i++) {
		const struct vg_run_option *o = &vg_run_options[i];
		char head[96], note[256], help[1280];
		int col;

		col = snprintf(head, sizeof(head), "  %c%c%s--%s%s%s", o->short_name ? '-' : ' ',
			       o->short_name ? o->short_name : ' ', o->short_name ? ", " : "  ",
			       o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		fputs(head, out);
		vg_run_option_key_note(o, default_rules, note, sizeof(note));
		snprintf(help, sizeof(help), "%s%s%s", o->help, note[0] ? " " : "", note);
		wrap(out, help, (size_t)col);
	}
}
