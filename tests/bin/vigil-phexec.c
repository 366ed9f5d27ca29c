/* A program for tests/e2e/test_cost.py: pH models a call when it returns
 * (in the sensor's sys_exit program), and a successful execve returns in
 * the new program; the kernel side feeds it at exec to the program that
 * made it. This program is trained on a fixed path, then execs.
 *
 *   vigil-phexec train [N]   N rounds (default 50) of the same fixed calls
 *   vigil-phexec exec PATH   one round, then execve(PATH), which the train
 *                            path never makes
 *
 * Calls are made with syscall() so that libc cannot change the sequence
 * between runs. Prints "pid=N" (the pid stays the same across the exec). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void round_(void)
{
	syscall(SYS_getpid);
	syscall(SYS_getppid);
	syscall(SYS_getuid);
	syscall(SYS_getgid);
	syscall(SYS_geteuid);
	syscall(SYS_getegid);
}

int main(int argc, char **argv)
{
	long rounds = 50;

	if (argc < 2 || (strcmp(argv[1], "train") && (strcmp(argv[1], "exec") || argc < 3))) {
		fprintf(stderr, "usage: vigil-phexec train [N] | exec PATH\n");
		return 2;
	}
	printf("pid=%d\n", (int)getpid());
	fflush(stdout);
	if (!strcmp(argv[1], "train")) {
		if (argc > 2)
			rounds = strtol(argv[2], NULL, 10);
		for (long i = 0; i < rounds; i++)
			round_();
		return 0;
	}
	round_();
	char *const args[] = { argv[2], NULL };
	char *const env[] = { NULL };

	syscall(SYS_execve, argv[2], args, env);
	perror("execve");
	return 1;
}
