/* pH's kernel side set up in the sensor's BPF object (ph_setup.c): before
 * load, the model's parameters, the response and the map sizes; its own
 * programs (signal delivery, io_uring requests), left
 * out where this kernel lacks their tracepoint; after load, the
 * executables the response may signal. */
#ifndef VIGIL_PH_SETUP_H
#define VIGIL_PH_SETUP_H

#include "ph/ph_kernel_opts.h"

struct sensor_bpf;
struct bpf_program;

/* pH's own programs (the per-call step is in the sensor's vg_sys_exit, its
 * exec, fork and exit steps in the sensor's vg_exec, vg_fork, vg_exit). */
#define PH_PROGS 2

/* Before load. Returns 0 or a negative errno with *err set. */
int vg_ph_setup_configure(struct sensor_bpf *skel, const struct vg_ph_kernel_opts *o,
			  const char **err);
/* pH's own programs, with the tracepoint each needs. */
void vg_ph_setup_programs(struct sensor_bpf *skel, struct bpf_program *progs[PH_PROGS],
			  const char *tps[PH_PROGS]);
/* Before load: a program whose tracepoint this kernel lacks is left out,
 * with a warning. */
void vg_ph_setup_leave_out_missing(struct sensor_bpf *skel);
/* After load: the executables the response may signal, by device and
 * inode (a file replaced later, with a new inode, is no longer covered). */
int vg_ph_setup_response_exes(struct sensor_bpf *skel, const struct vg_ph_kernel_opts *o,
			      const char **err);

#endif
