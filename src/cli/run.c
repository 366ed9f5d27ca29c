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
#include "monitor/monitor.h"
#include "sensor/sensor.h"
#include "util/log.h"
#include "util/parse.h"

#define DEFAULT_LOCK_FILE "/run/vigil/vigil.lock"
#ifndef VIGIL_DEFAULT_RULES
#define VIGIL_DEFAULT_RULES "/usr/share/vigil/vigil_rules.yaml"
#endif

#define MAX_RULE_FILES 64

static volatile sig_atomic_t stop_requested, reload_requested;

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
		"                            default: " VIGIL_DEFAULT_RULES "\n"
		"      --no-rules            run no rules (with --events: the sensor alone)\n"
		"  -e, --events              print every event the sensor sends\n"
		"  -j, --json                one JSON object per line (Falco's alert shape)\n"
		"  -o, --output-file PATH    append output to PATH instead of standard output\n"
		"  -d, --duration SECONDS    stop after SECONDS (default: run until signalled)\n"
		"      --ring-size BYTES     ring buffer size, a power of two; K/M/G suffixes\n"
		"                            (default 16M)\n"
		"      --wakeup-bytes BYTES  backlog that wakes the reader before its timer,\n"
		"                            checked every 64 records\n"
		"                            (default 64K)\n"
		"      --poll-ms MS          how often the reader drains the ring buffer\n"
		"                            (default 10)\n"
		"      --stats-interval SECONDS\n"
		"                            period of the stats line on stderr (default 60,\n"
		"                            0 = only at exit)\n"
		"      --syscalls LIST       only these syscalls, comma-separated (openat,connect);\n"
		"                            exec, fork and exit are always watched\n"
		"      --ph                  run the pH model in the kernel: learn each program's\n"
		"                            system-call sequences, alert on calls outside them\n"
		"                            (rules \"pH anomaly\", \"pH anomaly burst\", \"pH profile\n"
		"                            normal\", \"pH profile tolerized\"; see docs/ph.md)\n"
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
		"      --ph-response kill|stop\n"
		"                            with --ph: kill or stop a task of a listed program\n"
		"                            whose LFC goes above --ph-response-lfc (default: off)\n"
		"      --ph-response-lfc N   the LFC limit of the response, 1 to 127 (default 12)\n"
		"      --ph-response-exe PATH\n"
		"                            a program the response applies to (by device and\n"
		"                            inode); repeat for more, up to 64\n"
		"      --lock-file PATH      single-instance lock (default " DEFAULT_LOCK_FILE ")\n"
		"  -v, --verbose             more messages, including libbpf's\n"
		"  -h, --help                this help\n");
}

/* Holds an exclusive lock for the life of the process: the kernel drops it
 * when we exit, however we exit, so a crash never leaves a stale lock. */
