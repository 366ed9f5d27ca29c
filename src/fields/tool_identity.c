/* proc.exe_tool: see tool_identity.h. */
#include "fields/tool_identity.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/exe_identity.h"
#include "util/macros.h"

/* The tools rules name, in the order a name is given when two are one file
 * (nc is nc.openbsd; sh is dash: a copy of dash is "dash", which every
 * shell list holds). */
static const char *const tool_names[] = {
	/* decoders */
	"base64", "base32", "basenc", "xxd", "openssl", "uudecode",
	/* relays */
	"nc", "ncat", "netcat", "nc.openbsd", "nc.traditional", "socat",
	/* searches */
	"grep", "rg", "ag", "ack", "ugrep", "find",
	/* downloaders */
	"curl", "wget",
	/* shells */
	"bash", "dash", "zsh", "ksh", "ksh93", "mksh", "tcsh", "csh", "fish", "ash", "busybox", "sh",
	/* interpreters */
	"python3", "python", "python2", "perl", "ruby", "php", "node", "nodejs", "lua", "tclsh",
	"awk", "gawk", "mawk",
	/* destruction, tunnels, capture, scanning */
	"shred", "wipe", "ssh", "tcpdump", "tshark", "nmap", "masscan", "gdb",
};
static const char *const tool_dirs[] = { "/usr/bin", "/bin", "/usr/sbin", "/sbin",
					 "/usr/local/bin" };

#define TOOLS_MAX 64
#define RELEARN_NS (600 * NSEC_PER_SEC)
#define CACHE_SLOTS 4096 /* executables remembered; a collision looks again */

struct tool {
	const char *name;
	uint64_t kdev, ino, size;
	unsigned char id[VG_EXE_ID_MAX];
	int id_len; /* > 0; a content hash when the file has no build-id */
	bool by_content;
};

struct cached {
	uint64_t kdev, ino, mtime_ns;
	int tool; /* index in tools, -1 none */
	bool used;
};

static struct tool tools[TOOLS_MAX];
static unsigned ntools;
static uint64_t learnt_ns;
static bool learnt;
static struct cached cache[CACHE_SLOTS];
_Static_assert(ARRAY_SIZE(tool_names) <= TOOLS_MAX, "room for every tool");

static uint64_t kernel_dev(dev_t d)
{
	return ((uint64_t)major(d) << 20) | minor(d);
}

static bool is_elf(const char *path)
{
	char magic[4] = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	bool elf;

	if (fd < 0)
		return false;
	elf = read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic) && !memcmp(magic, "\x7f" "ELF", 4);
	close(fd);
	return elf;
}

/* The first of the tool directories holding name as an executable ELF file
 * (scripts are never a process's executable: their interpreter is). */
static void learn_one(const char *name)
{
	char path[256];
	struct stat st;
	struct tool *t = &tools[ntools];

	for (size_t d = 0; d < ARRAY_SIZE(tool_dirs); d++) {
		snprintf(path, sizeof(path), "%s/%s", tool_dirs[d], name);
		if (stat(path, &st) || !S_ISREG(st.st_mode) || !(st.st_mode & 0111) || !is_elf(path))
			continue;
		for (unsigned i = 0; i < ntools; i++)
			if (tools[i].kdev == kernel_dev(st.st_dev) && tools[i].ino == st.st_ino)
				return; /* another name of a tool learnt already */
		t->name = name;
		t->kdev = kernel_dev(st.st_dev);
		t->ino = st.st_ino;
		t->size = (uint64_t)st.st_size;
		t->id_len = vg_exe_build_id(path, t->kdev, t->ino, t->id, sizeof(t->id));
		t->by_content = false;
		if (t->id_len <= 0) {
			t->id_len = vg_exe_identity(path, t->kdev, t->ino, t->id, sizeof(t->id));
			t->by_content = true;
		}
		if (t->id_len > 0)
			ntools++;
		return;
	}
}

static void learn(uint64_t now_ns)
{
	uint64_t age = now_ns >= learnt_ns ? now_ns - learnt_ns : learnt_ns - now_ns;

	if (learnt && age < RELEARN_NS) /* either way: replays go back in time */
		return;
	learnt = true;
	learnt_ns = now_ns;
	ntools = 0;
	for (size_t i = 0; i < ARRAY_SIZE(tool_names) && ntools < TOOLS_MAX; i++)
		learn_one(tool_names[i]);
	memset(cache, 0, sizeof(cache));
}

static int tool_with_id(const unsigned char *id, int len, bool by_content)
{
	for (unsigned i = 0; i < ntools; i++)
		if (tools[i].by_content == by_content && tools[i].id_len == len &&
		    !memcmp(tools[i].id, id, (size_t)len))
			return (int)i;
	return -1;
}

/* The identity of the file at path (which must be kdev/ino): its build-id,
 * or its content hash when it has none and a learnt tool without one has its
 * size. -1 when it is none of the tools, -2 when the file cannot be read. */
static int tool_of_file(const char *path, uint64_t kdev, uint64_t ino)
{
	unsigned char id[VG_EXE_ID_MAX];
	struct stat st;
	bool same_size = false;
	int n = vg_exe_build_id(path, kdev, ino, id, sizeof(id));

	if (n > 0)
		return tool_with_id(id, n, false);
	if (n < 0 || stat(path, &st))
		return -2;
	for (unsigned i = 0; i < ntools; i++)
		same_size |= tools[i].by_content && tools[i].size == (uint64_t)st.st_size;
	if (!same_size)
		return -1;
	n = vg_exe_identity(path, kdev, ino, id, sizeof(id));
	return n > 0 ? tool_with_id(id, n, true) : -2;
}

static int lookup(uint32_t pid, const char *exe, uint64_t kdev, uint64_t ino)
{
	char proc_exe[32];
	int t;

	for (unsigned i = 0; i < ntools; i++)
		if (tools[i].kdev == kdev && tools[i].ino == ino)
			return (int)i;
	/* /proc/PID/exe first: the very file the process runs, even deleted,
	 * in another mount namespace or replaced at its path since */
	snprintf(proc_exe, sizeof(proc_exe), "/proc/%u/exe", pid);
	t = pid ? tool_of_file(proc_exe, kdev, ino) : -2;
	if (t == -2 && exe && exe[0] == '/')
		t = tool_of_file(exe, kdev, ino);
	return t;
}

const char *vg_tool_of_exe(uint32_t pid, const char *exe, uint64_t kdev, uint64_t ino,
			   uint64_t mtime_ns, uint64_t now_ns)
{
	struct cached *c;
	int t;

	if (!ino)
		return NULL;
	learn(now_ns);
	c = &cache[(ino * 0x9e3779b97f4a7c15ull ^ kdev) % CACHE_SLOTS];
	if (c->used && c->kdev == kdev && c->ino == ino && c->mtime_ns == mtime_ns)
		return c->tool >= 0 ? tools[c->tool].name : NULL;
	/* unreadable (gone, or its path is another file now, or an overlayfs
	 * whose stat names another inode): none, and not asked again, so an
	 * executable that cannot be read costs one look, not one per event */
	t = lookup(pid, exe, kdev, ino);
	*c = (struct cached){ .kdev = kdev, .ino = ino, .mtime_ns = mtime_ns, .tool = t, .used = true };
	return t >= 0 ? tools[t].name : NULL;
}

unsigned vg_tool_count(uint64_t now_ns)
{
	learn(now_ns);
	return ntools;
}

const char *vg_tool_name(unsigned i)
{
	return i < ntools ? tools[i].name : NULL;
}
