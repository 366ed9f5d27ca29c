/* uid -> user name, home directory and shell; gid -> group name; cached.
 *
 * Name service lookups (getpwuid_r/getgrgid_r) may read files or ask a
 * network directory, far too slow for every event; answers are kept for a
 * while, and forgotten after ttl so that a user added later appears. Ids
 * without a name render as their number, as ls does. */
#ifndef VIGIL_PROC_USERCACHE_H
#define VIGIL_PROC_USERCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "util/macros.h"

#define VG_UC_NAME_MAX 64 /* longer names are cut (useradd allows 32) */
#define VG_UC_HOME_MAX 256 /* a longer home directory or shell is not kept */
#define VG_UC_SHELL_MAX 128
#define VG_UC_DEFAULT_TTL_NS (60ull * NSEC_PER_SEC)
#define VG_UC_DEFAULT_MAX 1024

struct vg_usercache;

struct vg_uc_stats {
	uint64_t hits, misses, expired, evicted;
};

/* max_entries per table (users, groups), rounded up to a multiple of the set
 * size, 0: VG_UC_DEFAULT_MAX; ttl_ns 0: VG_UC_DEFAULT_TTL_NS. */
int vg_uc_new(struct vg_usercache **out, size_t max_entries, uint64_t ttl_ns);
void vg_uc_free(struct vg_usercache *uc);

/* The name of uid/gid; the string stays valid until the next call on uc.
 * now_ns is any monotonic clock the caller uses consistently (event
 * timestamps); 0 reads CLOCK_BOOTTIME. Never NULL. */
const char *vg_uc_user(struct vg_usercache *uc, uint32_t uid, uint64_t now_ns);
const char *vg_uc_group(struct vg_usercache *uc, uint32_t gid, uint64_t now_ns);

/* A user's passwd entry: home and shell are "" when the uid has no entry or
 * the path is longer than kept. Same lifetime as vg_uc_user's answer. */
struct vg_uc_account {
	const char *name, *home, *shell;
};
void vg_uc_account(struct vg_usercache *uc, uint32_t uid, uint64_t now_ns,
		   struct vg_uc_account *out);

void vg_uc_get_stats(const struct vg_usercache *uc, struct vg_uc_stats *st);

#endif
