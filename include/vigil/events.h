/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The one header shared by the kernel sensor (bpf/) and user space (src/).
 *
 * Every record on the ring buffer is a `struct vg_hdr` followed by the fixed
 * part of its type, followed by a string area. Strings are referenced from the
 * fixed part by `struct vg_str` (offset from the start of the record, length
 * without terminator). The kernel never writes a pointer; user space checks
 * every offset against the record size before it reads (src/sensor/decode.c).
 *
 * Rules for changing this file:
 *  - event type numbers are append-only (saved streams and replays use them);
 *  - only fixed-width types, explicit padding, sizes checked below;
 *  - a new field goes at the end of its struct.
 */
#ifndef VIGIL_EVENTS_H
#define VIGIL_EVENTS_H

#ifdef __bpf__
/* vmlinux.h provides __u8 ... __u64 */
#else
#include <linux/types.h>
#endif

#define VG_COMM_LEN 16
#define VG_PATH_MAX 4096 /* longest path we emit; longer ones are truncated + flagged */
#define VG_ARGS_MAX 4096 /* bytes of argv we copy at exec */
#define VG_ENV_MAX 1024	 /* bytes of selected loader variables (LD_PRELOAD ...) */
#define VG_NR_SYSCALLS 512 /* size of the per-syscall routing table */
#define VG_EVENT_MAX 32768 /* upper bound of one record (power of two) */

enum vg_event_type {
	VG_EV_NONE = 0,
	/* process lifecycle */
	VG_EV_EXEC = 1,
	VG_EV_FORK = 2,
	VG_EV_EXIT = 3,
	/* files */
	VG_EV_OPEN = 10,
	VG_EV_UNLINK = 11,
	VG_EV_RENAME = 12,
	VG_EV_LINK = 13,
	VG_EV_SYMLINK = 14,
	VG_EV_CHMOD = 15,
	VG_EV_CHOWN = 16,
	VG_EV_MKDIR = 17,
	VG_EV_TRUNCATE = 18,
	/* network */
	VG_EV_SOCKET = 30,
	VG_EV_CONNECT = 31,
	VG_EV_ACCEPT = 32,
	VG_EV_BIND = 33,
	VG_EV_LISTEN = 34,
	/* privileges and process control */
	VG_EV_SETUID = 50,
	VG_EV_SETGID = 51,
	VG_EV_SETNS = 52,
	VG_EV_UNSHARE = 53,
	VG_EV_PTRACE = 54,
	VG_EV_PROCESS_VM_WRITEV = 55,
	VG_EV_MPROTECT = 56, /* mmap or mprotect asking for PROT_WRITE|PROT_EXEC */
	VG_EV_MEMFD_CREATE = 57,
	VG_EV_DUP = 58, /* dup2/dup3 onto 0, 1 or 2 */
	VG_EV_KILL = 59,
	VG_EV_PRCTL = 60,
	VG_EV_SETSID = 61,  /* the process table follows sessions */
	VG_EV_SETPGID = 62, /* and process groups */
	/* kernel and BPF */
	VG_EV_MODULE_LOAD = 70,
	VG_EV_BPF = 71,
	VG_EV_PERF_EVENT_OPEN = 72,
	/* mounts: mount, open_tree, move_mount, fsopen, fsconfig, fsmount (bpf/vg_nsmount.h) */
	VG_EV_MOUNT = 88,
	VG_EV_TYPE_MAX = 96 /* size of per-type tables; bump when adding past it */
};

