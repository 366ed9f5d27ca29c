/* vigil-attack: the attacker behaviours of the detection catalogue that
 * need exact system calls, made harmlessly, so that the catalogue test can
 * check that the default rules report them.
 *
 *   vigil-attack ACTION [ARGS...]
 *
 * Prints "pid=N" first (and, for some actions, more key=value lines). Every
 * process it starts it also ends. Nothing here changes the system: targets
 * are its own children, kernel calls are made so that they fail (a module
 * that is not a module, a probe offset past the end of the file), and
 * network calls stay on loopback or inside a new, empty network namespace. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/perf_event.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

/* The word the ptrace and process_vm_writev actions read and write back. */
static volatile long target_word = 0x76696769;

static void die(const char *what)
{
	fprintf(stderr, "vigil-attack: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void say_pid(void)
{
	printf("pid=%d\n", getpid());
	fflush(stdout);
}

/* A child that waits to be ended; the caller ends and reaps it. */
static pid_t start_sleeper(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static void end_child(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* VG-034: attach to our own child, read a word and write the same word back. */
static int act_ptrace_poke(void)
{
	pid_t child = start_sleeper();
	long word;

	say_pid();
	printf("target=%d\n", child);
	if (ptrace(PTRACE_ATTACH, child, NULL, NULL))
		die("PTRACE_ATTACH");
	waitpid(child, NULL, 0);
	errno = 0;
	word = ptrace(PTRACE_PEEKDATA, child, (void *)&target_word, NULL);
	if (errno)
		die("PTRACE_PEEKDATA");
	if (ptrace(PTRACE_POKEDATA, child, (void *)&target_word, (void *)word))
		die("PTRACE_POKEDATA");
	ptrace(PTRACE_DETACH, child, NULL, NULL);
	end_child(child);
	return 0;
}

/* VG-035: ask to be traced by the parent, then leave without exec. */
static int act_traceme(void)
{
	say_pid();
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
		die("PTRACE_TRACEME");
	return 0;
}

/* VG-036: write our child's copy of target_word with its own value. */
static int act_vm_writev(void)
{
	pid_t child = start_sleeper();
	long word = target_word;
	struct iovec local = { .iov_base = &word, .iov_len = sizeof(word) };
	struct iovec remote = { .iov_base = (void *)&target_word, .iov_len = sizeof(word) };

	say_pid();
	printf("target=%d\n", child);
	if (process_vm_writev(child, &local, 1, &remote, 1, 0) != sizeof(word))
		die("process_vm_writev");
	end_child(child);
	return 0;
}

/* VG-037: one W+X mapping made by mmap, one by mprotect. */
static int act_wx(void)
{
	size_t len = 4096;
	void *a, *b;

	say_pid();
	a = mmap(NULL, len, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		die("mmap");
	b = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b == MAP_FAILED)
		die("mmap");
	if (mprotect(b, len, PROT_READ | PROT_WRITE | PROT_EXEC))
		die("mprotect");
	munmap(a, len);
	munmap(b, len);
	return 0;
}

/* VG-033: copy an ELF into a memfd and run it from there (fexecve). */
static int act_memfd_exec(int argc, char **argv)
{
	const char *src = argc > 0 ? argv[0] : "/bin/true";
	char *args[] = { "vigil-memfd-payload", NULL };
	char *env[] = { NULL };
	char buf[65536];
	ssize_t n;
	int in, fd;

	say_pid();
	fd = memfd_create("vigil-attack", MFD_CLOEXEC);
	if (fd < 0)
		die("memfd_create");
	in = open(src, O_RDONLY);
	if (in < 0)
		die(src);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, n) != n)
			die("write");
	close(in);
	fexecve(fd, args, env);
	die("fexecve");
	return 1;
}

/* VG-038: become root (we are root, or the call fails: both count). */
static int act_setuid0(void)
{
	say_pid();
	printf("setuid=%d\n", setuid(0) ? -errno : 0);
	printf("setresuid=%d\n", setresuid(0, 0, 0) ? -errno : 0);
	printf("setgid=%d\n", setgid(0) ? -errno : 0);
	return 0;
}

/* VG-039: enter our own UTS namespace again, and make a new one. */
static int act_namespaces(void)
{
	int fd;

	say_pid();
	fd = open("/proc/self/ns/uts", O_RDONLY);
	if (fd < 0)
		die("open ns");
	printf("setns=%d\n", setns(fd, CLONE_NEWUTS) ? -errno : 0);
	close(fd);
	printf("unshare=%d\n", unshare(CLONE_NEWUTS) ? -errno : 0);
	return 0;
}

/* VG-063: in a new, empty network namespace (nothing leaves the host),
 * try to reach a metadata address: ADDR PORT; IPv4 or IPv6. */
static int act_netns_connect(int argc, char **argv)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	int fd, r;

	if (argc < 2)
		return 2;
	if (unshare(CLONE_NEWNET))
		die("unshare(CLONE_NEWNET)");
	say_pid();
	if (inet_pton(AF_INET, argv[0], &a4.sin_addr) == 1) {
		a4.sin_port = htons(atoi(argv[1]));
		fd = socket(AF_INET, SOCK_STREAM, 0);
		r = connect(fd, (struct sockaddr *)&a4, sizeof(a4));
	} else if (inet_pton(AF_INET6, argv[0], &a6.sin6_addr) == 1) {
		a6.sin6_port = htons(atoi(argv[1]));
		fd = socket(AF_INET6, SOCK_STREAM, 0);
		r = connect(fd, (struct sockaddr *)&a6, sizeof(a6));
	} else {
		return 2;
	}
	printf("connect=%d\n", r ? -errno : 0);
	close(fd);
	return 0;
}

/* VG-040: finit_module on a file that is not a module, init_module on
 * bytes that are not one: the kernel refuses both. */
static int act_modules(int argc, char **argv)
{
	const char *path = argc > 0 ? argv[0] : "/bin/true";
	static const char junk[64] = "this is not a kernel module";
	int fd;

	say_pid();
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	printf("finit_module=%ld\n", syscall(SYS_finit_module, fd, "vigil_test=1", 0) ? (long)-errno : 0L);
	close(fd);
	printf("init_module=%ld\n",
	       syscall(SYS_init_module, junk, sizeof(junk), "vigil_test=1") ? (long)-errno : 0L);
	return 0;
}

static int connect_loopback(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)))
		die("connect");
	return fd;
}

