/* workload: the system calls `make bench` times, with and without a monitor.
 *
 *   workload MODE ITERATIONS      prints the cost of one operation in ns
 *   workload --cpu MODE ITERATIONS   the same in CPU time (this process and
 *                                 its waited-for children), not wall time
 *   workload flood RATE SECONDS   open+close at RATE ops/s (0: as fast as it
 *                                 can) for SECONDS; prints "ops=N secs=S rate=R"
 *
 * Modes: getppid, openclose, read4k, uringread, forkexec, connect. Each mode runs a
 * short untimed warm-up first (page cache, dentry cache, lazy binding), then
 * times ITERATIONS operations in batches with CLOCK_MONOTONIC, which is read
 * through the vDSO and so adds no system call a monitor would see.
 *
 * Files live in $TMPDIR (else /tmp) and are removed at exit; sockets use
 * 127.0.0.1 only.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../tests/bin/vg_uring_min.h" /* io_uring on the raw syscalls */
#include "util/macros.h"

#define MAX_ITERATIONS 100000000L
#define MAX_FLOOD_SECONDS 600L
#define MAX_FLOOD_RATE 100000000L
#undef BLOCK_SIZE /* linux/fs.h has one too (through linux/io_uring.h) */
#define BLOCK_SIZE 4096
#define BATCHES 50

static char tmp_path[4096];
static int tmp_made;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* --cpu: CPU time, ours and our waited-for children's (fork+exec's child).
 * A monitor's BPF programs run in the context of the task making the call,
 * so their cost is in it; time spent waiting for a CPU another process holds
 * is not, which is what makes this usable on a loaded machine. Read once per
 * batch: two system calls per batch, next to thousands of timed ones. */
static int cpu_clock;