/* vg_hdr.flags */
#define VG_F_PATH_TRUNC (1u << 0)  /* a path was longer than we walk or copy */
#define VG_F_ARGS_TRUNC (1u << 1)  /* argv did not fit in VG_ARGS_MAX */
#define VG_F_EXE_MEMFD (1u << 2)   /* executable is a memfd (fileless) */
#define VG_F_EXE_DELETED (1u << 3) /* executable file was unlinked */
#define VG_F_COMPAT (1u << 4)	   /* made through the 32-bit ABI; syscall_nr is i386's (see VG_F_SOCKETCALL) */
#define VG_F_PATH_UNRESOLVED (1u << 5) /* kernel could not resolve the base dir */
#define VG_F_ENV_TRUNC (1u << 6)   /* loader variables did not fit */
#define VG_F_EXE_UPPER_LAYER (1u << 7) /* exec: exe is on an overlayfs, in its upper layer */
#define VG_F_EXE_LOWER_LAYER (1u << 8) /* exec: exe is on an overlayfs, only in a lower layer */
#define VG_F_OPEN_CREATED (1u << 9)    /* open: this call created the file (FMODE_CREATED) */
#define VG_F_PATH_CHROOT (1u << 10)    /* a path was walked past the task's chroot to the real root */
#define VG_F_EXEC_CAPS_RAISED (1u << 11) /* exec: permitted capabilities beyond the ambient set (from the file) */
/* made through the i386 socketcall() multiplexer (with VG_F_COMPAT): syscall_nr is
 * already the x86-64 number of the call it made (accept has no i386 number) */
#define VG_F_SOCKETCALL (1u << 15)
#define VG_F_IO_URING (1u << 16)  /* an io_uring request, not a syscall; opcode in the top byte */
#define VG_F_URING_NORES (1u << 17) /* io_uring: sent at submission, its result unknown (res 0) */
#define VG_URING_OP_SHIFT 24	   /* hdr.flags >> 24: the IORING_OP_* of an io_uring record */

struct vg_str {
	__u16 off; /* from the start of the record; 0 = absent */
	__u16 len; /* bytes, without terminator */
};

struct vg_hdr {
	__u16 type;  /* enum vg_event_type */
	__u16 size;  /* whole record, header included */
	__u32 flags; /* VG_F_* */
	__u64 ts_ns; /* CLOCK_BOOTTIME */
	__u32 pid;   /* thread group id (user-space "pid") */
	__u32 tid;
	__u32 ppid;
	__u32 uid; /* real uid at the time of the event */
	__u32 gid;
	__s32 syscall_nr; /* -1 for scheduler events */
	__u64 cgroup_id;
	char comm[VG_COMM_LEN];
};

/* ---- process lifecycle ---- */

/* One standard descriptor at exec: what it is, so user space can tell a
 * pipe (and join its two ends across processes by inode), a socket, a tty
 * or a file. mode 0 = closed. */
struct vg_stdio {
	__u32 mode; /* i_mode of the file's inode (S_IFIFO, S_IFSOCK, S_IFCHR ...) */
	__u32 aux;  /* S_IFCHR: kernel dev_t i_rdev; S_IFSOCK: address family */
	__u64 ino;  /* inode number (a pipe's identity on pipefs) */
};

struct vg_exec {
	struct vg_hdr hdr;
	__u32 euid, egid;
	__u32 loginuid;
	__u32 argc;
	__u32 pid_ns, mnt_ns; /* namespace inode numbers */
	__u64 exe_ino;
	__u32 exe_dev;	/* kernel dev_t of the exe's superblock */
	__u32 tty_nr;	/* kernel dev_t of the controlling tty, 0 = none */
	__u64 start_ns; /* task start time, CLOCK_BOOTTIME */
	__u32 cap_effective_lo, cap_effective_hi;
	struct vg_str exe;	/* resolved path of the executed file */
	struct vg_str filename; /* the name as given to execve */
	struct vg_str args;	/* argv, NUL separated */
	struct vg_str cwd;
	struct vg_str tty;	/* "pts/3", "tty1" ... */
	struct vg_str env;	/* selected loader variables, NUL separated */
	__u32 sid;		/* session id (the leader's pid, host namespace) */
	__u32 pgid;		/* process group id (the leader's pid, host namespace) */
	__u64 exe_ctime_ns;	/* the executable's inode times, ns since the epoch; */
	__u64 exe_mtime_ns;	/* 0 = unknown */
	__u64 pidns_start_ns;	/* start of the pid namespace's init, CLOCK_BOOTTIME; 0 = none yet */
	__u32 dir_mode;		/* the directory holding the executable: mode (0 = unknown) */
	__u32 dir_uid;		/* and owner */
	struct vg_stdio stdio[3]; /* descriptors 0, 1, 2 as the program starts */
};

