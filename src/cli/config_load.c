/* Shared by `vigil run` and `vigil config`: build the configuration and say
 * what is wrong with it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/config_load.h"
#include "output/outputs.h"
#include "util/log.h"

/* The outputs the configuration lists, built and checked exactly as `vigil
 * run` builds them (then thrown away), so that `config check`, a start and
 * a SIGHUP refuse the same things: a file output with no path, an ftp://
 * webhook, an unknown key, queue: 0 ... */
static int check_outputs(const struct vg_config *cfg, const char *where)
{
	char err[512];
	int ret = 0;

	for (unsigned i = 0; i < cfg->noutputs; i++) {
		const struct vg_output_entry *e = &cfg->outputs[i];
		struct vg_output_conf *c;
		int bad = 0;

		if (vg_output_conf_new(&c, e->type, err, sizeof(err))) {
			vg_err("%s:%u: outputs: %s", where, e->line, err);
			ret = -EINVAL;
			continue;
		}
		for (unsigned k = 0; k < e->nkv; k++)
			if (vg_output_conf_set(c, e->kv[k].key, e->kv[k].value, err, sizeof(err))) {
				vg_err("%s:%u: outputs: %s", where, e->kv[k].line, err);
				ret = -EINVAL;
				bad = 1;
			}
		if (!bad && vg_output_conf_check(c, err, sizeof(err))) {
			vg_err("%s:%u: outputs: %s", where, e->line, err);
			ret = -EINVAL;
		}
		vg_output_conf_free(c);
	}
	return ret;
}

int vg_cli_config_build(struct vg_config **out, const char *path,
			const struct vg_config_override *ov, unsigned n)
{
	struct vg_config_errors *errs = calloc(1, sizeof(*errs));
	char line[1024];
	int ret;

	*out = NULL;
	if (!errs)
		return -ENOMEM;
	ret = vg_config_build(out, vg_default_rules, path, ov, n, errs);
	for (unsigned i = 0; i < errs->n; i++) {
		vg_config_error_format(&errs->e[i], line, sizeof(line));
		vg_err("%s", line);
	}
	if (errs->total > errs->n)
		vg_err("... and %u more errors", errs->total - errs->n);
	if (ret && !errs->total)
		vg_err("configuration: %s", strerror(-ret));
	free(errs);
	if (!ret && (ret = check_outputs(*out, path ? path : VG_CONFIG_DEFAULT_PATH)) == 0 &&
	    strcmp((*out)->metrics.listen, "off") && strcmp((*out)->metrics.listen, "on") &&
	    strncmp((*out)->metrics.listen, "unix:", 5) && !(*out)->metrics.token_file[0]) {
		/* as the endpoint itself refuses it (metrics/metrics_http.c) */
		vg_err("metrics.listen: %s is reachable by every local user: set "
		       "metrics.token_file, or listen on unix:PATH",
		       (*out)->metrics.listen);
		ret = -EINVAL;
	}
	if (ret && *out) {
		vg_config_free(*out);
		*out = NULL;
	}
	return ret;
}

/* A key's value as text, allocated. */
static char *value_of(const struct vg_config *c, const struct vg_config_key *k)
{
	size_t n = (size_t)vg_config_format(c, k, NULL, 0) + 1;
	char *text = malloc(n);

	if (text)
		vg_config_format(c, k, text, n);
	return text;
}

void vg_cli_config_log_changes(const struct vg_config *before, const struct vg_config *after)
{
	for (unsigned i = 0; i < vg_config_nkeys; i++) {
		const struct vg_config_key *k = &vg_config_keys[i];
		char *was = value_of(before, k), *now = value_of(after, k);

		if (was && now && strcmp(was, now)) {
			if (k->live)
				vg_info("configuration: %s changed to %s", k->name, now);
			else
				vg_warn("configuration: %s changed to %s: it takes effect at the "
					"next restart", k->name, now);
		}
		free(was);
		free(now);
	}
}
