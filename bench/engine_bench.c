/* engine_bench: how many events per second vigil's rule engine evaluates on
 * one core, on a real event stream.
 *
 *   engine_bench [--events N] [--seconds S] [--passes P] [--json FILE]
 *                [--coalesce-ms MS] [--save FILE | --load FILE] RULES...
 *
 * 1. Record. Loads and attaches the kernel sensor as `vigil run` does (every
 *    watched syscall routed; repeated opens coalesced in the kernel over MS
 *    milliseconds, `vigil run`'s default 1000, 0 sends every open: the
 *    monitor meets the stream the sensor sends, so the bench replays that
 *    one), starts a child that loops over a mix of what the
 *    bench workloads do (open+close of a file, fork+exec of /bin/true and of a
 *    shell running cat, connect+accept+close on 127.0.0.1), and keeps a compact
 *    copy of every decoded event until N events (default 200000) or S seconds
 *    (default 20). Whatever else the machine does is in the stream too. Then
 *    the child is stopped and the sensor closed: nothing stays attached.
 *
 * 2. Replay, for each RULES file (one rule set each): the events that set's
 *    kernel filter lets through (the syscalls its rules name, plus the process
 *    records) go through what the monitor does per event -- process table
 *    upkeep as monitor.c's track(), vg_rules_eval with the real extractor
 *    (src/fields/) and vg_rules_format for every match -- on
 *    this thread, timed with CLOCK_THREAD_CPUTIME_ID. One warm-up pass, then P
 *    passes (default 5), each with a fresh process table seeded from /proc
 *    (untimed); the median is reported. The same loop without the rules (table
 *    upkeep and event copy alone) is timed too, to show what the rules add.
 *
 * --save FILE writes the recording to FILE; --load FILE replays a saved
 * recording instead of recording (no sensor, no root: the same stream can be
 * replayed before and after a change, or under valgrind --tool=callgrind).
 *
 * Prints a table; --json FILE also writes the numbers for bench/run.py. Prints
 * "engine_bench: recording" on stderr once the sensor is attached. Needs root.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fields/extract.h"
#include "proc/container.h"
#include "proc/procfs.h"
#include "proc/proctable.h"
#include "proc/usercache.h"
#include "rules/rules.h"
#include "sensor/event.h"
#include "sensor/sensor.h"
#include "util/log.h"
#include "util/macros.h"

#define MAX_EVENTS 2000000L
#define MAX_SECONDS 600L
#define MAX_PASSES 101L
#define MAX_SETS 8
#define MAX_POOL (1ull << 30) /* bytes of recorded strings */
#define MAX_MATCHES 32
#define SEC NSEC_PER_SEC

/* One recorded event: the fixed part as decoded, and where its strings are
 * in the pool. A whole struct vg_event is ~41 KiB (its arena); this is the
 * fixed part plus the strings actually present. */
#define EVENT_FIXED sizeof(((struct vg_event *)0)->u)
struct rec {
	unsigned char u[EVENT_FIXED];
	uint32_t off[VG_S_COUNT]; /* into the pool; 0 is a shared "" */
	uint32_t len[VG_S_COUNT];
};

struct recording {
	struct rec *recs;
	size_t n, cap, limit;
	char *pool;
	size_t pool_used, pool_cap;
	bool full; /* a limit was hit: stop recording */
	int error; /* negative errno of a failed allocation */
};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	stop_flag = 1;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * SEC + (uint64_t)ts.tv_nsec;
}

/* ---------------------------------------------------------------- record */

