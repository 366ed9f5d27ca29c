/* pH profiles between the kernel's maps and the state directory; see
 * ph_persist.h and docs/ph.md ("Persistence"). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <zlib.h>

#include <vigil/ph_events.h> /* struct ph_exe_key */

#include "ph/ph_buildid.h"
#include "ph/ph_file.h"
#include "ph/ph_persist.h"
#include "ph/ph_statedir.h"
#include "util/map_walk.h"

/* A profile this monitor knows a file or a path for. */
struct known {
	__u64 dev, ino;
	__u32 content_crc; /* of the profile and items last written or loaded */
	int written;	   /* content_crc is what the file holds */
	size_t file_size;
	char *exe; /* a path of the executable, for humans; may be NULL */
	int bid_read;	/* build_id is what the file (or the profile file) holds */
	int share_tried; /* a twin's profile was looked for (once per executable) */
	__u32 bid_len;	 /* 0: none */
	unsigned char bid[VG_PH_BUILD_ID_MAX];
};

/* A save may run in a thread of its own while the monitor's loop notes
 * new paths and reads the counters: `lock` guards `known` and `st`. */
struct ph_persist {
	struct ph_persist_opts o;
	char *dir;
	int dirfd;
	pthread_mutex_t lock;
	struct known *known; /* sorted by (dev, ino) */
	size_t nknown, capknown;
	struct ph_persist_stats st;
};

/* An item as read from the kernel. */
struct kitem {
	struct ph_item_key k;
	__u64 stamp;
};

static void report(struct ph_persist *p, const char *file, int err, const char *problem)
{
	if (p->o.report)
		p->o.report(p->o.ctx, file, err, problem);
}

static int known_cmp(const void *a, const void *b)
{
	const struct known *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

/* Finds or adds an entry, kept in order by moving the tail (new entries
 * are rare: a new executable); NULL when out of memory or over the limit
 * (at most twice the profile limit: paths of exec events and /proc). */
static struct known *known_get(struct ph_persist *p, __u64 dev, __u64 ino)
{
	struct known key = { .dev = dev, .ino = ino };
	size_t limit = (size_t)p->o.max_profiles * 2 + 1024;
	size_t lo = 0, hi = p->nknown;
	struct known *k;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = known_cmp(&p->known[mid], &key);

		if (c == 0)
			return &p->known[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (p->nknown >= limit)
		return NULL;
	if (p->nknown == p->capknown) {
		size_t cap = p->capknown ? p->capknown * 2 : 256;
		struct known *n = realloc(p->known, cap * sizeof(*n));

		if (!n)
			return NULL;
		p->known = n;
		p->capknown = cap;
	}
	k = &p->known[lo];
	memmove(k + 1, k, (p->nknown - lo) * sizeof(*k));
	p->nknown++;
	*k = key;
	return k;
}

static void known_set_exe(struct known *k, const char *exe)
{
	if (k->exe && !strcmp(k->exe, exe))
		return;
	free(k->exe);
	k->exe = strdup(exe); /* NULL on failure: the path is for humans only */
}

void ph_persist_note_exe(struct ph_persist *p, __u64 dev, __u64 ino, const char *path)
{
	struct known *k;

	pthread_mutex_lock(&p->lock);
	k = known_get(p, dev, ino);
	if (k)
		known_set_exe(k, path);
	pthread_mutex_unlock(&p->lock);
}

void ph_persist_foreach_exe(struct ph_persist *p,
			    void (*fn)(void *ctx, __u64 dev, __u64 ino, const char *path), void *ctx)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	for (size_t i = 0; i < p->nknown; i++)
		if (p->known[i].exe && p->known[i].exe[0])
			fn(ctx, p->known[i].dev, p->known[i].ino, p->known[i].exe);
	pthread_mutex_unlock(&p->lock);
}

/* The paths of running executables, so that a file names its program. */
static void scan_proc_paths(struct ph_persist *p)
{
	char link[300], path[PH_FILE_EXE_LEN];
	struct dirent *de;
	struct stat st;
	DIR *d = opendir("/proc");

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct known *k;
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
		pthread_mutex_lock(&p->lock);
		/* the kernel's dev_t: 12 bits of major above 20 of minor */
		k = known_get(p, ((__u64)major(st.st_dev) << 20) | minor(st.st_dev), st.st_ino);
		if (k)
			known_set_exe(k, path);
		pthread_mutex_unlock(&p->lock);
	}
	closedir(d);
}

