/* vigil.ids.* and vigil.dir.*: see facts.h. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fields/facts.h"
#include "fields/fx.h"
#include "sensor/event.h"
#include "util/path.h"

bool vg_fact_field_is(enum vg_field_id id)
{
	return id >= VG_F_VIGIL_IDS_BEFORE && id <= VG_F_VIGIL_SCRIPT_DIR_WW;
}

bool vg_ids_became_root(const uint32_t before[4], const uint32_t after[4])
{
	/* A task whose real id is already root acts for root: getting an
	 * effective id of 0 back after dropping it (apt and many daemons drop
	 * to a service user and return) is no new identity. */
	if (before[0] == 0)
		return false;
	for (int i = 0; i < 4; i++)
		if (before[i] != 0 && after[i] == 0)
			return true;
	return false;
}

static bool is_setid(const struct vg_event *ev)
{
	return ev->u.hdr.type == VG_EV_SETUID || ev->u.hdr.type == VG_EV_SETGID;
}

static int put_ids(const struct vg_event *ev, const uint32_t ids[4], struct vg_value *out,
		   char *buf, size_t size)
{
	const char *k = ev->u.hdr.type == VG_EV_SETGID ? "gid" : "uid";
	int n = snprintf(buf, size, "r%s=%u e%s=%u s%s=%u fs%s=%u", k, ids[0], k, ids[1], k,
			 ids[2], k, ids[3]);

	if (n < 0)
		return 0;
	out->s.ptr = buf;
	out->s.len = (uint32_t)((size_t)n < size ? (size_t)n : size - 1);
	return 1;
}

static bool stat_dir_of(const char *path, uint32_t *mode, uint32_t *uid);

/* A chmod by path has no descriptor the kernel could read the parent of:
 * the directory is looked up here, after the fact (a rename in between
 * would hide it; the kernel's value wins whenever the record has one). */
static bool dir_by_path(const struct vg_event *ev, uint32_t *mode, uint32_t *uid)
{
	if (ev->u.hdr.flags & VG_F_PATH_UNRESOLVED)
		return false;
	return stat_dir_of(ev->s[VG_S_PATH], mode, uid);
}

/* The script a shell or interpreter is given: the first argument after
 * the options (`sh /tmp/x.sh`, `python3 -u /tmp/x.py`), or the first word
 * of the command of -c (`sh -c /dev/shm/x`); a path (it has a '/'),
 * joined with the cwd. */
static bool script_path(const struct vg_event *ev, char *out, size_t size)
{
	const char *cwd = ev->s[VG_S_CWD][0] ? ev->s[VG_S_CWD] : NULL;
	const char *p = ev->s[VG_S_ARGS], *end = p + ev->len[VG_S_ARGS], *cand = NULL;
	char word[VG_PATH_MAX + 1];
	bool after_c = false;
	size_t n;

	/* argv strings are NUL-terminated inside the slot, which ends with
	 * one more NUL; the first is argv[0] */
	for (p += strlen(p) + 1; p < end && !cand; p += strlen(p) + 1) {
		if (after_c || p[0] != '-')
			cand = p;
		else if (!strcmp(p, "-c"))
			after_c = true;
	}
	if (!cand)
		return false;
	n = strcspn(cand, " \t;&|");
	if (n >= sizeof(word) || !memchr(cand, '/', n))
		return false;
	memcpy(word, cand, n);
	word[n] = 0;
	return vg_path_join(out, size, cwd, word) >= 0;
}

/* The name given to execve, joined with the cwd; the descriptor forms
 * (/proc/self/fd/N, /dev/fd/N) name no directory. */
static bool filename_path(const struct vg_event *ev, char *out, size_t size)
{
	const char *fn = ev->s[VG_S_FILENAME], *cwd = ev->s[VG_S_CWD];

	if (!fn[0] || !strncmp(fn, "/proc/", 6) || !strncmp(fn, "/dev/fd/", 8))
		return false;
	/* the executable itself: its directory is the sensor's vigil.dir.* */
	if (vg_path_join(out, size, cwd[0] ? cwd : NULL, fn) < 0 || !strcmp(out, ev->s[VG_S_EXE]))
		return false;
	return true;
}

/* Whether two absolute paths name files of one directory (same text up to
 * their last '/'). */
static bool same_dir(const char *a, const char *b)
{
	const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');

	return sa && sb && sa - a == sb - b && !memcmp(a, b, (size_t)(sa - a));
}

