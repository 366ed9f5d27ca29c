/* io_uring opcodes: their names, and the syscall each watched one stands
 * for (the record it makes is that syscall's; see bpf/vg_uring.h). */
#ifndef VIGIL_SENSOR_URING_OPS_H
#define VIGIL_SENSOR_URING_OPS_H

#include <stdint.h>
#include <vigil/events.h>

struct vg_uring_op {
	unsigned op;	/* IORING_OP_* (uapi numbers, stable) */
	int nr;		/* the x86-64 syscall it is reported and filtered as */
};

/* The opcodes the sensor turns into records. */
extern const struct vg_uring_op vg_uring_watched[];
extern const unsigned vg_uring_watched_count;

/* "IORING_OP_OPENAT" for an opcode; NULL for one this build does not know. */
const char *vg_uring_op_name(unsigned op);

/* The opcode of a record header's flags (VG_F_IO_URING set). */
#define VG_URING_OP_OF(flags) ((unsigned)(flags) >> VG_URING_OP_SHIFT)

#endif
