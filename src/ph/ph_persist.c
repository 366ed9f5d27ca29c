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

#include <vigil/ph_events.h> /* struct ph_exe_key */

#include "ph/ph_buildid.h"
#include "ph/ph_file.h"
#include "ph/ph_known.h"
#include "ph/ph_persist.h"
#include "ph/ph_persist_save.h"
#include "ph/ph_statedir.h"

/* A save may run in a thread of its own while the monitor's loop notes
 * new paths and reads the counters: `lock` guards `st`, and the table of
 * known executables has a lock of its own. */
struct ph_persist {
	struct ph_persist_opts o;
	char *dir;
	int dirfd;
	pthread_mutex_t lock;
	struct ph_known_table known;
	struct ph_persist_stats st;
};

static void report(struct ph_persist *p, const char *file, int err, const char *problem)
{
	if (p->o.report)
		p->o.report(p->o.ctx, file, err, problem);
}

void ph_persist_note_exe(struct ph_persist *p, __u64 dev, __u64 ino, const char *path)
{
	struct ph_known *k;

	pthread_mutex_lock(&p->known.lock);
	k = ph_known_get(&p->known, dev, ino);
	if (k)
		ph_known_set_exe(k, path);
	pthread_mutex_unlock(&p->known.lock);
}

void ph_persist_foreach_exe(struct ph_persist *p,
			    void (*fn)(void *ctx, __u64 dev, __u64 ino, const char *path), void *ctx)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->known.lock);
	for (size_t i = 0; i < p->known.n; i++)
		if (p->known.v[i].exe && p->known.v[i].exe[0])
			fn(ctx, p->known.v[i].dev, p->known.v[i].ino, p->known.v[i].exe);
	pthread_mutex_unlock(&p->known.lock);
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
	/* at most twice the profile limit: paths of exec events and /proc */
	ph_known_init(&p->known, (size_t)o->max_profiles * 2 + 1024);
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
	ph_known_free(&p->known);
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
		struct ph_known *k;
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
		pthread_mutex_lock(&p->known.lock);
		k = ph_known_get(&p->known, meta.dev, meta.ino);
		if (k) {
			k->content_crc = ph_file_content_crc(&prof, items, nitems);
			k->written = 1;
			k->file_size = len;
			if (meta.exe[0])
				ph_known_set_exe(k, meta.exe);
			if (meta.build_id_len && meta.build_id_len <= sizeof(k->bid)) {
				k->bid_len = meta.build_id_len;
				memcpy(k->bid, meta.build_id, k->bid_len);
				k->bid_read = 1;
			}
		}
		pthread_mutex_unlock(&p->known.lock);
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

int ph_persist_save(struct ph_persist *p, __u64 clock_now)
{
	struct ph_save_ctx ctx = { p->dirfd,	     p->dir,	      p->o.params, p->o.profiles_fd,
				   p->o.items_fd, &p->known, p->o.report, p->o.ctx };
	struct ph_save_result r;
	int ret = ph_save_pass(&ctx, clock_now, &r);

	pthread_mutex_lock(&p->lock);
	p->st.saves++;
	p->st.written += r.written;
	p->st.write_errors += r.write_errors;
	p->st.gc_items += r.gc_items;
	p->st.bytes_last = r.bytes;
	p->st.profiles_saved = r.profiles;
	p->st.items_saved = r.items;
	p->st.save_ns_last = r.ns;
	pthread_mutex_unlock(&p->lock);
	return ret;
}

/* Reads the build-id of (dev, ino) through path once; the caller holds no
 * lock (the file is read outside it). */
static void read_build_id(struct ph_persist *p, __u64 dev, __u64 ino, const char *path)
{
	unsigned char bid[VG_PH_BUILD_ID_MAX];
	struct ph_known *k;
	int need, n;

	pthread_mutex_lock(&p->known.lock);
	k = ph_known_get(&p->known, dev, ino);
	need = k && !k->bid_read;
	pthread_mutex_unlock(&p->known.lock);
	if (!need)
		return;
	n = vg_ph_exe_identity(path, dev, ino, bid, sizeof(bid));
	if (n == -ESTALE || n == -ENOENT)
		return; /* the path names another file now: try again at the next exec */
	pthread_mutex_lock(&p->known.lock);
	k = ph_known_get(&p->known, dev, ino);
	if (k && !k->bid_read) {
		k->bid_read = 1;
		k->bid_len = n > 0 ? (__u32)n : 0;
		if (n > 0)
			memcpy(k->bid, bid, (size_t)n);
	}
	pthread_mutex_unlock(&p->known.lock);
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
	struct ph_known *k;
	__u32 len = 0;

	if (!p || !path || path[0] != '/')
		return 0;
	read_build_id(p, dev, ino, path);
	pthread_mutex_lock(&p->known.lock);
	k = ph_known_get(&p->known, dev, ino);
	if (k && k->bid_read && !k->share_tried && k->bid_len) {
		k->share_tried = 1;
		len = k->bid_len;
		memcpy(bid, k->bid, len);
	}
	pthread_mutex_unlock(&p->known.lock);
	if (!len)
		return 0;
	/* an executable that settled a profile of its own keeps it */
	if (!bpf_map_lookup_elem(p->o.profiles_fd, &me, &mine) &&
	    (mine.status & (PH_PROFILE_NORMAL | PH_PROFILE_FROZEN)))
		return 0;
	pthread_mutex_lock(&p->known.lock);
	for (size_t i = 0; i < p->known.n; i++) {
		struct ph_known *o = &p->known.v[i];
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
	pthread_mutex_unlock(&p->known.lock);
	return best != 0;
}

int ph_persist_build_id(struct ph_persist *p, __u64 dev, __u64 ino, unsigned char *out,
			size_t cap)
{
	struct ph_known *k;
	int n = 0;

	if (!p)
		return 0;
	pthread_mutex_lock(&p->known.lock);
	k = ph_known_get(&p->known, dev, ino);
	if (k && k->bid_read && k->bid_len <= cap) {
		n = (int)k->bid_len;
		memcpy(out, k->bid, k->bid_len);
	}
	pthread_mutex_unlock(&p->known.lock);
	return n;
}

const char *ph_persist_dir(struct ph_persist *p)
{
	return p ? p->dir : NULL;
}
