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
	/* network */
	{ 41, "socket", R(.type = VG_EV_SOCKET) },
	{ 42, "connect", R(.type = VG_EV_CONNECT) },
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
	{ 101, "ptrace", R(.type = VG_EV_PTRACE) },
	{ 311, "process_vm_writev", R(.type = VG_EV_PROCESS_VM_WRITEV) },
	{ 10, "mprotect", R(.type = VG_EV_MPROTECT) },
	{ 329, "pkey_mprotect", R(.type = VG_EV_MPROTECT) },
	{ 9, "mmap", R(.type = VG_EV_MPROTECT) },
	{ 319, "memfd_create", R(.type = VG_EV_MEMFD_CREATE, .path = 1) },
	{ 33, "dup2", R(.type = VG_EV_DUP) },
	{ 292, "dup3", R(.type = VG_EV_DUP) },
	{ 62, "kill", R(.type = VG_EV_KILL) },
	{ 200, "tkill", R(.type = VG_EV_KILL, .variant = VG_V_TKILL) },
	{ 234, "tgkill", R(.type = VG_EV_KILL, .variant = VG_V_TGKILL) },
	{ 157, "prctl", R(.type = VG_EV_PRCTL) },
	/* kernel and BPF */
	{ 175, "init_module", R(.type = VG_EV_MODULE_LOAD, .path2 = 3) },
	{ 313, "finit_module", R(.type = VG_EV_MODULE_LOAD, .fd = 1, .path2 = 2) },
	{ 321, "bpf", R(.type = VG_EV_BPF) },
	{ 298, "perf_event_open", R(.type = VG_EV_PERF_EVENT_OPEN) },
};

const unsigned vg_syscalls_count = sizeof(vg_syscalls) / sizeof(vg_syscalls[0]);

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
