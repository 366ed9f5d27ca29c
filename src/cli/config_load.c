/* Shared by `vigil run` and `vigil config`: build the configuration and say
 * what is wrong with it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/config_load.h"
#include "util/log.h"

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
	return ret;
}
