/* Every configuration key, once: name, type, range, default and doc. The
 * parser, `vigil config show`, the example file (etc/vigil.yaml) and the
 * key table of docs/configuration.md all come from this table, so they
 * cannot disagree. Keys of a group stay together: the printers rely on it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "sensor/syscalls.h"
#include "util/parse.h"
#include "util/macros.h"

#define OFF(field) offsetof(struct vg_config, field)

static int check_nonempty(const char *v, char *why, size_t len)
{
	if (*v)
		return 0;
	snprintf(why, len, "must not be empty");
	return -EINVAL;
}

static int check_abs_path(const char *v, char *why, size_t len)
{
	if (v[0] == '/')
		return 0;
	snprintf(why, len, "'%s' is not an absolute path", v);
	return -EINVAL;
}

static int check_socket(const char *v, char *why, size_t len)
{
	return strcmp(v, "none") ? check_abs_path(v, why, len) : 0;
}

static int check_syscall(const char *v, char *why, size_t len)
{
	int nr = vg_syscall_nr(v);

	if (nr >= 0 && vg_syscall_def(nr))
		return 0;
	snprintf(why, len, "'%s' is not a syscall vigil watches", v);
	return -EINVAL;
}

/* "off", or HOST:PORT with a numeric port ("[::1]:9376" for IPv6). */
static int check_listen(const char *v, char *why, size_t len)
{
	const char *colon = strrchr(v, ':');
	uint64_t port;

	if (!strcmp(v, "off") || !strcmp(v, "on"))
		return 0;
	if (!strncmp(v, "unix:", 5)) {
		if (v[5] != '/') {
			snprintf(why, len, "'%s': unix:PATH takes an absolute path", v);
			return -EINVAL;
		}
		return 0;
	}
	if (!colon || colon == v || vg_parse_u64(colon + 1, &port) || port == 0 || port > 65535) {
		snprintf(why, len, "'%s' is not \"off\" or HOST:PORT (port 1 to 65535)", v);
		return -EINVAL;
	}
	if (v[0] == '[' ? colon[-1] != ']' : memchr(v, ':', (size_t)(colon - v)) != NULL) {
		snprintf(why, len, "'%s': write an IPv6 address in brackets, [::1]:PORT", v);
		return -EINVAL;
	}
	return 0;
}

static int check_path_or_empty(const char *v, char *why, size_t len)
{
	return *v ? check_abs_path(v, why, len) : 0;
}

static int check_path_or_none(const char *v, char *why, size_t len)
{
	return strcmp(v, "none") ? check_abs_path(v, why, len) : 0;
}

