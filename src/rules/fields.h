/* The field registry: every field a rule condition or output may name, its
 * type, the argument it takes and what it means. The rule engine checks
 * conditions against it at load time; extraction from real events is done by
 * a vg_field_get callback that the caller (the monitor) supplies, switching on
 * vg_field_ref.field->id.
 *
 * Argument forms: proc.aname[2] (index), evt.arg.flags / evt.arg[flags] /
 * evt.arg[1] (name or position), proc.env[HOME]. */
#ifndef VIGIL_RULES_FIELDS_H
#define VIGIL_RULES_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum vg_ftype {
	VG_FT_NONE = 0,
	VG_FT_STR,    /* bytes + length; paths, names, rendered flags */
	VG_FT_INT,    /* int64 */
	VG_FT_UINT,   /* uint64; also times and durations in ns */
	VG_FT_BOOL,
	VG_FT_IPADDR, /* an address; compared with an address or a network */
	VG_FT_IPNET,  /* an address; "=" means "inside that network" */
};

/* vg_field.flags */
#define VG_FA_INDEX (1u << 0) /* takes [N] */
#define VG_FA_NAME (1u << 1)  /* takes .name or [name] */
#define VG_FA_REQ (1u << 2)   /* the argument is required */
#define VG_FF_ANY (1u << 3)   /* several values (without an index): matches if any matches */
#define VG_FF_LIST (1u << 4)  /* a list: "in" = all values in the set, "intersects" = any */
#define VG_FF_NODATA (1u << 5) /* Falco's field, but vigil records nothing for it: always absent */

