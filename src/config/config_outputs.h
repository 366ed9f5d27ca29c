/* The `outputs:` key: a list of mappings, each with a type (config_outputs.c).
 * Kept as written; the outputs module interprets the other keys. */
#ifndef VIGIL_CONFIG_CONFIG_OUTPUTS_H
#define VIGIL_CONFIG_CONFIG_OUTPUTS_H

#include <yaml.h>

#include "config/config_ctx.h"

/* Replaces c's outputs with node's (a sequence), or reports why not. */
void vg_config_set_outputs(struct vg_config_loader *ld, const struct vg_config_key *k,
			   yaml_node_t *node);

#endif
