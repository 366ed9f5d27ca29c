/* The configuration as the commands build it: the library's
 * vg_config_build() with the compiled-in default rules, errors printed. */
#ifndef VIGIL_CLI_CONFIG_LOAD_H
#define VIGIL_CLI_CONFIG_LOAD_H

#include "config/config.h"

/* The default rules file compiled into vigil (RULES_FILE in the Makefile). */
extern const char vg_default_rules[];

/* Builds the configuration; prints each error (file:line:col: key: why).
 * Returns 0 or a negative errno. */
int vg_cli_config_build(struct vg_config **out, const char *path,
			const struct vg_config_override *ov, unsigned n);

/* Logs each key whose value differs between two configurations, saying
 * whether a reload applies it or it needs a restart. */
void vg_cli_config_log_changes(const struct vg_config *before, const struct vg_config *after);

#endif
