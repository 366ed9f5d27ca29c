/* evt.is_io_uring: true for a request made through io_uring (an open, a
 * connect... that never passed through its syscall), false for everything
 * else, so "evt.is_io_uring=false" means a real syscall.
 * vigil.io_uring_op: the request's opcode, as io_uring.h names it. */
#include <string.h>

#include "fields/uring_fields.h"
#include "fields/fx.h"
#include "sensor/event.h"
#include "sensor/uring_ops.h"

bool vg_uring_field_is(enum vg_field_id id)
{
	return id == VG_F_EVT_IS_IO_URING || id == VG_F_VIGIL_IO_URING_OP;
}

int vg_uring_field_get(const struct vg_event *ev, enum vg_field_id id, struct vg_value *out)
{
	uint32_t flags = ev->u.hdr.flags;
	const char *name;

	if (id == VG_F_EVT_IS_IO_URING) {
		out->b = flags & VG_F_IO_URING;
		return 1;
	}
	if (id != VG_F_VIGIL_IO_URING_OP || !(flags & VG_F_IO_URING))
		return 0;
	name = vg_uring_op_name(VG_URING_OP_OF(flags));
	if (!name)
		return 0;
	out->s.ptr = name;
	out->s.len = (uint32_t)strlen(name);
	return 1;
}

FX(uring_fx)
{
	return vg_uring_field_get(c->ev, ref->field->id, out);
}

static const struct vg_fx fx[] = {
	{ VG_F_EVT_IS_IO_URING, uring_fx },
	{ VG_F_VIGIL_IO_URING_OP, uring_fx },
};

VG_FX_FAMILY(vg_fx_uring, "io_uring", fx);
