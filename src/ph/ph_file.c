/* One pH profile on disk; the layout is in ph_file.h and docs/ph.md. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "ph/ph_file.h"

void ph_file_name(char *buf, size_t size, __u64 dev, __u64 ino)
{
	snprintf(buf, size, "ph-%llu-%llu.profile", (unsigned long long)dev,
		 (unsigned long long)ino);
}

static __u32 crc_of(const void *buf, size_t len)
{
	uLong crc = crc32(0L, Z_NULL, 0);
	const unsigned char *p = buf;

	/* zlib takes uInt lengths: feed it in slices */
	while (len) {
		uInt n = len > (1u << 30) ? (1u << 30) : (uInt)len;

		crc = crc32(crc, p, n);
		p += n;
		len -= n;
	}
	return (__u32)crc;
}

int ph_file_encode(const struct ph_file_meta *meta, const struct ph_profile *prof,
		   const struct ph_file_item *items, size_t nitems, void **out, size_t *len)
{
	struct ph_file_header h;
	size_t size, at;
	unsigned char *buf;
	__u32 crc;

	*out = NULL;
	*len = 0;
	if (nitems > PH_FILE_MAX_ITEMS)
		return -E2BIG;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, PH_FILE_MAGIC, sizeof(h.magic));
	h.version = PH_FILE_VERSION;
	h.header_size = sizeof(h);
	h.profile_size = sizeof(*prof);
	h.item_size = sizeof(*items);
	snprintf(h.arch, sizeof(h.arch), "%s", PH_FILE_ARCH);
	h.model = meta->model;
	h.window = meta->window;
	h.ngram = meta->ngram;
	h.call_max = PH_CALL_MAX;
	h.dev = meta->dev;
	h.ino = meta->ino;
	h.nitems = nitems;
	h.saved_ns = meta->saved_ns;
	h.clock_ns = meta->clock_ns;
	snprintf(h.exe, sizeof(h.exe), "%s", meta->exe);
	if (meta->build_id_len <= sizeof(h.build_id)) {
		h.build_id_len = meta->build_id_len;
		memcpy(h.build_id, meta->build_id, meta->build_id_len);
	}

	size = sizeof(h) + sizeof(*prof) + nitems * sizeof(*items) + sizeof(crc);
	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, &h, sizeof(h));
	at = sizeof(h);
	memcpy(buf + at, prof, sizeof(*prof));
	at += sizeof(*prof);
	if (nitems)
		memcpy(buf + at, items, nitems * sizeof(*items));
	at += nitems * sizeof(*items);
	crc = crc_of(buf, at);
	memcpy(buf + at, &crc, sizeof(crc));
	*out = buf;
	*len = size;
	return 0;
}

/* The profile must be one the model could have produced: otherwise loading
 * it would make the kernel test against data it cannot explain. */
static int check_profile(const struct ph_profile *p, const char **why)
{
	if (p->status & ~(PH_PROFILE_FROZEN | PH_PROFILE_NORMAL)) {
		*why = "profile has unknown status bits";
		return -EINVAL;
	}
	if (p->train_gen == 0 || p->test_gen > p->train_gen) {
		*why = "profile generations out of order";
		return -EINVAL;
	}
	if (p->test_gen == p->train_gen && p->test_stamp > p->adds) {
		*why = "profile test data larger than its training data";
		return -EINVAL;
	}
	if (p->last_mod_count > p->train_count) {
		*why = "profile counters out of order";
		return -EINVAL;
	}
	return 0;
}

