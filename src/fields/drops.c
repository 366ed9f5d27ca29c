/* See drops.h. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fields/drops.h"
#include "fields/fx.h"
#include "fields/facts.h"
#include "proc/proctable.h"
#include "sensor/event.h"
#include "util/path.h"
#include "util/macros.h"

#define PROBE 8 /* slots looked at per key */

struct drop {
	uint64_t ino;
	uint32_t dev; /* kernel dev_t (major << 20 | minor), as the sensor sends it */
	uint32_t uid, pid;
	uint64_t ts; /* CLOCK_BOOTTIME of the write or chmod; 0 = empty slot */
	char comm[VG_COMM_LEN + 1];
	char evt[16];
};

struct vg_drops {
	struct drop slot[VG_DROPS_SLOTS];
	/* the latest ts of a put: no slot is newer, so an exec later than
	 * newest + the window finds nothing, and looks nothing up (every exec
	 * asks vigil.exe.dropped; most machines drop nothing for minutes) */
	uint64_t newest;
};

struct vg_drops *vg_drops_new(void)
{
	return calloc(1, sizeof(struct vg_drops));
}

void vg_drops_free(struct vg_drops *d)
{
	free(d);
}

bool vg_drops_field_is(enum vg_field_id id)
{
	return id == VG_F_VIGIL_EXE_DROPPED || id == VG_F_VIGIL_EXE_DROPPER;
}

static uint32_t kdev(dev_t d)
{
	return (major(d) << 20) | minor(d);
}

static unsigned bucket(uint32_t dev, uint64_t ino)
{
	return (unsigned)(((ino ^ ((uint64_t)dev << 32)) * 0x9e3779b97f4a7c15ull) >> 52) &
	       (VG_DROPS_SLOTS - 1);
}

static struct drop *find(struct vg_drops *d, uint32_t dev, uint64_t ino)
{
	unsigned b = bucket(dev, ino);

	for (unsigned i = 0; i < PROBE; i++) {
		struct drop *s = &d->slot[(b + i) & (VG_DROPS_SLOTS - 1)];

		if (s->ts && s->ino == ino && s->dev == dev)
			return s;
	}
	return NULL;
}

static void put(struct vg_drops *d, uint32_t dev, uint64_t ino, const struct vg_event *ev,
		const char *evt)
{
	struct drop *s = find(d, dev, ino);
	unsigned b = bucket(dev, ino);

	for (unsigned i = 0; !s && i < PROBE; i++) { /* an empty slot, else the oldest */
		struct drop *c = &d->slot[(b + i) & (VG_DROPS_SLOTS - 1)];

		if (!s || c->ts < s->ts)
			s = c;
	}
	s->ino = ino;
	s->dev = dev;
	s->uid = ev->u.hdr.uid;
	s->pid = ev->u.hdr.pid;
	s->ts = ev->u.hdr.ts_ns ? ev->u.hdr.ts_ns : 1;
	memcpy(s->comm, ev->u.hdr.comm, VG_COMM_LEN);
	s->comm[VG_COMM_LEN] = 0;
	snprintf(s->evt, sizeof(s->evt), "%s", evt);
	if (s->ts > d->newest)
		d->newest = s->ts;
}

void vg_drops_note(struct vg_drops *d, const struct vg_event *ev)
{
	const struct vg_file *f = &ev->u.file;
	uint32_t mode, uid;
	struct stat st;

	if (!d || vg_event_family(ev->u.hdr.type) != VG_FAM_FILE || f->res < 0)
		return;
	if (ev->u.hdr.type == VG_EV_OPEN) {
		/* written: opened for writing (created or not) */
		if (!(f->flags & (O_WRONLY | O_RDWR)) || !f->ino || !f->dev)
			return;
		if (!vg_event_dir(ev, &mode, &uid) || !(mode & S_IWOTH))
			return;
		put(d, f->dev, f->ino, ev, "open");
	} else if (ev->u.hdr.type == VG_EV_CHMOD) {
		if (!(f->mode & 0111) || !vg_event_dir(ev, &mode, &uid) || !(mode & S_IWOTH))
			return;
		if (f->ino && f->dev) { /* fchmod: the kernel's file */
			put(d, f->dev, f->ino, ev, "chmod");
			return;
		}
		/* chmod by path: the file as it is now */
		if (ev->s[VG_S_PATH][0] == '/' && !stat(ev->s[VG_S_PATH], &st))
			put(d, kdev(st.st_dev), st.st_ino, ev, "chmod");
	}
}

