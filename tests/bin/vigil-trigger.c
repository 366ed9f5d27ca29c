/* vigil-trigger: makes exactly the system calls a real-kernel test asks
 * for, so the test can assert every field of the resulting event.
 *
 *   vigil-trigger ACTION [ARGS...]
 *
 * Prints "pid=N" first (and, for some actions, more key=value lines the
 * test compares with the event). Every process it starts it also ends. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/openat2.h>
#include <linux/perf_event.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
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
#include <sys/un.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "vigil-trigger: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* A child that waits to be ended; the caller kills and reaps it. */
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

static int act_files(int argc, char **argv)
{
	/* argv[0] = directory to work in (the test's temp dir) */
	char a[4096], b[4096];
	int fd;

	if (argc < 1)
		return 2;
	if (chdir(argv[0]))
		die("chdir");
	fd = openat(AT_FDCWD, "f1", O_WRONLY | O_CREAT | O_TRUNC, 0640); /* relative */
	if (fd < 0)
		die("openat");
	if (write(fd, "x", 1) != 1 || ftruncate(fd, 0))
		die("write/ftruncate");
	fchmod(fd, 0600);
	fchown(fd, 0, 0);
	close(fd);
	open("does-not-exist", O_RDONLY); /* fails with ENOENT */
	snprintf(a, sizeof(a), "%s/f1", argv[0]);
	snprintf(b, sizeof(b), "%s/f2", argv[0]);
	rename(a, b);
	link(b, "f3");
	symlink("/etc", "l1");
	chmod(b, 04755);
	chown(b, 1, 1);
	mkdir("d1", 0700);
	truncate(b, 0);
	creat("f4", 0644);
	{
		struct open_how how = { .flags = O_RDONLY | O_CLOEXEC };
		long r = syscall(SYS_openat2, AT_FDCWD, "/etc/hostname", &how, sizeof(how));

		if (r >= 0)
			close((int)r);
	}
	/* relative to a directory descriptor */
	fd = open(argv[0], O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		int f = openat(fd, "d1/../f2", O_RDONLY);

		if (f >= 0)
			close(f);
		unlinkat(fd, "f3", 0);
		close(fd);
	}
	unlink("f4");
	rmdir("d1");
	/* traversal spelled in the path */
	fd = open("/etc/../etc/hostname", O_RDONLY);
	if (fd >= 0)
		close(fd);
	printf("pid=%d\n", getpid());
	return 0;
}

static int act_deep_path(int argc, char **argv)
{
	/* A path longer than the kernel walk keeps: many nested directories. */
	char name[250];
	int fd;

	if (argc < 1 || chdir(argv[0]))
		return 2;
	memset(name, 'd', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	for (int i = 0; i < 20; i++) {
		if (mkdir(name, 0700) && errno != EEXIST)
			die("mkdir");
		if (chdir(name))
			die("chdir");
	}
	fd = open("leaf", O_WRONLY | O_CREAT, 0600);
	if (fd < 0)
		die("open leaf");
	close(fd);
	printf("pid=%d\n", getpid());
	return 0;
}

static int act_net(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len = sizeof(sin);
	int ls, cs, as;

	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0 || bind(ls, (void *)&sin, sizeof(sin)) || listen(ls, 7) ||
	    getsockname(ls, (void *)&sin, &len))
		die("listener");
	cs = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(cs, (void *)&sin, sizeof(sin)))
		die("connect");
	as = accept(ls, NULL, NULL);
	printf("pid=%d\nport=%d\n", getpid(), ntohs(sin.sin_port));
	close(as);
	close(cs);
	close(ls);

	/* a refused connection is reported with its error */
	sin.sin_port = htons(1);
	cs = socket(AF_INET, SOCK_STREAM, 0);
	connect(cs, (void *)&sin, sizeof(sin));
	close(cs);

	/* IPv6 loopback: an unconnected UDP "connect" needs no peer */
	sin6.sin6_port = htons(5353);
	cs = socket(AF_INET6, SOCK_DGRAM, 0);
	if (cs >= 0) {
		connect(cs, (void *)&sin6, sizeof(sin6));
		close(cs);
	}

	/* a unix socket bound to a path */
	if (argc >= 1) {
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", argv[0]);
		cs = socket(AF_UNIX, SOCK_STREAM, 0);
		unlink(argv[0]);
		bind(cs, (void *)&sun, sizeof(sun));
		close(cs);
		unlink(argv[0]);
	}
	/* a raw packet socket (needs root) */
	cs = socket(AF_PACKET, SOCK_RAW, htons(3));
	if (cs >= 0)
		close(cs);
	return 0;
}

