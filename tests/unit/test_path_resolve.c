/* Paths resolved as the kernel resolves them, on the real file system: a
 * symlinked directory, /proc/self/root, ".." after a symlink, a final
 * symlink followed or not, a chrooted process, a process that has gone. */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "monitor/path_resolve.h"

static char top[PATH_MAX];

static const char *resolve(uint32_t pid, const char *fmt, const char *arg, int follow)
{
	static char out[4097];
	char in[PATH_MAX];

	snprintf(in, sizeof(in), fmt, arg);
	if (vg_path_resolve(pid, pid, in, follow, out, sizeof(out)) < 0)
		return "(failed)";
	return out;
}

static void test_symlinks(void)
{
	uint32_t me = (uint32_t)getpid();
	char p[PATH_MAX + 32], want[PATH_MAX + 32];

	snprintf(p, sizeof(p), "%s/e", top);
	CHECK_INT(symlink("/etc", p), 0);
	snprintf(p, sizeof(p), "%s/sh", top);
	CHECK_INT(symlink("/etc/shadow", p), 0);

	/* a symlinked directory: the entry is below /etc */
	CHECK_STR(resolve(me, "%s/e/vigil-no-such-file", top, 0), "/etc/vigil-no-such-file");
	CHECK_STR(resolve(me, "%s/e/shadow", top, 0), "/etc/shadow");
	CHECK_STR(resolve(me, "%s//e/./shadow", top, 0), "/etc/shadow");
	/* ".." after a symlink climbs from where the link went */
	CHECK_STR(resolve(me, "%s/e/../etc/hosts", top, 0), "/etc/hosts");
	/* the last component: followed by chmod, not by unlink */
	CHECK_STR(resolve(me, "%s/sh", top, 1), "/etc/shadow");
	snprintf(want, sizeof(want), "%s/sh", top);
	CHECK_STR(resolve(me, "%s/sh", top, 0), want);
	/* /proc/self is the event's process; its root is the root */
	CHECK_STR(resolve(me, "%s", "/proc/self/root/etc/passwd", 0), "/etc/passwd");
	CHECK_STR(resolve(me, "%s", "/proc/self/root/etc/../etc/sudoers.d/x", 0), "/etc/sudoers.d/x");
	/* a directory named by "." or "..": all of it */
	CHECK_STR(resolve(me, "%s/e/.", top, 0), "/etc");
	/* a directory that does not exist: nothing to say */
	CHECK_STR(resolve(me, "%s/no-such-dir/x", top, 0), "(failed)");
	CHECK_STR(resolve(me, "%s", "relative/x", 0), "(failed)");
}

/* A chrooted child: "/shadow" in a chroot of /etc is /etc/shadow, and
 * absolute symlinks inside the chroot stay inside it. */
static void test_chroot(void)
{
	char root[PATH_MAX + 16], p[PATH_MAX + 32], want[PATH_MAX + 32];
	int ready[2];
	char c;
	pid_t pid;

	snprintf(root, sizeof(root), "%s/root", top);
	CHECK_INT(mkdir(root, 0755), 0);
	snprintf(p, sizeof(p), "%s/etc", root);
	CHECK_INT(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/abs", root);
	CHECK_INT(symlink("/etc", p), 0); /* inside the chroot: root/etc */
	CHECK_INT(pipe(ready), 0);
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		if (chroot(root) || chdir("/"))
			_exit(1);
		c = 'x';
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	CHECK_INT(read(ready[0], &c, 1), 1);
	close(ready[0]);
	snprintf(want, sizeof(want), "%s/etc/shadow", root);
	CHECK_STR(resolve((uint32_t)pid, "%s", "/abs/shadow", 0), want);
	CHECK_STR(resolve((uint32_t)pid, "%s", "/etc/../../../etc/shadow", 0), want);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* gone: looked up from the monitor's root */
	CHECK_STR(resolve((uint32_t)pid, "%s", "/etc/shadow", 0), "/etc/shadow");
}

int main(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(top, sizeof(top), "/tmp/vigil-pathres-XXXXXX");
	if (!mkdtemp(top))
		return 1;
	test_symlinks();
	if (geteuid() == 0)
		test_chroot();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", top);
	return check_report();
}
