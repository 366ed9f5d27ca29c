/* vigil replay: run recorded system-call traces through the pH model offline.
 * Train one profile on --train files, then print one line per trace of the
 * --test files: PATH (PATH:PID for UNM) TAB the score the monitor alerts on. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/commands.h"
#include "ph/ph_replay.h"
#include "ph/ph_store.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/safe_file.h"

#define REPLAY_MAX_PATHS 64       /* --train / --test options each */
#define REPLAY_MAX_FILES 1000000  /* files under all paths of one option */
#define REPLAY_MAX_DEPTH 16       /* directory levels walked */

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: vigil replay --format adfa|unm --train PATH [--train PATH...]\n"
		"                    --test PATH [--test PATH...] [OPTIONS]\n\n"
		"Trains one pH profile on the --train traces, then scores every trace of the\n"
		"--test files with the same per-call code and alert score the monitor uses.\n"
		"Prints one line per test trace: PATH<TAB>SCORE (UNM: PATH:PID<TAB>SCORE),\n"
		"higher = more anomalous. A PATH is a file or a directory (walked, sorted).\n"
		"Malformed files are reported (file:line: problem) and skipped.\n\n"
		"Options:\n"
		"  -f, --format FMT          adfa: one trace per file, one line of call numbers;\n"
		"                            unm: lines \"PID SYSCALL\", one trace per PID;\n"
		"                            gzip'd files are read as they are\n"
		"  -t, --train PATH          training traces (repeatable)\n"
		"  -T, --test PATH           traces to score (repeatable)\n"
		"  -m, --model MODEL         pairs: plain pH lookahead pairs; ngram: hashed\n"
		"                            n-grams; both: a call is anomalous if either misses;\n"
		"                            fallback: n-grams, and a call whose n-gram misses\n"
		"                            but whose pairs are all known is forgiven (not an\n"
		"                            anomaly; 1/%d of one in the rate) (default fallback)\n"
		"  -w, --window N            lookahead pairs at distances 1..N-1, 2..%d\n"
		"                            (default %d; %d with --plain-ph)\n"
		"  -n, --ngram N             n of the n-grams, 2..%d (default %d)\n"
		"  -F, --frame N             locality frame length, 1..%d calls (default %d)\n"
		"  -s, --score SCORE         lfc: highest locality frame count (pH);\n"
		"                            rate: anomalous calls per million (default rate)\n"
		"  -P, --plain-ph            the baseline, plain pH: --model pairs --window %d\n"
		"                            --score lfc (later options still apply)\n"
		"      --fold-repeats        a call equal to the task's previous one is not\n"
		"                            seen (runs of one call fold into one; what the\n"
		"                            monitor does)\n"
		"      --min-train N         calls before a profile may freeze (default %d)\n"
		"      --normal-wait CALLS   calls from freezing to normal mode during training;\n"
		"                            by default the profile becomes normal when\n"
		"                            training ends\n"
		"      --anomaly-limit N     anomalies that stop normal mode (default %d)\n"
		"      --tolerize-limit N    LFC that resets training data (default %d)\n"
		"      --max-items N         items (pairs, n-grams) the store holds (default %u)\n"
		"      --stats               print the profile's state and size on stderr\n"
		"  -h, --help                this help\n",
		PH_FORGIVE_WEIGHT, PH_WINDOW_MAX, PH_FALLBACK_WINDOW, PH_WINDOW_DEFAULT, PH_WINDOW_MAX,
		PH_NGRAM_DEFAULT, PH_LFC_BITS,
		PH_LFC_BITS, PH_WINDOW_DEFAULT, PH_MIN_TRAIN_DEFAULT, PH_ANOMALY_LIMIT, PH_TOLERIZE_LIMIT,
		PH_STORE_MAX_DEFAULT);
}

struct path_list {
	char **v;
	size_t n, cap;
};

