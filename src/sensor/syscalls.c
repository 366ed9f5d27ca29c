/* x86-64 syscall table: what vigil watches, where the arguments are (the
 * kernel's route: positions 1-based, see struct vg_route in events.h) and
 * how rules name them (evt.arg.NAME, rendered by src/fields/args.c). */
#include <stddef.h>
#include <string.h>

#include "sensor/syscalls.h"
#include "util/macros.h"

#define R(...) ((struct vg_route){ __VA_ARGS__ })
/* An argument as rules name it (evt.arg.NAME), in Falco's order: the exit
 * event's parameters of Falco's event table. ALIAS: found by name, but not
 * in evt.args or by position. */
#define ARGS(...) { __VA_ARGS__ }
#define A(name, kind) { name, kind, 0 }
#define ALIAS(name, kind) { name, kind, VG_ARG_ALIAS }
/* none of its own: evt.arg.* are those of its record kind (a sendto that
 * connects has connect's), or none */
#define KIND_ARGS { { NULL, 0, 0 } }

const struct vg_syscall_def vg_syscalls[] = {
	/* files: path arguments as given, result from sys_exit */
	{ 2, "open", R(.type = VG_EV_OPEN, .path = 1, .flags = 2, .mode = 3),
	  ARGS(A("fd", VG_A_RES_FD), A("name", VG_A_PATH), A("flags", VG_A_OFLAGS),
	       A("mode", VG_A_MODE), A("ino", VG_A_INO)) },
	{ 257, "openat", R(.type = VG_EV_OPEN, .dirfd = 1, .path = 2, .flags = 3, .mode = 4),
	  ARGS(A("fd", VG_A_RES_FD), A("dirfd", VG_A_DIRFD), A("name", VG_A_PATH),
	       A("flags", VG_A_OFLAGS), A("mode", VG_A_MODE), A("ino", VG_A_INO)) },
	{ 437, "openat2", R(.type = VG_EV_OPEN, .dirfd = 1, .path = 2, .variant = VG_V_OPENAT2),
	  ARGS(A("fd", VG_A_RES_FD), A("dirfd", VG_A_DIRFD), A("name", VG_A_PATH),
	       A("flags", VG_A_OFLAGS), A("mode", VG_A_MODE), A("ino", VG_A_INO)) },
	{ 85, "creat", R(.type = VG_EV_OPEN, .path = 1, .mode = 2, .variant = VG_V_CREAT),
	  ARGS(A("fd", VG_A_RES_FD), A("name", VG_A_PATH), A("mode", VG_A_MODE), A("ino", VG_A_INO),
	       ALIAS("flags", VG_A_OFLAGS)) },
	{ 87, "unlink", R(.type = VG_EV_UNLINK, .path = 1),
	  ARGS(A("path", VG_A_PATH), ALIAS("name", VG_A_PATH)) },
	{ 263, "unlinkat", R(.type = VG_EV_UNLINK, .dirfd = 1, .path = 2, .flags = 3),
	  ARGS(A("dirfd", VG_A_DIRFD), A("name", VG_A_PATH), A("flags", VG_A_FFLAGS),
	       ALIAS("path", VG_A_PATH)) },
	{ 84, "rmdir", R(.type = VG_EV_UNLINK, .path = 1),
	  ARGS(A("path", VG_A_PATH), ALIAS("name", VG_A_PATH)) },
	{ 82, "rename", R(.type = VG_EV_RENAME, .path = 1, .path2 = 2),
	  ARGS(A("oldpath", VG_A_PATH), A("newpath", VG_A_PATH2)) },
	{ 264, "renameat", R(.type = VG_EV_RENAME, .dirfd = 1, .path = 2, .dirfd2 = 3, .path2 = 4),
	  ARGS(A("olddirfd", VG_A_DIRFD), A("oldpath", VG_A_PATH), A("newdirfd", VG_A_DIRFD),
	       A("newpath", VG_A_PATH2)) },
	{ 316, "renameat2",
	  R(.type = VG_EV_RENAME, .dirfd = 1, .path = 2, .dirfd2 = 3, .path2 = 4, .flags = 5),
	  ARGS(A("olddirfd", VG_A_DIRFD), A("oldpath", VG_A_PATH), A("newdirfd", VG_A_DIRFD),
	       A("newpath", VG_A_PATH2), A("flags", VG_A_FFLAGS)) },
	{ 86, "link", R(.type = VG_EV_LINK, .path = 1, .path2 = 2),
	  ARGS(A("oldpath", VG_A_PATH), A("newpath", VG_A_PATH2)) },
	{ 265, "linkat",
	  R(.type = VG_EV_LINK, .dirfd = 1, .path = 2, .dirfd2 = 3, .path2 = 4, .flags = 5),
	  ARGS(A("olddir", VG_A_DIRFD), A("oldpath", VG_A_PATH), A("newdir", VG_A_DIRFD),
	       A("newpath", VG_A_PATH2), A("flags", VG_A_FFLAGS)) },
	/* symlink(target, linkpath): the target is content, not resolved
	 * against anything; the link is created relative to the cwd/dirfd */
	{ 88, "symlink", R(.type = VG_EV_SYMLINK, .path = 1, .path2 = 2),
	  ARGS(A("target", VG_A_TARGET), A("linkpath", VG_A_PATH2)) },
	{ 266, "symlinkat", R(.type = VG_EV_SYMLINK, .path = 1, .dirfd2 = 2, .path2 = 3),
	  ARGS(A("target", VG_A_TARGET), A("linkdirfd", VG_A_DIRFD), A("linkpath", VG_A_PATH2)) },
	{ 90, "chmod", R(.type = VG_EV_CHMOD, .path = 1, .mode = 2),
	  ARGS(A("filename", VG_A_PATH), A("mode", VG_A_MODE)) },
	{ 91, "fchmod", R(.type = VG_EV_CHMOD, .fd = 1, .mode = 2),
	  ARGS(A("fd", VG_A_FFD), A("mode", VG_A_MODE)) },
	{ 268, "fchmodat", R(.type = VG_EV_CHMOD, .dirfd = 1, .path = 2, .mode = 3),
	  ARGS(A("dirfd", VG_A_DIRFD), A("filename", VG_A_PATH), A("mode", VG_A_MODE)) },
	{ 452, "fchmodat2", R(.type = VG_EV_CHMOD, .dirfd = 1, .path = 2, .mode = 3, .flags = 4),
	  ARGS(A("dirfd", VG_A_DIRFD), A("filename", VG_A_PATH), A("mode", VG_A_MODE),
	       A("flags", VG_A_FFLAGS)) },
	{ 92, "chown", R(.type = VG_EV_CHOWN, .path = 1, .uid = 2, .gid = 3),
	  ARGS(A("path", VG_A_PATH), A("uid", VG_A_UID), A("gid", VG_A_GID)) },
	{ 93, "fchown", R(.type = VG_EV_CHOWN, .fd = 1, .uid = 2, .gid = 3),
	  ARGS(A("fd", VG_A_FFD), A("uid", VG_A_UID), A("gid", VG_A_GID)) },
	{ 94, "lchown", R(.type = VG_EV_CHOWN, .path = 1, .uid = 2, .gid = 3),
	  ARGS(A("path", VG_A_PATH), A("uid", VG_A_UID), A("gid", VG_A_GID)) },
	{ 260, "fchownat",
	  R(.type = VG_EV_CHOWN, .dirfd = 1, .path = 2, .uid = 3, .gid = 4, .flags = 5),
	  ARGS(A("dirfd", VG_A_DIRFD), A("pathname", VG_A_PATH), A("uid", VG_A_UID),
	       A("gid", VG_A_GID), A("flags", VG_A_FFLAGS)) },
	{ 83, "mkdir", R(.type = VG_EV_MKDIR, .path = 1, .mode = 2),
	  ARGS(A("path", VG_A_PATH), A("mode", VG_A_MODE)) },
	{ 258, "mkdirat", R(.type = VG_EV_MKDIR, .dirfd = 1, .path = 2, .mode = 3),
	  ARGS(A("dirfd", VG_A_DIRFD), A("path", VG_A_PATH), A("mode", VG_A_MODE)) },
	{ 76, "truncate", R(.type = VG_EV_TRUNCATE, .path = 1),
	  ARGS(A("path", VG_A_PATH)) },
	{ 77, "ftruncate", R(.type = VG_EV_TRUNCATE, .fd = 1),
	  ARGS(A("fd", VG_A_FFD)) },
	/* content destroyed without truncating: a hole punched, a range
	 * collapsed or zeroed (the mode is the flags) */
	{ 285, "fallocate", R(.type = VG_EV_TRUNCATE, .fd = 1, .flags = 2, .variant = VG_V_FALLOC),
	  KIND_ARGS },
	/* a file by handle: any file of a mount, no path walked (the kernel
	 * names the opened descriptor) */
	{ 304, "open_by_handle_at", R(.type = VG_EV_OPEN, .flags = 3), KIND_ARGS },
	/* mknod of a regular file takes a mode: setuid bits included */
	{ 133, "mknod", R(.type = VG_EV_MKDIR, .path = 1, .mode = 2), KIND_ARGS },
	{ 259, "mknodat", R(.type = VG_EV_MKDIR, .dirfd = 1, .path = 2, .mode = 3), KIND_ARGS },
	/* network */
	{ 41, "socket", R(.type = VG_EV_SOCKET),
	  ARGS(A("fd", VG_A_RES_FD), A("domain", VG_A_DOMAIN), A("type", VG_A_STYPE),
	       A("proto", VG_A_PROTO)) },
	{ 42, "connect", R(.type = VG_EV_CONNECT),
	  ARGS(A("fd", VG_A_NFD), A("tuple", VG_A_TUPLE), A("addr", VG_A_RADDR)) },
	/* TCP Fast Open: sendto(MSG_FASTOPEN) connects without connect() */
	{ 44, "sendto", R(.type = VG_EV_CONNECT, .variant = VG_V_FASTOPEN), KIND_ARGS },
	{ 46, "sendmsg", R(.type = VG_EV_CONNECT, .variant = VG_V_FASTOPEN_MSG), KIND_ARGS },
	/* sendmmsg: a vector of messages on one socket, each with its own
	 * msg_name; with MSG_FASTOPEN the first one connects */
	{ 307, "sendmmsg", R(.type = VG_EV_CONNECT, .variant = VG_V_FASTOPEN_MMSG), KIND_ARGS },
	{ 43, "accept", R(.type = VG_EV_ACCEPT),
	  ARGS(A("fd", VG_A_RES_FD), A("tuple", VG_A_TUPLE)) },
	{ 288, "accept4", R(.type = VG_EV_ACCEPT),
	  ARGS(A("fd", VG_A_RES_FD), A("tuple", VG_A_TUPLE)) },
	{ 49, "bind", R(.type = VG_EV_BIND),
	  ARGS(A("fd", VG_A_NFD), A("addr", VG_A_LADDR)) },
	{ 50, "listen", R(.type = VG_EV_LISTEN),
	  ARGS(A("fd", VG_A_NFD), A("backlog", VG_A_BACKLOG)) },
	/* privileges and process control */
	{ 105, "setuid", R(.type = VG_EV_SETUID),
	  ARGS(A("uid", VG_A_ARG0)) },
	{ 113, "setreuid", R(.type = VG_EV_SETUID),
	  ARGS(A("ruid", VG_A_ARG0), A("euid", VG_A_ARG1)) },
	{ 117, "setresuid", R(.type = VG_EV_SETUID),
	  ARGS(A("ruid", VG_A_ARG0), A("euid", VG_A_ARG1), A("suid", VG_A_ARG2)) },
	{ 122, "setfsuid", R(.type = VG_EV_SETUID),
	  ARGS(A("uid", VG_A_ARG0)) },
	{ 106, "setgid", R(.type = VG_EV_SETGID),
	  ARGS(A("gid", VG_A_ARG0)) },
	{ 114, "setregid", R(.type = VG_EV_SETGID),
	  ARGS(A("rgid", VG_A_ARG0), A("egid", VG_A_ARG1)) },
	{ 119, "setresgid", R(.type = VG_EV_SETGID),
	  ARGS(A("rgid", VG_A_ARG0), A("egid", VG_A_ARG1), A("sgid", VG_A_ARG2)) },
	{ 123, "setfsgid", R(.type = VG_EV_SETGID),
	  ARGS(A("gid", VG_A_ARG0)) },
	{ 308, "setns", R(.type = VG_EV_SETNS),
	  ARGS(A("fd", VG_A_ARG0), A("nstype", VG_A_NSTYPE)) },
	{ 272, "unshare", R(.type = VG_EV_UNSHARE),
	  ARGS(A("flags", VG_A_NSFLAGS)) },
	/* new namespaces by clone, new groups, mounts (bpf/vg_nsmount.h);
	 * clone3's flags are in args[0] */
	{ 56, "clone", R(.type = VG_EV_UNSHARE, .variant = VG_V_CLONE), KIND_ARGS },
	{ 435, "clone3", R(.type = VG_EV_UNSHARE, .variant = VG_V_CLONE3),
	  ARGS(A("flags", VG_A_CLONEFLAGS)) },
	{ 116, "setgroups", R(.type = VG_EV_SETGID, .variant = VG_V_SETGROUPS),
	  ARGS(A("size", VG_A_ARG0), ALIAS("root_group", VG_A_AUX)) },
	{ 165, "mount", R(.type = VG_EV_MOUNT, .path = 1, .path2 = 2, .gen = 1),
	  ARGS(A("dev", VG_A_STR), A("dir", VG_A_STR2), A("type", VG_A_STR3),
	       A("flags", VG_A_MNTFLAGS)) },
	{ 428, "open_tree", R(.type = VG_EV_MOUNT, .path = 2, .gen = 1),
	  ARGS(A("dirfd", VG_A_ARG0), A("path", VG_A_STR), A("flags", VG_A_MNTFLAGS)) },
	{ 429, "move_mount", R(.type = VG_EV_MOUNT, .path = 2, .path2 = 4, .gen = 1),
	  ARGS(A("fromdirfd", VG_A_ARG0), A("frompath", VG_A_STR), A("todirfd", VG_A_ARG2),
	       A("topath", VG_A_STR2), A("flags", VG_A_MNTFLAGS)) },
	{ 430, "fsopen", R(.type = VG_EV_MOUNT, .path = 1),
	  ARGS(A("fsname", VG_A_STR), A("flags", VG_A_ARG1)) },
	{ 431, "fsconfig", R(.type = VG_EV_MOUNT, .path = 3, .path2 = 4, .variant = VG_V_FSCONFIG),
	  ARGS(A("fd", VG_A_ARG0), A("cmd", VG_A_ARG1), A("key", VG_A_STR), A("value", VG_A_STR2),
	       A("aux", VG_A_ARG4)) },
	{ 432, "fsmount", R(.type = VG_EV_MOUNT, .gen = 1),
	  ARGS(A("fd", VG_A_ARG0), A("flags", VG_A_ARG1), A("attr_flags", VG_A_HEX2)) },
	{ 101, "ptrace", R(.type = VG_EV_PTRACE),
	  ARGS(A("request", VG_A_REQUEST), A("pid", VG_A_TPID), A("addr", VG_A_HEX2),
	       A("data", VG_A_HEX3)) },
	{ 311, "process_vm_writev", R(.type = VG_EV_PROCESS_VM_WRITEV),
	  ARGS(A("pid", VG_A_TPID)) },
	{ 310, "process_vm_readv", R(.type = VG_EV_PROCESS_VM_WRITEV), KIND_ARGS },
	/* was_written: made executable after it was written (bpf/vg_wx.h) */
	{ 10, "mprotect", R(.type = VG_EV_MPROTECT),
	  ARGS(A("addr", VG_A_HEX0), A("length", VG_A_ARG1), A("prot", VG_A_PROT),
	       ALIAS("was_written", VG_A_AUX)) },
	{ 329, "pkey_mprotect", R(.type = VG_EV_MPROTECT),
	  ARGS(A("addr", VG_A_HEX0), A("length", VG_A_ARG1), A("prot", VG_A_PROT),
	       A("pkey", VG_A_ARG3), ALIAS("was_written", VG_A_AUX)) },
	/* the descriptor: an executable mapping of a file open for writing
	 * (bpf/vg_wx.h) */
	{ 9, "mmap", R(.type = VG_EV_MPROTECT, .fd = 5),
	  ARGS(A("addr", VG_A_HEX0), A("length", VG_A_ARG1), A("prot", VG_A_PROT),
	       A("flags", VG_A_HEX3), A("fd", VG_A_ARG4), A("offset", VG_A_ARG5),
	       ALIAS("path", VG_A_STR), ALIAS("file_writable", VG_A_AUX)) },
	{ 319, "memfd_create", R(.type = VG_EV_MEMFD_CREATE, .path = 1),
	  ARGS(A("name", VG_A_STR), A("flags", VG_A_MFD)) },
	{ 32, "dup", R(.type = VG_EV_DUP, .variant = VG_V_DUP_RES),
	  ARGS(A("oldfd", VG_A_ARG0), A("newfd", VG_A_ARG1), ALIAS("fd", VG_A_ARG0)) },
	{ 72, "fcntl", R(.type = VG_EV_DUP, .variant = VG_V_FCNTL_DUP), KIND_ARGS },
	{ 33, "dup2", R(.type = VG_EV_DUP),
	  ARGS(A("oldfd", VG_A_ARG0), A("newfd", VG_A_ARG1), ALIAS("fd", VG_A_ARG0)) },
	{ 292, "dup3", R(.type = VG_EV_DUP),
	  ARGS(A("oldfd", VG_A_ARG0), A("newfd", VG_A_ARG1), A("flags", VG_A_ARG2),
	       ALIAS("fd", VG_A_ARG0)) },
	{ 62, "kill", R(.type = VG_EV_KILL),
	  ARGS(A("pid", VG_A_TPID), A("sig", VG_A_SIG)) },
	{ 200, "tkill", R(.type = VG_EV_KILL, .variant = VG_V_TKILL),
	  ARGS(A("tid", VG_A_TPID), A("sig", VG_A_SIG)) },
	{ 234, "tgkill", R(.type = VG_EV_KILL, .variant = VG_V_TGKILL),
	  ARGS(A("pid", VG_A_ARG0), A("tid", VG_A_ARG1), A("sig", VG_A_SIG)) },
	{ 424, "pidfd_send_signal", R(.type = VG_EV_KILL, .variant = VG_V_PIDFD), KIND_ARGS },
	{ 157, "prctl", R(.type = VG_EV_PRCTL),
	  ARGS(A("option", VG_A_OPTION), A("arg2_int", VG_A_ARG1), ALIAS("arg2", VG_A_ARG1)) },
	/* the process table follows sessions and process groups (proc.sname,
	 * proc.vpgid): kept on whatever the rules need */
	{ 112, "setsid", R(.type = VG_EV_SETSID), KIND_ARGS },
	{ 109, "setpgid", R(.type = VG_EV_SETPGID), KIND_ARGS },
	/* kernel and BPF */
	{ 175, "init_module", R(.type = VG_EV_MODULE_LOAD, .path2 = 3),
	  ARGS(A("uargs", VG_A_STR2)) },
	{ 313, "finit_module", R(.type = VG_EV_MODULE_LOAD, .fd = 1, .path2 = 2),
	  ARGS(A("fd", VG_A_ARG0), A("uargs", VG_A_STR2), A("flags", VG_A_ARG2),
	       ALIAS("path", VG_A_STR)) },
	{ 321, "bpf", R(.type = VG_EV_BPF),
	  ARGS(A("cmd", VG_A_BPFCMD), ALIAS("name", VG_A_STR), ALIAS("prog_type", VG_A_AUX)) },
	{ 298, "perf_event_open", R(.type = VG_EV_PERF_EVENT_OPEN),
	  ARGS(A("type", VG_A_AUX), A("pid", VG_A_TPID), ALIAS("probe", VG_A_STR),
	       ALIAS("offset", VG_A_AUX64)) },
};

