/* A program for tests/e2e/test_task_state.py: a process that was running
 * before the monitor started (pH adopts it; the sensor knows none of its
 * ids), and a child it forks afterwards. Run as root:
 *
 *   vigil-setid-late FLAGFILE
 *
 * Maps FLAGFILE (4 bytes or more, zero) and waits, without a system call
 * pH's model sees (nanosleep is one of the calls it ignores), until the
 * test sets its first byte to 1: the fork is then the first call of the
 * process the monitor models, so the child's task entry is made by the
 * sensor's fork program before pH knows the parent. Both then drop to
 * nobody keeping root as saved id, and become root again:
 *
 *   setresuid(65534, 65534, 0); setresuid(0, 0, 0);
 *
 * The parent prints "child=PID", and both wait for the byte to become 2
 * before they exit. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void wait_for(volatile const char *flag, char value)
{
	const struct timespec tick = { 0, 2000000 };

	while (*flag != value)
		syscall(SYS_nanosleep, &tick, NULL);
}

int main(int argc, char **argv)
{
	volatile char *flag;
	long child;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: vigil-setid-late FLAGFILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	flag = mmap(NULL, 4, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (flag == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	printf("pid=%d\n", (int)getpid());
	fflush(stdout);
	wait_for(flag, 1);
	/* a raw fork: libc's fork() may make calls of its own first */
	child = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (child < 0)
		return 1;
	if (syscall(SYS_setresuid, 65534, 65534, 0) || syscall(SYS_setresuid, 0, 0, 0))
		return 1;
	if (child == 0) {
		wait_for(flag, 2);
		_exit(0);
	}
	printf("child=%ld\n", child);
	fflush(stdout);
	wait_for(flag, 2);
	return waitpid((pid_t)child, NULL, 0) == child ? 0 : 1;
}
