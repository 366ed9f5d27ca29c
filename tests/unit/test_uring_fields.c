/* io_uring records in user space: a record the sensor built for an
 * IORING_OP_OPENAT decodes as an openat, and evt.is_io_uring,
 * vigil.io_uring_op and the output fields say where it came from. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fields/extract.h"
#include "fields/uring_fields.h"
#include "output/fields.h"
#include "sensor/event.h"
#include "sensor/syscalls.h"
#include "sensor/uring_ops.h"

static struct vg_event *decode_open(uint32_t flags)
{
	static unsigned char rec[sizeof(struct vg_file) + 16];
	struct vg_file *f = (struct vg_file *)rec;
	struct vg_event *ev = malloc(sizeof(*ev));

	memset(rec, 0, sizeof(rec));
	f->hdr.type = VG_EV_OPEN;
	f->hdr.size = sizeof(rec);
	f->hdr.flags = flags;
	f->hdr.syscall_nr = 257;
	f->res = 3;
	f->fd = -1;
	memcpy(rec + sizeof(*f), "/etc/shadow", 12);
	f->path_raw.off = sizeof(*f);
	f->path_raw.len = 11;
	CHECK_INT(vg_event_decode(ev, rec, sizeof(rec)), 0);
	return ev;
}

static void test_rule_fields(void)
{
	struct vg_event *ev = decode_open(VG_F_IO_URING | 18u << VG_URING_OP_SHIFT);
	struct vg_value v;

	CHECK_STR(vg_event_name(ev), "openat");
	CHECK(vg_uring_field_is(VG_F_EVT_IS_IO_URING) && vg_uring_field_is(VG_F_VIGIL_IO_URING_OP));
	CHECK(!vg_uring_field_is(VG_F_EVT_IS_OPEN_READ));
	CHECK_INT(vg_uring_field_get(ev, VG_F_EVT_IS_IO_URING, &v), 1);
	CHECK(v.b);
	CHECK_INT(vg_uring_field_get(ev, VG_F_VIGIL_IO_URING_OP, &v), 1);
	CHECK(v.s.len == strlen("IORING_OP_OPENAT") && !memcmp(v.s.ptr, "IORING_OP_OPENAT", v.s.len));
	free(ev);

	/* a syscall: false, and no opcode */
	ev = decode_open(0);
	CHECK_INT(vg_uring_field_get(ev, VG_F_EVT_IS_IO_URING, &v), 1);
	CHECK(!v.b);
	CHECK_INT(vg_uring_field_get(ev, VG_F_VIGIL_IO_URING_OP, &v), 0);
	free(ev);

	/* an opcode this build has no name for: absent, not garbage */
	ev = decode_open(VG_F_IO_URING | 250u << VG_URING_OP_SHIFT);
	CHECK_INT(vg_uring_field_get(ev, VG_F_VIGIL_IO_URING_OP, &v), 0);
	free(ev);
}

static void test_output_fields(void)
{
	struct vg_event *ev = decode_open(VG_F_IO_URING | VG_F_URING_NORES | 18u << VG_URING_OP_SHIFT);
	struct vg_fields *f = malloc(sizeof(*f));
	struct vg_rule_ctx *c = calloc(1, sizeof(*c));
	const struct vg_kv *kv;

	vg_rule_ctx_reset(c, ev, 1);
	vg_fields_from_ctx(f, c);
	kv = vg_fields_get(f, "evt.is_io_uring");
	CHECK(kv && kv->kind == VG_KV_BOOL && kv->i == 1);
	kv = vg_fields_get(f, "vigil.io_uring_op");
	CHECK(kv && kv->s_len == 16 && !memcmp(kv->s, "IORING_OP_OPENAT", 16));
	CHECK(vg_fields_get(f, "vigil.io_uring_noresult") != NULL);
	free(ev);
	ev = decode_open(0);
	vg_rule_ctx_reset(c, ev, 1);
	vg_fields_from_ctx(f, c);
	CHECK(!vg_fields_get(f, "evt.is_io_uring") && !vg_fields_get(f, "vigil.io_uring_op"));
	free(ev);
	free(f);
	free(c);
}

static void test_opcode_table(void)
{
	/* every watched opcode names a syscall vigil routes */
	for (unsigned i = 0; i < vg_uring_watched_count; i++) {
		CHECK(vg_syscall_def(vg_uring_watched[i].nr) != NULL);
		CHECK(vg_uring_op_name(vg_uring_watched[i].op) != NULL);
	}
	CHECK_STR(vg_uring_op_name(22), "IORING_OP_READ");
	CHECK_STR(vg_uring_op_name(57), "IORING_OP_LISTEN");
	/* sends (with MSG_FASTOPEN: connects) are named after their syscalls */
	for (unsigned i = 0; i < vg_uring_watched_count; i++) {
		if (vg_uring_watched[i].op == 9 || vg_uring_watched[i].op == 48) /* SENDMSG(_ZC) */
			CHECK_INT(vg_uring_watched[i].nr, 46);
		if (vg_uring_watched[i].op == 26 || vg_uring_watched[i].op == 47) /* SEND(_ZC) */
			CHECK_INT(vg_uring_watched[i].nr, 44);
	}
	CHECK(vg_uring_op_name(64) == NULL);
}

int main(void)
{
	test_rule_fields();
	test_output_fields();
	test_opcode_table();
	return check_report();
}
