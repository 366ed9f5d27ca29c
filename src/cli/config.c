/* vigil config check|show|example|keys|output-keys|run-options[-man]: the
 * configuration without the monitor. check validates (exit 1 on an error),
 * show prints the effective configuration (defaults, then the file, then
 * --set), example prints the commented example file, keys the key table in
 * Markdown, output-keys the table of the keys an output takes, run-options
 * the options of `vigil run` (Markdown; -man: roff). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/config_load.h"
#include "cli/run_options.h"
#include "config/config.h"
#include "output/out_schema.h"

#define MAX_SETS 256

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: vigil config check [FILE | --config FILE] [--set KEY=VALUE]...\n"
		"       vigil config show  [FILE | --config FILE] [--set KEY=VALUE]...\n"
		"       vigil config example | keys | output-keys | run-options | run-options-man\n\n"
		"  check     validate the configuration (exit 1 on an error)\n"
		"  show      print the configuration in effect: defaults, the file, --set\n"
		"  example   print the commented example file (every key and its default)\n"
		"  keys      print the table of keys (Markdown)\n"
		"  output-keys  print the table of the keys of outputs (Markdown)\n"
		"  run-options  print the options of vigil run and their keys (Markdown;\n"
		"               run-options-man: the man page's entries)\n\n"
		"  FILE, -c, --config FILE\n"
		"                       the file (default " VG_CONFIG_DEFAULT_PATH
		";\n"
		"                       a missing default file means the built-in defaults)\n"
		"  -s, --set KEY=VALUE  override a key (repeatable)\n"
		"  -h, --help           this help\n");
}

int cmd_config(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, 0, 'c' },
		{ "set", required_argument, 0, 's' },
		{ "help", no_argument, 0, 'h' },
		{ 0 },
	};
	struct vg_config_override ov[MAX_SETS];
	const char *path = NULL, *what;
	struct vg_config *cfg;
	unsigned nov = 0;
	int c;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	what = argv[1];
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "c:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 's':
			if (nov == MAX_SETS) {
				fprintf(stderr, "vigil: --set: at most %d\n", MAX_SETS);
				return 2;
			}
			ov[nov++] = (struct vg_config_override){ .origin = "--set", .value = optarg };
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	/* the file may be named the way `vigil rules check FILE` takes it */
	if (optind < argc - 1 && !path && (!strcmp(what, "check") || !strcmp(what, "show")))
		path = argv[1 + optind++];
	if (optind < argc - 1) {
		fprintf(stderr, "vigil: config: unexpected argument '%s'\n", argv[optind + 1]);
		return 2;
	}
	if (!strcmp(what, "example")) {
		vg_config_example(stdout);
		return 0;
	}
	if (!strcmp(what, "keys")) {
		vg_config_markdown(stdout);
		return 0;
	}
	if (!strcmp(what, "run-options")) {
		vg_run_options_markdown(stdout);
		return 0;
	}
	if (!strcmp(what, "run-options-man")) {
		vg_run_options_man(stdout);
		return 0;
	}
	if (!strcmp(what, "output-keys")) {
		vg_out_keys_markdown(stdout);
		return 0;
	}
	if (strcmp(what, "check") && strcmp(what, "show")) {
		fprintf(stderr, "vigil: config: unknown subcommand '%s'\n", what);
		usage(stderr);
		return 2;
	}
	if (vg_cli_config_build(&cfg, path, ov, nov))
		return 1;
	if (!strcmp(what, "show"))
		vg_config_show(cfg, stdout);
	else
		printf("%s: configuration OK\n", path ? path : VG_CONFIG_DEFAULT_PATH " (or defaults)");
	vg_config_free(cfg);
	return 0;
}
