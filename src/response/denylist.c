/* Parsing the exec deny list. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "response/denylist.h"
#include "util/safe_file.h"

__attribute__((format(printf, 4, 5))) static int fail(struct vg_deny_err *err, const char *where,
						      unsigned line, const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(err->msg, sizeof(err->msg), "%s:%u: %s", where, line, what);
	else
		snprintf(err->msg, sizeof(err->msg), "%s: %s", where, what);
	return -EINVAL;
}

void vg_denylist_free(struct vg_denylist *l)
{
	free(l->paths);
	l->paths = NULL;
	l->n = l->cap = 0;
}

int vg_denylist_add(struct vg_denylist *l, const char *path, size_t len, const char *where,
		    unsigned line, struct vg_deny_err *err)
{
	if (len == 0)
		return fail(err, where, line, "empty path");
	if (path[0] != '/')
		return fail(err, where, line, "path is not absolute (it must start with '/')");
	if (len >= VG_DENY_PATH_LEN)
		return fail(err, where, line, "path is longer than %d bytes", VG_DENY_PATH_LEN - 1);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f)
			return fail(err, where, line, "path holds a control character (byte %zu)",
				    i + 1);
	for (unsigned i = 0; i < l->n; i++)
		if (strncmp(l->paths[i], path, len) == 0 && l->paths[i][len] == 0)
			return 0; /* already there */
	if (l->n == VG_DENY_MAX_ENTRIES) {
		fail(err, where, line, "too many paths (at most %d)", VG_DENY_MAX_ENTRIES);
		return -E2BIG;
	}
	if (l->n == l->cap) {
		unsigned cap = l->cap ? 2 * l->cap : 16;
		void *p = realloc(l->paths, (size_t)cap * sizeof(*l->paths));

		if (!p) {
			fail(err, where, line, "out of memory");
			return -ENOMEM;
		}
		l->paths = p;
		l->cap = cap;
	}
	memset(l->paths[l->n], 0, sizeof(l->paths[l->n]));
	memcpy(l->paths[l->n], path, len);
	l->n++;
	return 0;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

int vg_denylist_parse(struct vg_denylist *l, const char *name, const char *buf, size_t len,
		      struct vg_deny_err *err)
{
	size_t at = 0;
	unsigned line = 0;
	int ret;

	while (at < len) {
		const char *nl = memchr(buf + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - buf) : len, b = at, e = end;

		line++;
		at = end + 1;
		while (b < e && is_blank(buf[b]))
			b++;
		while (e > b && is_blank(buf[e - 1]))
			e--;
		if (b == e || buf[b] == '#')
			continue;
		if (memchr(buf + b, 0, e - b))
			return fail(err, name, line, "line holds a NUL byte");
		ret = vg_denylist_add(l, buf + b, e - b, name, line, err);
		if (ret)
			return ret;
	}
	return 0;
}

int vg_denylist_load_file(struct vg_denylist *l, const char *path, struct vg_deny_err *err)
{
	char why[600];
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, ret;

	/* a FIFO or device is refused before any open that could block */
	fd = vg_safe_open_read(path, false, why, sizeof(why));
	if (fd < 0) {
		fail(err, path, 0, "cannot open: %s",
		     fd == -EINVAL ? "not a regular file (a FIFO or device): refused" : strerror(-fd));
		return fd;
	}
	buf = malloc(VG_DENY_MAX_FILE_BYTES + 1);
	if (!buf) {
		close(fd);
		fail(err, path, 0, "out of memory");
		return -ENOMEM;
	}
	while ((n = read(fd, buf + len, VG_DENY_MAX_FILE_BYTES + 1 - len)) > 0) {
		len += (size_t)n;
		if (len > VG_DENY_MAX_FILE_BYTES)
			break;
	}
	ret = n < 0 ? -errno : 0;
	close(fd);
	if (ret)
		fail(err, path, 0, "cannot read: %s", strerror(-ret));
	else if (len > VG_DENY_MAX_FILE_BYTES)
		ret = fail(err, path, 0, "larger than %u bytes", VG_DENY_MAX_FILE_BYTES);
	else
		ret = vg_denylist_parse(l, path, buf, len, err);
	free(buf);
	return ret;
}
