/* vigil ps: the processes pH follows, with their model state. */
#include <stdio.h>

#include "cli/commands.h"
#include "cli/ctl_cli.h"

static const char usage[] =
	"Usage: vigil ps [--json] [--socket PATH]\n\n"
	"Processes the running monitor's pH model follows: pid, name, profile\n"
	"(executable), profile state, training calls, LFC (anomalies among the last\n"
	"128 calls), anomalies since exec. Needs root and a monitor run with --ph.\n";

int cmd_ps(int argc, char **argv)
{
	struct json_object *res, *row;
	int ret = ctl_cli_simple(argc, argv, usage, "ps", &res);

	if (ret >= 0)
		return ret;
	printf("%-8s %-16s %-8s %10s %4s %8s %12s  %s\n", "PID", "COMM", "STATE", "TRAIN",
	       "LFC", "ANOMALY", "CALLS", "PROFILE");
	for (size_t i = 0; i < json_object_array_length(res); i++) {
		row = json_object_array_get_idx(res, i);
		printf("%-8llu %-16s %-8s %10llu %4llu %8llu %12llu  %s\n",
		       (unsigned long long)ctl_u64(row, "pid"), ctl_str(row, "comm", "?"),
		       ctl_str(row, "state", "-"),
		       (unsigned long long)ctl_u64(row, "train_count"),
		       (unsigned long long)ctl_u64(row, "lfc"),
		       (unsigned long long)ctl_u64(row, "anomalies"),
		       (unsigned long long)ctl_u64(row, "calls"), ctl_str(row, "exe", "?"));
	}
	json_object_put(res);
	return 0;
}