static double cpu_ns(void)
{
	struct timespec ts;
	struct rusage ru;
	double ns;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	ns = (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
	if (getrusage(RUSAGE_CHILDREN, &ru) == 0)
		ns += (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e9 +
		      (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e3;
	return ns;
}

static double batch_clock_ns(void)
{
	return cpu_clock ? cpu_ns() : now_ns();
}

static void die(const char *what)
{
	fprintf(stderr, "workload: %s: %s\n", what, strerror(errno));
	if (tmp_made)
		unlink(tmp_path);
	exit(1);
}

/* A 4 KiB file that the open and read loops use, in $TMPDIR (bench/run.py
 * points it to its own directory under /tmp) or else /tmp. */
static void make_tmp_file(void)
{
	const char *dir = getenv("TMPDIR");
	char block[BLOCK_SIZE];
	int fd, n;

	n = snprintf(tmp_path, sizeof(tmp_path), "%s/workload-XXXXXX", dir && *dir ? dir : "/tmp");
	if (n < 0 || (size_t)n >= sizeof(tmp_path)) {
		errno = ENAMETOOLONG;
		die("TMPDIR");
	}
	fd = mkstemp(tmp_path);
	if (fd < 0)
		die(tmp_path);
	tmp_made = 1;
	memset(block, 'v', sizeof(block));
	if (write(fd, block, sizeof(block)) != (ssize_t)sizeof(block))
		die("write /tmp file");
	close(fd);
}

static void run_getppid(long n)
{
	for (long i = 0; i < n; i++)
		if (getppid() < 0)
			die("getppid");
}

static void run_openclose(long n)
{
	for (long i = 0; i < n; i++) {
		int fd = open(tmp_path, O_RDONLY);

		if (fd < 0)
			die("open");
		close(fd);
	}
}

static int read_fd = -1;

static void run_read4k(long n)
{
	char buf[BLOCK_SIZE];

	for (long i = 0; i < n; i++)
		if (pread(read_fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf))
			die("pread");
}

/* The same 4 KiB read as an io_uring request: one IORING_OP_READ submitted
 * and waited for per operation (one io_uring_enter), so the row shows what
 * the sensor's io_uring tracepoints add to a request it does not report. */
static struct vg_ring read_ring;

static void run_uringread(long n)
{
	static char buf[BLOCK_SIZE];
	struct io_uring_cqe cqe;

	for (long i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = vg_ring_sqe(&read_ring);

		if (!sqe)
			die("io_uring queue full");
		sqe->opcode = IORING_OP_READ;
		sqe->fd = read_fd;
		sqe->addr = (uintptr_t)buf;
		sqe->len = sizeof(buf);
		if (vg_ring_submit(&read_ring, 1) || vg_ring_wait(&read_ring, &cqe))
			die("io_uring_enter");
		if (cqe.res != (int)sizeof(buf)) {
			errno = cqe.res < 0 ? -cqe.res : EIO;
			die("io_uring read");
		}
	}
}

static void run_forkexec(long n)
{
	char *const argv[] = { "true", NULL };
	char *const envp[] = { NULL };

	for (long i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			execve("/bin/true", argv, envp);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid)
			die("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			errno = ECHILD;
			die("/bin/true failed");
		}
	}
}

static int listen_fd = -1;
static struct sockaddr_in listen_addr;

/* A listener on 127.0.0.1 and an ephemeral port, in this process. */
static void make_listener(void)
{
	struct linger no_linger = { .l_onoff = 1, .l_linger = 0 };
	socklen_t len = sizeof(listen_addr);

	listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	if (listen_fd < 0)
		die("socket");
	memset(&listen_addr, 0, sizeof(listen_addr));
	listen_addr.sin_family = AF_INET;
	listen_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* Accepted sockets inherit this: they close with a reset, so the
	 * loop leaves no TIME_WAIT sockets behind (100k+ otherwise). */
	if (setsockopt(listen_fd, SOL_SOCKET, SO_LINGER, &no_linger, sizeof(no_linger)) < 0)
		die("SO_LINGER");
	if (bind(listen_fd, (struct sockaddr *)&listen_addr, sizeof(listen_addr)) < 0)
		die("bind 127.0.0.1");
	if (listen(listen_fd, 64) < 0)
		die("listen");
	if (getsockname(listen_fd, (struct sockaddr *)&listen_addr, &len) < 0)
		die("getsockname");
}

/* One TCP connection per operation: connect, accept, close both ends. */
static void run_connect(long n)
{
	for (long i = 0; i < n; i++) {
		int peer, fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0)
			die("socket");
		if (connect(fd, (struct sockaddr *)&listen_addr, sizeof(listen_addr)) < 0)
			die("connect 127.0.0.1");
		peer = accept(listen_fd, NULL, NULL);
		if (peer < 0)
			die("accept");
		close(peer);
		close(fd);
	}
}

struct mode {
	const char *name;
	void (*setup)(void);
	void (*run)(long n);
};

static void setup_file(void)
{
	make_tmp_file();
}

static void setup_read(void)
{
	make_tmp_file();
	read_fd = open(tmp_path, O_RDONLY);
	if (read_fd < 0)
		die("open /tmp file");
}

static void setup_uring_read(void)
{
	setup_read();
	if (vg_ring_init(&read_ring, 8, 0))
		die("io_uring_setup");
}

static const struct mode modes[] = {
	{ "getppid", NULL, run_getppid },
	{ "openclose", setup_file, run_openclose },
	{ "read4k", setup_read, run_read4k },
	{ "uringread", setup_uring_read, run_uringread },
	{ "forkexec", NULL, run_forkexec },
	{ "connect", make_listener, run_connect },
};

/* Open+close at a steady rate: the loop checks the clock every batch and
 * sleeps while it is ahead of schedule, so the rate holds without spinning. */
static void flood(long rate, long seconds)
{
	const long batch = 64;
	double start = now_ns(), end = start + (double)seconds * 1e9, t = start;
	long ops = 0;

	make_tmp_file();
	while (t < end) {
		run_openclose(batch);
		ops += batch;
		t = now_ns();
		if (rate > 0) {
			double due = start + (double)ops * 1e9 / (double)rate;

			if (due > t) {
				struct timespec ts = {
					.tv_sec = (time_t)((due - t) / 1e9),
					.tv_nsec = (long)(due - t) % NSEC_PER_SEC,
				};
				nanosleep(&ts, NULL);
				t = now_ns();
			}
		}
	}
	printf("ops=%ld secs=%.3f rate=%.0f\n", ops, (t - start) / 1e9,
	       (double)ops * 1e9 / (t - start));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The n calls run in BATCHES batches and the answer is the median batch's
 * mean: a batch the scheduler or the host paused is an outlier and does not
 * count, while a cost the monitor adds to most calls (or a queue that makes
 * them wait, as auditd's backlog does) does. */
static double median_batch_ns(const struct mode *m, long n)
{
	long size = n / BATCHES > 0 ? n / BATCHES : 1;
	double ns[BATCHES];
	int count = 0;

	for (long done = 0; done < n && count < BATCHES; done += size) {
		double t0 = batch_clock_ns();

		m->run(size);
		ns[count++] = (batch_clock_ns() - t0) / (double)size;
	}
	qsort(ns, count, sizeof(ns[0]), cmp_double);
	return count % 2 ? ns[count / 2] : (ns[count / 2 - 1] + ns[count / 2]) / 2;
}

static long parse_count(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	return v;
}

static int usage(void)
{
	fprintf(stderr, "usage: workload [--cpu] getppid|openclose|read4k|uringread|forkexec|connect "
			"ITERATIONS\n"
			"       workload flood RATE SECONDS   (RATE 0: unlimited)\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "flood")) {
		long rate = parse_count(argv[2], 0, MAX_FLOOD_RATE);
		long secs = parse_count(argv[3], 1, MAX_FLOOD_SECONDS);

		if (rate < 0 || secs < 0)
			return usage();
		flood(rate, secs);
		unlink(tmp_path);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "--cpu")) {
		cpu_clock = 1;
		argc--;
		argv++;
	}
	if (argc != 3)
		return usage();
	long n = parse_count(argv[2], 1, MAX_ITERATIONS);

	if (n < 0)
		return usage();
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		const struct mode *m = &modes[i];

		if (strcmp(argv[1], m->name))
			continue;
		if (m->setup)
			m->setup();
		m->run(n / 10 > 0 ? n / 10 : 1);
		printf("%.1f\n", median_batch_ns(m, n));
		if (tmp_made)
			unlink(tmp_path);
		return 0;
	}
	fprintf(stderr, "workload: unknown mode '%s'\n", argv[1]);
	return usage();
}
