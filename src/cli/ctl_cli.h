/* What the control commands (status, ps, profiles, profile) share: their
 * common options, the call to the monitor, and a little formatting. */
#ifndef VIGIL_CLI_CTL_CLI_H
#define VIGIL_CLI_CTL_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

struct ctl_cli {
	const char *socket;
	bool json;
};

/* Parses --socket PATH, --json and --help; the rest (positional arguments)
 * is left at argv[*first..argc). Returns -1 to go on, else an exit code. */
int ctl_cli_parse(struct ctl_cli *c, int argc, char **argv, const char *usage, int *first);
/* Calls the monitor. On failure prints one line ("vigil: ...") and returns
 * 1; else 0 with *result. */
int ctl_cli_call(const struct ctl_cli *c, const char *cmd, struct json_object *args,
		 struct json_object **result);
/* The whole of a command without arguments of its own (status, ps,
 * profiles): parses the options, asks the monitor for cmd, and with --json
 * prints the answer. Returns -1 with *result for the caller to print as a
 * table (it then puts the result), else the exit code. */
int ctl_cli_simple(int argc, char **argv, const char *usage, const char *cmd,
		   struct json_object **result);
/* Prints a result as pretty JSON (--json). */
void ctl_cli_print_json(struct json_object *o);

/* Field readers that tolerate a missing or null field. ctl_str's text is
 * escaped (ctl_esc): names and paths come from the watched system, and a
 * program named with terminal escapes must not drive root's terminal. */
uint64_t ctl_u64(struct json_object *o, const char *key);
const char *ctl_str(struct json_object *o, const char *key, const char *dflt);
/* s with control bytes as \xNN (util/safe_file.h's vg_escape), in one of
 * eight rotating static buffers; NULL stays NULL. */
const char *ctl_esc(const char *s);
/* 1536 → "1.5K" */
const char *ctl_human(uint64_t v, char *buf, size_t size);

#endif
