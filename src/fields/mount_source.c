/* vigil.mount.source: see mount_source.h. */
#include "fields/mount_source.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The directory a relative name starts from: open_tree's descriptor, else
 * the working directory (now, else as last known). */
static bool base_dir(uint32_t pid, int dirfd, const char *cwd, char *buf, size_t size)
{
	char link[64];
	ssize_t n;

	if (dirfd == -100)
		snprintf(link, sizeof(link), "/proc/%u/cwd", pid);
	else
		snprintf(link, sizeof(link), "/proc/%u/fd/%d", pid, dirfd);
	n = readlink(link, buf, size - 1);
	if (n > 0 && buf[0] == '/') {
		buf[n] = 0;
		return true;
	}
	if (dirfd != -100 || !cwd || cwd[0] != '/')
		return false;
	snprintf(buf, size, "%s", cwd);
	return true;
}

bool vg_mount_source_resolve(uint32_t pid, int dirfd, const char *cwd, const char *path,
			     bool follow, char *buf, size_t size)
{
	char joined[PATH_MAX], base[PATH_MAX], real[PATH_MAX];
	const char *slash;

	if (!path || !path[0] || size < 2)
		return false;
	if (path[0] == '/') {
		snprintf(joined, sizeof(joined), "%s", path);
	} else {
		if (!base_dir(pid, dirfd, cwd, base, sizeof(base)) ||
		    (size_t)snprintf(joined, sizeof(joined), "%s/%s", base, path) >= sizeof(joined))
			return false;
	}
	if (follow) {
		if (!realpath(joined, real))
			return false;
		snprintf(buf, size, "%s", real);
		return true;
	}
	/* the directory resolved, the last name kept */
	slash = strrchr(joined, '/');
	if (slash == joined) {
		snprintf(buf, size, "%s", joined);
		return true;
	}
	joined[slash - joined] = 0;
	if (!realpath(joined, real))
		return false;
	snprintf(buf, size, "%s%s%s", real, strcmp(real, "/") ? "/" : "", slash + 1);
	return true;
}