static int check_item(const struct ph_profile *p, const struct ph_file_item *it, const char **why)
{
	if (it->kind != PH_ITEM_PAIR && it->kind != PH_ITEM_NGRAM && it->kind != PH_ITEM_CALL) {
		*why = "item of unknown kind";
		return -EINVAL;
	}
	if (it->kind != ph_item_kind(it->item)) {
		*why = "item's kind does not match its number"; /* the kind is its top bit */
		return -EINVAL;
	}
	if (it->gen == p->train_gen) {
		if (it->stamp >= p->adds) {
			*why = "training item stamped after the profile's last add";
			return -EINVAL;
		}
	} else if (it->gen == p->test_gen) {
		if (it->stamp >= p->test_stamp) {
			*why = "test item outside the profile's test data";
			return -EINVAL;
		}
	} else {
		*why = "item of a generation the profile does not use";
		return -EINVAL;
	}
	return 0;
}

/* A file's model must be the one the monitor runs, with one exception:
 * FALLBACK keeps the n-gram model's items as they are and adds pairs only
 * where an n-gram is new, so a profile the n-gram model saved (the default
 * before FALLBACK) loads unchanged and judges as it did until it learns
 * pairs; refusing it would throw away what an upgraded host had learnt. */
static int model_matches(const struct ph_file_header *h, const struct ph_file_meta *expect)
{
	if (h->call_max != PH_CALL_MAX || h->ngram != expect->ngram)
		return 0;
	if (h->model == expect->model && h->window == expect->window)
		return 1;
	return h->model == PH_MODEL_NGRAM && expect->model == PH_MODEL_FALLBACK;
}

int ph_file_decode(const void *buf, size_t len, const struct ph_file_meta *expect,
		   struct ph_file_meta *meta, struct ph_profile *prof, const void **items,
		   size_t *nitems, const char **why)
{
	const unsigned char *b = buf;
	struct ph_file_header h;
	struct ph_file_item it;
	size_t body, hsize;
	__u32 crc;

	*items = NULL;
	*nitems = 0;
	if (len < sizeof(h.magic) || memcmp(b, PH_FILE_MAGIC, sizeof(h.magic))) {
		*why = len < sizeof(h.magic) ? "truncated (no header)" : "not a vigil pH profile (bad magic)";
		return len < sizeof(h.magic) ? -EINVAL : -EPROTO;
	}
	if (len < PH_FILE_V3_HEADER_SIZE) {
		*why = "truncated header";
		return -EINVAL;
	}
	/* version 3 is version 4 without the build-id at the end */
	memset(&h, 0, sizeof(h));
	memcpy(&h, b, PH_FILE_V3_HEADER_SIZE);
	if (h.version != PH_FILE_VERSION && h.version != 3) {
		*why = "profile format of another version";
		return -EPROTO;
	}
	hsize = h.version == 3 ? PH_FILE_V3_HEADER_SIZE : sizeof(h);
	if (len < hsize) {
		*why = "truncated header";
		return -EINVAL;
	}
	memcpy(&h, b, hsize);
	if (h.header_size != hsize || h.profile_size != sizeof(*prof) ||
	    h.item_size != sizeof(it)) {
		*why = "profile written by a build with other struct sizes";
		return -EPROTO;
	}
	if (memchr(h.arch, 0, sizeof(h.arch)) == NULL || strcmp(h.arch, PH_FILE_ARCH)) {
		*why = "profile of another architecture";
		return -EPROTO;
	}
	if (!model_matches(&h, expect)) {
		*why = "profile of another model (model, window or n differ)";
		return -EPROTO;
	}
	if (h.nitems > PH_FILE_MAX_ITEMS) {
		*why = "too many items";
		return -EINVAL;
	}
	if (h.build_id_len > sizeof(h.build_id)) {
		*why = "build-id too long";
		return -EINVAL;
	}
	body = hsize + sizeof(*prof) + (size_t)h.nitems * sizeof(it);
	if (len < body + sizeof(crc)) {
		*why = "truncated";
		return -EINVAL;
	}
	if (len > body + sizeof(crc)) {
		*why = "trailing bytes after the checksum";
		return -EINVAL;
	}
	memcpy(&crc, b + body, sizeof(crc));
	if (crc != crc_of(b, body)) {
		*why = "checksum mismatch (corrupt)";
		return -EBADMSG;
	}
	memcpy(prof, b + hsize, sizeof(*prof));
	if (check_profile(prof, why))
		return -EINVAL;
	for (size_t i = 0; i < h.nitems; i++) {
		memcpy(&it, b + hsize + sizeof(*prof) + i * sizeof(it), sizeof(it));
		if (check_item(prof, &it, why))
			return -EINVAL;
	}
	memset(meta, 0, sizeof(*meta));
	meta->model = h.model;
	meta->window = h.window;
	meta->ngram = h.ngram;
	meta->dev = h.dev;
	meta->ino = h.ino;
	meta->saved_ns = h.saved_ns;
	meta->clock_ns = h.clock_ns;
	h.exe[sizeof(h.exe) - 1] = 0; /* for humans: never trusted to be terminated */
	memcpy(meta->exe, h.exe, sizeof(meta->exe));
	meta->build_id_len = h.build_id_len;
	memcpy(meta->build_id, h.build_id, h.build_id_len);
	*items = b + hsize + sizeof(*prof);
	*nitems = h.nitems;
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int ph_file_write(int dirfd, const char *name, const void *buf, size_t len, const char **why)
{
	char tmp[PH_FILE_NAME_MAX + 8];
	int fd, ret;

	/* One monitor runs at a time (the instance lock): a fixed temp name
	 * is enough, and a leftover one from a crash is simply overwritten. */
	if ((size_t)snprintf(tmp, sizeof(tmp), ".%s.tmp", name) >= sizeof(tmp)) {
		*why = "file name too long";
		return -ENAMETOOLONG;
	}
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		*why = "cannot create the temp file";
		return -errno;
	}
	ret = write_all(fd, buf, len);
	if (ret)
		*why = "cannot write the temp file";
	else if (fchmod(fd, 0600) || fsync(fd)) {
		*why = "cannot sync the temp file";
		ret = -errno;
	}
	if (close(fd) && !ret) {
		*why = "cannot close the temp file";
		ret = -errno;
	}
	if (!ret && renameat(dirfd, tmp, dirfd, name)) {
		*why = "cannot rename the temp file over the profile";
		ret = -errno;
	}
	if (ret)
		unlinkat(dirfd, tmp, 0);
	return ret;
}