/* The writer is the exec'ing process or one of its ancestors. */
static bool descends(struct vg_proctable *procs, uint32_t pid, uint32_t writer)
{
	struct vg_proc *anc[32], *p;
	unsigned n;

	if (pid == writer)
		return true;
	if (!procs || !(p = vg_pt_lookup(procs, pid)))
		return false;
	n = vg_pt_ancestors(procs, p, anc, 32);
	for (unsigned i = 0; i < n; i++)
		if (anc[i]->pid == writer)
			return true;
	return false;
}

/* The drop an exec runs: its executable, or the script the kernel ran an
 * interpreter for (the name given to execve, looked up now). */
static const struct drop *exec_drop(struct vg_drops *d, struct vg_proctable *procs,
				    const struct vg_event *ev)
{
	const struct vg_exec *x = &ev->u.exec;
	const struct drop *s;
	char path[VG_PATH_MAX + 1];
	const char *cwd = ev->s[VG_S_CWD];
	uint64_t ts = ev->u.hdr.ts_ns;
	struct stat st;

	if (!d->newest || (ts >= d->newest && ts - d->newest > VG_DROPS_WINDOW_NS))
		return NULL; /* every drop is older than the window (the test below) */
	s = find(d, x->exe_dev, x->exe_ino);
	/* the name is looked up only when it is not the executable itself
	 * (whose identity the kernel sent: a stat would only race with it) */
	if (!s && ev->s[VG_S_FILENAME][0] && strncmp(ev->s[VG_S_FILENAME], "/proc/", 6) &&
	    vg_path_join(path, sizeof(path), cwd[0] ? cwd : NULL, ev->s[VG_S_FILENAME]) >= 0 &&
	    strcmp(path, ev->s[VG_S_EXE]) && !stat(path, &st))
		s = find(d, kdev(st.st_dev), st.st_ino);
	if (!s || ts < s->ts || ts - s->ts > VG_DROPS_WINDOW_NS)
		return NULL;
	if (s->uid != ev->u.hdr.uid && !descends(procs, ev->u.hdr.pid, s->pid))
		return NULL;
	return s;
}

int vg_drops_field_get(struct vg_drops *d, struct vg_proctable *procs, const struct vg_event *ev,
		       enum vg_field_id id, struct vg_value *out, char *buf, size_t size)
{
	const struct drop *s;
	int n;

	if (!d || vg_event_family(ev->u.hdr.type) != VG_FAM_EXEC)
		return 0;
	s = exec_drop(d, procs, ev);
	if (id == VG_F_VIGIL_EXE_DROPPED) {
		out->b = s != NULL;
		return 1;
	}
	if (!s)
		return 0;
	n = snprintf(buf, size, "%s by %s pid=%u uid=%u %llus before", s->evt, s->comm, s->pid,
		     s->uid, (unsigned long long)((ev->u.hdr.ts_ns - s->ts) / NSEC_PER_SEC));
	if (n < 0)
		return 0;
	out->s.ptr = buf;
	out->s.len = (uint32_t)((size_t)n < size ? (size_t)n : size - 1);
	return 1;
}

FX(drops_fx)
{
	char b[128];
	int n = vg_drops_field_get(c->drops, c->procs, c->ev, ref->field->id, out, b, sizeof(b));

	return n && ref->field->type == VG_FT_STR ? vg_put_copy(c, out, b) : n;
}

static const struct vg_fx fx[] = {
	{ VG_F_VIGIL_EXE_DROPPED, drops_fx },
	{ VG_F_VIGIL_EXE_DROPPER, drops_fx },
};

VG_FX_FAMILY(vg_fx_drops, "vigil (dropped executables)", fx);
