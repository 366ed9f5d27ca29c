/* vigil profile ACTION EXE-or-PID: show one pH profile, or apply one of
 * pH's admin actions to it. */
#include <ctype.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/ctl_cli.h"
#include "util/macros.h"

static const char usage[] =
	"Usage: vigil profile ACTION EXE|PID|ID [FILE] [--json] [--socket PATH]\n\n"
	"Actions on the pH profile of an executable (a path), of a process's\n"
	"executable (a pid), or by the identifier alerts print (ph.exe_id,\n"
	"MAJOR:MINOR:INODE):\n"
	"  show       the profile's state and counters\n"
	"  normalize  make it normal now: what it learnt so far is what is normal\n"
	"             (refused when it learnt fewer than 16 items)\n"
	"  force-normalize  the same, however little it learnt\n"
	"  sensitize  forget the current training period (normal mode stays)\n"
	"  tolerize   stop normal mode and keep learning\n"
	"  reset      start over: empty training data, no normal mode\n"
	"  accept     learn what the normal profile held back (the sequences of its\n"
	"             incidents since the last accept): they are normal from now\n"
	"  export EXE FILE  write the profile to FILE (the state directory's format)\n"
	"  import EXE FILE  replace the profile by FILE's (same model and architecture)\n"
	"  merge EXE FILE   add FILE's known sequences to the profile\n";

static const char *const fields[] = { "exe",	   "state",	  "calls",	 "train_count",
				      "last_mod_count", "items",	  "bytes",	 "test_items",
				      "anomalies",	   "last_anomaly", "normal_at", "normal_wait_s", "anomaly_limit", "progress_pct", "calls_to_freeze",	 "train_gen",	 "test_gen",
				      "id",		   "dev",	  "ino",	 "items_dropped", "held_items", "items_accepted", "file", "items_written", "items_added" };

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

int cmd_profile(int argc, char **argv)
{
	struct json_object *args, *res, *v;
	struct ctl_cli c;
	char abs[PATH_MAX];
	const char *action, *target;
	int with_file;
	int first, ret = ctl_cli_parse(&c, argc, argv, usage, &first);

	if (ret >= 0)
		return ret;
	if (argc - first < 2) {
		fputs(usage, stderr);
		return 2;
	}
	action = argv[first];
	target = argv[first + 1];
	with_file = !strcmp(action, "export") || !strcmp(action, "import") ||
		    !strcmp(action, "merge");
	if (argc - first != 2 + with_file) {
		fputs(usage, stderr);
		return 2;
	}
	if (strcmp(action, "show") && strcmp(action, "normalize") &&
	    strcmp(action, "force-normalize") && strcmp(action, "sensitize") &&
	    strcmp(action, "tolerize") && strcmp(action, "reset") && strcmp(action, "accept") &&
	    !with_file) {
		fprintf(stderr, "vigil: profile: unknown action '%s'\n\n%s", action, usage);
		return 2;
	}
	args = json_object_new_object();
	if (!args)
		return 1;
	json_object_object_add(args, "action", json_object_new_string(action));
	if (all_digits(target)) {
		json_object_object_add(args, "pid", json_object_new_int64(atoll(target)));
	} else if (target[0] != '/' && strchr(target, ':')) {
		json_object_object_add(args, "id", json_object_new_string(target));
	} else {
		/* the monitor resolves the path: send it absolute */
		if (!realpath(target, abs)) {
			fprintf(stderr, "vigil: %s: no such executable\n", target);
			json_object_put(args);
			return 1;
		}
		json_object_object_add(args, "exe", json_object_new_string(abs));
	}
	if (with_file) {
		/* the monitor opens it: send it absolute (it may not exist yet) */
		const char *f = argv[first + 2];
		char *dir = strdup(f), *base = strdup(f), fabs[PATH_MAX + 1];

		if (!dir || !base || !realpath(dirname(dir), abs)) {
			fprintf(stderr, "vigil: %s: no such directory\n", f);
			free(dir);
			free(base);
			json_object_put(args);
			return 1;
		}
		snprintf(fabs, sizeof(fabs), "%s/%s", strcmp(abs, "/") ? abs : "", basename(base));
		json_object_object_add(args, "file", json_object_new_string(fabs));
		free(dir);
		free(base);
	}
	ret = ctl_cli_call(&c, "profile", args, &res);
	json_object_put(args);
	if (ret)
		return 1;
	if (c.json) {
		ctl_cli_print_json(res);
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
			if (!json_object_object_get_ex(res, fields[i], &v))
				continue;
			printf("%-15s %s\n", fields[i], v ? json_object_get_string(v) : "-");
		}
	}
	json_object_put(res);
	return 0;
}