int ph_file_read(int dirfd, const char *name, void **buf, size_t *len, const char **why)
{
	struct stat st;
	char *b = NULL;
	size_t at = 0;
	int fd, ret = 0;

	*buf = NULL;
	*len = 0;
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		*why = "cannot open";
		return -errno;
	}
	if (fstat(fd, &st)) {
		*why = "cannot stat";
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		ret = -EINVAL;
		goto out;
	}
	if ((unsigned long long)st.st_size > PH_FILE_MAX_SIZE) {
		*why = "larger than any valid profile";
		ret = -EFBIG;
		goto out;
	}
	/* one byte more than stat says: a file that grew is caught below */
	b = malloc((size_t)st.st_size + 1);
	if (!b) {
		ret = -ENOMEM;
		*why = "out of memory";
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, b + at, (size_t)st.st_size + 1 - at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*why = "cannot read";
			ret = -errno;
			goto out;
		}
		if (n == 0)
			break;
		at += (size_t)n;
		if (at > (size_t)st.st_size) {
			*why = "changed while being read";
			ret = -EINVAL;
			goto out;
		}
	}
	*buf = b;
	*len = at;
	b = NULL;
out:
	free(b);
	close(fd);
	return ret;
}

__u32 ph_file_content_crc(const struct ph_profile *prof, const void *items, size_t nitems)
{
	struct ph_profile copy = *prof;
	uLong crc = crc32(0L, Z_NULL, 0);

	copy.id = 0; /* renumbered at every load: not content */
	crc = crc32(crc, (const Bytef *)&copy, sizeof(copy));
	if (nitems)
		crc = crc32(crc, items, (uInt)(nitems * sizeof(struct ph_file_item)));
	return (__u32)crc;
}
