/* Fuzz target: the /proc readers that seed the process table. The input is
 * cut at "\n--\n" into the files of one fake /proc/PID (status, stat,
 * cmdline, comm, cgroup, loginuid) written to a private directory, which
 * vg_procfs_read() then parses like the real thing. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc/procfs.h"
#include "util/macros.h"

static char root[64];

static void write_file(const char *name, const uint8_t *p, size_t n)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/42/%s", root, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return;
	if (write(fd, p, n) < 0) {
		/* a short fake tree is fine: the reader must cope */
	}
	close(fd);
}

static void remove_tree(void)
{
	static const char *const names[] = { "status", "stat", "cmdline", "comm", "cgroup",
					     "loginuid" };
	char path[128];

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), "%s/42/%s", root, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/42", root);
	rmdir(path);
	rmdir(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const files[] = { "status", "stat", "cmdline", "comm", "cgroup",
					     "loginuid" };
	struct vg_procfs_proc out;
	char dir[96];
	size_t start = 0, f = 0;

	if (!root[0]) {
		snprintf(root, sizeof(root), "/tmp/vigil-fuzz-procfs-%d", (int)getpid());
		mkdir(root, 0700);
		snprintf(dir, sizeof(dir), "%s/42", root);
		mkdir(dir, 0700);
		atexit(remove_tree);
	}
	for (size_t i = 0; f < 6; i++) {
		if (i + 4 <= size && memcmp(data + i, "\n--\n", 4) == 0) {
			write_file(files[f++], data + start, i - start);
			start = i + 4;
			i += 3;
		} else if (i >= size) {
			write_file(files[f++], data + start, size - start);
			while (f < 6)
				write_file(files[f++], (const uint8_t *)"", 0);
		}
	}
	memset(&out, 0, sizeof(out));
	vg_procfs_read(root, 42, NULL, &out);
	if (strnlen(out.comm, sizeof(out.comm)) == sizeof(out.comm))
		__builtin_trap(); /* comm must stay terminated */
	return 0;
}