static int pool_add(struct recording *r, const char *s, size_t len, uint32_t *off)
{
	if (!len) {
		*off = 0;
		return 0;
	}
	if (!r->pool_used)
		r->pool_used = 1; /* offset 0 is the shared "" */
	if (r->pool_used + len + 1 > r->pool_cap) {
		size_t cap = r->pool_cap ? r->pool_cap : 1u << 24;
		char *p;

		while (cap < r->pool_used + len + 1)
			cap *= 2;
		if (cap > MAX_POOL)
			return -E2BIG;
		p = realloc(r->pool, cap);
		if (!p)
			return -ENOMEM;
		r->pool = p;
		r->pool_cap = cap;
		r->pool[0] = '\0';
	}
	memcpy(r->pool + r->pool_used, s, len);
	r->pool[r->pool_used + len] = '\0';
	*off = (uint32_t)r->pool_used;
	r->pool_used += len + 1;
	return 0;
}

/* The sensor's callback: keeps a compact copy of the decoded event. */
static int record_event(void *ctx, const struct vg_event *ev)
{
	struct recording *r = ctx;
	struct rec *rec;
	int ret;

	if (r->full)
		return 1;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 65536;
		struct rec *p;

		if (cap > r->limit)
			cap = r->limit;
		p = realloc(r->recs, cap * sizeof(*p));
		if (!p) {
			r->error = -ENOMEM;
			r->full = true;
			return 1;
		}
		r->recs = p;
		r->cap = cap;
	}
	rec = &r->recs[r->n];
	memcpy(rec->u, &ev->u, EVENT_FIXED);
	for (int i = 0; i < VG_S_COUNT; i++) {
		rec->len[i] = (uint32_t)ev->len[i];
		ret = pool_add(r, ev->s[i], ev->len[i], &rec->off[i]);
		if (ret) {
			r->error = ret;
			r->full = true;
			return 1;
		}
	}
	r->n++;
	if (r->n == r->limit)
		r->full = true;
	return 0;
}

/* ---------------------------------------------------------------- workload */

static void child_die(const char *what)
{
	fprintf(stderr, "engine_bench: workload: %s: %s\n", what, strerror(errno));
	_exit(1);
}

static void spawn_and_wait(const char *path, char *const argv[])
{
	pid_t pid = fork();

	if (pid < 0)
		child_die("fork");
	if (pid == 0) {
		execv(path, argv);
		_exit(127);
	}
	waitpid(pid, NULL, 0);
}

/* A loop over the bench workloads' system calls, until killed. */
static void workload_loop(const char *file)
{
	char *true_argv[] = { "true", NULL };
	char *sh_argv[] = { "sh", "-c", "cat /etc/hostname >/dev/null", NULL };
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t alen = sizeof(addr);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    getsockname(lfd, (struct sockaddr *)&addr, &alen) || listen(lfd, 16))
		child_die("listener on 127.0.0.1");
	for (unsigned round = 0;; round++) {
		for (int i = 0; i < 20; i++) {
			int fd = open(file, i % 4 ? O_RDONLY : O_WRONLY | O_CREAT, 0600);

			if (fd < 0)
				child_die(file);
			close(fd);
		}
		for (int i = 0; i < 2; i++) {
			int c = socket(AF_INET, SOCK_STREAM, 0), a;

			if (c < 0 || connect(c, (struct sockaddr *)&addr, sizeof(addr)))
				child_die("connect");
			a = accept(lfd, NULL, NULL);
			if (a < 0)
				child_die("accept");
			close(a);
			close(c);
		}
		spawn_and_wait("/bin/true", true_argv);
		if (round % 10 == 0)
			spawn_and_wait("/bin/sh", sh_argv);
	}
}

static pid_t start_workload(const char *file)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(0);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	workload_loop(file);
	_exit(0);
}

