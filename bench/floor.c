/* floor: runs a command with one of bench/floor.bpf.c's programs attached
 * to every system call, then detaches it.
 *
 *   floor empty|task-storage COMMAND [ARG...]
 *
 * The program stays attached only while floor runs: the link is a file
 * descriptor of this process, closed (and the program detached) when it
 * exits, however it exits. Used by bench/floor.py. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "floor.skel.h"

int main(int argc, char **argv)
{
	struct floor_bpf *skel;
	struct bpf_program *keep;
	pid_t child;
	int status = 0;

	if (argc < 3 || (strcmp(argv[1], "empty") && strcmp(argv[1], "task-storage"))) {
		fprintf(stderr, "usage: floor empty|task-storage COMMAND [ARG...]\n");
		return 2;
	}
	skel = floor_bpf__open();
	if (!skel) {
		fprintf(stderr, "floor: open: %s\n", strerror(errno));
		return 1;
	}
	keep = strcmp(argv[1], "empty") ? skel->progs.floor_task_storage : skel->progs.floor_empty;
	bpf_program__set_autoload(skel->progs.floor_empty, keep == skel->progs.floor_empty);
	bpf_program__set_autoload(skel->progs.floor_task_storage,
				  keep == skel->progs.floor_task_storage);
	if (floor_bpf__load(skel) || floor_bpf__attach(skel)) {
		fprintf(stderr, "floor: load or attach: %s\n", strerror(errno));
		floor_bpf__destroy(skel);
		return 1;
	}
	child = fork();
	if (child == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "floor: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	if (child < 0 || waitpid(child, &status, 0) < 0)
		status = 1 << 8;
	floor_bpf__destroy(skel);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
