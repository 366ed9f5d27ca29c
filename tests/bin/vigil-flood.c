/* vigil-flood SECONDS DIR: what an unprivileged user does to blind a
 * monitor (tests/e2e/test_flood_shed.py): opens distinct names that do not
 * exist below DIR in a tight loop for SECONDS seconds. Each open fails, and
 * no two name the same file, so open coalescing absorbs none of them. The
 * names are long (about 1 KiB, through directories that do not exist
 * either): each record then takes more of the ring.
 * Prints "pid=N" first and "opens=N" at the end. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char path[4096], pad[1024];
	unsigned long n = 0;
	double end;
	int at = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: vigil-flood SECONDS DIR\n");
		return 2;
	}
	printf("pid=%d\n", getpid());
	fflush(stdout);
	/* four directory names of 200 bytes (NAME_MAX is 255) */
	for (int i = 0; i < 4; i++) {
		memset(pad + at, 'd', 200);
		at += 200;
		pad[at++] = '/';
	}
	pad[at] = 0;
	end = now_s() + atof(argv[1]);
	for (;;) {
		/* the clock is read every 1024 opens: the loop is the opens */
		if ((n & 1023) == 0 && now_s() >= end)
			break;
		snprintf(path, sizeof(path), "%s/%sabsent-%lu", argv[2], pad, n++);
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd >= 0) /* someone made it: not ours to keep open */
			close(fd);
	}
	printf("opens=%lu\n", n);
	return 0;
}
