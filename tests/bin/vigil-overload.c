/* vigil-overload: hostile and heavy activity for the overload tests
 * (tests/e2e/test_overload.py). Each mode prints "pid=N" first, so the test
 * can pick out this process's events, and then waits for a line on stdin
 * when asked to (so it starts only once the monitor is ready).
 *
 *   forks N           N processes created in a burst (fork + _exit), with up
 *                     to 64 alive at once; prints "forked=N"
 *   weird-names DIR   files whose names hold invalid UTF-8, newlines, quotes,
 *                     backslashes and control bytes, opened and exec'd with
 *                     such arguments
 *   huge-argv BYTES   exec /bin/true with about BYTES of arguments
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "util/macros.h"

#define MAX_ALIVE 64
#define ARG_CHUNK (100 * 1024) /* under the kernel's 128 KiB limit per argument */

static void die(const char *what)
{
	fprintf(stderr, "vigil-overload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int run_and_wait(char *const argv[])
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	return status;
}

static int forks(long n)
{
	long alive = 0, made = 0;

	while (made < n) {
		pid_t pid = fork();

		if (pid < 0) {
			if (errno == EAGAIN && alive) { /* at a process limit: reap, retry */
				if (wait(NULL) > 0)
					alive--;
				continue;
			}
			die("fork");
		}
		if (pid == 0)
			_exit(0);
		made++;
		if (++alive == MAX_ALIVE) {
			if (wait(NULL) > 0)
				alive--;
		}
	}
	while (alive > 0 && wait(NULL) > 0)
		alive--;
	printf("forked=%ld\n", made);
	return 0;
}

/* Names a JSON encoder or a line-based reader could choke on. */
static const char *const weird[] = {
	"bad-utf8-\xff\xfe-\xc3(",
	"new\nline",
	"quote\"and'apos",
	"back\\slash",
	"ctl-\x01\x1b[31m-\x7f",
	"tab\tand space",
};

static int weird_names(const char *dir)
{
	char path[4096];
	char *argv[2 + ARRAY_SIZE(weird)];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(weird); i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/%s", dir, weird[i]);
		fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
		if (fd < 0)
			die("open");
		close(fd);
		argv[1 + i] = (char *)weird[i];
	}
	argv[0] = "/bin/true";
	argv[1 + i] = NULL;
	if (run_and_wait(argv) != 0)
		die("exec /bin/true");
	for (i = 0; i < ARRAY_SIZE(weird); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, weird[i]);
		unlink(path);
	}
	return 0;
}

static int huge_argv(long bytes)
{
	long nargs = bytes / ARG_CHUNK + 1;
	char **argv = calloc(nargs + 2, sizeof(*argv));
	char *chunk = malloc(ARG_CHUNK);
	int status;

	if (!argv || !chunk)
		die("malloc");
	memset(chunk, 'A', ARG_CHUNK - 1);
	chunk[ARG_CHUNK - 1] = 0;
	argv[0] = "/bin/true";
	for (long i = 1; i <= nargs; i++)
		argv[i] = chunk;
	status = run_and_wait(argv);
	printf("status=%d args=%ld bytes=%ld\n", status, nargs, nargs * (long)ARG_CHUNK);
	free(argv);
	free(chunk);
	return status == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	char line[16];

	if (argc < 3) {
		fprintf(stderr, "usage: vigil-overload forks N | weird-names DIR | huge-argv BYTES\n");
		return 2;
	}
	printf("pid=%d\n", getpid());
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin)) /* go */
		return 2;
	if (!strcmp(argv[1], "forks"))
		return forks(atol(argv[2]));
	if (!strcmp(argv[1], "weird-names"))
		return weird_names(argv[2]);
	if (!strcmp(argv[1], "huge-argv"))
		return huge_argv(atol(argv[2]));
	fprintf(stderr, "vigil-overload: unknown mode %s\n", argv[1]);
	return 2;
}
