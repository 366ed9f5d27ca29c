/* A bounded open-addressing table of executable names. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ph/ph_paths.h"

#define PROBE_MAX 16

struct slot {
	uint64_t dev, ino; /* ino 0 = free */
	uint64_t last_anomaly_ns;
	char *path; /* may be NULL: only an anomaly time known */
};

struct vg_ph_paths {
	uint32_t mask;
	struct slot *slots;
};

uint64_t vg_kernel_dev(uint64_t st_dev)
{
	return ((uint64_t)major(st_dev) << 20) | minor(st_dev);
}

int vg_ph_paths_new(struct vg_ph_paths **out, uint32_t slots)
{
	struct vg_ph_paths *t;
	uint32_t n = 64;

	*out = NULL;
	while (n < slots && n < (1u << 24))
		n <<= 1;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->slots = calloc(n, sizeof(*t->slots));
	if (!t->slots) {
		free(t);
		return -ENOMEM;
	}
	t->mask = n - 1;
	*out = t;
	return 0;
}

void vg_ph_paths_free(struct vg_ph_paths *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i <= t->mask; i++)
		free(t->slots[i].path);
	free(t->slots);
	free(t);
}

static uint32_t hash(uint64_t dev, uint64_t ino)
{
	uint64_t h = (ino ^ (dev << 40) ^ (dev >> 24)) * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(h >> 32);
}

/* The slot of (dev, ino), claiming a free one or evicting the first of the
 * run when create is set; NULL otherwise. */
static struct slot *find(const struct vg_ph_paths *t, uint64_t dev, uint64_t ino, int create)
{
	uint32_t h = hash(dev, ino);
	struct slot *s, *free_slot = NULL;

	if (!ino)
		return NULL;
	for (uint32_t i = 0; i < PROBE_MAX; i++) {
		s = &t->slots[(h + i) & t->mask];
		if (s->ino == ino && s->dev == dev)
			return s;
		if (!s->ino && !free_slot)
			free_slot = s;
	}
	if (!create)
		return NULL;
	s = free_slot ? free_slot : &t->slots[h & t->mask];
	free(s->path);
	memset(s, 0, sizeof(*s));
	s->dev = dev;
	s->ino = ino;
	return s;
}

int vg_ph_paths_set(struct vg_ph_paths *t, uint64_t dev, uint64_t ino, const char *path,
		    size_t len)
{
	struct slot *s = find(t, dev, ino, 1);
	char *copy;

	if (!s)
		return -EINVAL;
	if (len >= VG_PH_PATH_MAX)
		len = VG_PH_PATH_MAX - 1;
	if (s->path && strlen(s->path) == len && !memcmp(s->path, path, len))
		return 0;
	copy = strndup(path, len);
	if (!copy)
		return -ENOMEM;
	free(s->path);
	s->path = copy;
	return 0;
}

void vg_ph_paths_anomaly(struct vg_ph_paths *t, uint64_t dev, uint64_t ino, uint64_t wall_ns)
{
	struct slot *s = find(t, dev, ino, 1);

	if (s)
		s->last_anomaly_ns = wall_ns;
}

const char *vg_ph_paths_get(const struct vg_ph_paths *t, uint64_t dev, uint64_t ino,
			    uint64_t *last_anomaly_ns)
{
	struct slot *s = find(t, dev, ino, 0);

	if (last_anomaly_ns)
		*last_anomaly_ns = s ? s->last_anomaly_ns : 0;
	return s ? s->path : NULL;
}

void vg_ph_paths_scan_proc(struct vg_ph_paths *t, const char *proc_root)
{
	char link[64 + 256], path[VG_PH_PATH_MAX];
	struct dirent *de;
	struct stat st;
	ssize_t n;
	DIR *d = opendir(proc_root);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(link, sizeof(link), "%s/%s/exe", proc_root, de->d_name);
		/* stat of the link is the running file itself, even when deleted */
		if (stat(link, &st))
			continue;
		n = readlink(link, path, sizeof(path) - 1);
		if (n <= 0)
			continue;
		path[n] = 0;
		vg_ph_paths_set(t, vg_kernel_dev(st.st_dev), st.st_ino, path, (size_t)n);
	}
	closedir(d);
}