static int record(struct recording *r, long seconds, long coalesce_ms, uint64_t *drops)
{
	struct vg_sensor_opts so = { .ring_bytes = VG_SENSOR_DEFAULT_RING,
				     .wakeup_bytes = 64 << 10,
				     .coalesce_ms = (uint32_t)coalesce_ms };
	struct vg_sensor_stats st;
	struct vg_sensor *s = NULL;
	const char *why = NULL;
	char file[] = "/tmp/engine_bench-XXXXXX";
	uint64_t deadline;
	pid_t child;
	int fd, ret;

	fd = mkstemp(file);
	if (fd < 0) {
		fprintf(stderr, "engine_bench: %s: %s\n", file, strerror(errno));
		return -errno;
	}
	close(fd);
	ret = vg_sensor_open(&s, &so, record_event, r, &why);
	if (ret) {
		fprintf(stderr, "engine_bench: %s: %s\n", why ? why : "cannot start the sensor",
			strerror(-ret));
		unlink(file);
		return ret;
	}
	fprintf(stderr, "engine_bench: recording (%d programs attached)\n", vg_sensor_attached(s));
	child = start_workload(file);
	if (child < 0)
		fprintf(stderr, "engine_bench: fork: %s (recording the machine alone)\n",
			strerror(errno));
	deadline = clock_ns(CLOCK_MONOTONIC) + (uint64_t)seconds * SEC;
	while (!stop_flag && !r->full && clock_ns(CLOCK_MONOTONIC) < deadline) {
		ret = vg_sensor_poll(s, 100);
		if (ret < 0 && ret != -EINTR) {
			fprintf(stderr, "engine_bench: reading events: %s\n", strerror(-ret));
			break;
		}
	}
	if (child > 0) {
		kill(child, SIGTERM);
		waitpid(child, NULL, 0);
	}
	while (!r->full && vg_sensor_poll(s, 0) > 0)
		;
	vg_sensor_stats(s, &st);
	*drops = st.dropped_total;
	vg_sensor_close(s);
	unlink(file);
	if (r->error) {
		fprintf(stderr, "engine_bench: recording stopped at %zu events: %s\n", r->n,
			strerror(-r->error));
		return r->n ? 0 : r->error;
	}
	if (stop_flag) {
		fprintf(stderr, "engine_bench: interrupted\n");
		return -EINTR;
	}
	return 0;
}

/* ---------------------------------------------------------------- save/load */

/* File layout: magic, sizeof(struct rec), event count, pool size, then the
 * records and the pool as they are in memory. Only for this program on this
 * machine (no byte order or version promises). */
#define SAVE_MAGIC 0x76676e6562656e31ull /* "vgnebn1" */

static int save_recording(const char *path, const struct recording *r)
{
	uint64_t head[4] = { SAVE_MAGIC, sizeof(struct rec), r->n, r->pool_used };
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f)
		return -errno;
	ok = fwrite(head, sizeof(head), 1, f) == 1 &&
	     fwrite(r->recs, sizeof(*r->recs), r->n, f) == r->n &&
	     fwrite(r->pool, 1, r->pool_used, f) == r->pool_used;
	if (fclose(f) || !ok)
		return -EIO;
	return 0;
}

static int load_recording(const char *path, struct recording *r)
{
	uint64_t head[4];
	FILE *f = fopen(path, "r");
	int ret = -EINVAL;

	if (!f)
		return -errno;
	if (fread(head, sizeof(head), 1, f) != 1 || head[0] != SAVE_MAGIC ||
	    head[1] != sizeof(struct rec) || head[2] > MAX_EVENTS || head[3] > MAX_POOL)
		goto out;
	r->n = r->cap = head[2];
	r->pool_used = r->pool_cap = head[3];
	r->recs = malloc((r->n ? r->n : 1) * sizeof(*r->recs));
	r->pool = malloc(r->pool_used ? r->pool_used : 1);
	if (!r->recs || !r->pool) {
		ret = -ENOMEM;
		goto out;
	}
	if (fread(r->recs, sizeof(*r->recs), r->n, f) != r->n ||
	    fread(r->pool, 1, r->pool_used, f) != r->pool_used)
		goto out;
	ret = 0;
	/* every string offset must stay inside the pool */
	for (size_t i = 0; i < r->n && !ret; i++)
		for (int k = 0; k < VG_S_COUNT; k++)
			if (r->recs[i].off[k] &&
			    (uint64_t)r->recs[i].off[k] + r->recs[i].len[k] >= r->pool_used)
				ret = -EINVAL;
out:
	fclose(f);
	return ret;
}

