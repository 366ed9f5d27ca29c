#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sched.h>
#include <linux/bpf.h>

#include "fields/names.h"
#include "util/macros.h"

struct name {
	uint64_t v;
	const char *n;
};

/* Appends s to buf (of size bytes, len used), cutting at the end; the rule
 * engine renders flags for every open, so this avoids printf. */
static size_t append(char *buf, size_t size, size_t len, const char *s)
{
	size_t n = strlen(s);

	if (len + 1 >= size)
		return len;
	if (n > size - 1 - len)
		n = size - 1 - len;
	memcpy(buf + len, s, n);
	buf[len + n] = 0;
	return len + n;
}

/* Appends the names of the bits set in v, each after '|' unless it comes
 * first; leftover bits in hex. */
static size_t add_bits(char *buf, size_t size, size_t len, uint64_t v, const struct name *t,
		       size_t nt)
{
	for (size_t i = 0; i < nt; i++) {
		if (!t[i].v || (v & t[i].v) != t[i].v)
			continue;
		if (len)
			len = append(buf, size, len, "|");
		len = append(buf, size, len, t[i].n);
		v &= ~t[i].v;
	}
	if (v) {
		char hex[24];

		snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)v);
		if (len)
			len = append(buf, size, len, "|");
		len = append(buf, size, len, hex);
	}
	return len;
}

/* Joins the names of the bits set in v with '|'; leftover bits in hex. */
static const char *bits(char *buf, size_t size, uint64_t v, const struct name *t, size_t nt)
{
	buf[0] = 0;
	if (!add_bits(buf, size, 0, v, t, nt))
		append(buf, size, 0, "0");
	return buf;
}

static const char *one(char *buf, size_t size, uint64_t v, const struct name *t, size_t nt)
{
	for (size_t i = 0; i < nt; i++)
		if (t[i].v == v)
			return t[i].n;
	snprintf(buf, size, "%llu", (unsigned long long)v);
	return buf;
}

#define N(x) { x, #x }
#define COUNT(t) (ARRAY_SIZE(t))

const char *vg_open_flags(char *buf, size_t size, uint32_t flags)
{
	static const struct name t[] = {
		N(O_CREAT), N(O_EXCL), N(O_NOCTTY), N(O_TRUNC), N(O_APPEND), N(O_NONBLOCK),
		/* O_TMPFILE includes the O_DIRECTORY bit: it must come first */
		N(O_TMPFILE), N(O_DSYNC), N(O_DIRECT), N(O_LARGEFILE), N(O_DIRECTORY),
		N(O_NOFOLLOW), N(O_NOATIME), N(O_CLOEXEC), N(O_PATH),
	};
	const char *acc = (flags & O_ACCMODE) == O_WRONLY ? "O_WRONLY"
			  : (flags & O_ACCMODE) == O_RDWR ? "O_RDWR"
							   : "O_RDONLY";

	flags &= ~(uint32_t)O_ACCMODE;
	flags &= ~(uint32_t)0100000; /* O_LARGEFILE is implied on 64-bit */
	if (!size)
		return buf;
	buf[0] = 0;
	add_bits(buf, size, append(buf, size, 0, acc), flags, t, COUNT(t));
	return buf;
}

const char *vg_prot_flags(char *buf, size_t size, uint64_t prot)
{
	static const struct name t[] = { N(PROT_READ), N(PROT_WRITE), N(PROT_EXEC) };

	if (!prot)
		return snprintf(buf, size, "PROT_NONE"), buf;
	return bits(buf, size, prot, t, COUNT(t));
}

const char *vg_clone_ns_flags(char *buf, size_t size, uint64_t flags)
{
	static const struct name t[] = {
		N(CLONE_NEWNS),	 N(CLONE_NEWCGROUP), N(CLONE_NEWUTS), N(CLONE_NEWIPC),
		N(CLONE_NEWUSER), N(CLONE_NEWPID),    N(CLONE_NEWNET), N(CLONE_NEWTIME),
		N(CLONE_FILES),	 N(CLONE_FS),	     N(CLONE_SYSVSEM),
	};
	return bits(buf, size, flags, t, COUNT(t));
}

const char *vg_ptrace_request(char *buf, size_t size, uint64_t req)
{
	static const struct name t[] = {
		{ 0, "PTRACE_TRACEME" },     { 1, "PTRACE_PEEKTEXT" },	 { 2, "PTRACE_PEEKDATA" },
		{ 3, "PTRACE_PEEKUSER" },    { 4, "PTRACE_POKETEXT" },	 { 5, "PTRACE_POKEDATA" },
		{ 6, "PTRACE_POKEUSER" },    { 7, "PTRACE_CONT" },	 { 8, "PTRACE_KILL" },
		{ 9, "PTRACE_SINGLESTEP" },  { 12, "PTRACE_GETREGS" },	 { 13, "PTRACE_SETREGS" },
		{ 16, "PTRACE_ATTACH" },     { 17, "PTRACE_DETACH" },	 { 24, "PTRACE_SYSCALL" },
		{ 0x4200, "PTRACE_SETOPTIONS" }, { 0x4206, "PTRACE_SEIZE" }, { 0x4207, "PTRACE_INTERRUPT" },
	};
	return one(buf, size, req, t, COUNT(t));
}