/* VG-060: the core of a reverse shell, without the shell: PORT on
 * loopback becomes our standard streams. */
static int act_revshell(int argc, char **argv)
{
	int fd;

	if (argc < 1)
		return 2;
	say_pid();
	fd = connect_loopback(atoi(argv[0]));
	if (dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup3(fd, 2, 0) < 0)
		die("dup2");
	printf("vigil-attack reverse shell\n");
	fflush(stdout);
	return 0;
}

/* VG-065: a plain connect to loopback PORT (run under another name). */
static int act_connect(int argc, char **argv)
{
	if (argc < 1)
		return 2;
	say_pid();
	close(connect_loopback(atoi(argv[0])));
	return 0;
}

/* VG-061: a packet socket, opened and closed. */
static int act_packet_socket(void)
{
	int fd;

	say_pid();
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	printf("socket=%d\n", fd < 0 ? -errno : 0);
	if (fd >= 0)
		close(fd);
	return 0;
}

/* VG-080: load the smallest socket filter (return 0), then close it: it is
 * never attached to anything. */
static int act_bpf_load(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;
	long fd;

	say_pid();
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = 2;
	attr.license = (uintptr_t) "GPL";
	strncpy(attr.prog_name, "vigil_attack", sizeof(attr.prog_name) - 1);
	fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	printf("bpf=%ld\n", fd < 0 ? (long)-errno : 0L);
	if (fd >= 0)
		close(fd);
	return 0;
}

/* VG-081: a uprobe on FILE at an offset past its end: the kernel sees the
 * request and refuses it, so no probe is ever placed. */
static int act_uprobe(int argc, char **argv)
{
	struct perf_event_attr attr;
	char buf[32] = "";
	long fd;
	FILE *f;

	if (argc < 1)
		return 2;
	say_pid();
	f = fopen("/sys/bus/event_source/devices/uprobe/type", "r");
	if (!f || !fgets(buf, sizeof(buf), f))
		die("uprobe PMU type");
	fclose(f);
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = atoi(buf);
	attr.config1 = (uintptr_t)argv[0];    /* uprobe_path */
	attr.config2 = 0x7fffffff0000ULL;      /* probe_offset, far past the end */
	fd = syscall(SYS_perf_event_open, &attr, -1, 0, -1, 0);
	printf("perf_event_open=%ld\n", fd < 0 ? (long)-errno : 0L);
	if (fd >= 0)
		close(fd);
	return 0;
}

/* VG-046: delete our own executable (the test runs a copy of us). */
/* With a PATH: the executable under another spelling (through a
 * symlinked directory), as an evasion would name it. */