/* stat() of the directory holding path (absolute). */
static bool stat_dir_of(const char *path, uint32_t *mode, uint32_t *uid)
{
	char dir[VG_PATH_MAX + 1];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (path[0] != '/' || !slash || (size_t)(slash - path) >= sizeof(dir))
		return false;
	if (slash == path) {
		strcpy(dir, "/");
	} else {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = 0;
	}
	if (stat(dir, &st))
		return false;
	*mode = st.st_mode;
	*uid = st.st_uid;
	return true;
}

bool vg_event_dir(const struct vg_event *ev, uint32_t *mode, uint32_t *uid)
{
	switch (vg_event_family(ev->u.hdr.type)) {
	case VG_FAM_EXEC:
		*mode = ev->u.exec.dir_mode;
		*uid = ev->u.exec.dir_uid;
		return *mode != 0;
	case VG_FAM_FILE:
		*mode = ev->u.file.dir_mode;
		*uid = ev->u.file.dir_uid;
		if (*mode)
			return true;
		if (ev->u.hdr.type == VG_EV_CHMOD && ev->u.file.res == 0)
			return dir_by_path(ev, mode, uid);
		return false;
	default:
		return false;
	}
}

int vg_fact_field_get(const struct vg_event *ev, enum vg_field_id id, struct vg_value *out,
		      char *buf, size_t size)
{
	const struct vg_sys *s = &ev->u.sys;
	uint32_t mode, uid;

	switch (id) {
	case VG_F_VIGIL_IDS_BEFORE:
		return is_setid(ev) && s->ids_known ? put_ids(ev, s->ids_before, out, buf, size) : 0;
	case VG_F_VIGIL_IDS_AFTER:
		return is_setid(ev) ? put_ids(ev, s->ids_after, out, buf, size) : 0;
	case VG_F_VIGIL_BECAME_ROOT:
		if (!is_setid(ev) || !s->ids_known)
			return 0;
		out->b = vg_ids_became_root(s->ids_before, s->ids_after);
		return 1;
	case VG_F_VIGIL_FILENAME_DIR_WW:
	case VG_F_VIGIL_SCRIPT_DIR_WW: {
		char path[VG_PATH_MAX + 1];

		if (vg_event_family(ev->u.hdr.type) != VG_FAM_EXEC)
			return 0;
		if (!(id == VG_F_VIGIL_SCRIPT_DIR_WW ? script_path : filename_path)(ev, path,
										       sizeof(path)))
			return 0;
		/* beside the executable (python3 run as python3.11): the kernel
		 * read that directory at the exec, a stat would only repeat it */
		if (ev->u.exec.dir_mode && path[0] == '/' && same_dir(path, ev->s[VG_S_EXE]))
			mode = ev->u.exec.dir_mode;
		else if (!stat_dir_of(path, &mode, &uid))
			return 0;
		out->b = (mode & S_IWOTH) != 0;
		return 1;
	}
	default:
		break;
	}
	if (!vg_event_dir(ev, &mode, &uid))
		return 0;
	switch (id) {
	case VG_F_VIGIL_DIR_MODE:
		out->u = mode & 07777;
		return 1;
	case VG_F_VIGIL_DIR_UID:
		out->u = uid;
		return 1;
	case VG_F_VIGIL_DIR_WORLD_WRITABLE:
		out->b = (mode & S_IWOTH) != 0;
		return 1;
	case VG_F_VIGIL_DIR_STICKY:
		out->b = (mode & S_ISVTX) != 0;
		return 1;
	default:
		return 0;
	}
}

FX(fact_fx)
{
	char b[96];
	int n = vg_fact_field_get(c->ev, ref->field->id, out, b, sizeof(b));

	if (n && ref->field->type == VG_FT_STR)
		return vg_put_copy(c, out, b);
	return n;
}

static const struct vg_fx fx[] = {
	{ VG_F_VIGIL_IDS_BEFORE, fact_fx },	     { VG_F_VIGIL_IDS_AFTER, fact_fx },
	{ VG_F_VIGIL_BECAME_ROOT, fact_fx },	     { VG_F_VIGIL_DIR_MODE, fact_fx },
	{ VG_F_VIGIL_DIR_UID, fact_fx },	     { VG_F_VIGIL_DIR_WORLD_WRITABLE, fact_fx },
	{ VG_F_VIGIL_DIR_STICKY, fact_fx },	     { VG_F_VIGIL_FILENAME_DIR_WW, fact_fx },
	{ VG_F_VIGIL_SCRIPT_DIR_WW, fact_fx },
};

VG_FX_FAMILY(vg_fx_facts, "vigil (kernel facts)", fx);
