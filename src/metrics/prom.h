/* The status report as Prometheus text (exposition format 0.0.4). */
#ifndef VIGIL_METRICS_PROM_H
#define VIGIL_METRICS_PROM_H

#include <stddef.h>

#include <json-c/json.h>

#define VG_PROM_MAX (8u << 20) /* bytes of one rendering */

/* Renders the status object (sections of figures) into *out (malloc'd,
 * NUL-terminated, *len bytes). Returns 0, -EINVAL (not an object), -E2BIG
 * or -ENOMEM. */
int vg_prom_render(struct json_object *status, char **out, size_t *len);

#endif
