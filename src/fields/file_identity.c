/* fd.known_name: see file_identity.h.
 *
 * Events of a successful open carry the inode: most are not a watched one,
 * and that is told without a system call. Otherwise (and to tell the device,
 * which the record does not carry) the event's path is stat'ed while the
 * monitor reads the event: a link removed in between is not recognised. */
#include "fields/file_identity.h"

#include <glob.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "vigil/events.h"
#include "util/clock.h"
#include "util/macros.h"

/* Credential and policy files whose content matters under any name. */
static const char *const watched_names[] = {
	"/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/sudoers",
	"/etc/passwd", "/etc/group", "/etc/pam.conf", "/etc/security/opasswd",
	"/etc/master.passwd", "/etc/krb5.keytab", "/etc/ld.so.preload", "/etc/crontab",
};
#define HOST_KEYS "/etc/ssh/ssh_host_*_key"
#define WATCH_MAX 32

static struct watched {
	dev_t dev;
	ino_t ino;
	char name[64];
} watched[WATCH_MAX];
static unsigned nwatched;
static uint64_t refreshed_ns;
static struct vg_lookup_stats lookups;

static void watch(const char *name)
{
	struct stat st;

	if (nwatched >= WATCH_MAX || strlen(name) >= sizeof(watched[0].name) ||
	    stat(name, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	watched[nwatched].dev = st.st_dev;
	watched[nwatched].ino = st.st_ino;
	snprintf(watched[nwatched].name, sizeof(watched[0].name), "%s", name);
	nwatched++;
}

/* `now`: the event's own time (no clock read per event). */
static void refresh(uint64_t now)
{
	uint64_t age = now >= refreshed_ns ? now - refreshed_ns : refreshed_ns - now;
	glob_t g;

	if (refreshed_ns && age < NSEC_PER_SEC) /* either way: replays go back in time */
		return;
	refreshed_ns = now;
	nwatched = 0;
	for (size_t i = 0; i < ARRAY_SIZE(watched_names); i++)
		watch(watched_names[i]);
	if (glob(HOST_KEYS, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			watch(g.gl_pathv[i]);
		globfree(&g);
	}
}

static const struct watched *by_ino(uint64_t ino)
{
	for (unsigned i = 0; i < nwatched; i++)
		if ((uint64_t)watched[i].ino == ino)
			return &watched[i];
	return NULL;
}

static const struct watched *by_dev_ino(dev_t dev, ino_t ino)
{
	for (unsigned i = 0; i < nwatched; i++)
		if (watched[i].dev == dev && watched[i].ino == ino)
			return &watched[i];
	return NULL;
}

/* A match is confirmed against the watched file as it is now. */
static bool still_there(const struct watched *w)
{
	struct stat now;

	return stat(w->name, &now) == 0 && now.st_dev == w->dev && now.st_ino == w->ino;
}

const char *vg_file_known_name(const struct vg_event *ev)
{
	unsigned type = ev->u.hdr.type;
	const char *path = ev->s[VG_S_PATH];
	struct stat st;
	uint64_t t0;
	int r;

	if (type != VG_EV_OPEN && type != VG_EV_LINK && type != VG_EV_CHMOD &&
	    type != VG_EV_CHOWN && type != VG_EV_TRUNCATE)
		return NULL;
	if (path[0] != '/')
		return NULL;
	refresh(ev->u.hdr.ts_ns);
	if (type == VG_EV_OPEN) {
		/* only a file that was opened has an identity */
		if (ev->u.file.res < 0 || !ev->u.file.ino || !by_ino(ev->u.file.ino))
			return NULL;
	}
	t0 = vg_clock_ns(CLOCK_MONOTONIC);
	r = type == VG_EV_LINK ? lstat(path, &st) : stat(path, &st);
	vg_lookup_note(&lookups, t0, r != 0); /* the per-event cost (vigil status) */
	if (r != 0)
		return NULL;
	for (int pass = 0; pass < 2; pass++) {
		const struct watched *w = by_dev_ino(st.st_dev, st.st_ino);

		if (!w)
			return NULL;
		if (still_there(w))
			return w->name;
		/* replaced since the last look (useradd, passwd and vipw rename
		 * a new copy over these files), and its old inode number now
		 * names another file: look again, once */
		refreshed_ns = 0;
		refresh(ev->u.hdr.ts_ns);
	}
	return NULL;
}

void vg_file_known_name_stats(struct vg_lookup_stats *out)
{
	vg_lookup_read(&lookups, out);
}
