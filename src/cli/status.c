/* vigil status: the running monitor's figures, section by section. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/ctl_cli.h"

static const char usage[] =
	"Usage: vigil status [--json] [--socket PATH]\n\n"
	"The running monitor: uptime, programs attached, events/s by type, drops by\n"
	"cause, rules loaded, pH profiles by state, memory (BPF maps, RSS), average\n"
	"bytes per pH profile, what each BPF program costs (calls, ns per call, ns\n"
	"per system call; with sensor.bpf_stats) and what other parts report. Needs\n"
	"root.\n";

/* A nested object as "a=1 b=2" on one line. */
static void print_flat(const char *label, struct json_object *o)
{
	int n = 0;

	printf("%-24s ", ctl_esc(label));
	if (o && json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, k, v) {
			printf("%s%s=%s", n++ ? " " : "", ctl_esc(k),
			       v ? ctl_esc(json_object_get_string(v)) : "-");
		}
	} else if (o) {
		printf("%s", ctl_esc(json_object_get_string(o)));
	}
	printf("%s\n", n || !o || !json_object_is_type(o, json_type_object) ? "" : "-");
}

static void print_section(const char *name, struct json_object *sec)
{
	char b[32], label[64];

	printf("[%s]\n", ctl_esc(name));
	json_object_object_foreach(sec, k, v) {
		if (!v || !json_object_is_type(v, json_type_object)) {
			if (strstr(k, "bytes") && v && json_object_is_type(v, json_type_int))
				printf("%-24s %s\n", ctl_esc(k),
				       ctl_human(json_object_get_uint64(v), b, sizeof(b)));
			else if (v && json_object_is_type(v, json_type_array)) {
				printf("%-24s", ctl_esc(k));
				for (size_t i = 0; i < json_object_array_length(v); i++)
					printf(" %s", ctl_esc(json_object_get_string(
							      json_object_array_get_idx(v, i))));
				printf("\n");
			} else
				printf("%-24s %s\n", ctl_esc(k),
				       v ? ctl_esc(json_object_get_string(v)) : "-");
			continue;
		}
		/* one level deeper: drops, rates, maps... */
		int flat = 1;

		json_object_object_foreach(v, k2, v2) {
			(void)k2;
			if (v2 && json_object_is_type(v2, json_type_object))
				flat = 0;
		}
		if (flat) {
			print_flat(k, v);
			continue;
		}
		json_object_object_foreach(v, k3, v3) {
			snprintf(label, sizeof(label), "%s.%s", k, k3);
			print_flat(label, v3);
		}
	}
}

int cmd_status(int argc, char **argv)
{
	struct json_object *res;
	int ret = ctl_cli_simple(argc, argv, usage, "status", &res);

	if (ret >= 0)
		return ret;
	json_object_object_foreach(res, name, sec) {
		if (sec && json_object_is_type(sec, json_type_object))
			print_section(name, sec);
	}
	json_object_put(res);
	return 0;
}
