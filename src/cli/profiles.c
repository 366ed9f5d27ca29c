/* vigil profiles: every pH profile of the running monitor. */
#include <stdint.h>
#include <stdio.h>

#include "cli/commands.h"
#include "cli/ctl_cli.h"

static const char usage[] =
	"Usage: vigil profiles [--json] [--socket PATH]\n\n"
	"The pH profiles of the running monitor, one per executable: state\n"
	"(training, frozen, normal), calls seen, items learnt (n-grams or pairs),\n"
	"size in bytes, progress to normal (training: % of the calls it needs\n"
	"before it may freeze and, once it converges, the expected time to normal;\n"
	"frozen: the expected time to normal, else when the wait ends), new\n"
	"sequences per 1000 training calls over the last minutes (NEW/1K), runs\n"
	"since the last new sequence of those a frozen profile needs to become\n"
	"normal by coverage (RUNS; a run is an exec, an accepted connection,\n"
	"activity after a minute idle, or a block of ph.coverage_calls training\n"
	"calls over at least ph.coverage_block without a new sequence;\n"
	"ph.coverage_runs; \"3+2/8\": 3 settled, 2 begun since the last sample,\n"
	"which that sample may still take back), last anomaly,\n"
	"the first 16 hex digits of the executable's build-id, or sha256: and\n"
	"its content's hash when it has none (--json: all of it; copies with\n"
	"the same build-id or content share a settled profile), executable.\n"
	"Needs root and --ph.\n";

/* "45s", "12m", "3h", "2d": an estimate, one unit is enough */
static const char *eta(uint64_t s, char *buf, size_t size)
{
	if (s < 120)
		snprintf(buf, size, "%llus", (unsigned long long)s);
	else if (s < 2 * 3600)
		snprintf(buf, size, "%llum", (unsigned long long)(s / 60));
	else if (s < 2 * 86400)
		snprintf(buf, size, "%lluh", (unsigned long long)(s / 3600));
	else
		snprintf(buf, size, "%llud", (unsigned long long)(s / 86400));
	return buf;
}

int cmd_profiles(int argc, char **argv)
{
	struct json_object *res, *row, *v;
	char b[32], prog[48], rate[24], e[24], runs[72];
	int ret = ctl_cli_simple(argc, argv, usage, "profiles", &res);

	if (ret >= 0)
		return ret;
	printf("%-8s %12s %8s %8s %-20s %7s %9s %-20s %-16s  %s\n", "STATE", "CALLS", "ITEMS",
	       "BYTES", "PROGRESS", "NEW/1K", "RUNS", "LAST ANOMALY", "BUILD-ID", "EXE");
	for (size_t i = 0; i < json_object_array_length(res); i++) {
		row = json_object_array_get_idx(res, i);
		if (json_object_object_get_ex(row, "expected_normal_s", &v) && v &&
		    json_object_object_get_ex(row, "progress_pct", &v) && v)
			snprintf(prog, sizeof(prog), "%llu%% ~%s",
				 (unsigned long long)ctl_u64(row, "progress_pct"),
				 eta(ctl_u64(row, "expected_normal_s"), e, sizeof(e)));
		else if (json_object_object_get_ex(row, "expected_normal_s", &v) && v)
			/* frozen: normal in about this long (coverage or the wait) */
			snprintf(prog, sizeof(prog), "normal ~%s",
				 eta(ctl_u64(row, "expected_normal_s"), e, sizeof(e)));
		else if (json_object_object_get_ex(row, "progress_pct", &v) && v)
			snprintf(prog, sizeof(prog), "%llu%%",
				 (unsigned long long)ctl_u64(row, "progress_pct"));
		else
			snprintf(prog, sizeof(prog), "%s", ctl_str(row, "normal_at", "-"));
		if (json_object_object_get_ex(row, "new_per_kcalls", &v) && v)
			snprintf(rate, sizeof(rate), "%.2f", json_object_get_double(v));
		else
			snprintf(rate, sizeof(rate), "-");
		/* normal by coverage: runs without anything new, of those needed;
		 * "+N": runs begun since the last sample, not settled yet */
		if (json_object_object_get_ex(row, "coverage_runs", &v) && v &&
		    ctl_u64(row, "coverage_runs_needed") && ctl_u64(row, "coverage_runs_provisional"))
			snprintf(runs, sizeof(runs), "%llu+%llu/%llu",
				 (unsigned long long)ctl_u64(row, "coverage_runs"),
				 (unsigned long long)ctl_u64(row, "coverage_runs_provisional"),
				 (unsigned long long)ctl_u64(row, "coverage_runs_needed"));
		else if (json_object_object_get_ex(row, "coverage_runs", &v) && v &&
			 ctl_u64(row, "coverage_runs_needed"))
			snprintf(runs, sizeof(runs), "%llu/%llu",
				 (unsigned long long)ctl_u64(row, "coverage_runs"),
				 (unsigned long long)ctl_u64(row, "coverage_runs_needed"));
		else
			snprintf(runs, sizeof(runs), "-");
		printf("%-8s %12llu %8llu %8s %-20s %7s %9s %-20s %-16.16s  %s\n",
		       ctl_str(row, "state", "?"), (unsigned long long)ctl_u64(row, "calls"),
		       (unsigned long long)ctl_u64(row, "items"),
		       ctl_human(ctl_u64(row, "bytes"), b, sizeof(b)), prog, rate, runs,
		       ctl_str(row, "last_anomaly", "-"), ctl_str(row, "build_id", "-"),
		       ctl_str(row, "exe", "(unknown path)"));
	}
	json_object_put(res);
	return 0;
}
