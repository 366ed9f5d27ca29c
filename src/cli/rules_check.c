/* vigil rules check FILE...: loads rules files in order (later files
 * override earlier ones), compiles them and prints every problem with its
 * file, line and column, then a summary. Exits 0 when there is no error, 1
 * when there is one, 2 on bad usage. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/rules_fields.h"
#include "rules/rules.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: vigil rules check [-q] [-v] FILE...\n"
		   "       vigil rules fields [--json]\n"
		   "  -q  print errors only (no warnings, no skipped rules)\n"
		   "  -v  also list every rule with its state and event types\n");
}

static void print_rule(const struct vg_rule *r)
{
	static const char *const state[] = { "loaded", "skipped", "failed" };

	printf("  %-8s %-13s %s", state[r->state], vg_priority_name(r->priority), r->name);
	if (!r->enabled)
		printf(" (disabled)");
	if (r->action != VG_ACTION_NONE)
		printf(" (action: %s)", vg_action_name(r->action));
	if (r->state == VG_RULE_LOADED) {
		if (r->all_evtypes) {
			printf(" [all event types]");
		} else {
			const char *sep = " [";

			for (unsigned t = 1; t < vg_evtype_count(); t++) {
				if (!vg_evtset_has(&r->evtypes, t))
					continue;
				printf("%s%s", sep, vg_evtype_name(t));
				sep = ",";
			}
			printf("%s", sep[0] == ',' ? "]" : " []");
		}
	}
	printf("\n");
}

static int check(int nfiles, char **files, bool quiet, bool verbose)
{
	struct vg_rules *rs = vg_rules_new();
	struct vg_rules_stats st;
	const struct vg_diag *d;
	unsigned nd;
	char line[1024];
	int ret, bad;

	if (!rs) {
		fprintf(stderr, "vigil: out of memory\n");
		return 1;
	}
	for (int i = 0; i < nfiles; i++)
		vg_rules_load_file(rs, files[i]);
	ret = vg_rules_compile(rs);
	d = vg_rules_diags(rs, &nd);
	for (unsigned i = 0; i < nd; i++) {
		if (quiet && d[i].level != VG_DIAG_ERROR)
			continue;
		vg_diag_format(&d[i], line, sizeof(line));
		fprintf(stderr, "%s\n", line);
	}
	vg_rules_get_stats(rs, &st);
	if (verbose)
		for (unsigned i = 0; i < vg_rules_count(rs); i++)
			print_rule(vg_rules_get(rs, i));
	printf("%u rules: %u loaded (%u disabled), %u skipped, %u failed; %u macros, %u lists; "
	       "%u errors, %u warnings\n",
	       st.rules, st.loaded, st.disabled, st.skipped, st.failed, st.macros, st.lists,
	       st.errors, st.warnings);
	bad = st.errors != 0;
	/* what `vigil run` refuses, check refuses too (monitor/detect.c) */
	if (ret && ret != -EINVAL) {
		fprintf(stderr, "error: compiling the rules failed: %s\n", strerror(-ret));
		bad = 1;
	} else if (!st.errors && st.loaded == st.disabled) {
		fprintf(stderr, "error: no enabled rule: vigil run would refuse this set (to run "
				"without rules: --no-rules)\n");
		bad = 1;
	}
	vg_rules_free(rs);
	return bad;
}

int cmd_rules(int argc, char **argv)
{
	bool quiet = false, verbose = false;
	int i = 2;

	if (argc >= 2 && !strcmp(argv[1], "fields"))
		return vg_cmd_rules_fields(argc, argv);
	if (argc < 2 || strcmp(argv[1], "check") != 0) {
		if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
			usage(stdout);
			return 0;
		}
		usage(stderr);
		return 2;
	}
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "-q"))
			quiet = true;
		else if (!strcmp(argv[i], "-v"))
			verbose = true;
		else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "vigil rules check: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	return check(argc - i, argv + i, quiet, verbose);
}
