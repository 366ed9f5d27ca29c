/* Printing the configuration (config.h): one key's value as YAML, the
 * whole configuration (`vigil config show`), the commented example file and
 * the keys' documentation in markdown, all from the schema table. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_ctx.h"
#include "config/config_watch.h"

#define APPEND(...)                                                                                \
	(at += (size_t)snprintf(at < len ? buf + at : NULL, at < len ? len - at : 0, __VA_ARGS__))

int vg_config_format(const struct vg_config *c, const struct vg_config_key *k, char *buf,
		     size_t len)
{
	char item[VG_CONFIG_STRING_MAX * 4 + 8];
	size_t at = 0;

	switch (k->type) {
	case VG_CT_BOOL:
		return snprintf(buf, len, "%s",
				*(const bool *)vg_config_cfield(c, k) ? "true" : "false");
	case VG_CT_UINT:
	case VG_CT_SECONDS:
		return snprintf(buf, len, "%llu",
				(unsigned long long)*(const uint64_t *)vg_config_cfield(c, k));
	case VG_CT_SIZE:
		return vg_config_format_size(buf, len, *(const uint64_t *)vg_config_cfield(c, k));
	case VG_CT_STRING:
	case VG_CT_ENUM:
		return vg_config_yaml_string(buf, len, *(char *const *)vg_config_cfield(c, k));
	case VG_CT_LIST: {
		const struct vg_strlist *l = vg_config_cfield(c, k);

		APPEND("[");
		for (unsigned i = 0; i < l->n; i++) {
			vg_config_yaml_string(item, sizeof(item), l->items[i]);
			APPEND("%s%s", i ? ", " : "", item);
		}
		APPEND("]");
		return (int)at;
	}
	case VG_CT_OUTPUTS:
		APPEND("[");
		for (unsigned i = 0; i < c->noutputs; i++) {
			const struct vg_output_entry *o = &c->outputs[i];

			APPEND("%s{type: %s", i ? ", " : "", o->type);
			for (unsigned j = 0; j < o->nkv; j++) {
				vg_config_yaml_string(item, sizeof(item), o->kv[j].value);
				APPEND(", %s: %s", o->kv[j].key, item);
			}
			APPEND("}");
		}
		APPEND("]");
		return (int)at;
	case VG_CT_WATCH:
		return vg_config_format_watch(vg_config_cfield(c, k), buf, len);
	}
	return 0;
}

/* Length of the group part of a key ("sensor" of "sensor.poll_ms"), or 0. */
static size_t group_len(const char *name)
{
	const char *dot = strchr(name, '.');

	return dot ? (size_t)(dot - name) : 0;
}

static bool same_group(const char *a, const char *b)
{
	size_t n = group_len(a);

	return n && n == group_len(b) && !strncmp(a, b, n);
}

void vg_config_show(const struct vg_config *c, FILE *out)
{
	for (unsigned i = 0; i < vg_config_nkeys; i++) {
		const struct vg_config_key *k = &vg_config_keys[i];
		size_t g = group_len(k->name), need = (size_t)vg_config_format(c, k, NULL, 0) + 1;
		char *buf = malloc(need);

		if (g && (i == 0 || !same_group(vg_config_keys[i - 1].name, k->name)))
			fprintf(out, "%.*s:\n", (int)g, k->name);
		if (buf)
			vg_config_format(c, k, buf, need);
		fprintf(out, "%s%s: %s", g ? "  " : "", k->name + (g ? g + 1 : 0), buf ? buf : "?");
		free(buf);
		if (k->type == VG_CT_LIST && k->offset == offsetof(struct vg_config, rules.files) &&
		    !c->rules.files.n)
			fprintf(out, "  # the default rules: %s", c->builtin_rules);
		fputc('\n', out);
	}
}

/* A ph.watch entry's settings and an example, after the key. */
static void watch_example(FILE *out, const char *ind)
{
	fprintf(out, "%s# a mapping's settings (a setting left out: the global one):\n", ind);
	for (unsigned i = 0; i < vg_config_nwatch_keys; i++)
		fprintf(out, "%s#   %s (%s): %s\n", ind, vg_config_watch_keys[i].name,
			vg_config_watch_keys[i].type, vg_config_watch_keys[i].doc);
	fprintf(out,
		"%s#watch:\n"
		"%s#  - /usr/sbin/sshd\n"
		"%s#  - {path: /usr/sbin/nginx, normal_wait: 2h, coverage_runs: 20, "
		"anomaly_limit: 100, ignore_calls: [sched_getaffinity]}\n",
		ind, ind, ind);
}

