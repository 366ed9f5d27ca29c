/* pH's state directory: created or vetted, then locked (ph_statedir.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ph/ph_statedir.h"
#include "util/safe_file.h"

static int make_parents(const char *dir)
{
	char buf[PATH_MAX];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, len + 1);
	for (size_t i = 1; i < len; i++) {
		if (buf[i] != '/')
			continue;
		buf[i] = 0;
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -errno;
		buf[i] = '/';
	}
	return 0;
}

static int has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && !strcmp(s + n - m, suf);
}

/* Whether every entry is a file vigil writes there, owned by us. */
static int only_our_files(int dirfd, const char *dir, char *err, size_t errlen)
{
	char esc[256], esc2[256];
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int ret = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while (!ret && (de = readdir(d))) {
		struct stat st;
		const char *n = de->d_name;
		int ours_by_name = (!strncmp(n, "ph-", 3) && has_suffix(n, ".profile")) ||
				   (n[0] == '.' && has_suffix(n, ".tmp"));

		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		if (fstatat(dirfd, n, &st, AT_SYMLINK_NOFOLLOW)) {
			ret = -errno;
			break;
		}
		if (!ours_by_name || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
			snprintf(err, errlen,
				 "%s: holds '%s', which vigil did not write: refused (give pH a "
				 "directory of its own)",
				 vg_escape(dir, esc, sizeof(esc)), vg_escape(n, esc2, sizeof(esc2)));
			ret = -EPERM;
		}
	}
	closedir(d);
	return ret;
}

int ph_statedir_open(const char *dir, char *err, size_t errlen)
{
	char esc[256];
	bool created;
	int fd, ret;

	ret = make_parents(dir);
	if (ret) {
		snprintf(err, errlen, "%s: cannot create its parents: %s",
			 vg_escape(dir, esc, sizeof(esc)), strerror(-ret));
		return ret;
	}
	fd = vg_safe_open_dir(dir, 0700, &created, err, errlen);
	if (fd < 0)
		return fd;
	if (!created && (ret = only_our_files(fd, dir, err, errlen))) {
		close(fd);
		return ret;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", vg_escape(dir, esc, sizeof(esc)),
			 ret == -EWOULDBLOCK ? "in use by another vigil (locked): refused" :
					       strerror(-ret));
		close(fd);
		return ret == -EWOULDBLOCK ? -EBUSY : ret;
	}
	return fd;
}
