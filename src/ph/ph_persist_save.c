/* One save pass of pH's profiles (ph_persist.h): every profile whose
 * content changed since its file was written goes to the state directory,
 * and the items of dead generations leave the kernel's map. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include <vigil/ph_events.h> /* struct ph_exe_key */

#include "ph/ph_file.h"
#include "ph/ph_persist_save.h"
#include "util/map_walk.h"
#include "util/macros.h"

/* An item as read from the kernel. */
struct kitem {
	struct ph_item_key k;
	__u64 stamp;
};

static void report(const struct ph_save_ctx *p, const char *file, int err, const char *problem)
{
	if (p->report)
		p->report(p->ctx, file, err, problem);
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
static size_t select_items(const struct ph_save_ctx *p, const struct ph_profile *prof,
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
			if (!bpf_map_delete_elem(p->items_fd, &it->k))
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
	return (__u64)ts.tv_sec * NSEC_PER_SEC + (__u64)ts.tv_nsec;
}

/* Counters of one save pass, published when it ends. */
struct pass {
	uint64_t written, write_errors, gc_items, bytes;
};

static int save_one(const struct ph_save_ctx *p, const struct ph_exe_key *key,
		    const struct ph_profile *prof, const struct ph_file_item *items, size_t n,
		    __u64 clock_now, struct pass *pass)
{
	struct ph_file_meta meta = { .model = p->params->model,
				     .window = p->params->window,
				     .ngram = p->params->ngram,
				     .dev = key->dev,
				     .ino = key->ino,
				     .saved_ns = wall_ns(),
				     .clock_ns = clock_now };
	char name[PH_FILE_NAME_MAX];
	const char *why = NULL;
	struct ph_known *k;
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
	crc = ph_file_content_crc(prof, items, n);
	pthread_mutex_lock(&p->known->lock);
	k = ph_known_get(p->known, key->dev, key->ino);
	if (k && k->written && k->content_crc == crc) {
		pass->bytes += k->file_size;
		unchanged = 1;
	} else if (k) {
		if (k->exe)
			snprintf(meta.exe, sizeof(meta.exe), "%s", k->exe);
		meta.build_id_len = k->bid_len;
		memcpy(meta.build_id, k->bid, k->bid_len);
	}
	pthread_mutex_unlock(&p->known->lock);
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
	pthread_mutex_lock(&p->known->lock);
	k = ph_known_get(p->known, key->dev, key->ino); /* the table may have moved meanwhile */
	if (k) {
		k->content_crc = crc;
		k->written = 1;
		k->file_size = len;
	}
	pthread_mutex_unlock(&p->known->lock);
	return 0;
}

int ph_save_pass(const struct ph_save_ctx *p, __u64 clock_now, struct ph_save_result *out)
{
	struct ph_exe_key key, next, *prev = NULL;
	struct ph_file_item *keep = NULL;
	struct ph_profile prof;
	struct kitem *v = NULL;
	size_t nv = 0, profiles = 0, items = 0;
	struct pass pass = { 0 };
	struct timespec t0, t1;
	int ret, first_err = 0;

	memset(out, 0, sizeof(*out));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = read_items(p->items_fd, &v, &nv);
	if (ret) {
		report(p, p->dir, ret, "cannot read the kernel's pH items");
		return ret;
	}
	keep = malloc((PH_FILE_MAX_ITEMS + 1) * sizeof(*keep));
	if (!keep) {
		free(v);
		return -ENOMEM;
	}
	ph_known_scan_proc(p->known);
	while (!bpf_map_get_next_key(p->profiles_fd, prev, &next)) {
		size_t at, end, n;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(p->profiles_fd, &key, &prof))
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
	out->written = pass.written;
	out->write_errors = pass.write_errors;
	out->gc_items = pass.gc_items;
	out->bytes = pass.bytes;
	out->profiles = profiles;
	out->items = items;
	out->ns = (uint64_t)(t1.tv_sec - t0.tv_sec) * NSEC_PER_SEC + (uint64_t)t1.tv_nsec -
		  (uint64_t)t0.tv_nsec;
	free(keep);
	free(v);
	return first_err;
}
