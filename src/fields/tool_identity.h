/* proc.exe_tool: which packaged tool an executable is, by what it is (its
 * ELF build-id, else a hash of its content), not by its name or place. A
 * copy of base64 at /tmp/x, a grep renamed `finder`, a bash called `kworker`
 * keep the build-id the linker wrote into them, so they are still base64,
 * grep and bash to the rules.
 *
 * The tools the default rules care about (decoders, netcat and socat, grep
 * and its kin, shells, interpreters, downloaders ...) are learnt from the
 * system's own copies (/usr/bin, /bin, /usr/sbin, /sbin, /usr/local/bin) at
 * first use and again every ten minutes (a package upgrade gives a tool a new
 * build-id). Each executable is looked at once: the answer is cached by its
 * device, inode and modification time, so an event costs a table lookup and
 * only the first event of a new executable opens it (its ELF notes; its
 * content only when it has no build-id and its size is the size of a learnt
 * tool without one). */
#ifndef VIGIL_FIELDS_TOOL_IDENTITY_H
#define VIGIL_FIELDS_TOOL_IDENTITY_H

#include <stdint.h>

/* What the executable of process pid is, as a tool name ("base64", "grep",
 * "bash" ...), or NULL when it is none of the learnt tools or cannot be read.
 * exe: its resolved path (tried after /proc/PID/exe); kdev/ino: its kernel
 * dev_t and inode (the file read must be that one); mtime_ns: its
 * modification time (0 unknown), part of the cache key so a file rewritten
 * in place is looked at again; now_ns: the event's time. */
const char *vg_tool_of_exe(uint32_t pid, const char *exe, uint64_t kdev, uint64_t ino,
			   uint64_t mtime_ns, uint64_t now_ns);

/* The learnt tools, for tests and `--events` debugging: how many, and the
 * name of the i-th (NULL past the end). Learns them if not done yet. */
unsigned vg_tool_count(uint64_t now_ns);
const char *vg_tool_name(unsigned i);

#endif
