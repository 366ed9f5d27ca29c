/* A program with two code paths for the pH test (tests/e2e/test_ph.py).
 *
 *   vigil-phtest train [N]   N rounds (default 50) of the same fixed calls
 *   vigil-phtest attack      the train round once, then calls the train path
 *                            never makes (uname, sysinfo, getrusage, socket)
 *
 * Run "train" many times and pH learns the program; "attack" then makes
 * calls outside what it learnt. Calls are made with syscall() so that libc
 * buffering or caching cannot change the sequence between runs. Prints
 * "pid=N" so the test can find its alerts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
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

	if (argc < 2 || (strcmp(argv[1], "train") && strcmp(argv[1], "attack"))) {
		fprintf(stderr, "usage: vigil-phtest train [N] | attack\n");
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
	train_round();
	for (int i = 0; i < 4; i++)
		attack_round();
	return 0;
}