/* X(ID, name, type, flags, description) */
#define VG_FIELDS(X)                                                                               \
	X(EVT_NUM, "evt.num", UINT, 0, "event number")                                             \
	X(EVT_TIME, "evt.time", STR, 0, "event time, human readable")                               \
	X(EVT_RAWTIME, "evt.rawtime", UINT, 0, "event time, ns since the epoch")                   \
	X(EVT_DATETIME, "evt.datetime", STR, 0, "event date and time")                            \
	X(EVT_TYPE, "evt.type", STR, 0, "event type name (open, execve ...)")                      \
	X(EVT_DIR, "evt.dir", STR, 0, "> for enter, < for exit")                                  \
	X(EVT_CPU, "evt.cpu", INT, VG_FF_NODATA, "CPU the event happened on")                                 \
	X(EVT_ARGS, "evt.args", STR, 0, "all arguments, rendered")                                 \
	X(EVT_ARG, "evt.arg", STR, VG_FA_NAME | VG_FA_INDEX | VG_FA_REQ, "one argument by name or position, rendered") \
	X(EVT_RAWARG, "evt.rawarg", INT, VG_FA_NAME | VG_FA_INDEX | VG_FA_REQ, "one argument by name, raw number")    \
	X(EVT_RES, "evt.res", STR, 0, "SUCCESS or the errno name (ENOENT ...)")                     \
	X(EVT_RAWRES, "evt.rawres", INT, 0, "return value")                                        \
	X(EVT_FAILED, "evt.failed", BOOL, 0, "the call failed")                                    \
	X(EVT_IS_OPEN_READ, "evt.is_open_read", BOOL, 0, "open for reading")                       \
	X(EVT_IS_OPEN_WRITE, "evt.is_open_write", BOOL, 0, "open for writing")                     \
	X(EVT_IS_OPEN_EXEC, "evt.is_open_exec", BOOL, 0, "open with exec permission or O_CREAT+x") \
	X(EVT_IS_OPEN_CREATE, "evt.is_open_create", BOOL, 0, "open created the file")              \
	X(EVT_IS_IO_URING, "evt.is_io_uring", BOOL, 0, "made through io_uring, not a syscall")     \
	X(VIGIL_IO_URING_OP, "vigil.io_uring_op", STR, 0, "io_uring opcode (IORING_OP_OPENAT ...)") \
	X(EVT_HOSTNAME, "evt.hostname", STR, 0, "host name")                                       \
	X(EVT_SOURCE, "evt.source", STR, 0, "event source (syscall)")                              \
	X(EVT_CATEGORY, "evt.category", STR, 0, "event category (file, net, process ...)")        \
	X(EVT_BUFFER, "evt.buffer", STR, VG_FF_NODATA, "data buffer of a read/write")                         \
	X(EVT_BUFLEN, "evt.buflen", UINT, VG_FF_NODATA, "length of the data buffer")                          \
	X(EVT_LATENCY, "evt.latency", UINT, VG_FF_NODATA, "time spent in the call, ns")                      \
	X(PROC_PID, "proc.pid", INT, 0, "process id")                                              \
	X(PROC_VPID, "proc.vpid", INT, 0, "process id in its pid namespace")                      \
	X(PROC_PPID, "proc.ppid", INT, 0, "parent process id")                                     \
	X(PROC_PVPID, "proc.pvpid", INT, 0, "parent process id in its pid namespace")             \
	X(PROC_EXE, "proc.exe", STR, 0, "first argument (argv[0])")                                \
	X(PROC_EXEPATH, "proc.exepath", STR, 0, "full path of the executable")                     \
	X(PROC_NAME, "proc.name", STR, 0, "executable name (comm, 15 bytes)")                      \
	X(PROC_ARGS, "proc.args", STR, 0, "arguments, space separated, without argv[0]")           \
	X(PROC_CMDLINE, "proc.cmdline", STR, 0, "name and arguments")                              \
	X(PROC_EXELINE, "proc.exeline", STR, 0, "exe and arguments")                               \
	X(PROC_CMDNARGS, "proc.cmdnargs", UINT, 0, "number of arguments")                         \
	X(PROC_CMDLENARGS, "proc.cmdlenargs", UINT, 0, "total length of the arguments")           \
	X(PROC_ENV, "proc.env", STR, VG_FA_NAME, "environment, or one variable with [NAME]")            \
	X(PROC_CWD, "proc.cwd", STR, 0, "working directory")                                       \
	X(PROC_TTY, "proc.tty", UINT, 0, "controlling terminal, 0 if none")                        \
	X(PROC_SID, "proc.sid", INT, 0, "session id")                                              \
	X(PROC_SNAME, "proc.sname", STR, 0, "name of the session leader")                          \
	X(PROC_SID_EXE, "proc.sid.exe", STR, 0, "argv[0] of the session leader")                   \
	X(PROC_SID_EXEPATH, "proc.sid.exepath", STR, 0, "exe path of the session leader")          \
	X(PROC_VPGID, "proc.vpgid", INT, 0, "process group id in its namespace")                  \
	X(PROC_VPGID_NAME, "proc.vpgid.name", STR, 0, "name of the process group leader")         \
	X(PROC_VPGID_EXE, "proc.vpgid.exe", STR, 0, "exe of the process group leader")            \
	X(PROC_VPGID_EXEPATH, "proc.vpgid.exepath", STR, 0, "exe path of the group leader")        \
	X(PROC_IS_VPGID_LEADER, "proc.is_vpgid_leader", BOOL, 0, "the process leads its group")   \
	X(PROC_IS_SID_LEADER, "proc.is_sid_leader", BOOL, 0, "the process leads its session")     \
	X(PROC_PNAME, "proc.pname", STR, 0, "parent name")                                         \
	X(PROC_PEXE, "proc.pexe", STR, 0, "parent argv[0]")                                        \
	X(PROC_PEXEPATH, "proc.pexepath", STR, 0, "parent executable path")                        \
	X(PROC_PCMDLINE, "proc.pcmdline", STR, 0, "parent command line")                           \
	X(PROC_APID, "proc.apid", INT, VG_FA_INDEX | VG_FF_ANY, "ancestor pid; [1] parent, [2] grandparent ...") \
	X(PROC_ANAME, "proc.aname", STR, VG_FA_INDEX | VG_FF_ANY, "ancestor name; without [N] any ancestor")  \
	X(PROC_AEXE, "proc.aexe", STR, VG_FA_INDEX | VG_FF_ANY, "ancestor argv[0]")                            \
	X(PROC_AEXEPATH, "proc.aexepath", STR, VG_FA_INDEX | VG_FF_ANY, "ancestor executable path")            \
	X(PROC_ACMDLINE, "proc.acmdline", STR, VG_FA_INDEX | VG_FF_ANY, "ancestor command line")              \
	X(PROC_DURATION, "proc.duration", UINT, 0, "ns since the process started")                 \
	X(PROC_PPID_DURATION, "proc.ppid.duration", UINT, 0, "ns since the parent started")       \
	X(PROC_START_TS, "proc.pid.ts", UINT, 0, "process start time, ns")                         \
	X(PROC_NTHREADS, "proc.nthreads", UINT, VG_FF_NODATA, "number of threads")                            \
	X(PROC_LOGINSHELLID, "proc.loginshellid", INT, 0, "pid of the oldest shell ancestor")      \
	X(PROC_IS_EXE_WRITABLE, "proc.is_exe_writable", BOOL, 0, "the exe is writable by the user") \
	X(PROC_IS_EXE_UPPER_LAYER, "proc.is_exe_upper_layer", BOOL, 0, "exe on an overlayfs upper layer") \
	X(PROC_IS_EXE_FROM_MEMFD, "proc.is_exe_from_memfd", BOOL, 0, "exe is a memfd (fileless)") \
	X(PROC_EXE_INO, "proc.exe_ino", UINT, 0, "inode of the exe")                               \
	X(PROC_EXE_INO_CTIME, "proc.exe_ino.ctime", UINT, 0, "ctime of the exe, ns")              \
	X(PROC_EXE_INO_MTIME, "proc.exe_ino.mtime", UINT, 0, "mtime of the exe, ns")              \
	X(PROC_EXE_INO_CTIME_DPS, "proc.exe_ino.ctime_duration_proc_start", UINT, 0,               \
	  "ns between the exe's ctime and the process start")                                     \
	X(PROC_EXE_INO_CTIME_DPNS, "proc.exe_ino.ctime_duration_pidns_start", UINT, 0,             \
	  "ns between the exe's ctime and the pid namespace start")                                \
	X(PROC_PIDNS_INIT_START_TS, "proc.pidns_init_start_ts", UINT, 0, "pid namespace start, ns") \
	X(PROC_STDIN_TYPE, "proc.stdin.type", STR, 0, "type of fd 0")                              \
	X(PROC_STDOUT_TYPE, "proc.stdout.type", STR, 0, "type of fd 1")                            \
	X(PROC_STDERR_TYPE, "proc.stderr.type", STR, 0, "type of fd 2")                            \
	X(PROC_STDIN_NAME, "proc.stdin.name", STR, 0, "name of fd 0")                              \
	X(PROC_STDOUT_NAME, "proc.stdout.name", STR, 0, "name of fd 1")                            \
	X(PROC_STDERR_NAME, "proc.stderr.name", STR, 0, "name of fd 2")                            \
	X(THREAD_TID, "thread.tid", INT, 0, "thread id")                                           \
	X(THREAD_VTID, "thread.vtid", INT, 0, "thread id in its namespace")                       \
	X(THREAD_ISMAIN, "thread.ismain", BOOL, 0, "the thread is the group leader")               \
	X(THREAD_CAP_PERMITTED, "thread.cap_permitted", STR, 0, "permitted capabilities")         \
	X(THREAD_CAP_INHERITABLE, "thread.cap_inheritable", STR, 0, "inheritable capabilities")   \
	X(THREAD_CAP_EFFECTIVE, "thread.cap_effective", STR, 0, "effective capabilities (CAP_X CAP_Y)") \
	X(THREAD_CGROUPS, "thread.cgroups", STR, VG_FF_NODATA, "all cgroups")                                 \
	X(THREAD_CGROUP, "thread.cgroup", STR, VG_FA_NAME | VG_FA_REQ | VG_FF_NODATA, "cgroup of one subsystem")            \
	X(USER_UID, "user.uid", UINT, 0, "user id")                                                \
	X(USER_NAME, "user.name", STR, 0, "user name")                                             \
	X(USER_HOMEDIR, "user.homedir", STR, 0, "home directory")                                  \
	X(USER_SHELL, "user.shell", STR, 0, "login shell")                                         \
	X(USER_LOGINUID, "user.loginuid", INT, 0, "audit login uid, -1 if none")                   \
	X(USER_LOGINNAME, "user.loginname", STR, 0, "name of the login uid")                       \
	X(GROUP_GID, "group.gid", UINT, 0, "group id")                                             \
	X(GROUP_NAME, "group.name", STR, 0, "group name")                                          \
	X(VIGIL_IDS_BEFORE, "vigil.ids.before", STR, 0, "set*id: ids held as the call started (uid euid suid fsuid, or the gid forms)") \
	X(VIGIL_IDS_AFTER, "vigil.ids.after", STR, 0, "set*id: ids held after the call")                   \
	X(VIGIL_BECAME_ROOT, "vigil.became_root", BOOL, 0, "set*id: one of the ids went from non-zero to 0") \
	X(VIGIL_DIR_MODE, "vigil.dir.mode", UINT, 0, "exec, open, chmod: mode of the directory holding the file") \
	X(VIGIL_DIR_UID, "vigil.dir.uid", UINT, 0, "owner of the directory holding the file")              \
	X(VIGIL_DIR_WORLD_WRITABLE, "vigil.dir.world_writable", BOOL, 0, "that directory is writable by every user (o+w)") \
	X(VIGIL_DIR_STICKY, "vigil.dir.sticky", BOOL, 0, "that directory has the sticky bit (+t)")        \
	X(VIGIL_FILENAME_DIR_WW, "vigil.filename.dir_world_writable", BOOL, 0, "exec: the file given to execve (a script, a link) is in an o+w directory") \
	X(VIGIL_SCRIPT_DIR_WW, "vigil.script.dir_world_writable", BOOL, 0, "exec: the first path argument (the script of a shell or interpreter) is in an o+w directory") \
	X(VIGIL_EXE_DROPPED, "vigil.exe.dropped", BOOL, 0, "exec: the file run was written or made executable in an o+w directory in the last 10 minutes, by the same user or an ancestor") \
	X(VIGIL_EXE_DROPPER, "vigil.exe.dropper", STR, 0, "exec: that write or chmod, who made it and when") \
	X(VIGIL_STDIN_WRITER, "vigil.stdin.writer", STR, 0, "the command line of the process writing into this process's standard input (a pipe), as it last exec'd") \
	X(VIGIL_STDOUT_READER, "vigil.stdout.reader", STR, 0, "the command line of the process reading this process's standard output (a pipe)") \
	X(FD_NUM, "fd.num", INT, 0, "descriptor number, -1 on failure")                            \
	X(FD_TYPE, "fd.type", STR, 0, "file, directory, ipv4, ipv6, unix, pipe, memfd ...")       \
	X(FD_TYPECHAR, "fd.typechar", STR, 0, "one letter type: f, 4, 6, u, p ...")                \
	X(FD_NAME, "fd.name", STR, 0, "full name: path, or ip:port->ip:port")                      \
	X(FD_NAMERAW, "fd.nameraw", STR, 0, "name as passed by the program")                       \
	X(FD_DIRECTORY, "fd.directory", STR, 0, "directory of the path")                           \
	X(FD_FILENAME, "fd.filename", STR, 0, "last component of the path")                        \
	X(FD_DEV, "fd.dev", UINT, VG_FF_NODATA, "device number")                                              \
	X(FD_INO, "fd.ino", UINT, 0, "inode number")                                               \
	X(FD_IP, "fd.ip", IPADDR, VG_FF_ANY, "client or server address")                                \
	X(FD_CIP, "fd.cip", IPADDR, 0, "client address")                                           \
	X(FD_SIP, "fd.sip", IPADDR, 0, "server address")                                           \
	X(FD_DIP, "fd.dip", IPADDR, 0, "destination address (same as fd.sip)")                    \
	X(FD_LIP, "fd.lip", IPADDR, 0, "local address")                                            \
	X(FD_RIP, "fd.rip", IPADDR, 0, "remote address")                                           \
	X(FD_NET, "fd.net", IPNET, VG_FF_ANY, "client or server address, compared with a network")      \
	X(FD_CNET, "fd.cnet", IPNET, 0, "client address, compared with a network")                 \
	X(FD_SNET, "fd.snet", IPNET, 0, "server address, compared with a network")                 \
	X(FD_LNET, "fd.lnet", IPNET, 0, "local address, compared with a network")                  \
	X(FD_RNET, "fd.rnet", IPNET, 0, "remote address, compared with a network")                 \
	X(FD_PORT, "fd.port", UINT, VG_FF_ANY, "client or server port")                                 \
	X(FD_CPORT, "fd.cport", UINT, 0, "client port")                                            \
	X(FD_SPORT, "fd.sport", UINT, 0, "server port")                                            \
	X(FD_DPORT, "fd.dport", UINT, 0, "destination port (same as fd.sport)")                   \
	X(FD_LPORT, "fd.lport", UINT, 0, "local port")                                             \
	X(FD_RPORT, "fd.rport", UINT, 0, "remote port")                                            \
	X(FD_L4PROTO, "fd.l4proto", STR, 0, "tcp, udp, icmp or raw")                               \
	X(FD_SOCKFAMILY, "fd.sockfamily", STR, 0, "ip or unix")                                    \
	X(FD_IS_SERVER, "fd.is_server", BOOL, 0, "the process is the server end")                 \
	X(FD_CONNECTED, "fd.connected", BOOL, 0, "the socket is connected")                       \
	X(FD_NAME_CHANGED, "fd.name_changed", BOOL, VG_FF_NODATA, "the name changed during the event")       \
	X(FD_CIP_NAME, "fd.cip.name", STR, VG_FF_NODATA, "resolved name of the client address")              \
	X(FD_SIP_NAME, "fd.sip.name", STR, VG_FF_NODATA, "resolved name of the server address")              \
	X(FD_LIP_NAME, "fd.lip.name", STR, VG_FF_NODATA, "resolved name of the local address")               \
	X(FD_RIP_NAME, "fd.rip.name", STR, VG_FF_NODATA, "resolved name of the remote address")              \
	X(FD_TYPES, "fd.types", STR, VG_FA_INDEX | VG_FF_LIST | VG_FF_NODATA, "types of all descriptors, or of fd [N]")       \
	X(FS_PATH_NAME, "fs.path.name", STR, 0, "path of a file-system event")                     \
	X(FS_PATH_NAMERAW, "fs.path.nameraw", STR, 0, "path as passed")                            \
	X(FS_PATH_SOURCE, "fs.path.source", STR, 0, "source path (rename, link)")                  \
	X(FS_PATH_SOURCERAW, "fs.path.sourceraw", STR, 0, "source path as passed")                 \
	X(FS_PATH_TARGET, "fs.path.target", STR, 0, "target path (rename, link)")                  \
	X(FS_PATH_TARGETRAW, "fs.path.targetraw", STR, 0, "target path as passed")                 \
	X(FD_KNOWN_NAME, "fd.known_name", STR, 0, "watched file this one is (same device+inode)")  \
	X(PROC_ARGS_TRUNCATED, "proc.args_truncated", BOOL, 0, "exec: argv was cut at 4 KiB")     \
	X(PROC_LD_ENV_TRUNCATED, "proc.ld_env_truncated", BOOL, 0, "exec: an LD_* entry was too long to copy") \
	X(VIGIL_DECODES, "vigil.decodes", BOOL, 0, "the program (by its executable's name) is a decoder told to decode, its options read as it reads them: base64/base32/basenc -d (-id, --dec), xxd -r (-rp, --revert), openssl enc/base64/<cipher> -d, uudecode") \
	X(VIGIL_STDIN_WRITER_DECODES, "vigil.stdin.writer_decodes", BOOL, 0, "the process writing into this one's standard input (vigil.stdin.writer) is such a decoder") \
	X(VIGIL_SHELL_DECODE_RUNS, "vigil.shell.decode_runs", BOOL, 0, "the arguments (a shell's -c script) pipe such a decoder straight into a shell or interpreter, or eval what one prints in $( ) or backticks") \
	X(VIGIL_GREP_CREDENTIAL_SEARCH, "vigil.grep.credential_search", BOOL, 0, "exec of grep: a pattern, read and compiled as grep does (-e, -E, -F, -i, bundled options), matches a private-key header, or in a recursive search a password-like word, however it is spelled (pa[s]sword)") \
	X(VIGIL_RUID, "vigil.ruid", UINT, 0, "real user id of the task (user.uid is the effective one): 0 for a setuid-root program only when root ran it") \
	X(PROC_EXE_TOOL, "proc.exe_tool", STR, 0, "the packaged tool the executable is by its ELF build-id (else its content hash), whatever its name or place: a copy of base64 at /tmp/x is base64; learnt from the system's copies in /usr/bin, /bin, /usr/sbin, /sbin") \
	X(VIGIL_MOUNT_SOURCE, "vigil.mount.source", STR, 0, "mount, open_tree, fsconfig(source): the source as the kernel looks it up, relative to the working directory (or open_tree's dirfd) and through symlinks, resolved when the event is evaluated") \
	X(VIGIL_STDOUT_RELAY_NET, "vigil.stdout.relay_net", BOOL, 0, "exec of a shell (by name or build-id) reading its commands from standard input: standard output is a pipe or unix socket whose other end is held by a process (the pipe's reader, else the parent) that holds an IPv4/IPv6 socket, read from /proc when evaluated") \
	X(VIGIL_STDIN_WRITER_SHELL, "vigil.stdin.writer_shell", BOOL, 0, "the process writing into standard input's pipe is a shell (by name or build-id) that reads its commands from its own standard input (no -c, no script)") \
	X(VIGIL_STDOUT_READER_SHELL, "vigil.stdout.reader_shell", BOOL, 0, "the process reading this one's standard output pipe is a shell (by name or build-id) that reads its commands from its standard input (no -c, no script)") \
	X(VIGIL_CAPS_RAISED, "vigil.caps_raised", BOOL, 0, "exec: the new program holds permitted capabilities its ambient set does not explain: they came from the file (file capabilities, a setuid-root file; every exec by root)") \
	X(CONTAINER_ID, "container.id", STR, 0, "short container id, \"host\" outside containers") \
	X(CONTAINER_FULL_ID, "container.full_id", STR, 0, "full container id")                    \
	X(CONTAINER_NAME, "container.name", STR, 0, "container name")                              \
	X(CONTAINER_TYPE, "container.type", STR, 0, "docker, containerd, cri-o, podman ...")       \
	X(CONTAINER_IMAGE, "container.image", STR, VG_FF_NODATA, "image name")                                \
	X(CONTAINER_IMAGE_ID, "container.image.id", STR, VG_FF_NODATA, "image id")                            \
	X(CONTAINER_IMAGE_REPOSITORY, "container.image.repository", STR, VG_FF_NODATA, "image repository")    \
	X(CONTAINER_IMAGE_TAG, "container.image.tag", STR, VG_FF_NODATA, "image tag")                         \
	X(CONTAINER_IMAGE_DIGEST, "container.image.digest", STR, VG_FF_NODATA, "image digest")                \
	X(CONTAINER_PRIVILEGED, "container.privileged", BOOL, VG_FF_NODATA, "the container is privileged")   \
	X(CONTAINER_MOUNTS, "container.mounts", STR, VG_FF_NODATA, "all mounts")                              \
	X(CONTAINER_MOUNT, "container.mount", STR, VG_FA_NAME | VG_FA_INDEX | VG_FA_REQ | VG_FF_NODATA, "one mount by index or source") \
	X(CONTAINER_START_TS, "container.start_ts", UINT, VG_FF_NODATA, "container start time, ns")          \
	X(CONTAINER_DURATION, "container.duration", UINT, VG_FF_NODATA, "ns since the container started")     \
	X(CONTAINER_HOST_PID, "container.host_pid", BOOL, VG_FF_NODATA, "shares the host pid namespace")     \
	X(CONTAINER_HOST_NETWORK, "container.host_network", BOOL, VG_FF_NODATA, "shares the host network")   \
	X(CONTAINER_HOST_IPC, "container.host_ipc", BOOL, VG_FF_NODATA, "shares the host ipc namespace")   \
	X(BPF_CMD, "bpf.cmd", STR, 0, "bpf() command (BPF_PROG_LOAD, BPF_LINK_CREATE ...)")        \
	X(BPF_PROG_TYPE, "bpf.prog.type", STR, 0, "program type (kprobe, tracepoint, xdp ...)")   \
	X(BPF_PROG_NAME, "bpf.prog.name", STR, 0, "program name")                                  \
	X(BPF_PROG_ID, "bpf.prog.id", UINT, 0, "id of the program loaded or attached")            \
	X(BPF_ATTACH_TYPE, "bpf.attach.type", STR, 0, "attach type (perf_event, cgroup_inet_ingress ...)") \
	X(BPF_ATTACH_TARGET, "bpf.attach.target", STR, 0, "tracepoint, cgroup path, uprobe_multi file, kprobe_multi symbol, or target fd") \
	X(BPF_LINK_ID, "bpf.link.id", UINT, 0, "id of the link created or detached")               \
	X(PROBE_TYPE, "probe.type", STR, 0, "uprobe, uretprobe, kprobe, kretprobe or tracepoint") \
	X(PROBE_PATH, "probe.path", STR, 0, "file of a uprobe")                                    \
	X(PROBE_FUNC, "probe.func", STR, 0, "function of a kprobe")                                \
	X(PROBE_OFFSET, "probe.offset", UINT, 0, "offset of a uprobe in its file, or kprobe offset/address") \
	X(PROBE_TP_ID, "probe.tp_id", UINT, 0, "tracepoint id of a tracepoint perf event")        \
	X(VIGIL_IS_COMPAT32, "vigil.is_compat32", BOOL, 0, "made through the 32-bit (i386) system call entry") \
	X(VIGIL_IO_URING_NORESULT, "vigil.io_uring_noresult", BOOL, 0, "io_uring: reported at submission, its result unknown (evt.rawres 0)") \
	X(VIGIL_PROC_ARGC, "vigil.proc.argc", UINT, 0, "exec: number of arguments, argv[0] included") \
	X(VIGIL_PROC_TTY_NAME, "vigil.proc.tty_name", STR, 0, "exec: name of the controlling terminal (pts/3), as /dev says") \
	X(VIGIL_PROC_PID_NS, "vigil.proc.pid_ns", UINT, 0, "exec: inode number of the process's pid namespace") \
	X(VIGIL_PROC_MNT_NS, "vigil.proc.mnt_ns", UINT, 0, "exec: inode number of the process's mount namespace") \
	X(VIGIL_PROC_EXE_DEV, "vigil.proc.exe_dev", UINT, 0, "exec: device of the executable's file system (kernel dev_t)") \
	X(VIGIL_PROC_IS_EXE_DELETED, "vigil.proc.is_exe_deleted", BOOL, 0, "exec: the executable was unlinked") \
	X(VIGIL_EVT_REPEATS, "vigil.evt.repeats", UINT, 0, "open: identical opens the kernel folded into this event") \
	X(VIGIL_FD_NAME_TRUNCATED, "vigil.fd.name_truncated", BOOL, 0, "a path was longer than the sensor walks or copies: fd.name is its end")