static int act_proc_control(int argc, char **argv)
{
	pid_t child = start_sleeper();
	static volatile long target_word = 1;
	long newval = 42;
	struct iovec local = { .iov_base = &newval, .iov_len = sizeof(newval) };
	struct iovec remote = { .iov_base = (void *)&target_word, .iov_len = sizeof(target_word) };
	void *m;
	int fd, sp[2];

	printf("pid=%d\nchild=%d\n", getpid(), child);
	fflush(stdout);
	if (ptrace(PTRACE_ATTACH, child, 0, 0) == 0) {
		waitpid(child, NULL, 0);
		ptrace(PTRACE_DETACH, child, 0, 0);
	}
	process_vm_writev(child, &local, 1, &remote, 1, 0);

	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m != MAP_FAILED) {
		mprotect(m, 4096, PROT_READ | PROT_WRITE | PROT_EXEC);
		munmap(m, 4096);
	}
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m != MAP_FAILED)
		munmap(m, 4096);

	setuid(getuid());
	setgid(getgid());
	fd = open("/proc/self/ns/uts", O_RDONLY);
	if (fd >= 0) {
		setns(fd, CLONE_NEWUTS);
		close(fd);
	}
	unshare(CLONE_NEWUTS); /* only this process's namespace */
	prctl(PR_SET_NAME, "vgtrig", 0, 0, 0);

	/* a socket onto standard input: what a reverse shell does */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0) {
		dup2(sp[0], 0);
		close(sp[0]);
		close(sp[1]);
	}
	kill(child, SIGTERM);
	waitpid(child, NULL, 0);
	(void)argc;
	(void)argv;
	return 0;
}

static int act_traceme(void)
{
	printf("pid=%d\n", getpid());
	ptrace(PTRACE_TRACEME, 0, 0, 0);
	return 0;
}

static int act_memfd_exec(void)
{
	/* fileless execution: copy /bin/true into a memfd and run it */
	char buf[65536];
	int in, fd;
	ssize_t n;
	pid_t pid;
	int status;

	fd = memfd_create("vg-fileless", MFD_CLOEXEC);
	in = open("/bin/true", O_RDONLY);
	if (fd < 0 || in < 0)
		die("memfd/open");
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, n) != n)
			die("write");
	close(in);
	printf("pid=%d\n", getpid());
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char *args[] = { "vg-fileless", NULL };
		char *env[] = { "LD_PRELOAD=/nonexistent/vg-preload.so", "SECRET_TOKEN=hunter2", NULL };

		fexecve(fd, args, env);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	printf("child=%d\n", pid);
	return 0;
}

static int act_exec_exit(int argc, char **argv)
{
	/* a child that runs a program with known arguments, and one that
	 * exits with a known code */
	pid_t pid;

	printf("pid=%d\n", getpid());
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl("/bin/true", "true", "--vigil-arg", "two words", NULL);
		_exit(127);
	}
	waitpid(pid, NULL, 0);
	printf("exec_child=%d\n", pid);
	pid = fork();
	if (pid == 0)
		_exit(7);
	waitpid(pid, NULL, 0);
	printf("exit_child=%d\n", pid);
	(void)argc;
	(void)argv;
	return 0;
}

