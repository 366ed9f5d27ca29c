/* Parse stage: a rules file (YAML) -> definitions in the store (defs.h).
 * Only the shape of the items is checked here; conditions are parsed and
 * checked by the compiler once every file is loaded. */
#ifndef VIGIL_RULES_YAML_LOAD_H
#define VIGIL_RULES_YAML_LOAD_H

#include "rules/store.h"

/* Loads rs->files[file]: 0, -EINVAL when the YAML could not be read, or
 * -ENOMEM; every problem is also a diagnostic. */
int vg_load_yaml(struct vg_rules *rs, int file);

#endif
