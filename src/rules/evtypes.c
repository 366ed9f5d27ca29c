/* The one table of event-type names. Index = id; append only. */
#include "rules/evtypes.h"

#include <string.h>
#include "util/macros.h"

static const char *const evtype_names[] = {
	NULL, /* 0: unknown */
	/* files */
	"open", "openat", "openat2", "creat", "close", "read", "write", "readv", "writev",
	"pread", "pwrite", "preadv", "pwritev", "unlink", "unlinkat", "rename", "renameat",
	"renameat2", "link", "linkat", "symlink", "symlinkat", "chmod", "fchmod", "fchmodat",
	"chown", "lchown", "fchown", "fchownat", "mkdir", "mkdirat", "rmdir", "truncate",
	"ftruncate", "mknod", "mknodat", "mount", "umount", "umount2", "chdir", "fchdir",
	"chroot", "pivot_root", "open_by_handle_at", "access", "faccessat", "faccessat2",
	"stat", "lstat", "fstat", "newfstatat", "statx", "getdents", "getdents64",
	"utimensat", "fcntl", "ioctl", "sendfile", "splice", "copy_file_range", "fsconfig",
	"inotify_init", "inotify_init1", "flock", "quotactl",
	/* processes */
	"execve", "execveat", "clone", "clone3", "fork", "vfork", "procexit", "kill", "tkill",
	"tgkill", "prctl", "ptrace", "process_vm_readv", "process_vm_writev", "setns",
	"unshare", "capset", "seccomp", "setrlimit", "prlimit", "getrlimit",
	"signaldeliver", "nanosleep", "futex", "brk", "pidfd_open", "pidfd_getfd",
	/* credentials */
	"setuid", "setgid", "setresuid", "setresgid", "setreuid", "setregid", "setfsuid",
	"setfsgid", "setgroups",
	/* memory */
	"mmap", "mmap2", "munmap", "mprotect", "memfd_create", "userfaultfd",
	/* descriptors */
	"dup", "dup2", "dup3", "pipe", "pipe2", "eventfd", "eventfd2", "signalfd", "signalfd4",
	"timerfd_create", "epoll_create", "epoll_create1", "poll", "select",
	/* network */
	"socket", "socketpair", "connect", "accept", "accept4", "bind", "listen", "sendto",
	"sendmsg", "sendmmsg", "recvfrom", "recvmsg", "recvmmsg", "shutdown", "getsockopt",
	"setsockopt",
	/* kernel, BPF and system */
	"init_module", "finit_module", "delete_module", "bpf", "perf_event_open",
	"io_uring_setup", "io_uring_enter", "io_uring_register", "sethostname",
	"setdomainname", "reboot", "kexec_load", "kexec_file_load", "syslog", "settimeofday",
	"clock_settime", "adjtimex", "swapon", "swapoff", "acct", "iopl", "ioperm",
	/* meta events */
	"container", "pluginevent", "asyncevent",
	/* appended */
	"fchmodat2", "pkey_mprotect",
	"fallocate",
	"open_tree", "move_mount", "fsopen", "fsmount",
};

_Static_assert(ARRAY_SIZE(evtype_names) <= VG_EVTYPE_MAX,
	       "too many event types for struct vg_evtset");

#define EVTYPE_COUNT (ARRAY_SIZE(evtype_names))

unsigned vg_evtype_lookup(const char *name, size_t len)
{
	for (unsigned i = 1; i < EVTYPE_COUNT; i++)
		if (strlen(evtype_names[i]) == len && memcmp(evtype_names[i], name, len) == 0)
			return i;
	return 0;
}

const char *vg_evtype_name(unsigned id)
{
	return id < EVTYPE_COUNT ? evtype_names[id] : NULL;
}

unsigned vg_evtype_count(void)
{
	return EVTYPE_COUNT;
}

void vg_evtset_clear(struct vg_evtset *s)
{
	memset(s, 0, sizeof(*s));
}

void vg_evtset_fill(struct vg_evtset *s)
{
	vg_evtset_clear(s);
	for (unsigned i = 1; i < EVTYPE_COUNT; i++)
		vg_evtset_add(s, i);
}

void vg_evtset_union(struct vg_evtset *dst, const struct vg_evtset *src)
{
	for (size_t i = 0; i < VG_EVTYPE_MAX / 64; i++)
		dst->w[i] |= src->w[i];
}

void vg_evtset_intersect(struct vg_evtset *dst, const struct vg_evtset *src)
{
	for (size_t i = 0; i < VG_EVTYPE_MAX / 64; i++)
		dst->w[i] &= src->w[i];
}

void vg_evtset_complement(struct vg_evtset *s)
{
	struct vg_evtset all;

	vg_evtset_fill(&all);
	for (size_t i = 0; i < VG_EVTYPE_MAX / 64; i++)
		s->w[i] = ~s->w[i] & all.w[i];
}

bool vg_evtset_equal(const struct vg_evtset *a, const struct vg_evtset *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

unsigned vg_evtset_count(const struct vg_evtset *s)
{
	unsigned n = 0;

	for (size_t i = 0; i < VG_EVTYPE_MAX / 64; i++)
		n += (unsigned)__builtin_popcountll(s->w[i]);
	return n;
}
