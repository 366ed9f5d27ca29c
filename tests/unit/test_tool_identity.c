/* proc.exe_tool (src/fields/tool_identity.c) on real files: the system's
 * base64 is base64; a copy of it under another name and in another place is
 * still base64 (same build-id); a copy of another program is not; a file
 * that is not the executable named (another inode) is not read; a running
 * process is known through /proc/PID/exe even after its file is gone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "fields/tool_identity.h"

static uint64_t kdev(dev_t d)
{
	return ((uint64_t)major(d) << 20) | minor(d);
}

static void copy(const char *from, const char *to)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", from, to);
	CHECK_INT(system(cmd), 0);
}

static const char *tool_of(const char *path, uint32_t pid)
{
	struct stat st;

	if (stat(path, &st))
		return "(stat failed)";
	return vg_tool_of_exe(pid, path, kdev(st.st_dev), st.st_ino,
			      (uint64_t)st.st_mtim.tv_sec * 1000000000ull + (uint64_t)st.st_mtim.tv_nsec, 1);
}

int main(void)
{
	char dir[] = "/tmp/vigil-tool-XXXXXX", a[128], b[128];
	const char *t;
	struct stat st;
	pid_t child;
	int pfd[2];

	CHECK(vg_tool_count(1) > 0);
	if (access("/usr/bin/base64", X_OK) != 0) {
		return check_report();
	}
	CHECK(mkdtemp(dir) != NULL);
	CHECK_STR(tool_of("/usr/bin/base64", 0), "base64");
	snprintf(a, sizeof(a), "%s/fmt-conv", dir);
	copy("/usr/bin/base64", a);
	CHECK_STR(tool_of(a, 0), "base64");
	/* asked again: the cached answer */
	CHECK_STR(tool_of(a, 0), "base64");
	snprintf(b, sizeof(b), "%s/tac-copy", dir);
	copy("/usr/bin/tac", b);
	t = tool_of(b, 0);
	CHECK(t == NULL);
	/* the path is now another file than the inode asked about: not read */
	CHECK(stat(a, &st) == 0);
	CHECK(vg_tool_of_exe(0, b, kdev(st.st_dev), st.st_ino + 12345, 0, 1) == NULL);
	/* a process running a copy that is then deleted: /proc/PID/exe */
	CHECK(stat(a, &st) == 0);
	CHECK_INT(pipe(pfd), 0);
	child = fork();
	if (child == 0) {
		close(pfd[1]);
		dup2(pfd[0], 0);
		execl(a, "fmt-conv", (char *)NULL); /* reads stdin until the pipe closes */
		_exit(127);
	}
	close(pfd[0]);
	usleep(100000);
	unlink(a);
	CHECK_STR(vg_tool_of_exe((uint32_t)child, a, kdev(st.st_dev), st.st_ino, 7, 1), "base64");
	close(pfd[1]);
	waitpid(child, NULL, 0);
	unlink(b);
	rmdir(dir);
	return check_report();
}
