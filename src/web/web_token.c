/* Tokens and the root-only token file (see web_token.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "web/web_token.h"

int vg_web_token_new(char out[VG_WEB_TOKEN_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[VG_WEB_TOKEN_BYTES];
	size_t got = 0;

	while (got < sizeof(raw)) {
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof(raw); i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[VG_WEB_TOKEN_LEN] = 0;
	return 0;
}

bool vg_web_token_equal(const char *a, const char *b, size_t blen)
{
	unsigned char diff = blen != VG_WEB_TOKEN_LEN;

	/* always VG_WEB_TOKEN_LEN steps: no early exit on the first difference */
	for (size_t i = 0; i < VG_WEB_TOKEN_LEN; i++)
		diff |= (unsigned char)(a[i] ^ (i < blen ? b[i] : 0));
	return diff == 0;
}

/* The directory: made 0700 if missing, else it must be safe to write in. */
static int open_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if (mkdir(dir, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		return -errno;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s (a directory, not a symlink, is needed)", dir,
			 strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) || (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))) {
		snprintf(err, errlen,
			 "%s must belong to root and not be writable by others (or be sticky)", dir);
		close(fd);
		return -EPERM;
	}
	return fd;
}

int vg_web_safe_write(const char *path, const char *text, ino_t *ino, char *err, size_t errlen)
{
	char dcopy[4096], bcopy[4096];
	const char *dir, *name;
	size_t len = strlen(text);
	struct stat st;
	int dfd, fd, ret = 0;

	if (path[0] != '/' || strlen(path) >= sizeof(dcopy)) {
		snprintf(err, errlen, "'%s' is not an absolute path", path);
		return -EINVAL;
	}
	snprintf(dcopy, sizeof(dcopy), "%s", path);
	snprintf(bcopy, sizeof(bcopy), "%s", path);
	dir = dirname(dcopy);
	name = basename(bcopy);
	dfd = open_dir(dir, err, errlen);
	if (dfd < 0)
		return dfd;
	/* whatever has the name goes (a symlink itself, never its target) */
	if (unlinkat(dfd, name, 0) && errno != ENOENT) {
		snprintf(err, errlen, "cannot replace %s: %s", path, strerror(errno));
		close(dfd);
		return -errno;
	}
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	close(dfd);
	if (fd < 0) {
		/* someone planted the name again between unlink and open */
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return -errno;
	}
	if (fchmod(fd, 0600) || write(fd, text, len) != (ssize_t)len || fstat(fd, &st)) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		ret = -EIO;
	} else {
		*ino = st.st_ino;
	}
	close(fd);
	return ret;
}

void vg_web_safe_remove(const char *path, ino_t ino)
{
	struct stat st;

	if (!lstat(path, &st) && S_ISREG(st.st_mode) && st.st_ino == ino)
		unlink(path);
}