static int take_instance_lock(const char *path)
{
	char dir[4096], buf[32];
	int fd, n;
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		if (mkdir(dir, 0700) && errno != EEXIST) {
			vg_err("cannot create %s: %s", dir, strerror(errno));
			return -1;
		}
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		vg_err("cannot open lock file %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = 0;
		buf[strcspn(buf, "\n")] = 0;
		vg_err("another vigil is already running (pid %s, lock %s); stop it first",
		       buf[0] ? buf : "?", path);
		close(fd);
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%d\n", getpid());
	if (ftruncate(fd, 0) || pwrite(fd, buf, n, 0) != n)
		vg_warn("cannot write pid to %s", path);
	return fd;
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rules", required_argument, 0, 'r' },
		{ "no-rules", no_argument, 0, 'N' },
		{ "events", no_argument, 0, 'e' },
		{ "json", no_argument, 0, 'j' },
		{ "output-file", required_argument, 0, 'o' },
		{ "duration", required_argument, 0, 'd' },
		{ "ring-size", required_argument, 0, 'R' },
		{ "wakeup-bytes", required_argument, 0, 'W' },
		{ "poll-ms", required_argument, 0, 'P' },
		{ "stats-interval", required_argument, 0, 'S' },
		{ "lock-file", required_argument, 0, 'L' },
		{ "syscalls", required_argument, 0, 'C' },
		{ "ph", no_argument, 0, 'H' },
		{ "ph-normal-wait", required_argument, 0, 'n' },
		{ "ph-min-train", required_argument, 0, 'm' },
		{ "ph-plain", no_argument, 0, 'p' },
		{ "ph-state-dir", required_argument, 0, 1001 },
		{ "ph-save-interval", required_argument, 0, 1002 },
		{ "ph-no-persist", no_argument, 0, 1003 },
		{ "ph-response", required_argument, 0, 1004 },
		{ "ph-response-lfc", required_argument, 0, 1005 },
		{ "ph-response-exe", required_argument, 0, 1006 },
		{ "verbose", no_argument, 0, 'v' },
		{ "help", no_argument, 0, 'h' },
		{ 0 },
	};
	struct vg_monitor_opts mo = { .stats_interval_s = 60 };
	struct vg_sensor_opts so = { .ring_bytes = VG_SENSOR_DEFAULT_RING, .wakeup_bytes = 65536 };
	const char *lock_path = DEFAULT_LOCK_FILE;
	const char *rules[MAX_RULE_FILES];
	const char *response_exes[VG_PH_RESPONSE_EXES_MAX];
	bool no_rules = false;
	uint64_t v;
	int c, lock_fd, ret;

	mo.poll_ms = 10;
	mo.ph_opts.normal_wait_s = VG_PH_NORMAL_WAIT_DEFAULT_S;
	mo.ph_opts.save_interval_s = VG_PH_SAVE_INTERVAL_DEFAULT_S;
	mo.ph_opts.response_exes = response_exes;
	mo.rules_files = rules;
	mo.reload = &reload_requested;
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:ejo:d:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (mo.nrules_files == MAX_RULE_FILES) {
				vg_err("--rules: at most %d files", MAX_RULE_FILES);
				return 2;
			}
			rules[mo.nrules_files++] = optarg;
			break;
		case 'N':
			no_rules = true;
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
			if (vg_parse_size(optarg, &v) || v < 4096 || v > (1ull << 30) || (v & (v - 1))) {
				vg_err("--ring-size: '%s' must be a power of two from 4K to 1G", optarg);
				return 2;
			}
			so.ring_bytes = v;
			break;
		case 'W':
			if (vg_parse_size(optarg, &v)) {
				vg_err("--wakeup-bytes: '%s' is not a size", optarg);
				return 2;
			}
			so.wakeup_bytes = v;
			break;
		case 'P':
			if (vg_parse_u64(optarg, &v) || v == 0 || v > 10000) {
				vg_err("--poll-ms: '%s' must be 1 to 10000", optarg);
				return 2;
			}
			mo.poll_ms = v;
			break;
		case 'S':
			if (vg_parse_u64(optarg, &v) || v > 86400) {
				vg_err("--stats-interval: '%s' must be 0 to 86400 seconds", optarg);
				return 2;
			}
			mo.stats_interval_s = v;
			break;
		case 'L':
			lock_path = optarg;
			break;
		case 'C':
			mo.syscalls = optarg;
			break;
		case 'H':
			mo.ph = true;
			break;
		case 'n':
			if (vg_parse_u64(optarg, &v) || v > 100ull * 365 * 86400) {
				vg_err("--ph-normal-wait: '%s' must be 0 to 3153600000 seconds", optarg);
				return 2;
			}
			mo.ph_opts.normal_wait_s = v;
			break;
		case 'm':
			if (vg_parse_u64(optarg, &v) || v == 0 || v > 1000000000) {
				vg_err("--ph-min-train: '%s' must be 1 to 1000000000 calls", optarg);
				return 2;
			}
			mo.ph_opts.min_train = v;
			break;
		case 'p':
			mo.ph_opts.plain = true;
			break;
		case 1001:
			if (!optarg[0] || optarg[0] != '/') {
				vg_err("--ph-state-dir: '%s' must be an absolute path", optarg);
				return 2;
			}
			mo.ph_opts.state_dir = optarg;
			break;
		case 1002:
			if (vg_parse_u64(optarg, &v) || v > 7 * 86400) {
				vg_err("--ph-save-interval: '%s' must be 0 to 604800 seconds", optarg);
				return 2;
			}
			mo.ph_opts.save_interval_s = v;
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
	if (!!mo.ph_opts.response_sig != !!mo.ph_opts.nresponse_exes) {
		vg_err("--ph-response and --ph-response-exe go together");
		return 2;
	}
	if (no_rules && mo.nrules_files) {
		vg_err("--rules and --no-rules do not go together");
		return 2;
	}
	/* No rules named: the default set, when it is there. */
	if (!no_rules && !mo.nrules_files) {
		if (access(VIGIL_DEFAULT_RULES, R_OK) == 0)
			rules[mo.nrules_files++] = VIGIL_DEFAULT_RULES;
		else
			vg_warn("default rules %s not found: running without rules",
				VIGIL_DEFAULT_RULES);
	}
	if (geteuid() != 0) {
		vg_err("vigil run needs root (it loads BPF programs)");
		return 1;
	}
	lock_fd = take_instance_lock(lock_path);
	if (lock_fd < 0)
		return 1;

	struct sigaction sa = { .sa_handler = on_stop_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_reload_signal;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	ret = vg_monitor_run(&mo, &so, &stop_requested);
	close(lock_fd);
	return ret ? 1 : 0;
}
