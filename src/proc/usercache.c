/* uid/gid -> name caches: two small set-associative tables (4 ways), so a
 * lookup is one hash and at most four compares, and a busy id cannot be
 * pushed out by a single other id that hashes to the same set. */
#include "proc/usercache.h"
#include "util/clock.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WAYS 4
#define NSS_BUF_START 4096
#define NSS_BUF_MAX (1024 * 1024) /* a group with thousands of members */

struct uc_entry {
	uint32_t id;
	bool valid;
	uint64_t fetched_ns;
	char name[VG_UC_NAME_MAX];
	char home[VG_UC_HOME_MAX];   /* users only */
	char shell[VG_UC_SHELL_MAX]; /* users only */
};

struct uc_table {
	struct uc_entry *e;
	uint32_t set_mask;
};

struct vg_usercache {
	struct uc_table users, groups;
	uint64_t ttl_ns;
	char *buf; /* getpwuid_r/getgrgid_r scratch, grown on ERANGE */
	size_t buf_size;
	struct vg_uc_stats st;
};

static int table_init(struct uc_table *t, size_t max_entries)
{
	size_t sets = 1;

	while (sets * WAYS < max_entries)
		sets <<= 1;
	t->set_mask = (uint32_t)(sets - 1);
	t->e = calloc(sets * WAYS, sizeof(*t->e));
	return t->e ? 0 : -ENOMEM;
}

int vg_uc_new(struct vg_usercache **out, size_t max_entries, uint64_t ttl_ns)
{
	struct vg_usercache *uc = calloc(1, sizeof(*uc));

	*out = NULL;
	if (!uc)
		return -ENOMEM;
	if (max_entries == 0)
		max_entries = VG_UC_DEFAULT_MAX;
	if (max_entries > (1u << 20))
		max_entries = 1u << 20;
	uc->ttl_ns = ttl_ns ? ttl_ns : VG_UC_DEFAULT_TTL_NS;
	uc->buf_size = NSS_BUF_START;
	uc->buf = malloc(uc->buf_size);
	if (!uc->buf || table_init(&uc->users, max_entries) < 0 ||
	    table_init(&uc->groups, max_entries) < 0) {
		vg_uc_free(uc);
		return -ENOMEM;
	}
	*out = uc;
	return 0;
}

void vg_uc_free(struct vg_usercache *uc)
{
	if (!uc)
		return;
	free(uc->users.e);
	free(uc->groups.e);
	free(uc->buf);
	free(uc);
}

static bool grow_buf(struct vg_usercache *uc)
{
	if (uc->buf_size >= NSS_BUF_MAX)
		return false;
	char *b = realloc(uc->buf, uc->buf_size * 2);
	if (!b)
		return false;
	uc->buf = b;
	uc->buf_size *= 2;
	return true;
}

static void set_name(struct uc_entry *e, const char *name, uint32_t id)
{
	if (name && *name)
		snprintf(e->name, sizeof(e->name), "%s", name);
	else
		snprintf(e->name, sizeof(e->name), "%u", id);
}

/* A path cut short would name another file: kept whole or not at all. */
static void set_path(char *dst, size_t size, const char *path)
{
	if (path && strlen(path) < size)
		memcpy(dst, path, strlen(path) + 1);
	else
		dst[0] = '\0';
}

static void fetch_user(struct vg_usercache *uc, struct uc_entry *e, uint32_t uid)
{
	struct passwd pw, *res = NULL;
	int r;

	while ((r = getpwuid_r(uid, &pw, uc->buf, uc->buf_size, &res)) == ERANGE && grow_buf(uc))
		;
	set_name(e, r == 0 && res ? res->pw_name : NULL, uid);
	set_path(e->home, sizeof(e->home), r == 0 && res ? res->pw_dir : NULL);
	set_path(e->shell, sizeof(e->shell), r == 0 && res ? res->pw_shell : NULL);
}

static void fetch_group(struct vg_usercache *uc, struct uc_entry *e, uint32_t gid)
{
	struct group gr, *res = NULL;
	int r;

	while ((r = getgrgid_r(gid, &gr, uc->buf, uc->buf_size, &res)) == ERANGE && grow_buf(uc))
		;
	set_name(e, r == 0 && res ? res->gr_name : NULL, gid);
}

static const struct uc_entry *lookup(struct vg_usercache *uc, struct uc_table *t, uint32_t id,
				     uint64_t now, bool user)
{
	struct uc_entry *set = &t->e[(((id * 2654435761u) >> 8) & t->set_mask) * WAYS];
	struct uc_entry *slot = NULL;

	if (now == 0)
		now = vg_clock_ns(CLOCK_BOOTTIME);
	for (unsigned w = 0; w < WAYS; w++) {
		struct uc_entry *e = &set[w];
		if (e->valid && e->id == id) {
			if (now - e->fetched_ns < uc->ttl_ns) {
				uc->st.hits++;
				return e;
			}
			uc->st.expired++;
			slot = e;
			break;
		}
	}
	if (!slot) {
		/* an empty way, else the one fetched longest ago */
		slot = &set[0];
		for (unsigned w = 0; w < WAYS; w++) {
			if (!set[w].valid) {
				slot = &set[w];
				break;
			}
			if (set[w].fetched_ns < slot->fetched_ns)
				slot = &set[w];
		}
		if (slot->valid)
			uc->st.evicted++;
	}
	uc->st.misses++;
	if (user)
		fetch_user(uc, slot, id);
	else
		fetch_group(uc, slot, id);
	slot->id = id;
	slot->valid = true;
	slot->fetched_ns = now;
	return slot;
}

const char *vg_uc_user(struct vg_usercache *uc, uint32_t uid, uint64_t now_ns)
{
	return lookup(uc, &uc->users, uid, now_ns, true)->name;
}

void vg_uc_account(struct vg_usercache *uc, uint32_t uid, uint64_t now_ns,
		   struct vg_uc_account *out)
{
	const struct uc_entry *e = lookup(uc, &uc->users, uid, now_ns, true);

	out->name = e->name;
	out->home = e->home;
	out->shell = e->shell;
}

const char *vg_uc_group(struct vg_usercache *uc, uint32_t gid, uint64_t now_ns)
{
	return lookup(uc, &uc->groups, gid, now_ns, false)->name;
}

void vg_uc_get_stats(const struct vg_usercache *uc, struct vg_uc_stats *st)
{
	*st = uc->st;
}
