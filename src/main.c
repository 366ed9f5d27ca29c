/* vigil: one binary, a command table (as bpftool has), one file per command. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "util/version.h"
#include "util/macros.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "run", cmd_run, "load the sensor and monitor the machine (the daemon)" },
	{ "rules", cmd_rules, "rules check FILE...: validate rule files; rules fields: list every field" },
	{ "replay", cmd_replay, "run recorded system-call traces through the pH model offline" },
	{ "bpf-audit", cmd_bpf_audit, "list BPF programs, maps and links with a verdict on each" },
	{ "status", cmd_status, "the running monitor: uptime, events/s, drops, rules, memory" },
	{ "ps", cmd_ps, "processes the pH model follows, with their LFC and anomalies" },
	{ "profiles", cmd_profiles, "the pH profiles: state, calls, items, size, last anomaly" },
	{ "profile", cmd_profile, "profile show|normalize|sensitize|tolerize|reset EXE|PID" },
	{ "dashboard", cmd_dashboard, "print the web dashboard's URL with its access token" },
	{ "config", cmd_config, "config check|show: validate or print the configuration file" },
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: vigil COMMAND [OPTIONS]\n"
		     "       vigil --help | --version\n\n"
		     "eBPF host intrusion detection for Linux.\n\nCommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nRun 'vigil COMMAND --help' for the options of a command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("vigil %s\n", VIGIL_VERSION);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "vigil: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