const unsigned vg_syscalls_count = ARRAY_SIZE(vg_syscalls);

/* Records that no watched syscall's row describes: they come from the
 * scheduler's tracepoints (exec, fork, exit), named as Falco names them. */
static const struct {
	const char *name;
	struct vg_arg_def args[VG_SYSCALL_ARGS];
} record_args[] = {
	{ "execve", ARGS(A("exe", VG_A_EXE), A("args", VG_A_ARGS), A("tid", VG_A_TID),
	     A("pid", VG_A_PID), A("ptid", VG_A_PTID), A("cwd", VG_A_CWD), A("comm", VG_A_COMM),
	     A("env", VG_A_ENV), A("tty", VG_A_TTY), A("loginuid", VG_A_LOGINUID),
	     A("flags", VG_A_EXEFLAGS), A("cap_effective", VG_A_CAPEFF), A("exe_ino", VG_A_EXEINO),
	     A("uid", VG_A_EUID), ALIAS("filename", VG_A_FILENAME)) },
	{ "clone", ARGS(A("child_pid", VG_A_CHILD), A("tid", VG_A_TID), A("pid", VG_A_PID),
	     A("ptid", VG_A_PTID), A("comm", VG_A_COMM), ALIAS("flags", VG_A_CLONEFLAGS)) },
	{ "procexit", ARGS(A("status", VG_A_STATUS), A("ret", VG_A_RET), A("sig", VG_A_XSIG),
	     A("core", VG_A_CORE)) },
};

