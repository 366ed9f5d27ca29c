/* util/safe_file: what vigil opens for writing cannot be aimed by another
 * user (symlink, a file they made, hard link, FIFO, a directory they can
 * write), an existing file is never truncated, reads refuse FIFOs before
 * opening, and escaping keeps control bytes out of messages. Runs as root
 * (the test suite does): files are given to uid 65534 with chown. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "util/safe_file.h"

static char dir[64];

static const char *at(const char *name)
{
	static char p[2][128];
	static int k;

	k ^= 1;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

static void put(const char *name, const char *text)
{
	FILE *f = fopen(at(name), "w");

	fputs(text, f);
	fclose(f);
}

static void test_write(void)
{
	char err[600], buf[64] = { 0 };
	bool created;
	int fd;

	/* created here: 0600, O_TRUNC honoured */
	fd = vg_safe_open_write(at("new"), O_WRONLY | O_TRUNC, 0600, &created, err, sizeof(err));
	CHECK(fd >= 0 && created);
	if (fd >= 0)
		close(fd);
	/* existing and ours: opened, never truncated */
	put("ours", "keep");
	fd = vg_safe_open_write(at("ours"), O_WRONLY | O_TRUNC | O_APPEND, 0600, &created, err,
				sizeof(err));
	CHECK(fd >= 0 && !created);
	if (fd >= 0) {
		CHECK(write(fd, "+", 1) == 1);
		close(fd);
	}
	fd = open(at("ours"), O_RDONLY);
	CHECK(read(fd, buf, sizeof(buf) - 1) == 5);
	close(fd);
	CHECK_STR(buf, "keep+");
	/* a symlink in the last component */
	symlink(at("ours"), at("link"));
	CHECK_INT(vg_safe_open_write(at("link"), O_WRONLY, 0600, NULL, err, sizeof(err)), -ELOOP);
	CHECK(strstr(err, "symbolic link") != NULL);
	/* a file another user made */
	put("theirs", "");
	CHECK(chown(at("theirs"), 65534, 65534) == 0);
	CHECK_INT(vg_safe_open_write(at("theirs"), O_WRONLY, 0600, NULL, err, sizeof(err)), -EPERM);
	CHECK(strstr(err, "owned by uid 65534") != NULL);
	/* a hard link to a file of ours */
	link(at("ours"), at("hard"));
	CHECK_INT(vg_safe_open_write(at("hard"), O_WRONLY, 0600, NULL, err, sizeof(err)), -EMLINK);
	/* a FIFO: refused from its metadata, before an open that would block */
	mkfifo(at("fifo"), 0600);
	CHECK_INT(vg_safe_open_write(at("fifo"), O_WRONLY, 0600, NULL, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "FIFO") != NULL);
	/* a directory others can write, without the sticky bit */
	mkdir(at("open"), 0777);
	chmod(at("open"), 0777);
	CHECK_INT(vg_safe_open_write(at("open/x"), O_WRONLY, 0600, NULL, err, sizeof(err)), -EPERM);
	CHECK(strstr(err, "writable by others") != NULL);
	/* ... which is fine with the sticky bit (as /tmp) */
	chmod(at("open"), 01777);
	fd = vg_safe_open_write(at("open/x"), O_WRONLY, 0600, NULL, err, sizeof(err));
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	/* a directory above that others can write is as bad */
	mkdir(at("open/sub"), 0700);
	chmod(at("open"), 0777);
	CHECK_INT(vg_safe_open_write(at("open/sub/y"), O_WRONLY, 0600, NULL, err, sizeof(err)),
		  -EPERM);
	CHECK(strstr(err, "a directory above it") != NULL);
	chmod(at("open"), 0700);
}

static void test_read_and_dirs(void)
{
	char err[600];
	bool created;
	int fd;

	CHECK_INT(vg_safe_open_read(at("fifo"), false, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "cannot open: a FIFO") != NULL);
	CHECK_INT(vg_safe_open_read(at("nope"), false, err, sizeof(err)), -ENOENT);
	fd = vg_safe_open_read(at("link"), false, err, sizeof(err)); /* reads follow */
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	CHECK_INT(vg_safe_open_read(at("link"), true, err, sizeof(err)), -EINVAL);

	fd = vg_safe_open_dir(at("state"), 0700, &created, err, sizeof(err));
	CHECK(fd >= 0 && created);
	if (fd >= 0)
		close(fd);
	fd = vg_safe_open_dir(at("state"), 0700, &created, err, sizeof(err));
	CHECK(fd >= 0 && !created);
	if (fd >= 0)
		close(fd);
	chmod(at("state"), 0755); /* more than asked: refused, not chmod'ed */
	CHECK_INT(vg_safe_open_dir(at("state"), 0700, NULL, err, sizeof(err)), -EPERM);
	struct stat st;
	stat(at("state"), &st);
	CHECK_INT(st.st_mode & 0777, 0755);
	symlink(at("state"), at("statelink"));
	CHECK_INT(vg_safe_open_dir(at("statelink"), 0700, NULL, err, sizeof(err)), -ELOOP);
}

/* The dashboard's token file: written whole (temp + rename), 0600, never
 * through a symlink; read back only when private. */
static void test_secret(void)
{
	char err[600], buf[64];
	struct stat st;

	CHECK_INT(vg_safe_write_file(at("token"), "0123456789abcdef0123\n", 21, 0600, err,
				     sizeof(err)), 0);
	CHECK(stat(at("token"), &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK_INT(vg_safe_read_secret(at("token"), buf, sizeof(buf), err, sizeof(err)), 20);
	CHECK_STR(buf, "0123456789abcdef0123");
	/* replaced whole, same inode rule: a new file each time */
	CHECK_INT(vg_safe_write_file(at("token"), "second-token-value", 18, 0600, err,
				     sizeof(err)), 0);
	CHECK_INT(vg_safe_read_secret(at("token"), buf, sizeof(buf), err, sizeof(err)), 18);
	/* through a symlink: refused, the target untouched */
	CHECK_INT(vg_safe_write_file(at("link"), "x", 1, 0600, err, sizeof(err)), -ELOOP);
	/* a secret others can read is refused */
	chmod(at("token"), 0644);
	CHECK_INT(vg_safe_read_secret(at("token"), buf, sizeof(buf), err, sizeof(err)), -EPERM);
	CHECK(strstr(err, "no access for others") != NULL);
	CHECK_INT(vg_safe_read_secret(at("link"), buf, sizeof(buf), err, sizeof(err)), -EINVAL);
}

static void test_escape(void)
{
	char out[64];

	CHECK_STR(vg_escape("a\x1b]0;x\x07\\b\n", out, sizeof(out)), "a\\x1b]0;x\\x07\\\\b\\x0a");
	CHECK_STR(vg_escape("\xff", out, 4), "");  /* no room for all of \xff: nothing */
	CHECK_STR(vg_escape(NULL, out, sizeof(out)), "");
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/vigil-safe-file-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	if (geteuid() == 0) {
		test_write();
		test_read_and_dirs();
		test_secret();
	}
	test_escape();
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd))
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return check_report();
}
