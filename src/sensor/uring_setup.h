/* Setting up the sensor's io_uring programs (bpf/vg_uring.h): which of
 * them this kernel can run, the opcode table, attaching. Internal to
 * src/sensor/sensor.c. */
#ifndef VIGIL_SENSOR_URING_SETUP_H
#define VIGIL_SENSOR_URING_SETUP_H

#include <stdbool.h>

struct sensor_bpf;
struct btf;
struct bpf_link;

/* Before load: turns off the io_uring programs whose tracepoint or
 * argument types this kernel lacks (all of them when !want), and says what
 * is watched. Returns the number of programs left on. */
int vg_uring_prepare(struct sensor_bpf *skel, const struct btf *vmlinux, bool want);
/* After load: the opcode table the kernel side reads. */
void vg_uring_fill(struct sensor_bpf *skel);
/* Attaches the loaded io_uring programs, appending to links[] (*n in use,
 * room for max). Returns 0 or a negative errno. */
int vg_uring_attach(struct sensor_bpf *skel, struct bpf_link **links, int *n, int max);

#endif