struct vg_fork {
	struct vg_hdr hdr; /* the parent */
	__u32 child_pid;
	__u32 child_tid;
	__u64 child_start_ns;
	__u32 sid;  /* the parent's session id, which the child inherits */
	__u32 pgid; /* the parent's process group, which the child inherits */
};

struct vg_exit {
	struct vg_hdr hdr;
	__s32 exit_code; /* status as wait() sees it */
	__u32 pad;
};

/* ---- files ---- */
struct vg_file {
	struct vg_hdr hdr;
	__s64 res;   /* return value; negative errno on failure */
	__u32 flags; /* open flags, rename/link/unlink flags */
	__u32 mode;  /* open/mkdir/chmod mode */
	__u32 uid, gid; /* chown arguments */
	__s32 fd;	/* file descriptor argument (fchmod, ftruncate...) or -1 */
	__u32 repeats;	/* open: identical opens coalesced since the last one sent */
	__u64 ino;		/* inode of the file on success, when known */
	struct vg_str path;	/* resolved in the kernel when it could (fd path) */
	struct vg_str path_raw; /* as the program passed it */
	struct vg_str dir;	/* base directory for a relative path_raw */
	struct vg_str path2_raw; /* second path: rename/link target, symlink target */
	struct vg_str dir2;
	__u32 dir_mode; /* the directory holding the file (open, fchmod...): mode, 0 = unknown */
	__u32 dir_uid;	/* and owner */
	__u32 dev;	/* kernel dev_t of the file's superblock, with ino; 0 = unknown */
	__u32 pad;
};

/* ---- network ---- */
struct vg_sockaddr {
	__u16 family; /* AF_INET, AF_INET6, AF_UNIX, 0 = unknown */
	__u16 port;   /* host byte order */
	__u32 pad;
	__u8 addr[16]; /* IPv4 in the first 4 bytes */
};

struct vg_net {
	struct vg_hdr hdr;
	__s64 res;
	__s32 fd;
	__u32 domain, type, protocol; /* socket(); for others, from the socket */
	__u32 backlog;
	__u32 pad;
	struct vg_sockaddr local;
	struct vg_sockaddr remote;
	struct vg_str unix_path; /* AF_UNIX address, when there is one */
	__u32 pad2;
};

/* ---- every other syscall: the raw arguments, plus what the type needs ---- */
struct vg_sys {
	struct vg_hdr hdr;
	__s64 res;
	__u64 args[6];
	__u32 target_pid; /* ptrace/kill/process_vm_writev target, 0 if none */
	__u32 new_uid;	  /* setuid/setgid: credentials after the call */
	__u32 new_euid;
	__u32 aux; /* bpf: prog type; perf: attr.type; module: 0 */
	__u64 aux64; /* perf: probe offset; bpf: attach type; dup: socket family */
	struct vg_str str;  /* memfd name, bpf prog name, module path, uprobe path */
	struct vg_str str2; /* module params, perf probe function */
	/* bpf and perf_event_open attach details (added for the eBPF audit) */
	__u64 config;	    /* perf: attr.config (tracepoint id; bit 0: retprobe) */
	__u32 target;	    /* bpf: LINK_CREATE/PROG_ATTACH target fd; LINK_DETACH link fd */
	__u32 obj_id;	    /* bpf: id of the program loaded or of the link made/detached */
	__u32 probe;	    /* perf: enum vg_probe_kind */
	struct vg_str str3; /* bpf: attach target (tracepoint, cgroup path, uprobe_multi file) */
	/* set*id: uid, euid, suid, fsuid (setgid family: the gid forms) the
	 * task held as the call started and holds after it */
	__u32 ids_before[4];
	__u32 ids_after[4];
	__u32 ids_known; /* 1: ids_before was read at the call's entry */
	__u32 pad3;
};

/* vg_sys.probe: what a perf_event_open opened, told apart in the kernel by
 * the dynamic PMU types user space reads from sysfs before load. */
enum vg_probe_kind {
	VG_PROBE_NONE = 0,
	VG_PROBE_KPROBE = 1,
	VG_PROBE_KRETPROBE = 2,
	VG_PROBE_UPROBE = 3,
	VG_PROBE_URETPROBE = 4,
	VG_PROBE_TRACEPOINT = 5,
};