const struct vg_config_key vg_config_keys[] = {
	{ "rules.files", VG_CT_LIST, 0, 64, .def = "[]", .offset = OFF(rules.files),
	  .check = check_nonempty, .live = true,
	  .doc = "rule files in order, later ones override earlier ones; empty: the default rules" },
	{ "rules.enabled", VG_CT_BOOL, .def = "true", .offset = OFF(rules.enabled),
	  .doc = "run the rules; false runs the sensor (and pH) alone" },
	{ "sensor.ring_size", VG_CT_SIZE, 4096, 1ull << 30, .pow2 = true, .def = "16M",
	  .offset = OFF(sensor.ring_size),
	  .doc = "ring buffer between the kernel and vigil, a power of two, bytes" },
	{ "sensor.wakeup_bytes", VG_CT_SIZE, 0, 1ull << 30, .def = "64K",
	  .offset = OFF(sensor.wakeup_bytes),
	  .doc = "backlog that wakes the reader before its timer, bytes" },
	{ "sensor.poll_ms", VG_CT_UINT, 1, 10000, .def = "10", .offset = OFF(sensor.poll_ms),
	  .doc = "how often the reader drains the ring buffer, milliseconds" },
	{ "sensor.coalesce_ms", VG_CT_UINT, 0, 60000, .def = "1000",
	  .offset = OFF(sensor.coalesce_ms),
	  .doc = "window of open coalescing in the kernel, milliseconds (0: send every open)" },
	{ "sensor.bpf_stats", VG_CT_BOOL, .def = "false", .offset = OFF(sensor.bpf_stats),
	  .doc = "the kernel's BPF run-time statistics while vigil runs: vigil status then "
		 "shows each program's calls and ns per call (each run reads the clock twice)" },
	{ "sensor.io_uring", VG_CT_BOOL, .def = "true", .offset = OFF(sensor.io_uring),
	  .doc = "report opens, connects, renames... submitted through io_uring" },
	{ "sensor.syscalls", VG_CT_LIST, 0, 512, .def = "[]", .offset = OFF(sensor.syscalls),
	  .check = check_syscall,
	  .doc = "only these syscalls (exec, fork, exit always); empty: what the rules need" },
	{ "stats.interval", VG_CT_SECONDS, 0, 86400, .def = "60", .offset = OFF(stats.interval),
	  .live = true, .doc = "period of the stats line on stderr, seconds; 0: only at exit" },
	{ "alerts.repeat_window", VG_CT_SECONDS, 0, 86400, .def = "60",
	  .offset = OFF(alerts.repeat_window),
	  .doc = "identical alerts within it are sent once, then one summary with vigil.repeats; 0: off" },
	{ "lock_file", VG_CT_STRING, .def = "/run/vigil/vigil.lock", .offset = OFF(lock_file),
	  .check = check_nonempty, .doc = "single-instance lock file" },
	{ "duration", VG_CT_SECONDS, 0, 100000000, .def = "0", .offset = OFF(duration),
	  .doc = "stop after this long, seconds; 0: run until SIGINT or SIGTERM" },
	{ "output.events", VG_CT_BOOL, .def = "false", .offset = OFF(output.events),
	  .doc = "send every event the sensor sends to the outputs, not only alerts" },
	{ "output.json", VG_CT_BOOL, .def = "false", .offset = OFF(output.json),
	  .doc = "standard output (or output.file): one JSON object per line, Falco's alert shape" },
	{ "output.file", VG_CT_STRING, .def = "", .offset = OFF(output.file),
	  .doc = "append to this file (mode 0600) instead of standard output; \"\": standard output" },
	{ "log.verbose", VG_CT_BOOL, .def = "false", .offset = OFF(log.verbose),
	  .doc = "more messages on stderr, including libbpf's" },
	{ "ph.enabled", VG_CT_BOOL, .def = "true", .offset = OFF(ph.enabled),
	  .doc = "run pH, process homeostasis, in the kernel" },
	{ "ph.normal_wait", VG_CT_SECONDS, 0, 3153600000ull, .def = "604800",
	  .offset = OFF(ph.normal_wait),
	  .doc = "time from a profile freezing to its normal mode at the latest, seconds "
		 "(ph.coverage_runs makes it sooner)" },
	{ "ph.min_train", VG_CT_UINT, 1, 1000000000, .def = "1000", .offset = OFF(ph.min_train),
	  .doc = "calls a profile needs before it may freeze" },
	{ "ph.model", VG_CT_ENUM, .choices = "fallback|ngram|plain", .def = "fallback",
	  .offset = OFF(ph.model),
	  .doc = "fallback: 12-grams, a miss forgiven when its lookahead pairs (distances "
		 "1-4) are known; ngram: 12-grams only; plain: pH's lookahead pairs, window 9" },
	{ "ph.state_dir", VG_CT_STRING, .def = "/var/lib/vigil/profiles",
	  .offset = OFF(ph.state_dir), .check = check_abs_path,
	  .doc = "where pH profiles are saved across restarts" },
	{ "ph.save_interval", VG_CT_SECONDS, 0, 604800, .def = "600",
	  .offset = OFF(ph.save_interval),
	  .doc = "period of profile saves, seconds (0: only at exit)" },
	{ "ph.alert_scope", VG_CT_ENUM, .choices = "services|all|watched", .def = "services",
	  .offset = OFF(ph.alert_scope),
	  .doc = "whose pH alerts are reported (all programs learn): services, all, watched" },
	{ "ph.watch", VG_CT_WATCH, 0, 256, .def = "[]", .offset = OFF(ph.watch),
	  .check = check_abs_path,
	  .doc = "programs whose pH alerts are always reported: absolute paths, or mappings of "
		 "a path and its own settings (ph.watch[].*)" },
	{ "ph.learning_window", VG_CT_SECONDS, 0, 31536000, .def = "0",
	  .offset = OFF(ph.learning_window),
	  .doc = "after this long, profiles that stopped changing become normal; 0: off" },
	{ "ph.persist", VG_CT_BOOL, .def = "true", .offset = OFF(ph.persist),
	  .doc = "load profiles at start and save them (false: neither)" },
	{ "ph.response", VG_CT_ENUM, .choices = "off|kill|stop", .def = "off",
	  .offset = OFF(ph.response),
	  .doc = "kill or stop a task of a ph.response_exe program whose LFC goes above "
		 "ph.response_lfc" },
	{ "ph.response_lfc", VG_CT_UINT, 1, 127, .def = "12", .offset = OFF(ph.response_lfc),
	  .doc = "the LFC limit of ph.response" },
	{ "ph.response_exe", VG_CT_LIST, 0, 64, .def = "[]", .offset = OFF(ph.response_exe),
	  .check = check_nonempty,
	  .doc = "programs ph.response applies to (by device and inode at start)" },
	{ "ph.coverage_runs", VG_CT_UINT, 0, 1000000, .def = "8", .offset = OFF(ph.coverage_runs),
	  .doc = "a frozen profile is normal after this many runs (execs, accepted connections, "
		 "activity after a minute idle) without a new sequence; 0: only ph.normal_wait" },
	{ "ph.coverage_calls", VG_CT_UINT, 0, 1000000000, .def = "2000",
	  .offset = OFF(ph.coverage_calls),
	  .doc = "coverage by calls: a block of this many training calls without a new "
		 "sequence, spanning at least ph.coverage_block, is a run too (a daemon that never "
		 "idles, execs or accepts); 0: off" },
	{ "ph.coverage_block", VG_CT_SECONDS, 1, 86400, .def = "600",
	  .offset = OFF(ph.coverage_block),
	  .doc = "the shortest time a block of ph.coverage_calls calls spans, seconds" },
	{ "auth.enabled", VG_CT_BOOL, .def = "true", .offset = OFF(auth.enabled),
	  .doc = "watch PAM authentication (uprobes on libpam)" },
	{ "auth.failures", VG_CT_UINT, 1, 1000, .def = "5", .offset = OFF(auth.failures),
	  .doc = "failed logins within auth.window that raise a brute-force alert" },
	{ "auth.window", VG_CT_SECONDS, 1, 86400, .def = "60", .offset = OFF(auth.window),
	  .doc = "window of auth.failures, seconds" },
	{ "auth.libpam", VG_CT_STRING, .def = "", .offset = OFF(auth.libpam),
	  .check = check_path_or_empty,
	  .doc = "probe this libpam instead of the system's (\"\": the one ldconfig names)" },
	{ "response.enabled", VG_CT_BOOL, .def = "false", .offset = OFF(response.enabled),
	  .doc = "act on alerts (off: detect only)" },
	{ "response.deny_exec", VG_CT_LIST, 0, 256, .def = "[]", .offset = OFF(response.deny_exec),
	  .check = check_abs_path,
	  .doc = "executables killed in the kernel at exec (the list is the opt-in)" },
	{ "response.deny_exec_file", VG_CT_LIST, 0, 64, .def = "[]",
	  .offset = OFF(response.deny_exec_file), .check = check_nonempty,
	  .doc = "files of more response.deny_exec paths, one absolute path a line, # comments" },
	{ "control.socket", VG_CT_STRING, .def = "/run/vigil/vigil.sock",
	  .offset = OFF(control.socket), .check = check_socket,
	  .doc = "control socket of vigil status (root only); none: no socket" },
	{ "metrics.listen", VG_CT_STRING, .def = "off", .offset = OFF(metrics.listen),
	  .check = check_listen,
	  .doc = "Prometheus endpoint: off, on (unix:/run/vigil/metrics.sock), unix:PATH (root "
		 "only), or HOST:PORT (needs metrics.token_file)" },
	{ "metrics.token_file", VG_CT_STRING, .def = "", .offset = OFF(metrics.token_file),
	  .doc = "with a HOST:PORT endpoint: a root-only file (owned by root, no access for "
		 "others) holding the bearer token every scrape must send" },
	{ "web.listen", VG_CT_STRING, .def = "off", .offset = OFF(web.listen), .check = check_listen,
	  .doc = "web dashboard: off, on (127.0.0.1:9377), or HOST:PORT (docs/dashboard.md)" },
	{ "web.token_file", VG_CT_STRING, .def = "/run/vigil/dashboard.url",
	  .offset = OFF(web.token_file), .check = check_abs_path,
	  .doc = "root-only file with the dashboard's URL and access token (vigil dashboard)" },
	{ "web.allow_remote", VG_CT_BOOL, .def = "false", .offset = OFF(web.allow_remote),
	  .doc = "allow web.listen beyond loopback (also needs web.tls_cert and web.tls_key)" },
	{ "web.tls_cert", VG_CT_STRING, .def = "none", .offset = OFF(web.tls_cert),
	  .check = check_path_or_none, .doc = "PEM certificate: serve the dashboard over HTTPS" },
	{ "web.tls_key", VG_CT_STRING, .def = "none", .offset = OFF(web.tls_key),
	  .check = check_path_or_none, .doc = "PEM private key of web.tls_cert" },
	{ "web.overrides", VG_CT_STRING, .def = "/var/lib/vigil/dashboard_overrides.yaml",
	  .offset = OFF(web.overrides), .check = check_path_or_none,
	  .doc = "rules file \"mute similar\" appends exceptions to, loaded last; none: no muting" },
	{ "outputs", VG_CT_OUTPUTS, 0, VG_CONFIG_OUTPUTS_MAX, .def = "[]", .offset = OFF(outputs),
	  .doc = "where alerts go: list of {type: stdout|file|syslog|webhook|program, ...}; "
		 "empty: standard output" },
};

