/* The executables pH's persistence knows (ph_known.h). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ph/ph_file.h"
#include "ph/ph_known.h"

void ph_known_init(struct ph_known_table *t, size_t limit)
{
	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	t->limit = limit;
}

void ph_known_free(struct ph_known_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].exe);
	free(t->v);
	pthread_mutex_destroy(&t->lock);
	memset(t, 0, sizeof(*t));
}

static int known_cmp(const struct ph_known *x, const struct ph_known *y)
{
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

/* New entries are rare (a new executable): kept in order by moving the
 * tail. */
struct ph_known *ph_known_get(struct ph_known_table *t, __u64 dev, __u64 ino)
{
	struct ph_known key = { .dev = dev, .ino = ino };
	size_t lo = 0, hi = t->n;
	struct ph_known *k;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = known_cmp(&t->v[mid], &key);

		if (c == 0)
			return &t->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (t->n >= t->limit)
		return NULL;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct ph_known *n = realloc(t->v, cap * sizeof(*n));

		if (!n)
			return NULL;
		t->v = n;
		t->cap = cap;
	}
	k = &t->v[lo];
	memmove(k + 1, k, (t->n - lo) * sizeof(*k));
	t->n++;
	*k = key;
	return k;
}

void ph_known_set_exe(struct ph_known *k, const char *exe)
{
	if (k->exe && !strcmp(k->exe, exe))
		return;
	free(k->exe);
	k->exe = strdup(exe); /* NULL on failure: the path is for humans only */
}

void ph_known_scan_proc(struct ph_known_table *t)
{
	char link[300], path[PH_FILE_EXE_LEN];
	struct dirent *de;
	struct stat st;
	DIR *d = opendir("/proc");

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct ph_known *k;
		ssize_t n;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(link, sizeof(link), "/proc/%s/exe", de->d_name);
		if (stat(link, &st))
			continue; /* kernel thread, or gone */
		n = readlink(link, path, sizeof(path) - 1);
		if (n <= 0)
			continue;
		path[n] = 0;
		pthread_mutex_lock(&t->lock);
		/* the kernel's dev_t: 12 bits of major above 20 of minor */
		k = ph_known_get(t, ((__u64)major(st.st_dev) << 20) | minor(st.st_dev), st.st_ino);
		if (k)
			ph_known_set_exe(k, path);
		pthread_mutex_unlock(&t->lock);
	}
	closedir(d);
}
