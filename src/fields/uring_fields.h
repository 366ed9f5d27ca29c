/* Rule fields of io_uring requests: evt.is_io_uring and vigil.io_uring_op
 * (see docs/rules.md). The sensor reports a request as the record of the
 * syscall it stands for, with VG_F_IO_URING and the opcode in its header. */
#ifndef VIGIL_FIELDS_URING_FIELDS_H
#define VIGIL_FIELDS_URING_FIELDS_H

#include <stdbool.h>

#include "rules/fields.h"

struct vg_event;

/* True for the field ids this file extracts. */
bool vg_uring_field_is(enum vg_field_id id);
/* The value of field id for ev into out. Returns the number of values: 0
 * when the field does not apply (vigil.io_uring_op of a syscall). */
int vg_uring_field_get(const struct vg_event *ev, enum vg_field_id id, struct vg_value *out);

#endif
