/* The on-disk form of one pH profile (docs/ph.md, "Persistence"): a
 * versioned header, the profile struct, its items of the live generations
 * and a zlib crc32 over everything before it. Encoding and decoding work on
 * memory buffers (the fuzz target drives the decoder); ph_file_write()
 * writes a buffer crash-safely, ph_file_read() reads one back, bounded. */
#ifndef VIGIL_PH_FILE_H
#define VIGIL_PH_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "ph/ph_model.h"

#define PH_FILE_MAGIC "VIGILPH\0" /* 8 bytes */
#define PH_FILE_VERSION 4 /* 2: rolling n-gram hash; 3: the kind in the item's top bit;
			    4: the build-id (version 3 files still load) */
#define PH_FILE_V3_HEADER_SIZE 352
#define PH_FILE_EXE_LEN 256		/* the exe path, for humans only */
#define PH_FILE_MAX_ITEMS (1u << 18)	/* per profile: larger ones are not saved */
#define PH_FILE_NAME_MAX 64

#if defined(__x86_64__)
#define PH_FILE_ARCH "x86_64"
#elif defined(__aarch64__)
#define PH_FILE_ARCH "aarch64"
#else
#define PH_FILE_ARCH "other"
#endif

/* Little enough to read whole; plain data with explicit padding. */
struct ph_file_header {
	char magic[8];
	__u32 version;
	__u32 header_size;  /* sizeof(struct ph_file_header) */
	__u32 profile_size; /* sizeof(struct ph_profile) */
	__u32 item_size;    /* sizeof(struct ph_file_item) */
	char arch[16];	    /* syscall numbers differ per architecture */
	/* the model the items belong to: must match the running one */
	__u32 model;
	__u32 window;
	__u32 ngram;
	__u32 call_max;
	__u64 dev; /* the kernel's dev_t of the executable */
	__u64 ino;
	__u64 nitems;
	__u64 saved_ns; /* wall clock of the save */
	__u64 clock_ns; /* the model's clock at the save (normal_time is on it) */
	char exe[PH_FILE_EXE_LEN];
	/* version 4: the executable's GNU build-id (ph_buildid.h), 0 bytes if none */
	__u32 build_id_len;
	__u32 pad0;
	unsigned char build_id[40];
};

/* One item, without its profile number (renumbered on load). */
struct ph_file_item {
	__u32 gen;
	__u32 kind; /* enum ph_item_kind: pair, n-gram, or a call's marker */
	__u64 item;
	__u64 stamp;
};

_Static_assert(sizeof(struct ph_file_header) == 400, "ph_file_header layout");
_Static_assert(sizeof(struct ph_file_item) == 24, "ph_file_item layout");

/* Largest valid file: header, profile, items, crc. */
#define PH_FILE_MAX_SIZE                                                                           \
	(sizeof(struct ph_file_header) + sizeof(struct ph_profile) +                               \
	 (size_t)PH_FILE_MAX_ITEMS * sizeof(struct ph_file_item) + 4)

/* What a file says about itself and what the loader expects of it. */
struct ph_file_meta {
	__u32 model, window, ngram;
	__u64 dev, ino;
	__u64 saved_ns; /* wall clock */
	__u64 clock_ns; /* the model's clock (kernel: jiffies in ns, restarts at boot) */
	char exe[PH_FILE_EXE_LEN];
	__u32 build_id_len; /* 0: none known */
	unsigned char build_id[40];
};

/* "ph-DEV-INO.profile" for an executable. */
void ph_file_name(char *buf, size_t size, __u64 dev, __u64 ino);

/* Encodes into a malloc'ed buffer (*out, *len). Returns 0, -E2BIG above
 * PH_FILE_MAX_ITEMS items, or -ENOMEM. */
int ph_file_encode(const struct ph_file_meta *meta, const struct ph_profile *prof,
		   const struct ph_file_item *items, size_t nitems, void **out, size_t *len);

/* Checks and decodes a file held in memory. `expect` gives the model
 * (model, window, ngram) the file must match. On success fills *meta and
 * *prof and points *items into buf (nitems entries, possibly unaligned:
 * copy them out with memcpy). On failure returns a negative errno and *why
 * names the problem: -EINVAL truncated, too large or inconsistent, -EBADMSG
 * checksum, -EPROTO foreign (magic, version, sizes, arch or model). */
int ph_file_decode(const void *buf, size_t len, const struct ph_file_meta *expect,
		   struct ph_file_meta *meta, struct ph_profile *prof, const void **items,
		   size_t *nitems, const char **why);

/* A checksum of what a file holds (the profile, without its number,
 * which changes at every load, and the items): a profile whose checksum
 * did not change since its file was written is not written again.
 * `items` may be unaligned (nitems of struct ph_file_item). */
__u32 ph_file_content_crc(const struct ph_profile *prof, const void *items, size_t nitems);

/* Writes buf as dir/name crash-safely: a temp file in the same directory
 * (mode 0600), fsync, rename over name. A crash at any point leaves either
 * the old file or the new one; the caller fsyncs the directory (once for
 * many files) to make the rename itself durable. Returns 0 or a negative
 * errno; *why names the step that failed. */
int ph_file_write(int dirfd, const char *name, const void *buf, size_t len, const char **why);

/* Reads dir/name whole into a malloc'ed buffer, refusing anything that is
 * not a regular file or is larger than PH_FILE_MAX_SIZE. */
int ph_file_read(int dirfd, const char *name, void **buf, size_t *len, const char **why);

#endif