void vg_config_example(FILE *out)
{
	fprintf(out,
		"# vigil configuration: /etc/vigil/vigil.yaml (see vigil.yaml(5)).\n"
		"#\n"
		"# Every key is listed with its default, commented out: uncomment a line to\n"
		"# change it. `vigil config check` validates this file, `vigil config show`\n"
		"# prints the configuration in effect, and `vigil run --set KEY=VALUE`\n"
		"# overrides any key for one run. SIGHUP reloads this file and the rules;\n"
		"# keys marked (restart) take effect at the next start only.\n"
		"# This file is generated from vigil's key table (vigil config example).\n");
	for (unsigned i = 0; i < vg_config_nkeys; i++) {
		const struct vg_config_key *k = &vg_config_keys[i];
		size_t g = group_len(k->name);
		const char *ind = g ? "  " : "";

		if (!g || i == 0 || !same_group(vg_config_keys[i - 1].name, k->name))
			fputc('\n', out);
		if (g && (i == 0 || !same_group(vg_config_keys[i - 1].name, k->name)))
			fprintf(out, "#%.*s:\n", (int)g, k->name);
		fprintf(out, "%s# %s%s\n", ind, k->doc, k->live ? "" : " (restart)");
		fprintf(out, "%s#%s: %s\n", ind, k->name + (g ? g + 1 : 0), k->def);
		if (k->type == VG_CT_WATCH)
			watch_example(out, ind);
	}
	fprintf(out,
		"\n# For example, JSON lines to a file and warnings and above to syslog:\n"
		"#outputs:\n"
		"#  - type: file\n"
		"#    path: /var/log/vigil/alerts.json\n"
		"#  - type: syslog\n"
		"#    min_priority: warning\n");
}

static const char *md_type(const struct vg_config_key *k, char *buf, size_t len)
{
	switch (k->type) {
	case VG_CT_BOOL: return "boolean";
	case VG_CT_UINT:
		snprintf(buf, len, "number, %llu to %llu", (unsigned long long)k->min,
			 (unsigned long long)k->max);
		return buf;
	case VG_CT_SIZE:
		snprintf(buf, len, "size, %llu to %llu bytes%s", (unsigned long long)k->min,
			 (unsigned long long)k->max, k->pow2 ? ", power of two" : "");
		return buf;
	case VG_CT_SECONDS:
		snprintf(buf, len, "seconds, %llu to %llu", (unsigned long long)k->min,
			 (unsigned long long)k->max);
		return buf;
	case VG_CT_STRING: return "string";
	case VG_CT_ENUM: {
		size_t at = (size_t)snprintf(buf, len, "one of ");

		for (const char *p = k->choices; *p && at < len - 3; p++)
			at += (size_t)snprintf(buf + at, len - at, "%s",
					       *p == '|' ? ", " : (char[]){*p, 0});
		return buf;
	}
	case VG_CT_LIST:
		snprintf(buf, len, "list, at most %llu", (unsigned long long)k->max);
		return buf;
	case VG_CT_OUTPUTS:
		snprintf(buf, len, "list of mappings, at most %llu", (unsigned long long)k->max);
		return buf;
	case VG_CT_WATCH:
		snprintf(buf, len, "list of paths or mappings, at most %llu",
			 (unsigned long long)k->max);
		return buf;
	}
	return "?";
}

void vg_config_markdown(FILE *out)
{
	char t[128];

	fprintf(out, "| key | type | default | reload | meaning |\n|---|---|---|---|---|\n");
	for (unsigned i = 0; i < vg_config_nkeys; i++) {
		const struct vg_config_key *k = &vg_config_keys[i];
		char doc[512];
		size_t at = 0;

		/* A | in the doc would end the cell. */
		for (const char *p = k->doc; *p && at < sizeof(doc) - 3; p++) {
			if (*p == '|')
				doc[at++] = '\\';
			doc[at++] = *p;
		}
		doc[at] = 0;
		fprintf(out, "| `%s` | %s | `%s` | %s | %s |\n", k->name, md_type(k, t, sizeof(t)),
			k->def, k->live ? "live" : "restart", doc);
		for (unsigned j = 0; k->type == VG_CT_WATCH && j < vg_config_nwatch_keys; j++)
			fprintf(out, "| `%s[].%s` | %s | | %s | %s |\n", k->name,
				vg_config_watch_keys[j].name, vg_config_watch_keys[j].type,
				k->live ? "live" : "restart", vg_config_watch_keys[j].doc);
	}
}