int ph_persist_new(struct ph_persist **out, const struct ph_persist_opts *o)
{
	struct ph_persist *p;
	char why[512];
	int ret;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->o = *o;
	p->dirfd = -1;
	pthread_mutex_init(&p->lock, NULL);
	p->dir = strdup(o->dir);
	if (!p->dir) {
		ret = -ENOMEM;
		goto fail;
	}
	/* created private, or vetted and never chmod'ed; locked: one vigil */
	p->dirfd = ph_statedir_open(o->dir, why, sizeof(why));
	if (p->dirfd < 0) {
		ret = p->dirfd;
		report(p, o->dir, ret, why);
		goto fail;
	}
	*out = p;
	return 0;
fail:
	ph_persist_free(p);
	return ret;
}

void ph_persist_free(struct ph_persist *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nknown; i++)
		free(p->known[i].exe);
	free(p->known);
	if (p->dirfd >= 0)
		close(p->dirfd);
	free(p->dir);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

void ph_persist_stats(struct ph_persist *p, struct ph_persist_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	*st = p->st;
	pthread_mutex_unlock(&p->lock);
}

static __u32 content_crc(const struct ph_profile *prof, const void *items, size_t nitems)
{
	struct ph_profile copy = *prof;
	uLong crc = crc32(0L, Z_NULL, 0);

	copy.id = 0; /* renumbered at every load: not content */
	crc = crc32(crc, (const Bytef *)&copy, sizeof(copy));
	if (nitems)
		crc = crc32(crc, items, (uInt)(nitems * sizeof(struct ph_file_item)));
	return (__u32)crc;
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* Stores a decoded profile's items under its new number; all or none. The
 * caller stores the profile after them, so that the kernel never sees a
 * profile without all its items. */
static int load_items(struct ph_persist *p, const char *name, const void *items, size_t nitems,
		      __u64 id)
{
	struct ph_file_item it;
	struct ph_item_key key;
	size_t i;
	int ret = 0;

	for (i = 0; i < nitems; i++) {
		memcpy(&it, (const char *)items + i * sizeof(it), sizeof(it));
		key = (struct ph_item_key){ .profile = (__u32)id, .gen = it.gen, .item = it.item };
		if (bpf_map_update_elem(p->o.items_fd, &key, &it.stamp, BPF_NOEXIST)) {
			ret = -errno;
			break;
		}
	}
	if (!ret)
		return 0;
	report(p, name, ret, "cannot store its items (items map full?): skipped");
	while (i-- > 0) { /* take back what went in */
		memcpy(&it, (const char *)items + i * sizeof(it), sizeof(it));
		key = (struct ph_item_key){ .profile = (__u32)id, .gen = it.gen, .item = it.item };
		bpf_map_delete_elem(p->o.items_fd, &key);
	}
	return ret;
}

int ph_persist_load(struct ph_persist *p, __u64 *next_profile, __u64 clock_now)
{
	struct ph_file_meta expect = { .model = p->o.params->model,
				       .window = p->o.params->window,
				       .ngram = p->o.params->ngram };
	struct ph_file_meta meta;
	struct ph_profile prof, existing;
	struct dirent *de;
	char want[PH_FILE_NAME_MAX];
	DIR *d;
	int fd = dup(p->dirfd);

	if (fd < 0 || !(d = fdopendir(fd))) {
		int ret = -errno;

		if (fd >= 0)
			close(fd);
		report(p, p->dir, ret, "cannot read the state directory");
		return ret;
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		const char *why = NULL;
		const void *items;
		size_t len, nitems;
		void *buf = NULL;
		struct ph_exe_key key;
		struct known *k;
		__u64 id;
		int ret;

		if (de->d_name[0] == '.' && has_suffix(de->d_name, ".tmp")) {
			unlinkat(p->dirfd, de->d_name, 0); /* a save cut short */
			continue;
		}
		if (strncmp(de->d_name, "ph-", 3) || !has_suffix(de->d_name, ".profile"))
			continue;
		if (p->st.loaded >= p->o.max_profiles) {
			report(p, de->d_name, -ENOSPC, "profile limit reached: skipped");
			p->st.skipped++;
			continue;
		}
		ret = ph_file_read(p->dirfd, de->d_name, &buf, &len, &why);
		if (!ret)
			ret = ph_file_decode(buf, len, &expect, &meta, &prof, &items, &nitems, &why);
		if (!ret) {
			ph_file_name(want, sizeof(want), meta.dev, meta.ino);
			if (strcmp(want, de->d_name)) {
				ret = -EINVAL;
				why = "file name does not match the executable in its header";
			}
		}
		key = (struct ph_exe_key){ .dev = meta.dev, .ino = meta.ino };
		if (!ret && !bpf_map_lookup_elem(p->o.profiles_fd, &key, &existing)) {
			ret = -EEXIST; /* cannot happen with unique names; never trust it */
			why = "profile already loaded";
		}
		if (ret) {
			report(p, de->d_name, ret, why ? why : "cannot load");
			p->st.skipped++;
			free(buf);
			continue;
		}
		id = ++*next_profile;
		if (load_items(p, de->d_name, items, nitems, id)) {
			p->st.skipped++;
			free(buf);
			continue;
		}
		pthread_mutex_lock(&p->lock);
		k = known_get(p, meta.dev, meta.ino);
		if (k) {
			k->content_crc = content_crc(&prof, items, nitems);
			k->written = 1;
			k->file_size = len;
			if (meta.exe[0])
				known_set_exe(k, meta.exe);
			if (meta.build_id_len && meta.build_id_len <= sizeof(k->bid)) {
				k->bid_len = meta.build_id_len;
				memcpy(k->bid, meta.build_id, k->bid_len);
				k->bid_read = 1;
			}
		}
		pthread_mutex_unlock(&p->lock);
		/* the model's clock restarts at boot: keep the wait that was left */
		prof.held = 0; /* held-back items are not saved (ph_model.h) */
		if ((prof.status & PH_PROFILE_FROZEN) && prof.normal_time != ~0ULL) {
			__u64 left = prof.normal_time > meta.clock_ns ? prof.normal_time - meta.clock_ns
								      : 0;

			prof.normal_time = clock_now + left;
		}
		prof.id = id;
		ret = bpf_map_update_elem(p->o.profiles_fd, &key, &prof, BPF_NOEXIST) ? -errno : 0;
		if (ret)
			report(p, de->d_name, ret, "cannot store the profile (map full?): skipped");
		pthread_mutex_lock(&p->lock);
		if (ret) {
			p->st.skipped++;
		} else {
			p->st.loaded++;
			p->st.items_loaded += nitems;
		}
		pthread_mutex_unlock(&p->lock);
		free(buf);
	}
	closedir(d);
	return 0;
}

static int kitem_cmp(const void *a, const void *b)
{
	const struct ph_item_key *x = a, *y = b;

	if (x->profile != y->profile)
		return x->profile < y->profile ? -1 : 1;
	if (x->gen != y->gen)
		return x->gen < y->gen ? -1 : 1;
	if (x->item != y->item)
		return x->item < y->item ? -1 : 1;
	return 0;
}

/* Every item of the kernel map, sorted by (profile, generation, item). The
 * map may change meanwhile; what a profile needs is checked against the
 * profile read after this. Bounded by the map's own size. */
struct item_list {
	struct kitem *v;
	size_t n, cap;
};

static int add_item(const void *key, const void *value, void *ctx)
{
	struct item_list *l = ctx;

	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 4096;
		struct kitem *bigger = realloc(l->v, ncap * sizeof(*bigger));

		if (!bigger)
			return -ENOMEM;
		l->v = bigger;
		l->cap = ncap;
	}
	memcpy(&l->v[l->n].k, key, sizeof(l->v[l->n].k));
	memcpy(&l->v[l->n].stamp, value, sizeof(l->v[l->n].stamp));
	l->n++;
	return 0;
}