/* ---------------------------------------------------------------- replay */

struct set {
	const char *file;
	struct vg_rules *rules;
	struct vg_rules_stats st;
	size_t *idx; /* the recorded events this set's kernel filter passes */
	size_t n;
	size_t by_type[VG_EVTYPE_MAX]; /* those events by engine type (0: none) */
	double eps[MAX_PASSES], base_eps[MAX_PASSES];
	double median_eps, median_base_eps;
	uint64_t alerts, matched_events;
	unsigned top_count[MAX_MATCHES];
	const struct vg_rule *top[MAX_MATCHES];
	/* from the warm-up pass: events and wall ns in the rules, by type */
	uint64_t type_count[VG_EVTYPE_MAX], type_ns[VG_EVTYPE_MAX];
};

struct replay {
	struct vg_event *ev; /* one event at a time, rebuilt from a record */
	struct vg_rule_ctx *ctx;
	struct vg_alert_text *text;
	struct vg_cgmap *cgroups;
	struct vg_usercache *users;
	char hostname[256];
	int64_t boot_to_wall_ns;
};

static void rebuild(struct vg_event *ev, const struct recording *r, const struct rec *rec)
{
	memcpy(&ev->u, rec->u, EVENT_FIXED);
	for (int i = 0; i < VG_S_COUNT; i++) {
		ev->s[i] = rec->off[i] ? r->pool + rec->off[i] : "";
		ev->len[i] = rec->len[i];
	}
}

/* monitor.c's track(): what every event does to the process table. */
static void track(struct vg_proctable *pt, const struct vg_event *ev)
{
	const struct vg_hdr *h = &ev->u.hdr;

	switch (h->type) {
	case VG_EV_FORK:
		vg_pt_resolve(pt, h);
		vg_pt_on_fork(pt, h->pid, ev->u.fork.child_pid, ev->u.fork.child_start_ns);
		break;
	case VG_EV_EXEC:
		vg_pt_on_exec(pt, ev);
		break;
	case VG_EV_EXIT:
		break;
	case VG_EV_SETUID: {
		struct vg_proc *p = vg_pt_resolve(pt, h);

		if (p && ev->u.sys.res == 0)
			p->euid = ev->u.sys.new_euid;
		break;
	}
	default:
		vg_pt_resolve(pt, h);
		break;
	}
}

static void note_match(struct set *set, const struct vg_rule *rule)
{
	for (unsigned i = 0; i < MAX_MATCHES; i++) {
		if (set->top[i] == rule || !set->top[i]) {
			set->top[i] = rule;
			set->top_count[i]++;
			return;
		}
	}
}

/* One pass over the set's events; returns events per CPU second, or -1 when
 * the process table cannot be made. With rules NULL only the copy and the
 * table upkeep run. */
static double replay_pass(struct replay *rp, const struct recording *r, struct set *set,
			  struct vg_rules *rules, bool count)
{
	const struct vg_rule *m[MAX_MATCHES];
	struct vg_proctable *pt;
	uint64_t t0, t1, next_reap = 0, alerts = 0, matched = 0;

	if (vg_pt_new(&pt, VG_PT_DEFAULT_MAX, VG_PT_DEFAULT_GRACE_NS))
		return -1;
	vg_pt_set_cgmap(pt, rp->cgroups);
	vg_procfs_seed(pt, "/proc", rp->cgroups, NULL);
	rp->ctx->procs = pt;

