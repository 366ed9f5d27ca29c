/* Rule fields that judge kernel facts instead of names: the credentials a
 * set*id call changed (vigil.ids.*, vigil.became_root) and the directory
 * that holds the file of an exec, open or chmod (vigil.dir.*). */
#ifndef VIGIL_FIELDS_FACTS_H
#define VIGIL_FIELDS_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/fields.h"

struct vg_event;

/* True for the field ids this file extracts. */
bool vg_fact_field_is(enum vg_field_id id);
/* The value of field id for ev into out; rendered strings go to buf (of
 * size bytes). Returns 1, or 0 when the field does not apply or is unknown. */
int vg_fact_field_get(const struct vg_event *ev, enum vg_field_id id, struct vg_value *out,
		      char *buf, size_t size);

/* "became root": the real id was not root, and one of the four ids went
 * from non-zero to 0. */
bool vg_ids_became_root(const uint32_t before[4], const uint32_t after[4]);

/* The mode and owner of the directory that holds ev's file: from the
 * record (the kernel read the file's parent dentry), else, for a chmod by
 * path, from stat() of the resolved path's directory. False if unknown. */
bool vg_event_dir(const struct vg_event *ev, uint32_t *mode, uint32_t *uid);

#endif