const struct vg_arg_def *vg_args_by_name(const char *name)
{
	if (!name)
		return NULL;
	for (unsigned i = 0; i < vg_syscalls_count; i++)
		if (!strcmp(vg_syscalls[i].name, name)) {
			if (vg_syscalls[i].args[0].name)
				return vg_syscalls[i].args;
			break; /* "clone": its records' arguments are the fork record's */
		}
	for (unsigned i = 0; i < ARRAY_SIZE(record_args); i++)
		if (!strcmp(record_args[i].name, name))
			return record_args[i].args;
	return NULL;
}

/* i386 numbers (asm/unistd_32.h) of the same syscalls. The 16-bit-id
 * variants (chown 182, setuid 23...) and the 32-bit-id ones (chown32 212,
 * setuid32 213...) both map to the x86-64 call. accept has no i386 number:
 * it only exists there through socketcall(), which the kernel decodes into
 * records that carry the x86-64 number (bpf/vg_compat.h). */
const struct vg_compat_syscall vg_compat_syscalls[] = {
	{ 5, 2 },     { 8, 85 },    { 9, 86 },	  { 10, 87 },	{ 15, 90 },   { 16, 94 },
	{ 23, 105 },  { 26, 101 },  { 37, 62 },	  { 38, 82 },	{ 39, 83 },   { 40, 84 },
	{ 46, 106 },  { 63, 33 },   { 70, 113 },  { 71, 114 },	{ 83, 88 },   { 92, 76 },
	{ 93, 77 },   { 94, 91 },   { 95, 93 },	  { 125, 10 },	{ 128, 175 }, { 138, 122 },
	{ 139, 123 }, { 164, 117 }, { 170, 119 }, { 172, 157 }, { 182, 92 },  { 192, 9 },
	{ 193, 76 },  { 194, 77 },  { 198, 94 },  { 203, 113 }, { 204, 114 }, { 207, 93 },
	{ 208, 117 }, { 210, 119 }, { 212, 92 },  { 213, 105 }, { 214, 106 }, { 215, 122 },
	{ 216, 123 }, { 238, 200 }, { 270, 234 }, { 295, 257 }, { 296, 258 }, { 298, 260 },
	{ 301, 263 }, { 302, 264 }, { 303, 265 }, { 304, 266 }, { 306, 268 }, { 310, 272 },
	{ 330, 292 }, { 336, 298 }, { 346, 308 }, { 348, 311 }, { 350, 313 }, { 353, 316 },
	{ 356, 319 }, { 357, 321 }, { 359, 41 },  { 361, 49 },	{ 362, 42 },  { 363, 50 },
	{ 364, 288 }, { 380, 329 }, { 437, 437 }, { 452, 452 }, { 66, 112 }, { 57, 109 },
	{ 41, 32 },   { 55, 72 },   { 221, 72 }, /* dup, fcntl, fcntl64 */
	{ 424, 424 }, /* pidfd_send_signal */
	{ 324, 285 }, { 342, 304 }, { 14, 133 }, { 297, 259 }, { 347, 310 },
	/* fallocate, open_by_handle_at, mknod, mknodat, process_vm_readv */
	{ 369, 44 }, { 370, 46 }, { 345, 307 }, /* sendto, sendmsg, sendmmsg */
	{ 120, 56 },  { 435, 435 }, { 81, 116 },  { 206, 116 }, { 21, 165 },  { 428, 428 },
	{ 429, 429 }, { 430, 430 }, { 431, 431 }, { 432, 432 },
	/* clone, clone3, setgroups (16- and 32-bit ids), mount, the new mount API */
};