const unsigned vg_config_nkeys = ARRAY_SIZE(vg_config_keys);

/* A ph.watch mapping (config_watch.c): a program's own pH settings, which
 * override the global ones for its profile, in the kernel and in user
 * space (src/ph/ph_watch.c). The ranges are the global keys'. */
const struct vg_config_subkey vg_config_watch_keys[] = {
	{ "path", "absolute path, required",
	  "the program; its profile is found by the file's device and inode at start and when "
	  "the program is run again (a reinstalled file)" },
	{ "normal_wait", "seconds", "this program's ph.normal_wait" },
	{ "coverage_runs", "number", "this program's ph.coverage_runs (0: only its normal_wait)" },
	{ "anomaly_limit", "number, 0 to 1000000000",
	  "anomaly episodes its normal profile takes before it is disabled (back to training, "
	  "with a Critical \"pH profile disabled\" alert); default 30" },
	{ "ignore_calls", "list of syscall names, at most 64",
	  "calls this program's model does not see, besides the timing calls every model "
	  "ignores (futex, poll...); each call of them costs a slow step in the kernel" },
};

const unsigned vg_config_nwatch_keys = ARRAY_SIZE(vg_config_watch_keys);

const struct vg_config_key *vg_config_key_find(const char *name)
{
	for (unsigned i = 0; i < vg_config_nkeys; i++)
		if (!strcmp(vg_config_keys[i].name, name))
			return &vg_config_keys[i];
	return NULL;
}
