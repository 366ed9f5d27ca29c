/* The ph.watch key (config_watch.c): a list of programs, each a path or a
 * mapping of a path and the program's own pH settings. */
#ifndef VIGIL_CONFIG_CONFIG_WATCH_H
#define VIGIL_CONFIG_CONFIG_WATCH_H

#include "config/config_ctx.h"

/* Replaces the list at k with the one node gives (a scalar "a,b", or a
 * sequence of paths and mappings); on any error the old list stays and
 * every problem is recorded with its place. */
void vg_config_set_watch(struct vg_config_loader *ld, const struct vg_config_key *k,
			 yaml_node_t *node);
/* The list as flow YAML that loads back the same: an entry without
 * settings as its path, else {path: ..., setting: ...}. As snprintf. */
int vg_config_format_watch(const struct vg_watch_list *l, char *buf, size_t len);
void vg_watch_list_clear(struct vg_watch_list *l);

#endif
