/* Profile export / import / merge (see ph_exchange.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "ph/ph_exchange.h"
#include "ph/ph_file.h"
#include "util/map_walk.h"
#include "util/macros.h"

#define ITEMS_SCAN_MAX (1u << 24)

struct collect {
	const struct ph_profile *p;
	struct ph_file_item *items;
	size_t n, cap;
	int err;
};

/* The items a profile needs: its training data and its test data. */
static int collect_one(const void *key, const void *value, void *ctx)
{
	const struct ph_item_key *k = key;
	__u64 stamp = *(const __u64 *)value;
	struct collect *c = ctx;
	int in_train = k->gen == c->p->train_gen && stamp < c->p->adds;
	int in_test = k->gen == c->p->test_gen && stamp < c->p->test_stamp;

	if (k->profile != (__u32)c->p->id || !(in_train || in_test))
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		struct ph_file_item *n;

		if (cap > PH_FILE_MAX_ITEMS + 1)
			cap = PH_FILE_MAX_ITEMS + 1;
		if (c->n == cap) {
			c->err = -E2BIG;
			return 1;
		}
		n = realloc(c->items, cap * sizeof(*n));
		if (!n) {
			c->err = -ENOMEM;
			return 1;
		}
		c->items = n;
		c->cap = cap;
	}
	c->items[c->n++] = (struct ph_file_item){ .gen = k->gen, .kind = ph_item_kind(k->item),
						  .item = k->item, .stamp = stamp };
	return 0;
}

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

long vg_ph_export(const struct vg_ph_exchange *x, const struct ph_exe_key *key,
		  const char *exe_path, const char *file, char *err, size_t errlen)
{
	struct ph_file_meta meta = { .model = x->params->model,
				     .window = x->params->window,
				     .ngram = x->params->ngram,
				     .dev = key->dev,
				     .ino = key->ino,
				     .saved_ns = wall_ns(),
				     .clock_ns = x->clock_now };
	char dir[PATH_MAX], base[PATH_MAX];
	struct collect c = { 0 };
	struct ph_profile p;
	const char *why = NULL;
	size_t len;
	void *buf;
	int dirfd, ret;

	if (!file || file[0] != '/' || strlen(file) >= PATH_MAX) {
		snprintf(err, errlen, "\"file\" must be an absolute path");
		return -EINVAL;
	}
	if (bpf_map_lookup_elem(x->profiles_fd, key, &p)) {
		snprintf(err, errlen, "no pH profile for that executable");
		return -ENOENT;
	}
	c.p = &p;
	vg_map_walk(x->items_fd, sizeof(struct ph_item_key), sizeof(__u64), ITEMS_SCAN_MAX,
		    collect_one, &c);
	if (c.err) {
		free(c.items);
		snprintf(err, errlen, "cannot collect the profile's items: %s", strerror(-c.err));
		return c.err;
	}
	snprintf(meta.exe, sizeof(meta.exe), "%s", exe_path ? exe_path : "");
	ret = ph_file_encode(&meta, &p, c.items, c.n, &buf, &len);
	free(c.items);
	if (ret) {
		snprintf(err, errlen, "cannot encode the profile: %s", strerror(-ret));
		return ret;
	}
	snprintf(dir, sizeof(dir), "%s", file);
	snprintf(base, sizeof(base), "%s", file);
	dirfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		ret = -errno;
		free(buf);
		snprintf(err, errlen, "%.200s: %s", file, strerror(-ret));
		return ret;
	}
	/* a temp file (O_NOFOLLOW, 0600) renamed over the name: a planted
	 * symlink is replaced, never followed */
	ret = ph_file_write(dirfd, basename(base), buf, len, &why);
	if (!ret && fsync(dirfd))
		ret = -errno;
	close(dirfd);
	free(buf);
	if (ret) {
		snprintf(err, errlen, "%.200s: %s (%s)", file, why ? why : "cannot write",
			 strerror(-ret));
		return ret;
	}
	return (long)c.n;
}

/* Puts items in under (id, gen); on failure takes back those it put. */
static int put_items(int fd, __u32 id, const struct ph_item_key *keys, const __u64 *stamps,
		     size_t n)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < n; i++) {
		struct ph_item_key k = keys[i];

		k.profile = id;
		if (bpf_map_update_elem(fd, &k, &stamps[i], BPF_NOEXIST) && errno != EEXIST) {
			ret = -errno;
			break;
		}
	}
	if (!ret)
		return 0;
	while (i-- > 0) {
		struct ph_item_key k = keys[i];

		k.profile = id;
		bpf_map_delete_elem(fd, &k);
	}
	return ret;
}