/* ---- sensor configuration written by user space ----
 * One route per syscall number says which record the syscall makes and
 * where its arguments are, so the kernel side holds no syscall numbers: the
 * schema lives in one table in user space (src/sensor/syscalls.c).
 * Argument positions are 1-based (0 = none). */
enum vg_variant {
	VG_V_PLAIN = 0,
	VG_V_CREAT,	/* creat(): flags are O_CREAT|O_WRONLY|O_TRUNC */
	VG_V_OPENAT2,	/* flags and mode come from struct open_how */
	VG_V_TKILL,	/* signal is argument 2 */
	VG_V_TGKILL,	/* signal is argument 3 */
	VG_V_DUP_RES,	/* dup: the new descriptor is the result */
	VG_V_FCNTL_DUP, /* fcntl: only F_DUPFD(_CLOEXEC), the new descriptor is the result */
	VG_V_PIDFD,	/* pidfd_send_signal: the target is the process behind argument 1 */
	VG_V_FALLOC,	/* fallocate: only modes that destroy content (punch, collapse, zero) */
	VG_V_FASTOPEN,	/* sendto: only with MSG_FASTOPEN (a connect), address is argument 5 */
	VG_V_CLONE,	/* clone: only with CLONE_NEW* flags (argument 1), the parent's side */
	VG_V_CLONE3,	/* clone3: the same; args[0] holds clone_args.flags */
	VG_V_SETGROUPS, /* setgroups: aux = 1 when group 0 is in the new list */
	VG_V_FSCONFIG,	/* fsconfig: only FSCONFIG_SET_STRING (key, value) */
	VG_V_FASTOPEN_MSG, /* sendmsg: only with MSG_FASTOPEN, address in the msghdr */
};

#define VG_ROUTE_GEN 254   /* route type: only bump the path generation, send nothing */
/* route type of the i386 socketcall() (32-bit table only): its own handler,
 * in the last slot of the handler table, which no record type uses */
#define VG_ROUTE_SOCKETCALL (VG_EV_TYPE_MAX - 1)
/* route type of the i386 old mmap() (90, 32-bit table only): the same, one slot below */
#define VG_ROUTE_OLD_MMAP (VG_EV_TYPE_MAX - 2)

struct vg_route {
	__u8 type;    /* enum vg_event_type; 0 = not sent; or a VG_ROUTE_* above */
	__u8 path;    /* user string: path, memfd name */
	__u8 dirfd;   /* base of path; 0 = AT_FDCWD */
	__u8 path2;   /* second user string: rename/link target, module params */
	__u8 dirfd2;  /* base of path2 */
	__u8 fd;      /* descriptor whose path is wanted (fchmod, finit_module) */
	__u8 flags;   /* flags argument */
	__u8 mode;    /* mode argument */
	__u8 uid;     /* chown uid */
	__u8 gid;     /* chown gid */
	__u8 variant; /* enum vg_variant */
	__u8 gen;     /* the call can change what a path names (rename, mount...) */
	__u8 pad[4];
};

#ifndef __bpf__
_Static_assert(sizeof(struct vg_route) == 16, "vg_route layout");
_Static_assert(sizeof(struct vg_str) == 4, "vg_str layout");
_Static_assert(sizeof(struct vg_hdr) == 64, "vg_hdr layout");
_Static_assert(sizeof(struct vg_stdio) == 16, "vg_stdio layout");
_Static_assert(sizeof(struct vg_exec) == 64 + 56 + 24 + 8 + 24 + 8 + 48, "vg_exec layout");
_Static_assert(sizeof(struct vg_fork) == 64 + 16 + 8, "vg_fork layout");
_Static_assert(sizeof(struct vg_exit) == 64 + 8, "vg_exit layout");
_Static_assert(sizeof(struct vg_file) == 64 + 40 + 20 + 4 + 16, "vg_file layout");
_Static_assert(sizeof(struct vg_sockaddr) == 24, "vg_sockaddr layout");
_Static_assert(sizeof(struct vg_net) == 64 + 32 + 48 + 8, "vg_net layout");
_Static_assert(sizeof(struct vg_sys) == 64 + 8 + 48 + 16 + 8 + 8 + 24 + 40, "vg_sys layout");
#endif

#endif /* VIGIL_EVENTS_H */