static int act_unlink_self(int n_args, char **args)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		die("readlink");
	exe[n] = 0;
	say_pid();
	printf("exe=%s\n", exe);
	if (unlink(n_args > 0 ? args[0] : exe))
		die("unlink");
	return 0;
}

/* VG-046, second form: a dropper that has rm delete it. */
static int act_rm_self(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	pid_t pid;

	if (n < 0)
		die("readlink");
	exe[n] = 0;
	say_pid();
	printf("exe=%s\n", exe);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		execl("/bin/rm", "rm", "-f", exe, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, NULL, 0);
	return 0;
}

/* VG-018 and VG-019 through /proc/PID/task/TID: our child's memory opened
 * for writing (nothing written) and its environment read. */
static int act_proc_task_files(void)
{
	pid_t child = start_sleeper();
	char path[64];
	int fd;

	say_pid();
	printf("target=%d\n", child);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/mem", child, child);
	fd = open(path, O_RDWR);
	printf("mem=%d\n", fd < 0 ? -errno : 0);
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/environ", child, child);
	fd = open(path, O_RDONLY);
	printf("environ=%d\n", fd < 0 ? -errno : 0);
	if (fd >= 0)
		close(fd);
	end_child(child);
	return 0;
}

/* VG-004 with a relative source, from directory DIR: link
 * ../../../../etc/shadow to DIR/NAME (run it as an unprivileged user: the
 * kernel refuses). */
static int act_link_relative(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	say_pid();
	if (chdir(argv[0]))
		die("chdir");
	printf("linkat=%d\n",
	       linkat(AT_FDCWD, "../../../../../../etc/shadow", AT_FDCWD, argv[1], 0) ? -errno : 0);
	return 0;
}

/* VG-016 with another spelling of the path: open it for writing through
 * "..", write nothing. */
static int act_open_write_only(int argc, char **argv)
{
	int fd;

	if (argc < 1)
		return 2;
	say_pid();
	fd = openat(AT_FDCWD, argv[0], O_WRONLY);
	printf("open=%d\n", fd < 0 ? -errno : 0);
	if (fd >= 0)
		close(fd);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: vigil-attack ACTION [ARGS]\n"
		"actions: ptrace-poke traceme vm-writev wx memfd-exec [ELF] setuid0 namespaces\n"
		"         netns-connect ADDR PORT modules [FILE] revshell PORT connect PORT\n"
		"         packet-socket bpf-load uprobe FILE unlink-self [PATH] rm-self proc-task-files\n"
		"         link-relative DIR NAME open-write-only PATH\n");
}

int main(int argc, char **argv)
{
	const char *act = argc > 1 ? argv[1] : "";
	int n = argc - 2;
	char **a = argv + 2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* an attacker names a process as it likes: the rules must not care */
	if (getenv("VIGIL_ATTACK_NAME"))
		prctl(PR_SET_NAME, getenv("VIGIL_ATTACK_NAME"), 0, 0, 0);
	if (!strcmp(act, "ptrace-poke"))
		return act_ptrace_poke();
	if (!strcmp(act, "traceme"))
		return act_traceme();
	if (!strcmp(act, "vm-writev"))
		return act_vm_writev();
	if (!strcmp(act, "wx"))
		return act_wx();
	if (!strcmp(act, "memfd-exec"))
		return act_memfd_exec(n, a);
	if (!strcmp(act, "setuid0"))
		return act_setuid0();
	if (!strcmp(act, "namespaces"))
		return act_namespaces();
	if (!strcmp(act, "netns-connect"))
		return act_netns_connect(n, a);
	if (!strcmp(act, "modules"))
		return act_modules(n, a);
	if (!strcmp(act, "revshell"))
		return act_revshell(n, a);
	if (!strcmp(act, "connect"))
		return act_connect(n, a);
	if (!strcmp(act, "packet-socket"))
		return act_packet_socket();
	if (!strcmp(act, "bpf-load"))
		return act_bpf_load();
	if (!strcmp(act, "uprobe"))
		return act_uprobe(n, a);
	if (!strcmp(act, "unlink-self"))
		return act_unlink_self(n, a);
	if (!strcmp(act, "rm-self"))
		return act_rm_self();
	if (!strcmp(act, "proc-task-files"))
		return act_proc_task_files();
	if (!strcmp(act, "link-relative"))
		return act_link_relative(n, a);
	if (!strcmp(act, "open-write-only"))
		return act_open_write_only(n, a);
	usage();
	return 2;
}
