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
/* The 32-bit (i386) syscalls vigil watches: any process can make them with
 * "int $0x80", so they are routed too. Each maps to the x86-64 syscall with
 * the same arguments in the same positions (chown32 → chown, mmap2 → mmap). */
struct vg_compat_syscall {
	int nr32, nr64;
};
extern const struct vg_compat_syscall vg_compat_syscalls[];
extern const unsigned vg_compat_syscalls_count;
/* i386 socketcall(), the multiplexer of the socket calls: counted, not
 * decoded (modern 32-bit libcs call socket, connect... directly). */
#define VG_I386_SOCKETCALL 102

/* Calls that change what a path names (rename, mount, chroot, namespaces),
 * by x86-64 and i386 number. */
extern const struct vg_compat_syscall vg_path_change_syscalls[];
extern const unsigned vg_path_change_syscalls_count;

/* The x86-64 equivalent of an i386 number, or -1. */
int vg_syscall_from_compat(int nr32);

/* Name of any x86-64 syscall number ("getppid"), or NULL. */
const char *vg_syscall_name(int nr);
/* Number of a syscall by name, or -1. */
int vg_syscall_nr(const char *name);

#endif