static int read_items(int fd, struct kitem **out, size_t *count)
{
	struct bpf_map_info info = { 0 };
	__u32 info_len = sizeof(info);
	struct item_list l = { NULL, 0, 0 };
	int ret;

	*out = NULL;
	*count = 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &info_len))
		return -errno;
	ret = vg_map_walk(fd, sizeof(struct ph_item_key), sizeof(__u64), info.max_entries, add_item,
			  &l);
	if (ret) {
		free(l.v);
		return ret;
	}
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), kitem_cmp);
	*out = l.v;
	*count = l.n;
	return 0;
}

/* Index of the first item of `profile` (or of the next profile). */
static size_t first_of(const struct kitem *v, size_t n, __u64 profile)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].k.profile < profile)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Sorts one profile's kernel items into those it still needs (the live
 * generations) and those it never will again (deleted from the map). The
 * profile may have moved on since the items were read: only generations
 * older than its training one are dead, and only test items outside its
 * test data. */
static size_t select_items(struct ph_persist *p, const struct ph_profile *prof,
			   const struct kitem *v, size_t n, struct ph_file_item *keep, uint64_t *gc)
{
	size_t nkeep = 0;

	for (size_t i = 0; i < n; i++) {
		const struct kitem *it = &v[i];
		int live = 0, dead = 0;

		if (it->k.gen == prof->train_gen)
			live = it->stamp < prof->adds; /* newer ones: not counted yet */
		else if (it->k.gen == prof->test_gen)
			live = it->stamp < prof->test_stamp, dead = !live;
		else if (it->k.gen & PH_GEN_HELD) /* held back: not saved; an old generation's die */
			dead = (it->k.gen & ~PH_GEN_HELD) < prof->train_gen;
		else
			dead = it->k.gen < prof->train_gen;
		if (dead) {
			if (!bpf_map_delete_elem(p->o.items_fd, &it->k))
				(*gc)++;
			continue;
		}
		if (!live)
			continue;
		if (nkeep < PH_FILE_MAX_ITEMS + 1)
			keep[nkeep] = (struct ph_file_item){ .gen = it->k.gen,
							     .kind = ph_item_kind(it->k.item),
							     .item = it->k.item,
							     .stamp = it->stamp };
		nkeep++;
	}
	return nkeep;
}

