/* Scalar and list keys set from YAML nodes, each value checked against its
 * key's type, range and check before it replaces the current one. */
#ifndef VIGIL_CONFIG_CONFIG_VALUES_H
#define VIGIL_CONFIG_CONFIG_VALUES_H

#include <stddef.h>
#include <yaml.h>

#include "config/config_ctx.h"

/* "90", "90s", "15m", "2h", "7d" → seconds: 0, -EINVAL or -ERANGE. */
int vg_config_parse_seconds(const char *s, uint64_t *out);
/* A scalar for a scalar key (errors go to ld). */
void vg_config_set_scalar(struct vg_config_loader *ld, const struct vg_config_key *k,
			  const yaml_node_t *node);
/* Adds one item (checked first) to a list being built: 0 or a negative errno. */
int vg_config_list_add(struct vg_config_loader *ld, const struct vg_config_key *k,
		       struct vg_strlist *l, const char *v, size_t n, const yaml_mark_t *mark);
/* A list: a YAML sequence of scalars, or one scalar of comma-separated
 * items (handy on the command line: --set sensor.syscalls=openat,connect). */
void vg_config_set_list_node(struct vg_config_loader *ld, const struct vg_config_key *k,
			     const yaml_node_t *node);

#endif