static void path_list_free(struct path_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int path_list_add(struct path_list *l, const char *path)
{
	char *copy;

	if (l->n == REPLAY_MAX_FILES)
		return -E2BIG;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	l->v[l->n++] = copy;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file under path (or path itself), in sorted order so that
 * training is reproducible. */
static int collect_files(const char *path, struct path_list *out, int depth)
{
	struct path_list names = { 0 };
	char esc[512];
	struct stat st;
	struct dirent *de;
	DIR *dir;
	int err = 0;

	/* what was named is followed; what a walk finds is not: a symlink to a
	 * directory would score its traces again (or loop) */
	if (depth ? lstat(path, &st) : stat(path, &st)) {
		err = -errno;
		vg_err("replay: %s: %s", vg_escape(path, esc, sizeof(esc)), strerror(errno));
		return err;
	}
	if (S_ISLNK(st.st_mode)) {
		if (stat(path, &st) || !S_ISREG(st.st_mode)) {
			vg_warn("replay: %s: a symbolic link to something other than a file: skipped",
				vg_escape(path, esc, sizeof(esc)));
			return 0;
		}
	}
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
		/* a FIFO would hang the read, a device would never end */
		vg_warn("replay: %s: not a regular file: skipped", vg_escape(path, esc, sizeof(esc)));
		return depth ? 0 : -EINVAL;
	}
	if (!S_ISDIR(st.st_mode))
		return path_list_add(out, path);
	if (depth >= REPLAY_MAX_DEPTH) {
		vg_warn("replay: %s: deeper than %d directories, not walked", path,
			REPLAY_MAX_DEPTH);
		return 0;
	}
	dir = opendir(path);
	if (!dir) {
		err = -errno;
		vg_err("replay: %s: %s", path, strerror(errno));
		return err;
	}
	while (!err && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue; /* ".", ".." and hidden files */
		err = path_list_add(&names, de->d_name);
	}
	closedir(dir);
	if (!err)
		qsort(names.v, names.n, sizeof(*names.v), cmp_names);
	for (size_t i = 0; !err && i < names.n; i++) {
		char *child;

		if (asprintf(&child, "%s/%s", path, names.v[i]) < 0) {
			err = -ENOMEM;
			break;
		}
		err = collect_files(child, out, depth + 1);
		free(child);
	}
	path_list_free(&names);
	return err;
}

struct replay_opts {
	struct ph_params params;
	enum ph_trace_format fmt;
	int have_fmt;
	uint64_t max_items;
	int stats;
	struct path_list train, test; /* as given */
};

static int parse_u32_opt(const char *name, const char *arg, uint64_t min, uint64_t max,
			 uint32_t *out)
{
	uint64_t v;

	if (vg_parse_u64(arg, &v) || v < min || v > max) {
		vg_err("replay: --%s: expected a number from %" PRIu64 " to %" PRIu64
		       ", got '%s'",
		       name, min, max, arg);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

static int parse_model(const char *arg, uint32_t *model)
{
	if (!strcmp(arg, "pairs"))
		*model = PH_MODEL_PAIRS;
	else if (!strcmp(arg, "ngram"))
		*model = PH_MODEL_NGRAM;
	else if (!strcmp(arg, "both"))
		*model = PH_MODEL_BOTH;
	else if (!strcmp(arg, "fallback"))
		*model = PH_MODEL_FALLBACK;
	else
		return -EINVAL;
	return 0;
}

static int parse_score(const char *arg, uint32_t *score)
{
	if (!strcmp(arg, "lfc"))
		*score = PH_SCORE_LFC;
	else if (!strcmp(arg, "rate"))
		*score = PH_SCORE_RATE;
	else
		return -EINVAL;
	return 0;
}

enum {
	OPT_MIN_TRAIN = 256,
	OPT_NORMAL_WAIT,
	OPT_ANOMALY_LIMIT,
	OPT_TOLERIZE_LIMIT,
	OPT_MAX_ITEMS,
	OPT_STATS,
	OPT_FOLD,
};

/* Returns 0, 1 for --help, or -EINVAL (message printed). */
static int parse_args(int argc, char **argv, struct replay_opts *o)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "train", required_argument, NULL, 't' },
		{ "test", required_argument, NULL, 'T' },
		{ "model", required_argument, NULL, 'm' },
		{ "window", required_argument, NULL, 'w' },
		{ "ngram", required_argument, NULL, 'n' },
		{ "frame", required_argument, NULL, 'F' },
		{ "score", required_argument, NULL, 's' },
		{ "plain-ph", no_argument, NULL, 'P' },
		{ "min-train", required_argument, NULL, OPT_MIN_TRAIN },
		{ "fold-repeats", no_argument, NULL, OPT_FOLD },
		{ "normal-wait", required_argument, NULL, OPT_NORMAL_WAIT },
		{ "anomaly-limit", required_argument, NULL, OPT_ANOMALY_LIMIT },
		{ "tolerize-limit", required_argument, NULL, OPT_TOLERIZE_LIMIT },
		{ "max-items", required_argument, NULL, OPT_MAX_ITEMS },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct ph_params *p = &o->params;
	uint64_t v;
	int c, err = 0;

	ph_params_default(p);
	p->normal_wait = ~0ULL; /* normal when training ends */
	o->max_items = PH_STORE_MAX_DEFAULT;
	optind = 1;
	while (!err && (c = getopt_long(argc, argv, "f:t:T:m:w:n:F:s:Ph", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			err = ph_trace_format_parse(optarg, &o->fmt);
			if (err)
				vg_err("replay: --format: expected adfa or unm, got '%s'", optarg);
			o->have_fmt = 1;
			break;
		case 't':
		case 'T': {
			struct path_list *l = c == 't' ? &o->train : &o->test;

			if (l->n == REPLAY_MAX_PATHS) {
				vg_err("replay: more than %d --%s options", REPLAY_MAX_PATHS,
				       c == 't' ? "train" : "test");
				err = -EINVAL;
			} else {
				err = path_list_add(l, optarg);
			}
			break;
		}
		case 'm':
			err = parse_model(optarg, &p->model);
			if (err)
				vg_err("replay: --model: expected pairs, ngram, both or fallback, got '%s'",
				       optarg);
			break;
		case 'w':
			err = parse_u32_opt("window", optarg, 2, PH_WINDOW_MAX, &p->window);
			break;
		case 'n':
			err = parse_u32_opt("ngram", optarg, 2, PH_WINDOW_MAX, &p->ngram);
			break;
		case 'F':
			err = parse_u32_opt("frame", optarg, 1, PH_LFC_BITS, &p->frame);
			break;
		case 's':
			err = parse_score(optarg, &p->score);
			if (err)
				vg_err("replay: --score: expected lfc or rate, got '%s'", optarg);
			break;
		case 'P':
			p->model = PH_MODEL_PAIRS;
			p->window = PH_WINDOW_DEFAULT;
			p->score = PH_SCORE_LFC;
			break;
		case OPT_FOLD:
			p->fold = 1;
			break;
		case OPT_MIN_TRAIN:
			err = vg_parse_u64(optarg, &v);
			if (err)
				vg_err("replay: --min-train: expected a number, got '%s'", optarg);
			p->min_train = v;
			break;
		case OPT_NORMAL_WAIT:
			err = vg_parse_u64(optarg, &v);
			if (err)
				vg_err("replay: --normal-wait: expected a number, got '%s'", optarg);
			p->normal_wait = v;
			break;
		case OPT_ANOMALY_LIMIT:
			err = parse_u32_opt("anomaly-limit", optarg, 0, UINT32_MAX,
					    &p->anomaly_limit);
			break;
		case OPT_TOLERIZE_LIMIT:
			err = parse_u32_opt("tolerize-limit", optarg, 0, UINT32_MAX,
					    &p->tolerize_limit);
			break;
		case OPT_MAX_ITEMS:
			err = vg_parse_u64(optarg, &o->max_items);
			if (err || o->max_items == 0) {
				vg_err("replay: --max-items: expected a positive number, got '%s'",
				       optarg);
				err = -EINVAL;
			}
			break;
		case OPT_STATS:
			o->stats = 1;
			break;
		case 'h':
			return 1;
		default:
			return -EINVAL;
		}
	}
	if (err)
		return -EINVAL;
	if (optind < argc) {
		vg_err("replay: unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (!o->have_fmt || !o->train.n || !o->test.n) {
		vg_err("replay: --format, --train and --test are required (see --help)");
		return -EINVAL;
	}
	return 0;
}

static void report_skip(const char *path, int err, const struct ph_trace_error *e)
{
	const char *why = e->msg[0] ? e->msg : strerror(-err);

	if (e->line)
		vg_err("replay: %s:%lu: %s; file skipped", path, e->line, why);
	else
		vg_err("replay: %s: %s; file skipped", path, why);
}

struct print_ctx {
	const char *path;
	enum ph_trace_format fmt;
};

static void print_score(void *ctx, const struct ph_trace_score *s)
{
	const struct print_ctx *pc = ctx;

	if (pc->fmt == PH_TRACE_UNM)
		printf("%s:%" PRIu32 "\t%" PRIu64 "\n", pc->path, s->pid, s->score);
	else
		printf("%s\t%" PRIu64 "\n", pc->path, s->score);
}

static void print_stats(const struct ph_replay *r)
{
	const struct ph_profile *prof = &r->profile;
	size_t pairs = ph_store_count_items(r->store, prof->id, prof->test_gen, PH_ITEM_PAIR);
	size_t grams = ph_store_count_items(r->store, prof->id, prof->test_gen, PH_ITEM_NGRAM);

	/* on disk an item is its 8-byte value; in a BPF map it costs more */
	vg_info("replay: trained on %" PRIu64 " traces, %" PRIu64 " calls; profile %s%s, "
		"%zu pairs, %zu n-grams, %zu bytes as stored items; %" PRIu64
		" store errors",
		r->traces, r->calls, prof->status & PH_PROFILE_NORMAL ? "normal" : "training",
		prof->status & PH_PROFILE_FROZEN ? " (frozen)" : "", pairs, grams,
		(pairs + grams) * 8, (uint64_t)prof->store_errors);
}

/* Run every file of one list; train or test. Returns the number of files
 * skipped, or a negative errno for errors that stop the replay. */
static long replay_files(struct ph_replay *r, const struct replay_opts *o,
			 const struct path_list *files, int train)
{
	long skipped = 0;

	for (size_t i = 0; i < files->n; i++) {
		struct print_ctx pc = { files->v[i], o->fmt };
		struct ph_trace_error e;
		int err;

		if (train)
			err = ph_replay_train_file(r, o->fmt, files->v[i], &e);
		else
			err = ph_replay_test_file(r, o->fmt, files->v[i], print_score, &pc, &e);
		if (err == -ENOMEM)
			return err;
		if (err) {
			report_skip(files->v[i], err, &e);
			skipped++;
		}
	}
	return skipped;
}

static int expand(const struct path_list *given, struct path_list *files)
{
	for (size_t i = 0; i < given->n; i++) {
		int err = collect_files(given->v[i], files, 0);

		if (err == -E2BIG)
			vg_err("replay: more than %d files", REPLAY_MAX_FILES);
		if (err)
			return err;
	}
	return 0;
}

int cmd_replay(int argc, char **argv)
{
	struct replay_opts o = { 0 };
	struct path_list train = { 0 }, test = { 0 };
	struct ph_replay r = { 0 };
	long skipped_train = 0, skipped_test = 0;
	int ret = 2, err;

	err = parse_args(argc, argv, &o);
	if (err) {
		if (err == 1) {
			usage(stdout);
			ret = 0;
		}
		goto out;
	}
	if (expand(&o.train, &train) || expand(&o.test, &test))
		goto out;
	err = ph_replay_init(&r, &o.params, o.max_items);
	if (err) {
		vg_err("replay: %s", err == -EINVAL ? "invalid model parameters" : strerror(-err));
		goto out;
	}
	ret = 1;
	skipped_train = replay_files(&r, &o, &train, 1);
	if (skipped_train < 0)
		goto oom;
	if (r.traces == 0) {
		vg_err("replay: no usable training traces");
		goto out;
	}
	if (ph_replay_end_training(&r))
		goto oom;
	if (o.stats)
		print_stats(&r);
	skipped_test = replay_files(&r, &o, &test, 0);
	if (skipped_test < 0)
		goto oom;
	if (fflush(stdout)) {
		vg_err("replay: writing the scores: %s", strerror(errno));
		goto out;
	}
	if (skipped_train || skipped_test)
		vg_warn("replay: skipped %ld training and %ld test files", skipped_train,
			skipped_test);
	ret = 0;
	goto out;
oom:
	vg_err("replay: out of memory");
out:
	ph_replay_fini(&r);
	path_list_free(&train);
	path_list_free(&test);
	path_list_free(&o.train);
	path_list_free(&o.test);
	return ret;
}