static __u64 wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/* Counters of one save pass, published when it ends. */
struct pass {
	uint64_t written, write_errors, gc_items, bytes;
};

static int save_one(struct ph_persist *p, const struct ph_exe_key *key,
		    const struct ph_profile *prof, const struct ph_file_item *items, size_t n,
		    __u64 clock_now, struct pass *pass)
{
	struct ph_file_meta meta = { .model = p->o.params->model,
				     .window = p->o.params->window,
				     .ngram = p->o.params->ngram,
				     .dev = key->dev,
				     .ino = key->ino,
				     .saved_ns = wall_ns(),
				     .clock_ns = clock_now };
	char name[PH_FILE_NAME_MAX];
	const char *why = NULL;
	struct known *k;
	int unchanged = 0;
	size_t len;
	void *buf;
	__u32 crc;
	int ret;

	ph_file_name(name, sizeof(name), key->dev, key->ino);
	if (n > PH_FILE_MAX_ITEMS) {
		report(p, name, -E2BIG, "too many items: not saved");
		return -E2BIG;
	}
	crc = content_crc(prof, items, n);
	pthread_mutex_lock(&p->lock);
	k = known_get(p, key->dev, key->ino);
	if (k && k->written && k->content_crc == crc) {
		pass->bytes += k->file_size;
		unchanged = 1;
	} else if (k) {
		if (k->exe)
			snprintf(meta.exe, sizeof(meta.exe), "%s", k->exe);
		meta.build_id_len = k->bid_len;
		memcpy(meta.build_id, k->bid, k->bid_len);
	}
	pthread_mutex_unlock(&p->lock);
	if (unchanged)
		return 0; /* the file already holds this */
	ret = ph_file_encode(&meta, prof, items, n, &buf, &len);
	if (ret) {
		report(p, name, ret, "cannot encode");
		return ret;
	}
	ret = ph_file_write(p->dirfd, name, buf, len, &why);
	free(buf);
	if (ret) {
		report(p, name, ret, why);
		return ret;
	}
	pass->written++;
	pass->bytes += len;
	pthread_mutex_lock(&p->lock);
	k = known_get(p, key->dev, key->ino); /* the table may have moved meanwhile */
	if (k) {
		k->content_crc = crc;
		k->written = 1;
		k->file_size = len;
	}
	pthread_mutex_unlock(&p->lock);
	return 0;
}

