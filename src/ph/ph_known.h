/* The executables pH's persistence knows something about: a path (for
 * humans, written in the profile file), the build-id, and what the
 * profile file holds (its content's checksum), by (dev, ino). Sorted, so
 * that a lookup is a binary search; guarded by its own lock, because a
 * save runs in a thread of its own while the monitor's loop notes paths. */
#ifndef VIGIL_PH_KNOWN_H
#define VIGIL_PH_KNOWN_H

#include <pthread.h>
#include <stddef.h>

#include <linux/types.h>

#include "ph/ph_buildid.h"

struct ph_known {
	__u64 dev, ino;
	__u32 content_crc; /* of the profile and items last written or loaded */
	int written;	   /* content_crc is what the file holds */
	size_t file_size;
	char *exe;	 /* a path of the executable, for humans; may be NULL */
	int bid_read;	 /* build_id is what the file (or the profile file) holds */
	int share_tried; /* a twin's profile was looked for (once per executable) */
	__u32 bid_len;	 /* 0: none */
	unsigned char bid[VG_PH_BUILD_ID_MAX];
};

struct ph_known_table {
	pthread_mutex_t lock;
	struct ph_known *v; /* sorted by (dev, ino) */
	size_t n, cap;
	size_t limit; /* entries at most */
};

void ph_known_init(struct ph_known_table *t, size_t limit);
void ph_known_free(struct ph_known_table *t);
/* Finds or adds the entry of (dev, ino); NULL when out of memory or over
 * the limit. The caller holds t->lock; the pointer is valid until the
 * next ph_known_get() (adding moves entries). */
struct ph_known *ph_known_get(struct ph_known_table *t, __u64 dev, __u64 ino);
/* Sets the entry's path (a failed copy leaves none: it is for humans). */
void ph_known_set_exe(struct ph_known *k, const char *exe);
/* The paths of running executables (/proc/PID/exe), so that a file names
 * its program. Takes the lock itself. */
void ph_known_scan_proc(struct ph_known_table *t);

#endif