enum vg_field_id {
#define VG_FIELD_ENUM(ID, name, type, flags, desc) VG_F_##ID,
	VG_FIELDS(VG_FIELD_ENUM)
#undef VG_FIELD_ENUM
	VG_F__COUNT
};

struct vg_field {
	enum vg_field_id id;
	const char *name;
	enum vg_ftype type;
	unsigned flags;
	const char *desc;
};

/* One use of a field in a condition or an output: the field plus its
 * argument. Refs are interned by the engine: two uses of proc.aname[2] share
 * one ref (and one cached value per event). */
struct vg_field_ref {
	const struct vg_field *field;
	int32_t index;	  /* [N], or -1 */
	const char *arg;  /* .name or [name] (NUL-terminated), or NULL */
	uint32_t arg_len;
	uint32_t slot;	  /* the evaluator's cache slot */
};

struct vg_ip {
	uint8_t family; /* 4 or 6; 0 = none */
	uint8_t addr[16];
};

/* One extracted value; which member is valid follows the field's type. */
struct vg_value {
	union {
		struct {
			const char *ptr; /* need not be NUL-terminated */
			uint32_t len;
		} s;
		int64_t i;
		uint64_t u;
		bool b;
		struct vg_ip ip;
	};
};

#define VG_FIELD_MAX_VALUES 32 /* values one extraction may return (VG_FF_ANY/LIST fields) */

