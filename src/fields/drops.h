/* Drop and execute as a sequence: files written or made executable in a
 * world-writable (o+w) directory are remembered by identity (device and
 * inode) for a window; an exec of one of them, by the same user or by a
 * descendant of the writer, is a dropped executable run (vigil.exe.dropped).
 * Identity, not name: a rename or a second link of the file is still it.
 *
 * Fed every event (vg_drops_note) before the rules see the next one; bounded
 * (VG_DROPS_SLOTS entries, the oldest of a neighbourhood is replaced). */
#ifndef VIGIL_FIELDS_DROPS_H
#define VIGIL_FIELDS_DROPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/fields.h"
#include "util/macros.h"

#define VG_DROPS_SLOTS 4096
#define VG_DROPS_WINDOW_NS (600ull * NSEC_PER_SEC) /* write → exec within 10 minutes */

struct vg_event;
struct vg_drops;
struct vg_proctable;

struct vg_drops *vg_drops_new(void);
void vg_drops_free(struct vg_drops *d);
/* Remembers the file of a write or chmod +x in an o+w directory. */
void vg_drops_note(struct vg_drops *d, const struct vg_event *ev);

bool vg_drops_field_is(enum vg_field_id id);
/* vigil.exe.dropped, vigil.exe.dropper for an exec event; procs (may be
 * NULL) tells descendants. Returns 1, or 0 when the field does not apply. */
int vg_drops_field_get(struct vg_drops *d, struct vg_proctable *procs, const struct vg_event *ev,
		       enum vg_field_id id, struct vg_value *out, char *buf, size_t size);

#endif
