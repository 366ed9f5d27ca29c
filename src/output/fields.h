/* An event as a list of named fields (Falco's names where Falco has one),
 * the common form behind the text line, the JSON object and, later, alert
 * output_fields. Values point into the event or into the list's own buffer;
 * they stay valid until the list is reused. */
#ifndef VIGIL_OUTPUT_FIELDS_H
#define VIGIL_OUTPUT_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sensor/event.h"

enum vg_kv_kind { VG_KV_STR, VG_KV_INT, VG_KV_BOOL, VG_KV_NULL /* absent: JSON null */ };

struct vg_kv {
	const char *key;
	enum vg_kv_kind kind;
	const char *s; /* VG_KV_STR: any bytes, s_len of them */
	size_t s_len;
	int64_t i; /* VG_KV_INT, VG_KV_BOOL */
};

#define VG_FIELDS_MAX 48

struct vg_fields {
	struct vg_kv kv[VG_FIELDS_MAX];
	int n;
	char buf[2 * VG_PATH_MAX + 1024]; /* rendered values (flags, addresses, args) */
	size_t used;
};

/* An alert's output field, typed as Falco types it: name as the rule's
 * output wrote it ("proc.pid", "proc.aname[2]", "evt.arg.flags"), value as
 * the engine rendered it. Integer fields become numbers, bool fields true or
 * false, absent ones null; strings, addresses and several values (a field
 * with many values and no index: "a,b") stay text. */
void vg_kv_typed(struct vg_kv *kv, const char *name, const char *value, bool present);

struct vg_rule_ctx;

/* Fills f with the fields of the event the rule context was last reset to
 * (vg_rule_ctx_reset), each from the same extractor rules and alerts use
 * (src/fields/): same names, same values. Which fields depends on the
 * record: the process's, then the descriptor's, the arguments' (evt.arg.*,
 * Falco's names and order), vigil's own (vigil.*). Values stay valid until
 * the context's next reset. This is what `vigil run --events` prints, and
 * what pH's incidents read an event and a process from: the one renderer. */
void vg_fields_from_ctx(struct vg_fields *f, struct vg_rule_ctx *c);

/* The value of a field by key, or NULL. */
const struct vg_kv *vg_fields_get(const struct vg_fields *f, const char *key);

#endif
