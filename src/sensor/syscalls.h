/* The x86-64 syscalls vigil watches, the record each makes and where its
 * arguments are: the single source of truth for the kernel's route table. */
#ifndef VIGIL_SENSOR_SYSCALLS_H
#define VIGIL_SENSOR_SYSCALLS_H

#include <vigil/events.h>

struct vg_syscall_def {
	int nr;
	const char *name; /* as Falco names it: evt.type */
	struct vg_route route;
};

extern const struct vg_syscall_def vg_syscalls[];
extern const unsigned vg_syscalls_count;

/* The definition for a syscall number, or NULL if vigil does not watch it. */
const struct vg_syscall_def *vg_syscall_def(int nr);
/* Name of any x86-64 syscall number ("getppid"), or NULL. */
const char *vg_syscall_name(int nr);
/* Number of a syscall by name, or -1. */
int vg_syscall_nr(const char *name);

#endif
