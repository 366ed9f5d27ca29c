/* What a program and a call are, for pH's incidents (ph_incident.h): the
 * programs the services scope leaves quiet, and the severity of a call
 * outside a normal profile. Tables, kept apart from the episode logic. */
#include <stddef.h>
#include <string.h>

#include "ph/ph_classify.h"
#include "util/macros.h"

struct call_class {
	const char *name;
	enum vg_ph_severity sev;
	const char *why;
};

/* What a call outside a normal profile means. Critical: the moves of an
 * exploited program (run something, call out, inject, load code into the
 * kernel). Error: calls that open the way to those. Everything else is a
 * warning unless the episode is a burst. */
static const struct call_class classes[] = {
	{ "execve", VG_PH_SEV_CRITICAL, "runs a program" },
	{ "execveat", VG_PH_SEV_CRITICAL, "runs a program" },
	{ "connect", VG_PH_SEV_CRITICAL, "opens a network connection" },
	{ "ptrace", VG_PH_SEV_CRITICAL, "traces another process" },
	{ "process_vm_writev", VG_PH_SEV_CRITICAL, "writes another process's memory" },
	{ "init_module", VG_PH_SEV_CRITICAL, "loads a kernel module" },
	{ "finit_module", VG_PH_SEV_CRITICAL, "loads a kernel module" },
	{ "dup2", VG_PH_SEV_ERROR, "redirects a descriptor" },
	{ "dup3", VG_PH_SEV_ERROR, "redirects a descriptor" },
	{ "socket", VG_PH_SEV_ERROR, "makes a socket" },
	{ "bind", VG_PH_SEV_ERROR, "binds a socket" },
	{ "listen", VG_PH_SEV_ERROR, "listens on a socket" },
	{ "setuid", VG_PH_SEV_ERROR, "changes user" },
	{ "setresuid", VG_PH_SEV_ERROR, "changes user" },
	{ "setreuid", VG_PH_SEV_ERROR, "changes user" },
	{ "memfd_create", VG_PH_SEV_ERROR, "makes an anonymous file" },
	{ "fork", VG_PH_SEV_ERROR, "starts a process" },
	{ "clone", VG_PH_SEV_ERROR, "starts a process or thread" },
	{ "clone3", VG_PH_SEV_ERROR, "starts a process or thread" },
	{ "vfork", VG_PH_SEV_ERROR, "starts a process" },
	{ "bpf", VG_PH_SEV_ERROR, "uses bpf()" },
};

static const struct call_class *call_class(const char *call)
{
	for (size_t i = 0; i < ARRAY_SIZE(classes); i++)
		if (!strcmp(classes[i].name, call))
			return &classes[i];
	return NULL;
}

enum vg_ph_severity vg_ph_call_severity(const char *call)
{
	const struct call_class *c = call ? call_class(call) : NULL;

	return c ? c->sev : VG_PH_SEV_WARNING;
}

const char *vg_ph_call_why(const char *call)
{
	const struct call_class *c = call ? call_class(call) : NULL;

	return c ? c->why : NULL;
}

/* Programs that are run by people and build systems, not services: their
 * every new option is a new sequence. They learn, silently. */
static const char *const quiet_names[] = {
	"sh", "bash", "dash", "zsh", "ksh", "mksh", "fish", "csh", "tcsh", "busybox",
	"perl", "ruby", "node", "nodejs", "php", "lua", "tclsh", "java",
	"cc", "gcc", "g++", "c++", "cpp", "cc1", "cc1plus", "collect2", "as", "ld", "gold",
	"clang", "clang++", "lld", "make", "gmake", "cmake", "ninja", "rustc", "cargo", "go",
	"git", "ls", "cat", "cp", "mv", "rm", "mkdir", "rmdir", "chmod", "chown", "chgrp", "ln",
	"stat", "touch", "head", "tail", "sort", "uniq", "wc", "cut", "tr", "sed", "awk", "gawk",
	"mawk", "grep", "egrep", "fgrep", "find", "xargs", "date", "uname", "uptime", "id",
	"whoami", "env", "readlink", "realpath", "dirname", "basename", "tee", "true", "false",
	"test", "[", "expr", "sleep", "printf", "echo", "dd", "du", "df", "install", "mktemp",
	"seq", "nproc", "tput", "ps", "kill", "less", "more", "diff", "cmp", "tar", "gzip",
	"gunzip", "xz", "zstd", "bzip2", "file", "which", "md5sum", "sha256sum", "od", "hexdump",
	"strip", "objdump", "readelf", "nm", "ar", "ranlib", "pkg-config", "sudo", "su",
	"timeout", "nice", "nohup", "setsid", "flock", "getent", "hostname", "tr", "vi", "vim",
};
/* name prefixes: versioned interpreters and tools (python3.12, ld.bfd ...) */
static const char *const quiet_prefixes[] = {
	"python", "perl5", "ruby", "php", "lua", "ld.", "gcc-", "g++-", "cc1", "clang-",
	"x86_64-linux-gnu-", "aarch64-linux-gnu-",
};

int vg_ph_quiet_program(const char *exe_path)
{
	const char *base = exe_path ? strrchr(exe_path, '/') : NULL;

	base = base ? base + 1 : exe_path;
	if (!base || !base[0])
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(quiet_names); i++)
		if (!strcmp(base, quiet_names[i]))
			return 1;
	for (size_t i = 0; i < ARRAY_SIZE(quiet_prefixes); i++)
		if (!strncmp(base, quiet_prefixes[i], strlen(quiet_prefixes[i])))
			return 1;
	return 0;
}
