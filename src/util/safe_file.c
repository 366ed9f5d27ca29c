/* Safe opens of the files vigil reads and writes (see safe_file.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/safe_file.h"

char *vg_escape(const char *s, char *out, size_t size)
{
	size_t o = 0;

	if (!size)
		return out;
	for (; s && *s && o + 1 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			out[o++] = (char)c;
		} else if (c == '\\') {
			if (o + 3 > size)
				break;
			out[o++] = '\\';
			out[o++] = '\\';
		} else {
			if (o + 5 > size)
				break;
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
		}
	}
	out[o] = 0;
	return out;
}

#define ESC(p) vg_escape((p), esc, sizeof(esc))

static const char *kind_of(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	if (S_ISLNK(m))
		return "a symbolic link";
	return "not a regular file";
}

int vg_safe_open_read(const char *path, bool nofollow, char *err, size_t errlen)
{
	char esc[512];
	struct stat st, fst;
	int fd, ret;

	if ((nofollow ? lstat(path, &st) : stat(path, &st)) < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", ESC(path), strerror(errno));
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: cannot open: %s, not a regular file", ESC(path),
			 kind_of(st.st_mode));
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	/* O_NONBLOCK: a FIFO swapped in since the stat does not hang the open */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", ESC(path), strerror(errno));
		return ret;
	}
	if (fstat(fd, &fst) || !S_ISREG(fst.st_mode)) {
		close(fd);
		snprintf(err, errlen, "%s: cannot open: not a regular file", ESC(path));
		return -EINVAL;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

/* Whether a directory with this metadata lets someone other than root and
 * us replace its entries. */
static const char *dir_problem(const struct stat *st)
{
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return "is owned by another user";
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(st->st_mode & S_ISVTX))
		return "is writable by others (and has no sticky bit)";
	return NULL;
}

/* dirfd and every directory above it, up to "/". */
static int check_dirfd(int dirfd, const char *name, char *err, size_t errlen)
{
	char esc[512];
	struct stat st, up;
	int fd = dup(dirfd);

	if (fd < 0)
		return -errno;
	for (int depth = 0; depth < 256; depth++) {
		const char *why;
		int parent;

		if (fstat(fd, &st)) {
			close(fd);
			return -errno;
		}
		why = dir_problem(&st);
		if (why) {
			snprintf(err, errlen, "%s: %s %s: refused", ESC(name),
				 depth ? "a directory above it" : "its directory", why);
			close(fd);
			return -EPERM;
		}
		parent = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (parent < 0 || fstat(parent, &up)) {
			if (parent >= 0)
				close(parent);
			close(fd);
			return -errno;
		}
		close(fd);
		fd = parent;
		if (up.st_dev == st.st_dev && up.st_ino == st.st_ino)
			break; /* "/" is its own parent */
	}
	close(fd);
	return 0;
}

int vg_safe_check_dir(const char *dir, char *err, size_t errlen)
{
	char esc[512];
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC), ret;

	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", ESC(dir), strerror(errno));
		return ret;
	}
	ret = check_dirfd(fd, dir, err, errlen);
	close(fd);
	return ret;
}

/* The directory part of path, opened O_PATH, and where its last
 * component starts. */
static int open_parent(const char *path, const char **base, char *err, size_t errlen)
{
	char dir[4096], esc[512];
	const char *slash = strrchr(path, '/');
	int fd, ret;

	if (!slash) {
		*base = path;
		snprintf(dir, sizeof(dir), ".");
	} else {
		*base = slash + 1;
		if ((size_t)(slash - path) >= sizeof(dir)) {
			snprintf(err, errlen, "%s: path too long", ESC(path));
			return -ENAMETOOLONG;
		}
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = 0;
		if (!dir[0])
			snprintf(dir, sizeof(dir), "/");
	}
	if (!**base || !strcmp(*base, ".") || !strcmp(*base, "..")) {
		snprintf(err, errlen, "%s: not a file name", ESC(path));
		return -EINVAL;
	}
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", ESC(dir), strerror(errno));
		return ret;
	}
	ret = check_dirfd(fd, path, err, errlen);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

static int check_existing(const struct stat *st, const char *path, char *err, size_t errlen)
{
	char esc[512];

	if (S_ISLNK(st->st_mode)) {
		snprintf(err, errlen, "%s: is a symbolic link: refused", ESC(path));
		return -ELOOP;
	}
	if (!S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "%s: %s, not a regular file: refused", ESC(path),
			 kind_of(st->st_mode));
		return -EINVAL;
	}
	if (st->st_uid != geteuid()) {
		snprintf(err, errlen, "%s: owned by uid %u, not by vigil's user: refused", ESC(path),
			 (unsigned)st->st_uid);
		return -EPERM;
	}
	if (st->st_nlink > 1) {
		snprintf(err, errlen, "%s: has %lu hard links: refused", ESC(path),
			 (unsigned long)st->st_nlink);
		return -EMLINK;
	}
	return 0;
}