const unsigned vg_compat_syscalls_count = ARRAY_SIZE(vg_compat_syscalls);

const struct vg_compat_syscall vg_path_change_syscalls[] = {
	{ 38, 82 },   /* rename */
	{ 302, 264 }, /* renameat */
	{ 353, 316 }, /* renameat2 */
	{ 21, 165 },  /* mount */
	{ 52, 166 },  /* umount2 */
	{ 22, 166 },  /* umount (i386 only) */
	{ 217, 155 }, /* pivot_root */
	{ 61, 161 },  /* chroot */
	{ 346, 308 }, /* setns */
	{ 310, 272 }, /* unshare */
	{ 428, 428 }, /* open_tree */
	{ 429, 429 }, /* move_mount */
	{ 432, 432 }, /* fsmount */
	{ 442, 442 }, /* mount_setattr */
	{ 467, 467 }, /* open_tree_attr */
};
const unsigned vg_path_change_syscalls_count =
	ARRAY_SIZE(vg_path_change_syscalls);

int vg_syscall_from_compat(int nr32)
{
	for (unsigned i = 0; i < vg_compat_syscalls_count; i++)
		if (vg_compat_syscalls[i].nr32 == nr32)
			return vg_compat_syscalls[i].nr64;
	return -1;
}

/* Every name, generated from the UAPI header; numbers newer than Debian's
 * header are added below by hand. */