int ph_persist_save(struct ph_persist *p, __u64 clock_now)
{
	struct ph_exe_key key, next, *prev = NULL;
	struct ph_file_item *keep = NULL;
	struct ph_profile prof;
	struct kitem *v = NULL;
	size_t nv = 0, profiles = 0, items = 0;
	struct pass pass = { 0 };
	struct timespec t0, t1;
	int ret, first_err = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = read_items(p->o.items_fd, &v, &nv);
	if (ret) {
		report(p, p->dir, ret, "cannot read the kernel's pH items");
		return ret;
	}
	keep = malloc((PH_FILE_MAX_ITEMS + 1) * sizeof(*keep));
	if (!keep) {
		free(v);
		return -ENOMEM;
	}
	scan_proc_paths(p);
	while (!bpf_map_get_next_key(p->o.profiles_fd, prev, &next)) {
		size_t at, end, n;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(p->o.profiles_fd, &key, &prof))
			continue;
		at = first_of(v, nv, prof.id);
		end = first_of(v, nv, prof.id + 1);
		n = select_items(p, &prof, v + at, end - at, keep, &pass.gc_items);
		ret = save_one(p, &key, &prof, keep, n, clock_now, &pass);
		if (ret) {
			pass.write_errors++;
			if (!first_err)
				first_err = ret;
			continue;
		}
		profiles++;
		items += n;
	}
	/* Each file was synced before its rename; one sync of the directory
	 * makes all the renames of the pass durable. */
	if (pass.written && fsync(p->dirfd)) {
		ret = -errno;
		report(p, p->dir, ret, "cannot sync the state directory");
		if (!first_err)
			first_err = ret;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_mutex_lock(&p->lock);
	p->st.saves++;
	p->st.written += pass.written;
	p->st.write_errors += pass.write_errors;
	p->st.gc_items += pass.gc_items;
	p->st.bytes_last = pass.bytes;
	p->st.profiles_saved = profiles;
	p->st.items_saved = items;
	p->st.save_ns_last = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000ull +
			     (uint64_t)t1.tv_nsec - (uint64_t)t0.tv_nsec;
	pthread_mutex_unlock(&p->lock);
	free(keep);
	free(v);
	return first_err;
}

/* Reads the build-id of (dev, ino) through path once; the caller holds no
 * lock (the file is read outside it). */