int vg_safe_open_write(const char *path, int flags, mode_t mode, bool *created, char *err,
		       size_t errlen)
{
	char esc[512];
	const char *base;
	struct stat st, fst;
	int dirfd, fd, ret;
	int acc = flags & (O_WRONLY | O_RDWR | O_APPEND | O_TRUNC);

	if (created)
		*created = false;
	dirfd = open_parent(path, &base, err, errlen);
	if (dirfd < 0)
		return dirfd;
	for (int tries = 0; tries < 4; tries++) {
		fd = openat(dirfd, base, acc | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
			    mode);
		if (fd >= 0) {
			if (created)
				*created = true;
			close(dirfd);
			return fd;
		}
		if (errno != EEXIST) {
			ret = -errno;
			snprintf(err, errlen, "%s: %s", ESC(path), strerror(errno));
			close(dirfd);
			return ret;
		}
		/* it exists: judge it by its metadata before opening it */
		if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW)) {
			if (errno == ENOENT)
				continue; /* gone meanwhile: create it */
			ret = -errno;
			snprintf(err, errlen, "%s: %s", ESC(path), strerror(errno));
			close(dirfd);
			return ret;
		}
		ret = check_existing(&st, path, err, errlen);
		if (ret) {
			close(dirfd);
			return ret;
		}
		fd = openat(dirfd, base,
			    (acc & ~O_TRUNC) | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT)
			continue;
		if (fd < 0) {
			ret = errno == ELOOP ? -ELOOP : -errno;
			snprintf(err, errlen, "%s: %s", ESC(path),
				 errno == ELOOP ? "is a symbolic link: refused" : strerror(errno));
			close(dirfd);
			return ret;
		}
		/* the same file as judged (not swapped since) */
		if (fstat(fd, &fst) || fst.st_dev != st.st_dev || fst.st_ino != st.st_ino ||
		    check_existing(&fst, path, err, errlen)) {
			if (!err[0])
				snprintf(err, errlen, "%s: changed while being opened: refused",
					 ESC(path));
			close(fd);
			close(dirfd);
			return -EAGAIN;
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		close(dirfd);
		return fd;
	}
	snprintf(err, errlen, "%s: keeps changing: refused", ESC(path));
	close(dirfd);
	return -EAGAIN;
}

int vg_safe_open_dir(const char *path, mode_t mode, bool *created, char *err, size_t errlen)
{
	char esc[512];
	const char *base;
	struct stat st;
	int parent, fd, ret;

	if (created)
		*created = false;
	parent = open_parent(path, &base, err, errlen);
	if (parent < 0)
		return parent;
	if (mkdirat(parent, base, mode) == 0) {
		if (created)
			*created = true;
	} else if (errno != EEXIST) {
		ret = -errno;
		snprintf(err, errlen, "%s: cannot create: %s", ESC(path), strerror(errno));
		close(parent);
		return ret;
	}
	fd = openat(parent, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(parent);
	if (fd < 0) {
		ret = errno == ELOOP || errno == ENOTDIR ? -ELOOP : -errno;
		snprintf(err, errlen, "%s: %s", ESC(path),
			 ret == -ELOOP ? "not a directory (or a symbolic link): refused" :
					 strerror(errno));
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s: owned by uid %u, not by vigil's user: refused", ESC(path),
			 (unsigned)st.st_uid);
		close(fd);
		return -EPERM;
	}
	if (st.st_mode & ~mode & 0777) {
		snprintf(err, errlen,
			 "%s: mode %04o gives others more than %04o: refused (vigil does not "
			 "change a directory it did not create)",
			 ESC(path), (unsigned)(st.st_mode & 07777), (unsigned)mode);
		close(fd);
		return -EPERM;
	}
	return fd;
}

int vg_safe_write_file(const char *path, const void *data, size_t len, mode_t mode, char *err,
		       size_t errlen)
{
	char esc[512], tmp[4200];
	const char *base, *p = data;
	struct stat st;
	int dirfd, fd, ret = 0;

	dirfd = open_parent(path, &base, err, errlen);
	if (dirfd < 0)
		return dirfd;
	if (!fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) &&
	    (ret = check_existing(&st, path, err, errlen))) {
		close(dirfd);
		return ret;
	}
	snprintf(tmp, sizeof(tmp), ".%s.%d.tmp", base, (int)getpid());
	unlinkat(dirfd, tmp, 0); /* our own leftover (same pid): the name is ours */
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: cannot create a temporary file: %s", ESC(path),
			 strerror(errno));
		close(dirfd);
		return ret;
	}
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	if (!ret && (fchmod(fd, mode) || fsync(fd)))
		ret = -errno;
	close(fd);
	if (!ret && renameat(dirfd, tmp, dirfd, base))
		ret = -errno;
	if (ret) {
		snprintf(err, errlen, "%s: cannot write: %s", ESC(path), strerror(-ret));
		unlinkat(dirfd, tmp, 0);
	}
	close(dirfd);
	return ret;
}

int vg_safe_read_secret(const char *path, char *buf, size_t size, char *err, size_t errlen)
{
	char esc[512];
	struct stat st;
	ssize_t n;
	size_t len;
	int fd = vg_safe_open_read(path, true, err, errlen);

	if (fd < 0)
		return fd;
	if (!size) {
		close(fd);
		return -EINVAL;
	}
	if (fstat(fd, &st) || (st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 077)) {
		snprintf(err, errlen, "%s: a secret must be owned by root with no access for others "
			 "(chmod 600)", ESC(path));
		close(fd);
		return -EPERM;
	}
	n = read(fd, buf, size - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	buf[strcspn(buf, "\r\n")] = 0;
	len = strlen(buf);
	while (len && buf[len - 1] == ' ')
		buf[--len] = 0;
	return (int)len;
}
