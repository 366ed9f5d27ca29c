/* See own_files.h. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "audit/own_files.h"
#include "sensor/event.h"

/* The access mode of our descriptor fd, from /proc/self/fdinfo ("flags:
 * 0102001", octal). */
static int fd_flags(const char *fd)
{
	char path[300], line[128];
	FILE *f;
	int flags = -1;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%s", fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags:", 6)) {
			flags = (int)strtol(line + 6, NULL, 8);
			break;
		}
	fclose(f);
	return flags;
}

void vg_own_files_scan(struct vg_own_files *o)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		return;
	o->n = 0;
	while ((e = readdir(d)) && o->n < VG_OWN_FILES_MAX) {
		struct vg_own_file *f = &o->f[o->n];
		char link[300];
		struct stat st;
		ssize_t len;
		int flags;

		if (e->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "/proc/self/fd/%s", e->d_name);
		if (stat(link, &st) || !S_ISREG(st.st_mode))
			continue;
		flags = fd_flags(e->d_name);
		if (flags < 0 || !(flags & (O_WRONLY | O_RDWR)))
			continue;
		len = readlink(link, f->path, sizeof(f->path) - 1);
		if (len <= 0 || f->path[0] != '/')
			continue;
		f->path[len] = 0;
		f->ino = st.st_ino;
		f->dev = (uint32_t)(major(st.st_dev) << 20 | minor(st.st_dev));
		o->n++;
	}
	closedir(d);
}

static const char *by_identity(const struct vg_own_files *o, uint32_t dev, uint64_t ino)
{
	for (unsigned i = 0; ino && i < o->n; i++)
		if (o->f[i].ino == ino && (!dev || o->f[i].dev == dev))
			return o->f[i].path;
	return NULL;
}

static const char *by_path(const struct vg_own_files *o, const char *p)
{
	for (unsigned i = 0; p && *p && i < o->n; i++)
		if (!strcmp(o->f[i].path, p))
			return o->f[i].path;
	return NULL;
}

const char *vg_own_files_touched(const struct vg_own_files *o, const struct vg_event *ev)
{
	const struct vg_file *f = &ev->u.file;
	const char *hit;

	switch (ev->u.hdr.type) {
	case VG_EV_OPEN:
		if (!(f->flags & (O_WRONLY | O_RDWR | O_TRUNC)))
			return NULL;
		hit = f->res >= 0 ? by_identity(o, f->dev, f->ino) : NULL;
		return hit ? hit : by_path(o, ev->s[VG_S_PATH]);
	case VG_EV_RENAME: /* moved away, or another file moved over it */
		hit = by_path(o, ev->s[VG_S_PATH]);
		return hit ? hit : by_path(o, ev->s[VG_S_PATH2]);
	case VG_EV_TRUNCATE:
	case VG_EV_UNLINK:
	case VG_EV_CHMOD:
	case VG_EV_CHOWN:
		return by_path(o, ev->s[VG_S_PATH]);
	}
	return NULL;
}