long vg_ph_import(const struct vg_ph_exchange *x, const struct ph_exe_key *key, const char *file,
		  int merge, char *err, size_t errlen)
{
	struct ph_file_meta expect = { .model = x->params->model,
				       .window = x->params->window,
				       .ngram = x->params->ngram };
	struct ph_file_meta meta;
	struct ph_profile fp, p, np;
	struct ph_item_key *keys = NULL;
	__u64 *stamps = NULL, stamp;
	const void *items;
	size_t nitems, n = 0;
	const char *why = NULL;
	void *buf = NULL;
	__u32 base;
	int dirfd, ret;
	char dir[PATH_MAX], name[PATH_MAX];

	if (!file || file[0] != '/' || strlen(file) >= PATH_MAX) {
		snprintf(err, errlen, "\"file\" must be an absolute path");
		return -EINVAL;
	}
	if (bpf_map_lookup_elem(x->profiles_fd, key, &p)) {
		snprintf(err, errlen, "no pH profile for that executable (let it run once)");
		return -ENOENT;
	}
	snprintf(dir, sizeof(dir), "%s", file);
	snprintf(name, sizeof(name), "%s", file);
	dirfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%.200s: %s", file, strerror(-ret));
		return ret;
	}
	ret = ph_file_read(dirfd, basename(name), &buf, &nitems, &why);
	close(dirfd);
	if (!ret)
		ret = ph_file_decode(buf, nitems, &expect, &meta, &fp, &items, &nitems, &why);
	if (ret) {
		snprintf(err, errlen, "%.200s: %s", file, why ? why : strerror(-ret));
		free(buf);
		return ret;
	}
	keys = calloc(nitems ? nitems : 1, sizeof(*keys));
	stamps = calloc(nitems ? nitems : 1, sizeof(*stamps));
	if (!keys || !stamps) {
		ret = -ENOMEM;
		goto out;
	}
	/* fresh generations for what comes in: nothing of the old ones is hit */
	base = (p.train_gen > p.test_gen ? p.train_gen : p.test_gen) + 1;
	np = p;
	if (merge) {
		/* the file's known items: its test data if it was normal */
		int normal = (fp.status & PH_PROFILE_NORMAL) != 0;
		__u32 gen = normal ? fp.test_gen : fp.train_gen;
		__u64 limit = normal ? fp.test_stamp : fp.adds;
		struct ph_item_key k;

		for (size_t i = 0; i < nitems; i++) {
			struct ph_file_item it;

			memcpy(&it, (const char *)items + i * sizeof(it), sizeof(it));
			if (it.gen != gen || it.stamp >= limit)
				continue;
			k = (struct ph_item_key){ .gen = p.train_gen, .item = it.item };
			k.profile = (__u32)p.id;
			if (!bpf_map_lookup_elem(x->items_fd, &k, &stamp))
				continue; /* known already */
			keys[n] = k;
			stamps[n] = np.adds++;
			n++;
		}
		ret = put_items(x->items_fd, (__u32)p.id, keys, stamps, n);
		if (ret)
			goto out;
		/* a normal profile tests with them from now on */
		if ((np.status & PH_PROFILE_NORMAL) && np.test_gen == np.train_gen)
			np.test_stamp = np.adds;
	} else {
		for (size_t i = 0; i < nitems; i++) {
			struct ph_file_item it;

			memcpy(&it, (const char *)items + i * sizeof(it), sizeof(it));
			/* generations keep their order (test before training): a
			 * profile whose test generation is above its training one
			 * is refused when its file is loaded */
			keys[n] = (struct ph_item_key){ .gen = base + (it.gen == fp.train_gen &&
								      fp.test_gen != fp.train_gen),
							.item = it.item };
			stamps[n++] = it.stamp;
		}
		ret = put_items(x->items_fd, (__u32)p.id, keys, stamps, n);
		if (ret)
			goto out;
		np = fp;
		np.id = p.id;
		np.calls = p.calls;
		np.test_gen = base;
		np.train_gen = fp.test_gen == fp.train_gen ? base : base + 1;
		/* a frozen profile keeps the wait it had left */
		if ((np.status & PH_PROFILE_FROZEN) && np.normal_time != ~0ull)
			np.normal_time = x->clock_now + (fp.normal_time > meta.clock_ns
								 ? fp.normal_time - meta.clock_ns
								 : 0);
	}
	/* the whole value replaced, as the admin actions do */
	if (bpf_map_update_elem(x->profiles_fd, key, &np, BPF_EXIST)) {
		ret = -errno;
		for (size_t i = 0; i < n; i++) {
			keys[i].profile = (__u32)p.id;
			bpf_map_delete_elem(x->items_fd, &keys[i]);
		}
	}
out:
	if (ret)
		snprintf(err, errlen, "%.200s: cannot install its items: %s", file, strerror(-ret));
	free(keys);
	free(stamps);
	free(buf);
	return ret ? ret : (long)n;
}