static int act_tty_exec(void)
{
	/* a child with a controlling terminal (a new pty) runs /bin/true */
	pid_t pid;
	int status;

	printf("pid=%d\n", getpid());
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int m = posix_openpt(O_RDWR | O_NOCTTY), s;

		if (m < 0 || grantpt(m) || unlockpt(m) || setsid() < 0)
			_exit(126);
		s = open(ptsname(m), O_RDWR); /* first tty opened by a session leader */
		if (s < 0)
			_exit(125);
		printf("tty=%s\n", ptsname(m) + 5); /* "pts/N" */
		fflush(stdout);
		execl("/bin/true", "true", "tty", NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	printf("tty_child=%d\n", pid);
	return 0;
}

static int act_kernel(void)
{
	/* A module load that the kernel refuses (not an ELF module), a tiny
	 * BPF program, and a uprobe perf event, each undone at once. */
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr = { 0 };
	struct perf_event_attr pa = { 0 };
	char license[] = "GPL", buf[32] = { 0 };
	int fd, type = -1;
	FILE *f;

	printf("pid=%d\n", getpid());
	fd = open("/etc/hostname", O_RDONLY);
	syscall(SYS_finit_module, fd, "vigil_test=1", 0);
	close(fd);
	syscall(SYS_init_module, buf, sizeof(buf), "vigil_param=2");

	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = 2;
	attr.license = (unsigned long)license;
	strcpy(attr.prog_name, "vg_test_prog");
	fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	printf("bpf_fd=%d\n", fd);
	if (fd >= 0)
		close(fd);

	f = fopen("/sys/bus/event_source/devices/uprobe/type", "r");
	if (f) {
		if (fscanf(f, "%d", &type) != 1)
			type = -1;
		fclose(f);
	}
	if (type >= 0) {
		pa.size = sizeof(pa);
		pa.type = type;
		pa.config1 = (unsigned long)"/bin/true";
		pa.config2 = 0x1000;
		fd = syscall(SYS_perf_event_open, &pa, -1, 0, -1, 0);
		if (fd >= 0)
			close(fd);
	}
	printf("uprobe_type=%d\n", type);
	return 0;
}

/* Syscalls through the 32-bit ABI from this 64-bit program ("int $0x80"):
 * the classic way around a sensor that only knows the 64-bit table. The
 * path must sit below 4 GiB for the 32-bit call to reach it. */
static int act_compat32(int argc, char **argv)
{
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
		       -1, 0);
	long ret;

	if (p == MAP_FAILED || argc < 1)
		return 2;
	snprintf(p, 4096, "%s", argv[0]);
	printf("pid=%d\n", getpid());
	/* open(path, O_RDONLY) is i386 syscall 5 */
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(5L), "b"((long)p), "c"(0L), "d"(0L) : "memory");
	printf("open32=%ld\n", ret);
	if (ret >= 0)
		close((int)ret);
	/* setuid32(own uid) is 213 */
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(213L), "b"((long)getuid()) : "memory");
	printf("setuid32=%ld\n", ret);
	return 0;
}

/* For the stress test: N fork+exec+wait of /bin/true. */
static int act_execs(int argc, char **argv)
{
	long n = argc > 0 ? atol(argv[0]) : 1000;

	printf("pid=%d\n", getpid());
	fflush(stdout);
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			execl("/bin/true", "true", NULL);
			_exit(127);
		}
		if (pid < 0)
			die("fork");
		waitpid(pid, NULL, 0);
	}
	return 0;
}

/* For the stress test: N open+close of a file. */
static int act_opens(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;

	if (argc < 1)
		return 2;
	printf("pid=%d\n", getpid());
	fflush(stdout);
	for (long i = 0; i < n; i++) {
		int fd = open(argv[0], O_RDONLY);

		if (fd >= 0)
			close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int ret;

	if (argc < 2) {
		fprintf(stderr, "usage: vigil-trigger ACTION [ARGS...]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "files"))
		ret = act_files(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "deep-path"))
		ret = act_deep_path(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "net"))
		ret = act_net(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "proc-control"))
		ret = act_proc_control(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "traceme"))
		ret = act_traceme();
	else if (!strcmp(argv[1], "memfd-exec"))
		ret = act_memfd_exec();
	else if (!strcmp(argv[1], "exec-exit"))
		ret = act_exec_exit(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "tty-exec"))
		ret = act_tty_exec();
	else if (!strcmp(argv[1], "kernel"))
		ret = act_kernel();
	else if (!strcmp(argv[1], "compat32"))
		ret = act_compat32(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "execs"))
		ret = act_execs(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "opens"))
		ret = act_opens(argc - 2, argv + 2);
	else {
		fprintf(stderr, "vigil-trigger: unknown action %s\n", argv[1]);
		return 2;
	}
	return ret;
}