static void read_build_id(struct ph_persist *p, __u64 dev, __u64 ino, const char *path)
{
	unsigned char bid[VG_PH_BUILD_ID_MAX];
	struct known *k;
	int need, n;

	pthread_mutex_lock(&p->lock);
	k = known_get(p, dev, ino);
	need = k && !k->bid_read;
	pthread_mutex_unlock(&p->lock);
	if (!need)
		return;
	n = vg_ph_build_id(path, dev, ino, bid, sizeof(bid));
	if (n == -ESTALE || n == -ENOENT)
		return; /* the path names another file now: try again at the next exec */
	pthread_mutex_lock(&p->lock);
	k = known_get(p, dev, ino);
	if (k && !k->bid_read) {
		k->bid_read = 1;
		k->bid_len = n > 0 ? (__u32)n : 0;
		if (n > 0)
			memcpy(k->bid, bid, (size_t)n);
	}
	pthread_mutex_unlock(&p->lock);
}

/* How much a twin's profile is worth copying: normal beats frozen beats
 * training; more calls seen beats fewer. 0 when it has none. */
static __u64 twin_rank(struct ph_persist *p, __u64 dev, __u64 ino)
{
	struct ph_exe_key key = { .dev = dev, .ino = ino };
	struct ph_profile prof;

	if (bpf_map_lookup_elem(p->o.profiles_fd, &key, &prof))
		return 0;
	if (!(prof.status & (PH_PROFILE_NORMAL | PH_PROFILE_FROZEN)))
		return 0; /* still learning: nothing settled to share */
	return ((prof.status & PH_PROFILE_NORMAL) ? 1ull << 62 : 1ull << 61) +
	       (prof.calls < (1ull << 60) ? prof.calls : (1ull << 60));
}

int ph_persist_twin(struct ph_persist *p, __u64 dev, __u64 ino, const char *path,
		    struct ph_exe_key *twin)
{
	struct ph_exe_key me = { .dev = dev, .ino = ino };
	unsigned char bid[VG_PH_BUILD_ID_MAX];
	struct ph_profile mine;
	__u64 best = 0;
	struct known *k;
	__u32 len = 0;

	if (!p || !path || path[0] != '/')
		return 0;
	read_build_id(p, dev, ino, path);
	pthread_mutex_lock(&p->lock);
	k = known_get(p, dev, ino);
	if (k && k->bid_read && !k->share_tried && k->bid_len) {
		k->share_tried = 1;
		len = k->bid_len;
		memcpy(bid, k->bid, len);
	}
	pthread_mutex_unlock(&p->lock);
	if (!len)
		return 0;
	/* an executable that settled a profile of its own keeps it */
	if (!bpf_map_lookup_elem(p->o.profiles_fd, &me, &mine) &&
	    (mine.status & (PH_PROFILE_NORMAL | PH_PROFILE_FROZEN)))
		return 0;
	pthread_mutex_lock(&p->lock);
	for (size_t i = 0; i < p->nknown; i++) {
		struct known *o = &p->known[i];
		__u64 rank;

		if (o->bid_len != len || memcmp(o->bid, bid, len) ||
		    (o->dev == dev && o->ino == ino))
			continue;
		rank = twin_rank(p, o->dev, o->ino);
		if (rank > best) {
			best = rank;
			*twin = (struct ph_exe_key){ .dev = o->dev, .ino = o->ino };
		}
	}
	pthread_mutex_unlock(&p->lock);
	return best != 0;
}

int ph_persist_build_id(struct ph_persist *p, __u64 dev, __u64 ino, unsigned char *out,
			size_t cap)
{
	struct known *k;
	int n = 0;

	if (!p)
		return 0;
	pthread_mutex_lock(&p->lock);
	k = known_get(p, dev, ino);
	if (k && k->bid_read && k->bid_len <= cap) {
		n = (int)k->bid_len;
		memcpy(out, k->bid, k->bid_len);
	}
	pthread_mutex_unlock(&p->lock);
	return n;
}

const char *ph_persist_dir(struct ph_persist *p)
{
	return p ? p->dir : NULL;
}
