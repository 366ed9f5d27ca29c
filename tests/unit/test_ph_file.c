/* The pH profile file: write/read round trip through a real directory, and
 * every kind of bad file refused with its problem named. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "check.h"
#include "ph/ph_buildid.h"
#include "ph/ph_file.h"

static const struct ph_file_meta expect = { .model = PH_MODEL_NGRAM, .window = 9, .ngram = 12 };

static void sample(struct ph_file_meta *meta, struct ph_profile *prof, struct ph_file_item *items,
		   size_t n)
{
	memset(meta, 0, sizeof(*meta));
	meta->model = PH_MODEL_NGRAM;
	meta->window = 9;
	meta->ngram = 12;
	meta->dev = (254ull << 20) | 1;
	meta->ino = 0x123456789abcull; /* above 32 bits: the full inode is kept */
	meta->saved_ns = 1;
	meta->clock_ns = 5000;
	strcpy(meta->exe, "/usr/bin/example");
	ph_profile_init(prof, 7);
	prof->train_gen = 3;
	prof->test_gen = 2;
	prof->test_stamp = 2;
	prof->adds = n - 2;
	prof->train_count = 5000;
	prof->last_mod_count = 4000;
	prof->status = PH_PROFILE_NORMAL;
	prof->calls = 123456;
	for (size_t i = 0; i < n; i++) {
		items[i].gen = i < 2 ? 2 : 3; /* two test items, the rest training */
		items[i].kind = PH_ITEM_NGRAM;
		items[i].item = 0xfeedull * (i + 1);
		items[i].stamp = i < 2 ? i : i - 2;
	}
}

static int decode(const void *buf, size_t len, const char **why)
{
	struct ph_file_meta meta;
	struct ph_profile prof;
	const void *items;
	size_t n;

	*why = "";
	return ph_file_decode(buf, len, &expect, &meta, &prof, &items, &n, why);
}

/* Re-encodes after `edit` changed the profile or items, so only the
 * semantic check can refuse it (the checksum is right). */
static int decode_edited(const struct ph_file_meta *meta, const struct ph_profile *prof,
			 const struct ph_file_item *items, size_t n, const char **why)
{
	void *buf;
	size_t len;
	int ret;

	if (ph_file_encode(meta, prof, items, n, &buf, &len))
		return -ENOMEM;
	ret = decode(buf, len, why);
	free(buf);
	return ret;
}

