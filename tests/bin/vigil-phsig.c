/* A program whose signal handler makes calls of its own, interrupted at
 * unpredictable points (tests/e2e/test_ph_signal.py).
 *
 *   vigil-phsig [ROUNDS]   a child sends SIGUSR1 to this process as fast as
 *                          it can while the parent makes ROUNDS (default
 *                          2000) rounds of a fixed call sequence
 *
 * The handler calls getuid, sched_yield and getpgrp. With signal windows,
 * pH sees two fixed sequences (the main loop, the handler) however the
 * signals fall; without them, every run mixes the handler's calls into the
 * main loop at new places. Prints "pid=N handled=N". */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
	(void)sig;
	syscall(SYS_getuid);
	syscall(SYS_sched_yield);
	syscall(SYS_getpgrp);
	handled++;
}

static void main_round(void)
{
	syscall(SYS_getpid);
	syscall(SYS_getppid);
	syscall(SYS_getgid);
	syscall(SYS_geteuid);
	syscall(SYS_getegid);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	long rounds = argc > 1 ? strtol(argv[1], NULL, 10) : 2000;
	sigset_t usr1;
	pid_t parent = getpid(), child;

	printf("pid=%d ", (int)parent);
	fflush(stdout);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		/* SIGKILL from the parent ends this loop */
		for (;;)
			syscall(SYS_kill, parent, SIGUSR1);
	}
	for (long i = 0; i < rounds; i++)
		main_round();
	/* no handler from here on: the ending is the same in every run */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	printf("handled=%d\n", (int)handled);
	return 0;
}