const char *vg_signal_name(char *buf, size_t size, uint64_t sig)
{
	const char *abbrev = sig < 65 ? sigabbrev_np((int)sig) : NULL;

	if (sig == 0)
		return "0";
	if (!abbrev) {
		snprintf(buf, size, "%llu", (unsigned long long)sig);
		return buf;
	}
	snprintf(buf, size, "SIG%s", abbrev);
	return buf;
}

const char *vg_socket_family(char *buf, size_t size, uint32_t family)
{
	static const struct name t[] = {
		N(AF_UNIX), N(AF_INET), N(AF_INET6), N(AF_NETLINK), N(AF_PACKET), N(AF_UNSPEC),
	};
	return one(buf, size, family, t, COUNT(t));
}

const char *vg_socket_type(char *buf, size_t size, uint32_t type)
{
	static const struct name t[] = {
		N(SOCK_STREAM), N(SOCK_DGRAM), N(SOCK_RAW), N(SOCK_SEQPACKET), N(SOCK_RDM),
	};
	/* The flag bits (SOCK_NONBLOCK, SOCK_CLOEXEC) are not the type. */
	return one(buf, size, type & 0xf, t, COUNT(t));
}

const char *vg_bpf_cmd(char *buf, size_t size, uint64_t cmd)
{
	static const struct name t[] = {
		N(BPF_MAP_CREATE),	   N(BPF_MAP_LOOKUP_ELEM), N(BPF_MAP_UPDATE_ELEM),
		N(BPF_MAP_DELETE_ELEM),	   N(BPF_MAP_GET_NEXT_KEY), N(BPF_PROG_LOAD),
		N(BPF_OBJ_PIN),		   N(BPF_OBJ_GET),	   N(BPF_PROG_ATTACH),
		N(BPF_PROG_DETACH),	   N(BPF_PROG_TEST_RUN),   N(BPF_PROG_GET_NEXT_ID),
		N(BPF_MAP_GET_NEXT_ID),	   N(BPF_PROG_GET_FD_BY_ID), N(BPF_MAP_GET_FD_BY_ID),
		N(BPF_OBJ_GET_INFO_BY_FD), N(BPF_PROG_QUERY),	   N(BPF_RAW_TRACEPOINT_OPEN),
		N(BPF_BTF_LOAD),	   N(BPF_BTF_GET_FD_BY_ID), N(BPF_TASK_FD_QUERY),
		N(BPF_LINK_CREATE),	   N(BPF_LINK_UPDATE),	   N(BPF_LINK_GET_FD_BY_ID),
		N(BPF_LINK_GET_NEXT_ID),   N(BPF_ENABLE_STATS),	   N(BPF_ITER_CREATE),
		N(BPF_LINK_DETACH),	   N(BPF_PROG_BIND_MAP),
	};
	return one(buf, size, cmd, t, COUNT(t));
}

const char *vg_prctl_option(char *buf, size_t size, uint64_t opt)
{
	static const struct name t[] = {
		N(PR_SET_PDEATHSIG), N(PR_GET_DUMPABLE), N(PR_SET_DUMPABLE), N(PR_SET_NAME),
		N(PR_GET_NAME),	     N(PR_SET_SECCOMP),	 N(PR_CAPBSET_DROP),  N(PR_SET_SECUREBITS),
		N(PR_SET_MM),	     N(PR_SET_PTRACER),	 N(PR_SET_CHILD_SUBREAPER),
		N(PR_SET_NO_NEW_PRIVS), N(PR_CAP_AMBIENT), N(PR_SET_KEEPCAPS),
	};
	return one(buf, size, opt, t, COUNT(t));
}

const char *vg_file_type(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "directory";
	case S_IFSOCK: return "socket";
	case S_IFIFO: return "pipe";
	case S_IFCHR: return "char";
	case S_IFBLK: return "block";
	case S_IFLNK: return "symlink";
	}
	return "";
}

static const char *const cap_names[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

size_t vg_caps_text(char *buf, size_t size, uint64_t caps)
{
	size_t n = 0;

	if (size < 2) {
		if (size)
			buf[0] = 0;
		return 0;
	}
	for (unsigned i = 0; i < 64; i++) {
		char num[16];
		const char *name = num;
		size_t len;

		if (!(caps >> i & 1))
			continue;
		if (i < ARRAY_SIZE(cap_names))
			name = cap_names[i];
		else
			snprintf(num, sizeof(num), "CAP_%u", i);
		len = strlen(name);
		if (n + len + 2 > size)
			break;
		if (n)
			buf[n++] = ' ';
		memcpy(buf + n, name, len);
		n += len;
	}
	buf[n] = 0;
	return n;
}

uint32_t vg_tty_number(uint32_t kdev)
{
	uint32_t major = kdev >> 20, minor = kdev & 0xfffff;

	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

const char *vg_memfd_flags(char *buf, size_t size, uint64_t f)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} t[] = {{1, "MFD_CLOEXEC"},
		 {2, "MFD_ALLOW_SEALING"},
		 {4, "MFD_HUGETLB"},
		 {8, "MFD_NOEXEC_SEAL"},
		 {16, "MFD_EXEC"}};
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < ARRAY_SIZE(t) && n < size; i++)
		if (f & t[i].bit) {
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "|" : "", t[i].name);
			f &= ~t[i].bit;
		}
	if (f && n < size)
		n += (size_t)snprintf(buf + n, size - n, "%s0x%llx", n ? "|" : "",
				      (unsigned long long)f);
	if (!n)
		snprintf(buf, size, "0");
	return buf;
}
