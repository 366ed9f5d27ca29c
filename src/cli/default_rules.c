/* The default rules file compiled into vigil: the only object the Makefile
 * builds with the path (RULES_FILE, or the installation's), so the install
 * rebuilds this one file. */
#include "cli/config_load.h"

#ifndef VIGIL_DEFAULT_RULES
#define VIGIL_DEFAULT_RULES "/usr/share/vigil/vigil_rules.yaml"
#endif

const char vg_default_rules[] = VIGIL_DEFAULT_RULES;