static void test_round_trip(const char *dir)
{
	struct ph_file_item items[10], got_items[10];
	struct ph_file_meta meta, got_meta;
	struct ph_profile prof, got;
	const void *pitems;
	char name[PH_FILE_NAME_MAX];
	const char *why = NULL;
	void *buf, *back;
	size_t len, blen, n;
	struct stat st;
	int dirfd;

	sample(&meta, &prof, items, 10);
	CHECK_INT(ph_file_encode(&meta, &prof, items, 10, &buf, &len), 0);
	CHECK_INT(len, sizeof(struct ph_file_header) + sizeof(prof) + 10 * 24 + 4);
	ph_file_name(name, sizeof(name), meta.dev, meta.ino);
	CHECK_STR(name, "ph-266338305-20015998343868.profile");

	dirfd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(dirfd >= 0);
	CHECK_INT(ph_file_write(dirfd, name, buf, len, &why), 0);
	CHECK_INT(fstatat(dirfd, name, &st, 0), 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	CHECK_INT(st.st_size, len);
	CHECK(fstatat(dirfd, ".ph-266338305-20015998343868.profile.tmp", &st, 0) != 0);

	CHECK_INT(ph_file_read(dirfd, name, &back, &blen, &why), 0);
	CHECK_INT(blen, len);
	CHECK_INT(ph_file_decode(back, blen, &expect, &got_meta, &got, &pitems, &n, &why), 0);
	CHECK_INT(n, 10);
	memcpy(got_items, pitems, sizeof(got_items));
	CHECK(memcmp(&got, &prof, sizeof(prof)) == 0);
	CHECK(memcmp(got_items, items, sizeof(items)) == 0);
	CHECK_INT(got_meta.dev, meta.dev);
	CHECK_INT(got_meta.ino, meta.ino);
	CHECK_INT(got_meta.clock_ns, 5000);
	CHECK_STR(got_meta.exe, "/usr/bin/example");

	/* writing again replaces the file whole */
	CHECK_INT(ph_file_write(dirfd, name, buf, len - 4, &why), 0);
	free(back);
	CHECK_INT(ph_file_read(dirfd, name, &back, &blen, &why), 0);
	CHECK_INT(blen, len - 4);
	free(back);
	unlinkat(dirfd, name, 0);

	/* not a regular file, and too large */
	CHECK_INT(ph_file_read(dirfd, ".", &back, &blen, &why), -EINVAL);
	CHECK_STR(why, "not a regular file");
	{
		int fd = openat(dirfd, "big", O_WRONLY | O_CREAT, 0600);

		CHECK(fd >= 0 && ftruncate(fd, PH_FILE_MAX_SIZE + 1) == 0);
		close(fd);
		CHECK_INT(ph_file_read(dirfd, "big", &back, &blen, &why), -EFBIG);
		unlinkat(dirfd, "big", 0);
	}
	CHECK(ph_file_read(dirfd, "missing", &back, &blen, &why) == -ENOENT);
	close(dirfd);
	free(buf);
}

static void test_corruptions(void)
{
	struct ph_file_item items[10], bad_items[10];
	struct ph_file_meta meta, m2;
	struct ph_profile prof, p2;
	const char *why;
	unsigned char *buf, *copy;
	size_t len;

	sample(&meta, &prof, items, 10);
	CHECK_INT(ph_file_encode(&meta, &prof, items, 10, (void **)&buf, &len), 0);
	CHECK_INT(decode(buf, len, &why), 0);
	copy = malloc(len + 8);

	/* truncated, at every length */
	for (size_t l = 0; l < len; l++)
		if (decode(buf, l, &why) == 0) {
			CHECK(!"a truncated file decoded");
			break;
		}
	CHECK_INT(decode(buf, 100, &why), -EINVAL);
	CHECK_STR(why, "truncated header");
	CHECK_INT(decode(buf, len - 1, &why), -EINVAL);
	CHECK_STR(why, "truncated");
	/* trailing bytes */
	memcpy(copy, buf, len);
	copy[len] = 0;
	CHECK_INT(decode(copy, len + 1, &why), -EINVAL);
	CHECK_STR(why, "trailing bytes after the checksum");
	/* any flipped bit in the body is caught */
	for (size_t i = sizeof(struct ph_file_header); i < len; i += 7) {
		memcpy(copy, buf, len);
		copy[i] ^= 0x10;
		if (decode(copy, len, &why) != -EBADMSG) {
			CHECK(!"a flipped bit was not caught");
			break;
		}
	}
	memcpy(copy, buf, len);
	copy[len - 20] ^= 1;
	CHECK_INT(decode(copy, len, &why), -EBADMSG);
	CHECK_STR(why, "checksum mismatch (corrupt)");
	/* foreign: magic, version, sizes, architecture, model */
	memcpy(copy, buf, len);
	copy[0] = 'X';
	CHECK_INT(decode(copy, len, &why), -EPROTO);
	CHECK_STR(why, "not a vigil pH profile (bad magic)");
	memcpy(copy, buf, len);
	copy[8] = PH_FILE_VERSION + 1; /* version */
	CHECK_INT(decode(copy, len, &why), -EPROTO);
	CHECK_STR(why, "profile format of another version");
	memcpy(copy, buf, len);
	copy[16] ^= 8; /* profile_size */
	CHECK_INT(decode(copy, len, &why), -EPROTO);
	memcpy(copy, buf, len);
	memcpy(copy + 24, "sparc", 6);
	CHECK_INT(decode(copy, len, &why), -EPROTO);
	CHECK_STR(why, "profile of another architecture");
	m2 = meta;
	m2.ngram = 6;
	CHECK_INT(decode_edited(&m2, &prof, items, 10, &why), -EPROTO);
	CHECK_STR(why, "profile of another model (model, window or n differ)");
	m2 = meta;
	m2.model = PH_MODEL_PAIRS;
	CHECK_INT(decode_edited(&m2, &prof, items, 10, &why), -EPROTO);
	/* an n-gram profile (the default before FALLBACK) loads under FALLBACK
	 * with its items; a FALLBACK one does not load under the n-gram model,
	 * nor an n-gram profile of another n */
	{
		const struct ph_file_meta fb = { .model = PH_MODEL_FALLBACK, .window = 5, .ngram = 12 };
		struct ph_file_meta meta2;
		struct ph_profile prof2;
		const void *it2;
		size_t n2, blen;
		void *bbuf;

		CHECK_INT(ph_file_encode(&meta, &prof, items, 10, &bbuf, &blen), 0);
		CHECK_INT(ph_file_decode(bbuf, blen, &fb, &meta2, &prof2, &it2, &n2, &why), 0);
		CHECK_INT(n2, 10);
		free(bbuf);
		m2 = meta;
		m2.model = PH_MODEL_FALLBACK;
		m2.window = 5;
		CHECK_INT(decode_edited(&m2, &prof, items, 10, &why), -EPROTO);
		m2 = meta;
		m2.ngram = 6;
		CHECK_INT(ph_file_encode(&m2, &prof, items, 10, &bbuf, &blen), 0);
		CHECK_INT(ph_file_decode(bbuf, blen, &fb, &meta2, &prof2, &it2, &n2, &why), -EPROTO);
		free(bbuf);
	}
	/* oversized: an item count beyond the limit is refused before use */
	memcpy(copy, buf, len);
	{
		__u64 huge = PH_FILE_MAX_ITEMS + 1ull;

		memcpy(copy + 72, &huge, sizeof(huge)); /* nitems */
	}
	CHECK_INT(decode(copy, len, &why), -EINVAL);
	CHECK_STR(why, "too many items");
	{
		void *out;
		size_t olen;

		CHECK_INT(ph_file_encode(&meta, &prof, items, PH_FILE_MAX_ITEMS + 1ull, &out, &olen),
			  -E2BIG);
	}
	/* a well-formed file whose contents the model could not have made */
	p2 = prof;
	p2.status = 0x80;
	CHECK_INT(decode_edited(&meta, &p2, items, 10, &why), -EINVAL);
	CHECK_STR(why, "profile has unknown status bits");
	p2 = prof;
	p2.test_gen = 9;
	CHECK_INT(decode_edited(&meta, &p2, items, 10, &why), -EINVAL);
	p2 = prof;
	p2.train_gen = 0;
	p2.test_gen = 0;
	CHECK_INT(decode_edited(&meta, &p2, items, 10, &why), -EINVAL);
	p2 = prof;
	p2.last_mod_count = p2.train_count + 1;
	CHECK_INT(decode_edited(&meta, &p2, items, 10, &why), -EINVAL);
	memcpy(bad_items, items, sizeof(items));
	bad_items[5].kind = 9;
	CHECK_INT(decode_edited(&meta, &prof, bad_items, 10, &why), -EINVAL);
	CHECK_STR(why, "item of unknown kind");
	memcpy(bad_items, items, sizeof(items));
	bad_items[5].kind = PH_ITEM_PAIR; /* a pair's number has its top bit set */
	CHECK_INT(decode_edited(&meta, &prof, bad_items, 10, &why), -EINVAL);
	CHECK_STR(why, "item's kind does not match its number");
	memcpy(bad_items, items, sizeof(items));
	bad_items[5].gen = 1;
	CHECK_INT(decode_edited(&meta, &prof, bad_items, 10, &why), -EINVAL);
	CHECK_STR(why, "item of a generation the profile does not use");
	memcpy(bad_items, items, sizeof(items));
	bad_items[5].stamp = prof.adds;
	CHECK_INT(decode_edited(&meta, &prof, bad_items, 10, &why), -EINVAL);
	memcpy(bad_items, items, sizeof(items));
	bad_items[1].stamp = prof.test_stamp;
	CHECK_INT(decode_edited(&meta, &prof, bad_items, 10, &why), -EINVAL);
	CHECK_STR(why, "test item outside the profile's test data");
	/* an empty profile (no items yet) is fine */
	ph_profile_init(&p2, 1);
	CHECK_INT(decode_edited(&meta, &p2, NULL, 0, &why), 0);
	/* an exe path without its NUL is cut, not read past */
	m2 = meta;
	memset(m2.exe, 'a', sizeof(m2.exe) - 1);
	CHECK_INT(decode_edited(&m2, &prof, items, 10, &why), 0);
	free(copy);
	free(buf);
}

/* Version 4 records the build-id; a version 3 file (the same header
 * without it) still loads, with none; an id longer than its field is
 * refused. */
static void test_build_id_and_version_3(void)
{
	static const unsigned char bid[20] = { 0x79, 0x5e, 0xf8, 0x7d, 0xcd, 0x85, 0x57,
					       0x8e, 0x39, 0x74, 0x46, 0x59, 0x3b, 0x40,
					       0x30, 0x9b, 0xbd, 0x84, 0xd4, 0xe0 };
	struct ph_file_item items[4];
	struct ph_file_meta meta, got_meta;
	struct ph_file_header h;
	struct ph_profile prof, got;
	const void *pitems;
	const char *why = NULL;
	unsigned char *buf, *v3;
	size_t len, v3len, n, tail;
	char hex[64];
	uLong crc;

	sample(&meta, &prof, items, 4);
	meta.build_id_len = sizeof(bid);
	memcpy(meta.build_id, bid, sizeof(bid));
	CHECK_INT(ph_file_encode(&meta, &prof, items, 4, (void **)&buf, &len), 0);
	CHECK_INT(ph_file_decode(buf, len, &expect, &got_meta, &got, &pitems, &n, &why), 0);
	CHECK_INT(got_meta.build_id_len, 20);
	CHECK(memcmp(got_meta.build_id, bid, sizeof(bid)) == 0);
	vg_ph_build_id_hex(got_meta.build_id, got_meta.build_id_len, hex, sizeof(hex));
	CHECK_STR(hex, "795ef87dcd85578e397446593b40309bbd84d4e0");

	/* the same file as version 3 wrote it: header cut at 352 bytes */
	tail = len - sizeof(h) - 4;
	v3len = PH_FILE_V3_HEADER_SIZE + tail + 4;
	v3 = malloc(v3len);
	CHECK(v3 != NULL);
	memcpy(&h, buf, sizeof(h));
	h.version = 3;
	h.header_size = PH_FILE_V3_HEADER_SIZE;
	memcpy(v3, &h, PH_FILE_V3_HEADER_SIZE);
	memcpy(v3 + PH_FILE_V3_HEADER_SIZE, buf + sizeof(h), tail);
	crc = crc32(crc32(0L, Z_NULL, 0), v3, (uInt)(v3len - 4));
	memcpy(v3 + v3len - 4, &(__u32){ (__u32)crc }, 4);
	CHECK_INT(ph_file_decode(v3, v3len, &expect, &got_meta, &got, &pitems, &n, &why), 0);
	CHECK_INT(got_meta.build_id_len, 0);
	CHECK_INT(n, 4);
	CHECK(memcmp(&got, &prof, sizeof(prof)) == 0);
	CHECK_STR(got_meta.exe, "/usr/bin/example");
	/* a version 3 header claiming version 4's size is refused */
	((struct ph_file_header *)v3)->header_size = sizeof(h);
	crc = crc32(crc32(0L, Z_NULL, 0), v3, (uInt)(v3len - 4));
	memcpy(v3 + v3len - 4, &(__u32){ (__u32)crc }, 4);
	CHECK_INT(decode(v3, v3len, &why), -EPROTO);
	free(v3);

	/* a build-id longer than its field */
	memcpy(&h, buf, sizeof(h));
	h.build_id_len = 41;
	memcpy(buf, &h, sizeof(h));
	crc = crc32(crc32(0L, Z_NULL, 0), buf, (uInt)(len - 4));
	memcpy(buf + len - 4, &(__u32){ (__u32)crc }, 4);
	CHECK_INT(decode(buf, len, &why), -EINVAL);
	CHECK_STR(why, "build-id too long");
	free(buf);
}

int main(void)
{
	char dir[] = "/tmp/vigil-phfile-XXXXXX";

	if (!mkdtemp(dir))
		return 1;
	test_round_trip(dir);
	test_corruptions();
	test_build_id_and_version_3();
	rmdir(dir);
	return check_report();
}