	t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	for (size_t i = 0; i < set->n; i++) {
		struct vg_event *ev = rp->ev;
		unsigned evtype;
		int n;

		rebuild(ev, r, &r->recs[set->idx[i]]);
		track(pt, ev);
		evtype = rules ? vg_rule_evtype(ev) : 0;
		if (evtype) {
			/* the warm-up pass also tells where the time goes (the
			 * monotonic clock is read in user space: cheap) */
			uint64_t e0 = count ? clock_ns(CLOCK_MONOTONIC) : 0;

			vg_rule_ctx_reset(rp->ctx, ev, ev->u.hdr.ts_ns + rp->boot_to_wall_ns);
			n = vg_rules_eval(rules, evtype, vg_rule_field_get, rp->ctx, m, MAX_MATCHES);
			matched += n > 0;
			for (int k = 0; k < n && k < MAX_MATCHES; k++) {
				if (vg_rules_format(rules, m[k], vg_rule_field_get, rp->ctx, rp->text))
					continue;
				alerts++;
				if (count)
					note_match(set, m[k]);
			}
			if (count && evtype < VG_EVTYPE_MAX) {
				set->type_count[evtype]++;
				set->type_ns[evtype] += clock_ns(CLOCK_MONOTONIC) - e0;
			}
		}
		if (ev->u.hdr.type == VG_EV_EXIT)
			vg_pt_on_exit(pt, ev->u.hdr.pid, ev->u.hdr.ts_ns, ev->u.exit.exit_code);
		/* the monitor reaps once a second */
		if (ev->u.hdr.ts_ns >= next_reap) {
			vg_pt_reap(pt, ev->u.hdr.ts_ns);
			next_reap = ev->u.hdr.ts_ns + SEC;
		}
	}
	t1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);

	rp->ctx->procs = NULL;
	vg_pt_free(pt);
	if (count) {
		set->alerts = alerts;
		set->matched_events = matched;
	}
	return t1 > t0 ? set->n / ((t1 - t0) / 1e9) : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const double *v, unsigned n)
{
	double s[MAX_PASSES];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* Loads and compiles one rules file; errors are printed, and the rules that
 * compiled are still measured (as the engine allows). */
static int load_set(struct set *set)
{
	unsigned nd = 0;
	const struct vg_diag *d;
	char buf[1024];
	int ret;

	set->rules = vg_rules_new();
	if (!set->rules)
		return -ENOMEM;
	ret = vg_rules_load_file(set->rules, set->file);
	if (ret != -EINVAL && ret < 0) {
		fprintf(stderr, "engine_bench: %s: %s\n", set->file, strerror(-ret));
		return ret;
	}
	vg_rules_compile(set->rules);
	vg_rules_get_stats(set->rules, &set->st);
	d = vg_rules_diags(set->rules, &nd);
	for (unsigned i = 0; i < nd; i++) {
		if (d[i].level != VG_DIAG_ERROR)
			continue;
		vg_diag_format(&d[i], buf, sizeof(buf));
		fprintf(stderr, "engine_bench: %s\n", buf);
	}
	if (!set->st.loaded) {
		fprintf(stderr, "engine_bench: %s: no rule loaded\n", set->file);
		return -EINVAL;
	}
	return 0;
}

/* The recorded events the monitor's kernel filter (vg_detect_narrow) would
 * pass with this set: the syscalls its rules name; process records (no
 * syscall) always come. */
static int select_events(struct set *set, const struct recording *r, struct vg_event *scratch)
{
	struct vg_evtset need;

	vg_rules_evtypes(set->rules, &need);
	set->idx = malloc((r->n ? r->n : 1) * sizeof(*set->idx));
	if (!set->idx)
		return -ENOMEM;
	for (size_t i = 0; i < r->n; i++) {
		rebuild(scratch, r, &r->recs[i]);
		unsigned t = vg_rule_evtype(scratch);

		if (scratch->u.hdr.syscall_nr < 0 || vg_evtset_has(&need, t)) {
			set->idx[set->n++] = i;
			set->by_type[t < VG_EVTYPE_MAX ? t : 0]++;
		}
	}
	return 0;
}

/* What the replayed stream is made of: events by type, most first (the
 * rest summed), so that a reader can judge the mix. */
static void print_mix(FILE *f, const struct set *set)
{
	bool shown[VG_EVTYPE_MAX] = { false };
	size_t rest = set->n;

	fprintf(f, "  stream replayed, by type:");
	for (int row = 0; row < 8; row++) {
		unsigned best = VG_EVTYPE_MAX;

		for (unsigned t = 0; t < VG_EVTYPE_MAX; t++)
			if (!shown[t] && set->by_type[t] &&
			    (best == VG_EVTYPE_MAX || set->by_type[t] > set->by_type[best]))
				best = t;
		if (best == VG_EVTYPE_MAX)
			break;
		shown[best] = true;
		rest -= set->by_type[best];
		fprintf(f, " %s %zu (%.1f%%)",
			best && vg_evtype_name(best) ? vg_evtype_name(best) : "untyped",
			set->by_type[best], 100.0 * set->by_type[best] / (set->n ? set->n : 1));
	}
	if (rest)
		fprintf(f, " other %zu", rest);
	fputc('\n', f);
}

/* The event types that take most of the rules' time, most first. */
static void print_types(FILE *f, const struct set *set)
{
	uint64_t total = 0;
	bool shown[VG_EVTYPE_MAX] = { false };

	for (unsigned t = 0; t < VG_EVTYPE_MAX; t++)
		total += set->type_ns[t];
	for (int row = 0; row < 8 && total; row++) {
		unsigned best = 0;

		for (unsigned t = 1; t < VG_EVTYPE_MAX; t++)
			if (!shown[t] && set->type_ns[t] > set->type_ns[best])
				best = t;
		if (!best || !set->type_count[best])
			break;
		shown[best] = true;
		fprintf(f, "    %-12s %8llu %8.0f %5.1f%%\n",
			vg_evtype_name(best) ? vg_evtype_name(best) : "?",
			(unsigned long long)set->type_count[best],
			(double)set->type_ns[best] / set->type_count[best],
			100.0 * set->type_ns[best] / total);
	}
}

static void print_set(FILE *f, const struct set *set, unsigned passes)
{
	const struct vg_rules_stats *st = &set->st;

	fprintf(f, "\n%s: %u rules loaded, %u skipped, %u failed\n", set->file, st->loaded,
		st->skipped, st->failed);
	fprintf(f, "  events replayed (what its kernel filter passes): %zu\n", set->n);
	print_mix(f, set);
	fprintf(f, "  passes (events/s of CPU time):");
	for (unsigned p = 0; p < passes; p++)
		fprintf(f, " %.0f", set->eps[p]);
	fprintf(f, "\n  median: %.0f events/s = %.0f ns/event on one core\n", set->median_eps,
		set->median_eps > 0 ? 1e9 / set->median_eps : 0.0);
	fprintf(f, "  without the rules (copy + process table): %.0f events/s = %.0f ns/event\n",
		set->median_base_eps, set->median_base_eps > 0 ? 1e9 / set->median_base_eps : 0.0);
	fprintf(f, "  where the time goes (warm-up pass, wall clock): type, events, ns/event, "
		   "share\n");
	print_types(f, set);
	fprintf(f, "  alerts per pass: %llu (on %llu events)\n", (unsigned long long)set->alerts,
		(unsigned long long)set->matched_events);
	for (unsigned i = 0; i < MAX_MATCHES && set->top[i]; i++)
		fprintf(f, "    %6u  %s\n", set->top_count[i], set->top[i]->name);
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static int write_json(const char *path, const struct recording *r, double secs, uint64_t drops,
		      const struct set *sets, unsigned nsets, unsigned passes)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fprintf(f, "{\"recorded\": %zu, \"record_seconds\": %.3f, \"drops\": %llu, \"sets\": [",
		r->n, secs, (unsigned long long)drops);
	for (unsigned s = 0; s < nsets; s++) {
		const struct set *set = &sets[s];

		fprintf(f, "%s\n {\"file\": ", s ? "," : "");
		json_str(f, set->file);
		fprintf(f, ", \"loaded\": %u, \"skipped\": %u, \"events\": %zu, \"by_type\": {",
			set->st.loaded, set->st.skipped, set->n);
		for (unsigned t = 0, k = 0; t < VG_EVTYPE_MAX; t++) {
			if (!set->by_type[t])
				continue;
			fprintf(f, "%s", k++ ? ", " : "");
			json_str(f, t && vg_evtype_name(t) ? vg_evtype_name(t) : "untyped");
			fprintf(f, ": %zu", set->by_type[t]);
		}
		fprintf(f, "}, \"passes\": [");
		for (unsigned p = 0; p < passes; p++)
			fprintf(f, "%s%.0f", p ? ", " : "", set->eps[p]);
		fprintf(f, "], \"median_eps\": %.0f, \"base_median_eps\": %.0f, \"alerts\": %llu, "
			   "\"rules_hit\": {",
			set->median_eps, set->median_base_eps, (unsigned long long)set->alerts);
		for (unsigned i = 0; i < MAX_MATCHES && set->top[i]; i++) {
			fprintf(f, "%s", i ? ", " : "");
			json_str(f, set->top[i]->name);
			fprintf(f, ": %u", set->top_count[i]);
		}
		fprintf(f, "}}");
	}
	fprintf(f, "\n]}\n");
	return fclose(f) ? -errno : 0;
}

/* ---------------------------------------------------------------- main */

static void usage(FILE *f)
{
	fprintf(f, "Usage: engine_bench [--events N] [--seconds S] [--passes P] [--json FILE] "
		   "[--coalesce-ms MS] [--save FILE | --load FILE] RULES_FILE...\n"
		   "Records a real event stream with vigil's sensor, then replays it through the\n"
		   "rule engine with each rules file (default rules/vigil_rules.yaml).\n");
}

static long number(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "engine_bench: %s: expected a number in [%ld, %ld], got '%s'\n", opt,
			lo, hi, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "events", required_argument, 0, 'n' }, { "seconds", required_argument, 0, 's' },
		{ "passes", required_argument, 0, 'p' }, { "json", required_argument, 0, 'j' },
		{ "save", required_argument, 0, 'S' },	 { "load", required_argument, 0, 'L' },
		{ "coalesce-ms", required_argument, 0, 'c' },
		{ "help", no_argument, 0, 'h' },	 { 0, 0, 0, 0 },
	};
	static const char *default_rules[] = { "rules/vigil_rules.yaml" };
	struct recording rec = { .limit = 200000 };
	struct set sets[MAX_SETS] = { 0 };
	struct replay rp = { 0 };
	struct vg_cgmap_opts co = { 0 };
	const char *json = NULL, *save = NULL, *load = NULL;
	const char *const *files;
	long seconds = 20, passes = 5, coalesce_ms = VG_SENSOR_DEFAULT_COALESCE_MS;
	unsigned nsets;
	uint64_t drops = 0, t0;
	double rec_secs;
	int c, ret, status = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			rec.limit = (size_t)number("--events", optarg, 1000, MAX_EVENTS);
			break;
		case 's':
			seconds = number("--seconds", optarg, 1, MAX_SECONDS);
			break;
		case 'p':
			passes = number("--passes", optarg, 1, MAX_PASSES);
			break;
		case 'j':
			json = optarg;
			break;
		case 'S':
			save = optarg;
			break;
		case 'c':
			coalesce_ms = number("--coalesce-ms", optarg, 0, 60000);
			break;
		case 'L':
			load = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	nsets = (unsigned)(argc - optind);
	files = nsets ? (const char *const *)argv + optind : default_rules;
	if (!nsets)
		nsets = 1;
	if (nsets > MAX_SETS) {
		fprintf(stderr, "engine_bench: at most %d rules files\n", MAX_SETS);
		return 2;
	}
	vg_log_max = VG_LOG_WARN;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	/* Rules first: a broken file fails before anything is attached. */
	for (unsigned s = 0; s < nsets; s++) {
		sets[s].file = files[s];
		if (load_set(&sets[s])) {
			status = 1;
			goto out;
		}
	}

	t0 = clock_ns(CLOCK_MONOTONIC);
	if (load) {
		ret = load_recording(load, &rec);
		if (ret)
			fprintf(stderr, "engine_bench: %s: %s\n", load, strerror(-ret));
	} else {
		ret = record(&rec, seconds, coalesce_ms, &drops);
	}
	rec_secs = (clock_ns(CLOCK_MONOTONIC) - t0) / 1e9;
	if (ret) {
		status = 1;
		goto out;
	}
	if (save && (ret = save_recording(save, &rec))) {
		fprintf(stderr, "engine_bench: %s: %s\n", save, strerror(-ret));
		status = 1;
		goto out;
	}
	fprintf(stderr, "engine_bench: recorded %zu events in %.1f s (%llu dropped by the kernel), "
		"%zu MiB of strings\n", rec.n, rec_secs, (unsigned long long)drops,
		rec.pool_used >> 20);

	rp.ev = calloc(1, sizeof(*rp.ev));
	rp.ctx = calloc(1, sizeof(*rp.ctx));
	rp.text = calloc(1, sizeof(*rp.text));
	if (!rp.ev || !rp.ctx || !rp.text || vg_uc_new(&rp.users, 4096, 60 * SEC)) {
		fprintf(stderr, "engine_bench: out of memory\n");
		status = 1;
		goto out;
	}
	if (vg_cgmap_new(&rp.cgroups, &co))
		rp.cgroups = NULL;
	gethostname(rp.hostname, sizeof(rp.hostname) - 1);
	rp.boot_to_wall_ns = (int64_t)(clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME));
	rp.ctx->users = rp.users;
	rp.ctx->hostname = rp.hostname;

	for (unsigned s = 0; s < nsets && !stop_flag; s++) {
		struct set *set = &sets[s];

		if (select_events(set, &rec, rp.ev)) {
			status = 1;
			break;
		}
		/* warm-up (and the per-rule alert counts), then the timed passes,
		 * each next to a pass without the rules */
		if (replay_pass(&rp, &rec, set, set->rules, true) < 0) {
			fprintf(stderr, "engine_bench: cannot make a process table\n");
			status = 1;
			break;
		}
		for (long p = 0; p < passes && !stop_flag; p++) {
			set->eps[p] = replay_pass(&rp, &rec, set, set->rules, false);
			set->base_eps[p] = replay_pass(&rp, &rec, set, NULL, false);
		}
		set->median_eps = median(set->eps, (unsigned)passes);
		set->median_base_eps = median(set->base_eps, (unsigned)passes);
		print_set(json ? stderr : stdout, set, (unsigned)passes);
	}
	if (stop_flag) {
		fprintf(stderr, "engine_bench: interrupted\n");
		status = 130;
	} else if (json && (ret = write_json(json, &rec, rec_secs, drops, sets, nsets,
					     (unsigned)passes))) {
		fprintf(stderr, "engine_bench: %s: %s\n", json, strerror(-ret));
		status = 1;
	}
out:
	for (unsigned s = 0; s < nsets; s++) {
		vg_rules_free(sets[s].rules);
		free(sets[s].idx);
	}
	vg_cgmap_free(rp.cgroups);
	vg_uc_free(rp.users);
	free(rp.ev);
	free(rp.ctx);
	free(rp.text);
	free(rec.recs);
	free(rec.pool);
	return status;
}
