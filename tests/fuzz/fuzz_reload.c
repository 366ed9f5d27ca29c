/* Fuzz target for what a SIGHUP reload reads (monitor/reload.c): the input
 * is a configuration file and a rules file separated by the first NUL byte
 * (no NUL: both get the whole input). Each goes through the depth guard
 * (util/yaml_guard.h) as the reload does, then its parser; whatever the
 * bytes, nothing crashes, a refusal says why, and the depth guard never
 * lets through a file deeper than its limit. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "rules/rules.h"
#include "util/yaml_guard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The deepest run of unclosed brackets outside comments, recomputed simply
 * for the check of the guard. */
static unsigned depth_of(const char *s, size_t n)
{
	unsigned d = 0, most = 0;
	int comment = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			comment = 0;
		else if (comment)
			continue;
		else if (s[i] == '#' && (!i || s[i - 1] == ' ' || s[i - 1] == '\t' || s[i - 1] == '\n'))
			comment = 1;
		else if (s[i] == '[' || s[i] == '{')
			most = ++d > most ? d : most;
		else if ((s[i] == ']' || s[i] == '}') && d)
			d--;
	}
	return most;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vg_config_errors errs;
	const uint8_t *nul = memchr(data, 0, size);
	const char *cfg = (const char *)data, *rules = (const char *)data;
	size_t clen = size, rlen = size;
	struct vg_config *c;
	struct vg_rules *rs;
	unsigned line = 0;
	int deep;

	if (nul) {
		clen = (size_t)(nul - data);
		rules = (const char *)nul + 1;
		rlen = size - clen - 1;
	}
	deep = vg_yaml_flow_depth_check(cfg, clen, VG_YAML_MAX_FLOW_DEPTH, &line);
	if ((deep != 0) != (depth_of(cfg, clen) > VG_YAML_MAX_FLOW_DEPTH))
		abort();
	if (!vg_config_new(&c, "/r.yaml")) {
		memset(&errs, 0, sizeof(errs));
		if (vg_config_load_buf(c, "fuzz.yaml", cfg, clen, &errs) &&
		    (errs.n == 0 || !errs.e[0].msg[0]))
			abort(); /* a refusal always says why */
		vg_config_free(c);
	}
	rs = vg_rules_new();
	if (rs) {
		if (vg_rules_load_buffer(rs, "fuzz.yaml", rules, rlen) == -EINVAL) {
			unsigned n = 0;

			vg_rules_diags(rs, &n);
			if (!n)
				abort();
		}
		vg_rules_compile(rs);
		vg_rules_free(rs);
	}
	return 0;
}
