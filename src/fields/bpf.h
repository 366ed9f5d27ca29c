/* Rule fields of bpf() and perf_event_open records: bpf.* and probe.*
 * (see docs/rules.md). Values point into the event or at static names. */
#ifndef VIGIL_FIELDS_BPF_H
#define VIGIL_FIELDS_BPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/fields.h"

struct vg_event;

/* True for the field ids this file extracts. */
bool vg_bpf_field_is(enum vg_field_id id);
/* The value of field id for ev into out (buf, of size bytes, holds a
 * rendered number when a name is unknown). Returns the number of values:
 * 0 when the field does not apply to the event. */
int vg_bpf_field_get(const struct vg_event *ev, enum vg_field_id id, struct vg_value *out,
		     char *buf, size_t size);

/* "kprobe", "uretprobe" ... for enum vg_probe_kind; NULL for none. */
const char *vg_probe_kind_name(uint32_t kind);
/* libbpf's names of program and attach types, or the number in buf. */
const char *vg_bpf_prog_type_name(uint32_t type, char *buf, size_t size);
const char *vg_bpf_attach_type_name(uint32_t type, char *buf, size_t size);

#endif