static const char *const names[VG_NR_SYSCALLS] = {
#include "syscall_names.h"
};

static const struct {
	int nr;
	const char *name;
} newer_names[] = {
	{ 451, "cachestat" },	  { 452, "fchmodat2" },	    { 453, "map_shadow_stack" },
	{ 454, "futex_wake" },	  { 455, "futex_wait" },    { 456, "futex_requeue" },
	{ 457, "statmount" },	  { 458, "listmount" },     { 459, "lsm_get_self_attr" },
	{ 460, "lsm_set_self_attr" }, { 461, "lsm_list_modules" }, { 462, "mseal" },
	{ 463, "setxattrat" },	  { 464, "getxattrat" },    { 465, "listxattrat" },
	{ 466, "removexattrat" }, { 467, "open_tree_attr" }, { 468, "file_getattr" },
	{ 469, "file_setattr" },
};

const struct vg_syscall_def *vg_syscall_def(int nr)
{
	for (unsigned i = 0; i < vg_syscalls_count; i++)
		if (vg_syscalls[i].nr == nr)
			return &vg_syscalls[i];
	return NULL;
}

const char *vg_syscall_name(int nr)
{
	if (nr < 0 || nr >= VG_NR_SYSCALLS)
		return NULL;
	if (names[nr])
		return names[nr];
	for (unsigned i = 0; i < ARRAY_SIZE(newer_names); i++)
		if (newer_names[i].nr == nr)
			return newer_names[i].name;
	return NULL;
}

int vg_syscall_nr(const char *name)
{
	for (int nr = 0; nr < VG_NR_SYSCALLS; nr++) {
		const char *n = vg_syscall_name(nr);

		if (n && !strcmp(n, name))
			return nr;
	}
	return -1;
}
