/* Shared parts of the control commands. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/ctl_cli.h"
#include "control/ctl_client.h"
#include "control/ctl_server.h"
#include "util/safe_file.h"

int ctl_cli_parse(struct ctl_cli *c, int argc, char **argv, const char *usage, int *first)
{
	static const struct option opts[] = {
		{ "socket", required_argument, 0, 's' },
		{ "json", no_argument, 0, 'j' },
		{ "help", no_argument, 0, 'h' },
		{ 0 },
	};
	int o;

	c->socket = VG_CTL_DEFAULT_SOCKET;
	c->json = false;
	optind = 1;
	while ((o = getopt_long(argc, argv, "s:jh", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			c->socket = optarg;
			break;
		case 'j':
			c->json = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	*first = optind;
	return -1;
}

int ctl_cli_call(const struct ctl_cli *c, const char *cmd, struct json_object *args,
		 struct json_object **result)
{
	char err[512];

	if (vg_ctl_call(c->socket, cmd, args, result, err, sizeof(err))) {
		fprintf(stderr, "vigil: %s\n", err);
		return 1;
	}
	return 0;
}

int ctl_cli_simple(int argc, char **argv, const char *usage, const char *cmd,
		   struct json_object **result)
{
	struct ctl_cli c;
	int first, ret = ctl_cli_parse(&c, argc, argv, usage, &first);

	if (ret >= 0)
		return ret;
	if (first < argc) {
		fputs(usage, stderr);
		return 2;
	}
	if (ctl_cli_call(&c, cmd, NULL, result))
		return 1;
	if (!c.json)
		return -1;
	ctl_cli_print_json(*result);
	json_object_put(*result);
	return 0;
}

void ctl_cli_print_json(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_SPACED |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
}

uint64_t ctl_u64(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	return json_object_get_uint64(v);
}

const char *ctl_esc(const char *s)
{
	/* a few at once: one printf may show several fields */
	static char bufs[8][4 * 4096 + 8];
	static unsigned next;
	char *b = bufs[next++ % 8];

	return s ? vg_escape(s, b, sizeof(bufs[0])) : NULL;
}

const char *ctl_str(struct json_object *o, const char *key, const char *dflt)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v ||
	    !json_object_is_type(v, json_type_string))
		return dflt;
	return ctl_esc(json_object_get_string(v));
}

const char *ctl_human(uint64_t v, char *buf, size_t size)
{
	static const char units[] = "KMGT";
	double d = (double)v;
	int u = -1;

	while (d >= 1024 && u < 3) {
		d /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, size, "%llu", (unsigned long long)v);
	else
		snprintf(buf, size, "%.1f%c", d, units[u]);
	return buf;
}
