/* x86-64 syscall table: what vigil watches and where the arguments are.
 * Argument positions are 1-based; see struct vg_route in events.h. */
#include <stddef.h>
#include <string.h>

#include "sensor/syscalls.h"

#define R(...) ((struct vg_route){ __VA_ARGS__ })

const struct vg_syscall_def vg_syscalls[] = {
	/* files: path arguments as given, result from sys_exit */
	{ 2, "open", R(.type = VG_EV_OPEN, .path = 1, .flags = 2, .mode = 3) },
	{ 257, "openat", R(.type = VG_EV_OPEN, .dirfd = 1, .path = 2, .flags = 3, .mode = 4) },
	{ 437, "openat2", R(.type = VG_EV_OPEN, .dirfd = 1, .path = 2, .variant = VG_V_OPENAT2) },
	{ 85, "creat", R(.type = VG_EV_OPEN, .path = 1, .mode = 2, .variant = VG_V_CREAT) },
	{ 87, "unlink", R(.type = VG_EV_UNLINK, .path = 1) },
	{ 263, "unlinkat", R(.type = VG_EV_UNLINK, .dirfd = 1, .path = 2, .flags = 3) },
	{ 84, "rmdir", R(.type = VG_EV_UNLINK, .path = 1) },
	{ 82, "rename", R(.type = VG_EV_RENAME, .path = 1, .path2 = 2) },
	{ 264, "renameat", R(.type = VG_EV_RENAME, .dirfd = 1, .path = 2, .dirfd2 = 3, .path2 = 4) },
	{ 316, "renameat2",
	  R(.type = VG_EV_RENAME, .dirfd = 1, .path = 2, .dirfd2 = 3, .path2 = 4, .flags = 5) },
	{ 86, "link", R(.type = VG_EV_LINK, .path = 1, .path2 = 2) },
	{ 265, "linkat",
	  R(.type = VG_EV_LINK, .dirfd = 1, .path = 2, .dirfd2 = 3, .path2 = 4, .flags = 5) },
	/* symlink(target, linkpath): the target is content, not resolved
	 * against anything; the link is created relative to the cwd/dirfd */
	{ 88, "symlink", R(.type = VG_EV_SYMLINK, .path = 1, .path2 = 2) },
	{ 266, "symlinkat", R(.type = VG_EV_SYMLINK, .path = 1, .dirfd2 = 2, .path2 = 3) },
	{ 90, "chmod", R(.type = VG_EV_CHMOD, .path = 1, .mode = 2) },
	{ 91, "fchmod", R(.type = VG_EV_CHMOD, .fd = 1, .mode = 2) },
	{ 268, "fchmodat", R(.type = VG_EV_CHMOD, .dirfd = 1, .path = 2, .mode = 3) },
	{ 452, "fchmodat2", R(.type = VG_EV_CHMOD, .dirfd = 1, .path = 2, .mode = 3, .flags = 4) },
	{ 92, "chown", R(.type = VG_EV_CHOWN, .path = 1, .uid = 2, .gid = 3) },
	{ 93, "fchown", R(.type = VG_EV_CHOWN, .fd = 1, .uid = 2, .gid = 3) },
	{ 94, "lchown", R(.type = VG_EV_CHOWN, .path = 1, .uid = 2, .gid = 3) },
	{ 260, "fchownat",
	  R(.type = VG_EV_CHOWN, .dirfd = 1, .path = 2, .uid = 3, .gid = 4, .flags = 5) },
	{ 83, "mkdir", R(.type = VG_EV_MKDIR, .path = 1, .mode = 2) },
	{ 258, "mkdirat", R(.type = VG_EV_MKDIR, .dirfd = 1, .path = 2, .mode = 3) },
	{ 76, "truncate", R(.type = VG_EV_TRUNCATE, .path = 1) },
	{ 77, "ftruncate", R(.type = VG_EV_TRUNCATE, .fd = 1) },
	/* content destroyed without truncating: a hole punched, a range
	 * collapsed or zeroed (the mode is the flags) */
	{ 285, "fallocate", R(.type = VG_EV_TRUNCATE, .fd = 1, .flags = 2, .variant = VG_V_FALLOC) },
	/* a file by handle: any file of a mount, no path walked (the kernel
	 * names the opened descriptor) */
	{ 304, "open_by_handle_at", R(.type = VG_EV_OPEN, .flags = 3) },
	/* mknod of a regular file takes a mode: setuid bits included */
	{ 133, "mknod", R(.type = VG_EV_MKDIR, .path = 1, .mode = 2) },
	{ 259, "mknodat", R(.type = VG_EV_MKDIR, .dirfd = 1, .path = 2, .mode = 3) },
	/* network */
	{ 41, "socket", R(.type = VG_EV_SOCKET) },
	{ 42, "connect", R(.type = VG_EV_CONNECT) },
	/* TCP Fast Open: sendto(MSG_FASTOPEN) connects without connect() */
	{ 44, "sendto", R(.type = VG_EV_CONNECT, .variant = VG_V_FASTOPEN) },
	{ 46, "sendmsg", R(.type = VG_EV_CONNECT, .variant = VG_V_FASTOPEN_MSG) },
	{ 43, "accept", R(.type = VG_EV_ACCEPT) },
	{ 288, "accept4", R(.type = VG_EV_ACCEPT) },
	{ 49, "bind", R(.type = VG_EV_BIND) },
	{ 50, "listen", R(.type = VG_EV_LISTEN) },
	/* privileges and process control */
	{ 105, "setuid", R(.type = VG_EV_SETUID) },
	{ 113, "setreuid", R(.type = VG_EV_SETUID) },
	{ 117, "setresuid", R(.type = VG_EV_SETUID) },
	{ 122, "setfsuid", R(.type = VG_EV_SETUID) },
	{ 106, "setgid", R(.type = VG_EV_SETGID) },
	{ 114, "setregid", R(.type = VG_EV_SETGID) },
	{ 119, "setresgid", R(.type = VG_EV_SETGID) },
	{ 123, "setfsgid", R(.type = VG_EV_SETGID) },
	{ 308, "setns", R(.type = VG_EV_SETNS) },
	{ 272, "unshare", R(.type = VG_EV_UNSHARE) },
	/* new namespaces by clone, new groups, mounts (bpf/vg_nsmount.h) */
	{ 56, "clone", R(.type = VG_EV_UNSHARE, .variant = VG_V_CLONE) },
	{ 435, "clone3", R(.type = VG_EV_UNSHARE, .variant = VG_V_CLONE3) },
	{ 116, "setgroups", R(.type = VG_EV_SETGID, .variant = VG_V_SETGROUPS) },
	{ 165, "mount", R(.type = VG_EV_MOUNT, .path = 1, .path2 = 2, .gen = 1) },
	{ 428, "open_tree", R(.type = VG_EV_MOUNT, .path = 2, .gen = 1) },
	{ 429, "move_mount", R(.type = VG_EV_MOUNT, .path = 2, .path2 = 4, .gen = 1) },
	{ 430, "fsopen", R(.type = VG_EV_MOUNT, .path = 1) },
	{ 431, "fsconfig", R(.type = VG_EV_MOUNT, .path = 3, .path2 = 4, .variant = VG_V_FSCONFIG) },
	{ 432, "fsmount", R(.type = VG_EV_MOUNT, .gen = 1) },
	{ 101, "ptrace", R(.type = VG_EV_PTRACE) },
	{ 311, "process_vm_writev", R(.type = VG_EV_PROCESS_VM_WRITEV) },
	{ 310, "process_vm_readv", R(.type = VG_EV_PROCESS_VM_WRITEV) },
	{ 10, "mprotect", R(.type = VG_EV_MPROTECT) },
	{ 329, "pkey_mprotect", R(.type = VG_EV_MPROTECT) },
	/* the descriptor: an executable mapping of a file open for writing
	 * (bpf/vg_wx.h) */
	{ 9, "mmap", R(.type = VG_EV_MPROTECT, .fd = 5) },
	{ 319, "memfd_create", R(.type = VG_EV_MEMFD_CREATE, .path = 1) },
	{ 32, "dup", R(.type = VG_EV_DUP, .variant = VG_V_DUP_RES) },
	{ 72, "fcntl", R(.type = VG_EV_DUP, .variant = VG_V_FCNTL_DUP) },
	{ 33, "dup2", R(.type = VG_EV_DUP) },
	{ 292, "dup3", R(.type = VG_EV_DUP) },
	{ 62, "kill", R(.type = VG_EV_KILL) },
	{ 200, "tkill", R(.type = VG_EV_KILL, .variant = VG_V_TKILL) },
	{ 234, "tgkill", R(.type = VG_EV_KILL, .variant = VG_V_TGKILL) },
	{ 424, "pidfd_send_signal", R(.type = VG_EV_KILL, .variant = VG_V_PIDFD) },
	{ 157, "prctl", R(.type = VG_EV_PRCTL) },
	/* the process table follows sessions and process groups (proc.sname,
	 * proc.vpgid): kept on whatever the rules need */
	{ 112, "setsid", R(.type = VG_EV_SETSID) },
	{ 109, "setpgid", R(.type = VG_EV_SETPGID) },
	/* kernel and BPF */
	{ 175, "init_module", R(.type = VG_EV_MODULE_LOAD, .path2 = 3) },
	{ 313, "finit_module", R(.type = VG_EV_MODULE_LOAD, .fd = 1, .path2 = 2) },
	{ 321, "bpf", R(.type = VG_EV_BPF) },
	{ 298, "perf_event_open", R(.type = VG_EV_PERF_EVENT_OPEN) },
};

const unsigned vg_syscalls_count = sizeof(vg_syscalls) / sizeof(vg_syscalls[0]);

/* i386 numbers (asm/unistd_32.h) of the same syscalls. The 16-bit-id
 * variants (chown 182, setuid 23...) and the 32-bit-id ones (chown32 212,
 * setuid32 213...) both map to the x86-64 call. accept has no i386 number:
 * it only exists there through socketcall(), which is not decoded. */
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
	{ 369, 44 }, { 370, 46 }, /* sendto, sendmsg */
	{ 120, 56 },  { 435, 435 }, { 81, 116 },  { 206, 116 }, { 21, 165 },  { 428, 428 },
	{ 429, 429 }, { 430, 430 }, { 431, 431 }, { 432, 432 },
	/* clone, clone3, setgroups (16- and 32-bit ids), mount, the new mount API */
};

const unsigned vg_compat_syscalls_count = sizeof(vg_compat_syscalls) / sizeof(vg_compat_syscalls[0]);

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
	sizeof(vg_path_change_syscalls) / sizeof(vg_path_change_syscalls[0]);

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
	for (unsigned i = 0; i < sizeof(newer_names) / sizeof(newer_names[0]); i++)
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
