/* A program with two code paths for the pH test (tests/e2e/test_ph.py).
 *
 *   vigil-phtest train [N]   N rounds (default 50) of the same fixed calls
 *   vigil-phtest attack      the train round once, then calls the train path
 *                            never makes (uname, sysinfo, getrusage, socket)
 *   vigil-phtest connect PORT  the train round, then a TCP connect to
 *                            127.0.0.1:PORT (a connect-back), then the round
 *   vigil-phtest exec        the train round, then runs /bin/true (a shell
 *                            spawned by an exploited server)
 *   vigil-phtest spawn       the train round, then forks a child that runs
 *                            /bin/true and waits for it (system()): two
 *                            processes, one attack
 *   vigil-phtest jitter      the train rounds with waits between the calls at
 *                            random places (sched_yield, nanosleep, futex,
 *                            poll): timing, not a new code path
 *   vigil-phtest serve       the train round, then listens on a loopback port
 *                            and closes it (makes the program a server)
 *   vigil-phtest steady [N]  N rounds (default 50) with a 1 ms sleep after
 *                            each: a daemon under steady load that never
 *                            idles, execs or accepts
 *   vigil-phtest extra       train rounds, one of them with getuid twice (a
 *                            loop that ran once more): one known call in a
 *                            new place, below pH's evidence threshold
 *   vigil-phtest swap        train rounds, one of them with two calls swapped:
 *                            known calls in new places, more anomalies than
 *                            one novel call makes but no call the program
 *                            never made (below the known calls' threshold)
 *
 * Run "train" many times and pH learns the program; "attack" then makes
 * calls outside what it learnt. Calls are made with syscall() so that libc
 * buffering or caching cannot change the sequence between runs. Prints
 * "pid=N" so the test can find its alerts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/futex.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The learnt behaviour: a fixed sequence of harmless calls. */
static void train_round(void)
{
	syscall(SYS_getpid);
	syscall(SYS_getppid);
	syscall(SYS_getuid);
	syscall(SYS_getgid);
	syscall(SYS_geteuid);
	syscall(SYS_getegid);
}

/* The train round with one call made twice: no new call, a new place. */
static void extra_round(void)
{
	syscall(SYS_getpid);
	syscall(SYS_getppid);
	syscall(SYS_getuid);
	syscall(SYS_getuid);
	syscall(SYS_getgid);
	syscall(SYS_geteuid);
	syscall(SYS_getegid);
}

/* The train round with getppid and getuid swapped: known calls, new order. */
static void swap_round(void)
{
	syscall(SYS_getpid);
	syscall(SYS_getuid);
	syscall(SYS_getppid);
	syscall(SYS_getgid);
	syscall(SYS_geteuid);
	syscall(SYS_getegid);
}

/* A wait whose place depends on timing: one of four, or none. */
static void maybe_wait(unsigned *seed)
{
	static int word;
	struct timespec ts = { 0, 1000 };

	*seed = *seed * 1103515245u + 12345u;
	switch ((*seed >> 16) % 6) {
	case 0:
		syscall(SYS_sched_yield);
		break;
	case 1:
		syscall(SYS_nanosleep, &ts, NULL);
		break;
	case 2:
		syscall(SYS_futex, &word, FUTEX_WAKE, 1, NULL, NULL, 0);
		break;
	case 3:
		syscall(SYS_poll, NULL, 0, 0);
		break;
	default:
		break;
	}
}

static void jitter_round(unsigned *seed)
{
	syscall(SYS_getpid);
	maybe_wait(seed);
	syscall(SYS_getppid);
	maybe_wait(seed);
	syscall(SYS_getuid);
	maybe_wait(seed);
	syscall(SYS_getgid);
	maybe_wait(seed);
	syscall(SYS_geteuid);
	maybe_wait(seed);
	syscall(SYS_getegid);
	maybe_wait(seed);
}

/* Calls the train path never makes (their arguments may be NULL and fail:
 * pH looks at the call numbers only). */
static void attack_round(void)
{
	syscall(SYS_uname, NULL);
	syscall(SYS_sysinfo, NULL);
	syscall(SYS_getrusage, 0, NULL);
	syscall(SYS_getcwd, NULL, 0);
	syscall(SYS_getpgrp);
	syscall(SYS_getsid, 0);
}

int main(int argc, char **argv)
{
	long rounds = 50;

	if (argc < 2 || (strcmp(argv[1], "train") && strcmp(argv[1], "attack") &&
			 strcmp(argv[1], "exec") && strcmp(argv[1], "serve") &&
			 strcmp(argv[1], "jitter") && strcmp(argv[1], "steady") &&
			 strcmp(argv[1], "extra") && strcmp(argv[1], "swap") &&
			 strcmp(argv[1], "spawn") &&
			 (strcmp(argv[1], "connect") || argc < 3))) {
		fprintf(stderr, "usage: vigil-phtest train [N] | steady [N] | jitter | extra | swap | attack | connect PORT | exec | spawn | serve\n");
		return 2;
	}
	printf("pid=%d\n", (int)getpid());
	fflush(stdout);
	if (!strcmp(argv[1], "train")) {
		if (argc > 2)
			rounds = strtol(argv[2], NULL, 10);
		for (long i = 0; i < rounds; i++)
			train_round();
		return 0;
	}
	if (!strcmp(argv[1], "steady")) {
		/* nanosleep is a timing-dependent call the model ignores */
		struct timespec ms = { 0, 1000000 };

		if (argc > 2)
			rounds = strtol(argv[2], NULL, 10);
		for (long i = 0; i < rounds; i++) {
			train_round();
			syscall(SYS_nanosleep, &ms, NULL);
		}
		return 0;
	}
	if (!strcmp(argv[1], "jitter")) {
		/* no call for the seed (getpid() would be a new sequence):
		 * the stack's address, which ASLR moves */
		unsigned seed = (unsigned)((unsigned long)&rounds >> 4);

		for (long i = 0; i < rounds; i++)
			jitter_round(&seed);
		return 0;
	}
	train_round();
	if (!strcmp(argv[1], "extra") || !strcmp(argv[1], "swap")) {
		if (!strcmp(argv[1], "extra"))
			extra_round();
		else
			swap_round();
		train_round();
		train_round();
		return 0;
	}
	if (!strcmp(argv[1], "spawn")) {
		char *args[] = { "true", NULL };
		pid_t child = fork();
		int status;

		if (child == 0) {
			execv("/bin/true", args);
			_exit(1);
		}
		if (child < 0 || waitpid(child, &status, 0) != child)
			return 1;
		printf("child=%d\n", (int)child);
		train_round();
		return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
	}
	if (!strcmp(argv[1], "exec")) {
		char *args[] = { "true", NULL };

		execv("/bin/true", args);
		return 1;
	}
	if (!strcmp(argv[1], "serve")) {
		struct sockaddr_in a = { .sin_family = AF_INET };
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1))
			return 1;
		close(fd);
		train_round();
		return 0;
	}
	if (!strcmp(argv[1], "connect")) {
		struct sockaddr_in a = { .sin_family = AF_INET };
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		a.sin_port = htons((unsigned short)atoi(argv[2]));
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)))
			return 1;
		close(fd);
		train_round();
		return 0;
	}
	for (int i = 0; i < 4; i++)
		attack_round();
	return 0;
}
