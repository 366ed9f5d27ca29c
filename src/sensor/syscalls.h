/* The x86-64 syscalls vigil watches, the record each makes and where its
 * arguments are: the single source of truth for the kernel's route table. */
#ifndef VIGIL_SENSOR_SYSCALLS_H
#define VIGIL_SENSOR_SYSCALLS_H

#include <stdint.h>
#include <vigil/events.h>

/* Where an argument's value comes from in the record (src/fields/args.c
 * reads and renders it). */
enum vg_arg_kind {
	VG_A_RES_FD, /* the new descriptor (open, socket, accept) */
	VG_A_DIRFD,  /* not recorded: always absent */
	VG_A_PATH,	  /* first path, resolved */
	VG_A_PATH2,  /* second path, resolved */
	VG_A_TARGET, /* symlink target, as given */
	VG_A_OFLAGS, /* open flags, rendered */
	VG_A_MODE,	  /* mode, octal */
	VG_A_FFLAGS, /* unlinkat/renameat2/linkat flags, number */
	VG_A_INO,	  /* inode of the opened file */
	VG_A_UID,	  /* chown uid */
	VG_A_GID,	  /* chown gid */
	VG_A_FFD,	  /* file descriptor argument of a file call */
	VG_A_NFD,	  /* the socket */
	VG_A_TUPLE,  /* client:port->server:port */
	VG_A_RADDR,  /* remote address */
	VG_A_LADDR,  /* local address */
	VG_A_DOMAIN, /* AF_INET ... */
	VG_A_STYPE,  /* SOCK_STREAM ... */
	VG_A_PROTO,  /* protocol number */
	VG_A_BACKLOG,
	VG_A_ARG0, /* raw syscall arguments as signed numbers: VG_A_ARG0 + i */
	VG_A_ARG1,
	VG_A_ARG2,
	VG_A_ARG3,
	VG_A_ARG4,
	VG_A_ARG5,
	VG_A_HEX0, /* raw arguments in hex (addresses): VG_A_HEX0 + i */
	VG_A_HEX1,
	VG_A_HEX2,
	VG_A_HEX3,
	VG_A_REQUEST, /* ptrace request */
	VG_A_TPID,	   /* target pid */
	VG_A_SIG,	   /* signal name */
	VG_A_PROT,	   /* PROT_READ|PROT_EXEC */
	VG_A_MFD,	   /* memfd_create flags */
	VG_A_STR,	   /* memfd name, bpf prog name, module path */
	VG_A_STR2,	   /* module parameters */
	VG_A_OPTION,  /* prctl option */
	VG_A_BPFCMD,
	VG_A_NSTYPE,   /* setns nstype (arg 1) */
	VG_A_NSFLAGS,  /* unshare flags (arg 0) */
	VG_A_AUX,	    /* perf type, bpf program type */
	VG_A_AUX64,    /* perf probe offset */
	VG_A_EXE,	    /* exec: argv[0] */
	VG_A_ARGS,	    /* exec: argv[1..] */
	VG_A_FILENAME, /* exec: the path given to execve */
	VG_A_CWD,
	VG_A_TID,
	VG_A_PID,
	VG_A_PTID,
	VG_A_COMM,
	VG_A_ENV,
	VG_A_TTY,
	VG_A_LOGINUID,
	VG_A_EXEFLAGS,
	VG_A_CAPEFF,
	VG_A_EXEINO,
	VG_A_EUID,
	VG_A_CHILD,  /* fork: the child's pid */
	VG_A_STATUS, /* exit: wait status */
	VG_A_RET,	  /* exit: exit code */
	VG_A_XSIG,	  /* exit: terminating signal */
	VG_A_CORE,	  /* exit: dumped core */
	VG_A_CLONEFLAGS, /* clone/clone3 records: the CLONE_NEW* flags (not fork records) */
	VG_A_STR3,	 /* mount: file-system type */
	VG_A_MNTFLAGS,	 /* mount, open_tree, move_mount flags (src/fields/mount_args.c) */
};
#define VG_A_LAST VG_A_MNTFLAGS /* the last kind (keep it so when adding one) */


#define VG_ARG_ALIAS 1 /* found by name, but not in evt.args or by position */
#define VG_SYSCALL_ARGS 16

/* One argument of an event as rules name it: evt.arg.NAME. */
struct vg_arg_def {
	const char *name; /* NULL ends the list */
	uint8_t kind;	  /* enum vg_arg_kind */
	uint8_t flags;	  /* VG_ARG_ALIAS */
};

struct vg_syscall_def {
	int nr;
	const char *name; /* as Falco names it: evt.type */
	struct vg_route route;
	struct vg_arg_def args[VG_SYSCALL_ARGS]; /* its arguments, in Falco's order */
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
/* i386 socketcall(), the multiplexer of the socket calls: decoded in the
 * kernel into the records of the calls it makes (bpf/vg_compat.h); those
 * it cannot decode are counted (socketcall32_undecoded). */
#define VG_I386_SOCKETCALL 102
/* i386 old mmap(), its arguments in a struct in user memory: decoded the
 * same way, into the record of mmap (mmap2, 192, has them in registers). */
#define VG_I386_OLD_MMAP 90

/* Calls that change what a path names (rename, mount, chroot, namespaces),
 * by x86-64 and i386 number. */
extern const struct vg_compat_syscall vg_path_change_syscalls[];
extern const unsigned vg_path_change_syscalls_count;

/* The x86-64 equivalent of an i386 number, or -1. */
int vg_syscall_from_compat(int nr32);

/* The arguments of a watched syscall or of a record ("openat", "execve",
 * "clone", "procexit") by name, or NULL when it has none. */
const struct vg_arg_def *vg_args_by_name(const char *name);

/* Name of any x86-64 syscall number ("getppid"), or NULL. */
const char *vg_syscall_name(int nr);
/* Number of a syscall by name, or -1. */
int vg_syscall_nr(const char *name);

#endif