/* Extracts the field of ref from ctx (the caller's decoded event + process
 * table) into out[0 .. max-1]. Returns the number of values (0 when the field
 * does not apply to this event: every check on it is then false and
 * "exists" is false), or a negative errno. Strings must stay valid until the
 * evaluation of the event is over (alerts for it formatted). It is never
 * called for evt.type: the engine knows it. */
typedef int (*vg_field_get)(const void *ctx, const struct vg_field_ref *ref, struct vg_value *out,
			    unsigned max);

/* the registry, VG_F__COUNT entries in vg_field_id order */
const struct vg_field *vg_field_table(void);
const struct vg_field *vg_field_by_id(enum vg_field_id id);
/* exact name, or NULL */
const struct vg_field *vg_field_by_name(const char *name, size_t len);
/* Finds the field a lexeme such as "evt.arg.flags" names: an exact name, or a
 * VG_FA_NAME field followed by ".arg". Sets *dot_arg (inside the lexeme, or
 * NULL). NULL if there is none. */
const struct vg_field *vg_field_lookup(const char *lexeme, size_t len, const char **dot_arg,
				       size_t *dot_arg_len);
/* Fields of Falco plugins and Kubernetes metadata (k8s.*, ka.*, ct.* ...):
 * known to exist, but vigil cannot provide them. Returns a short description
 * of the provider, or NULL if the name is not one of those. */
const char *vg_field_unavailable(const char *name, size_t len);
const char *vg_ftype_name(enum vg_ftype type);

#endif
