/* Paths of file events resolved through the file system (see path_resolve.h).
 *
 * The walk itself is the kernel's: openat2(RESOLVE_IN_ROOT) from the
 * process's root directory resolves every symlink and ".." in order, inside
 * that root, exactly as the process's own call did; the real location of the
 * directory it reaches is then read back from /proc/self/fd. Magic links
 * (/proc/N/root in the middle of a path) are not followed by RESOLVE_IN_ROOT:
 * a leading /proc/self/root or /proc/N/root is therefore taken as the root
 * itself, and anything else of the kind is left as sent. */
#include "monitor/path_resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/clock.h"
#include "vigil/events.h"

struct vg_path_resolver {
	struct vg_proctable *procs;
	uint32_t mnt_ns; /* the monitor's own mount namespace */
	struct vg_lookup_stats st; /* the lookups of events (vg_path_resolve) */
	char buf[2][VG_PATH_MAX + 1];
};

struct vg_path_resolver *vg_path_resolver_new(struct vg_proctable *procs)
{
	struct vg_path_resolver *r = calloc(1, sizeof(*r));
	struct stat st;

	if (!r)
		return NULL;
	r->procs = procs;
	if (stat("/proc/self/ns/mnt", &st) == 0)
		r->mnt_ns = (uint32_t)st.st_ino;
	return r;
}

void vg_path_resolver_free(struct vg_path_resolver *r)
{
	free(r);
}

void vg_path_resolver_stats(const struct vg_path_resolver *r, struct vg_lookup_stats *out)
{
	if (r)
		vg_lookup_read(&r->st, out);
	else
		*out = (struct vg_lookup_stats){ 0 };
}

/* "/proc/self/x" is the event's process, not the monitor. */
static int expand_proc_self(const char *in, uint32_t pid, uint32_t tid, char *out, size_t size)
{
	const char *rest;
	int n;

	if (!strncmp(in, "/proc/self", 10) && (in[10] == '/' || !in[10])) {
		rest = in + 10;
		n = snprintf(out, size, "/proc/%u%s", pid, rest);
	} else if (!strncmp(in, "/proc/thread-self", 17) && (in[17] == '/' || !in[17])) {
		rest = in + 17;
		n = snprintf(out, size, "/proc/%u/task/%u%s", pid, tid, rest);
	} else {
		n = snprintf(out, size, "%s", in);
	}
	return n < 0 || (size_t)n >= size ? -1 : n;
}

/* "/proc/N/root[/rest]": the root of process N, and rest ("" for the root). */
static int proc_root_prefix(const char *p, uint32_t *pid, const char **rest)
{
	char *end;
	unsigned long n;

	if (strncmp(p, "/proc/", 6) || p[6] < '0' || p[6] > '9')
		return 0;
	n = strtoul(p + 6, &end, 10);
	if (n == 0 || n > UINT32_MAX || strncmp(end, "/root", 5) || (end[5] && end[5] != '/'))
		return 0;
	*pid = (uint32_t)n;
	*rest = end + 5;
	return 1;
}

static int open_in_root(int rootfd, const char *path, uint64_t flags)
{
	struct open_how how = {
		.flags = flags | O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT,
	};

	return (int)syscall(SYS_openat2, rootfd, *path ? path : "/", &how, sizeof(how));
}

/* Where an O_PATH descriptor really is, seen from the monitor's root. */
static int fd_path(int fd, char *out, size_t size)
{
	char link[40];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, out, size - 1);
	if (n <= 0 || (size_t)n >= size - 1 || out[0] != '/')
		return -1;
	out[n] = 0;
	return (int)n;
}

int vg_path_resolve(uint32_t pid, uint32_t tid, const char *path, int follow, char *out,
		    size_t size)
{
	char p[VG_PATH_MAX + 64], root[40], dir[VG_PATH_MAX + 1], *slash;
	const char *rest = p, *last;
	uint32_t rpid = pid;
	int rootfd, fd, n = -1;
	size_t len;

	if (path[0] != '/' || expand_proc_self(path, pid, tid, p, sizeof(p)) < 0)
		return -1;
	if (!proc_root_prefix(p, &rpid, &rest))
		rest = p;
	snprintf(root, sizeof(root), "/proc/%u/root", rpid);
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0 && rpid == pid) /* the process has gone: the monitor's root */
		rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -1;
	len = strlen(rest);
	while (len > 1 && rest[len - 1] == '/')
		len--;
	if (follow) {
		fd = open_in_root(rootfd, rest, 0);
		if (fd >= 0) {
			n = fd_path(fd, out, size);
			close(fd);
			goto done;
		}
		/* it does not exist (a refused create): its directory, below */
	}
	if (len >= sizeof(dir))
		goto done;
	memcpy(dir, rest, len);
	dir[len] = 0;
	slash = strrchr(dir, '/');
	if (!slash)
		goto done;
	last = rest + (slash - dir) + 1;
	if (!*last || !strcmp(last, ".") || !strcmp(last, "..") ||
	    !strncmp(last, "./", 2) || !strncmp(last, "../", 3)) {
		/* the path names a directory by "." or "..": resolve all of it */
		fd = open_in_root(rootfd, dir, O_DIRECTORY);
		if (fd >= 0) {
			n = fd_path(fd, out, size);
			close(fd);
		}
		goto done;
	}
	*slash = 0;
	fd = open_in_root(rootfd, dir, O_DIRECTORY);
	if (fd < 0 || fd_path(fd, dir, sizeof(dir)) < 0) {
		if (fd >= 0)
			close(fd);
		goto done;
	}
	close(fd);
	n = snprintf(out, size, "%s/%.*s", strcmp(dir, "/") ? dir : "",
		     (int)(len - (size_t)(last - rest)), last);
	if (n < 0 || (size_t)n >= size)
		n = -1;
done:
	close(rootfd);
	return n;
}

/* vg_path_resolve for an event, counted (its openat2 calls are the
 * resolver's cost). */
static int resolve_counted(struct vg_path_resolver *r, const struct vg_event *ev,
			   const char *path, int follow, char *out, size_t size)
{
	uint64_t t0 = vg_clock_ns(CLOCK_MONOTONIC);
	int n = vg_path_resolve(ev->u.hdr.pid, ev->u.hdr.tid, path, follow, out, size);

	vg_lookup_note(&r->st, t0, n < 0);
	return n;
}

static int same_mount_ns(struct vg_path_resolver *r, uint32_t pid)
{
	const struct vg_proc *p = r->procs ? vg_pt_lookup(r->procs, pid) : NULL;
	char ns[40];
	struct stat st;

	if (!r->mnt_ns)
		return 0;
	if (p && p->mnt_ns)
		return p->mnt_ns == r->mnt_ns;
	snprintf(ns, sizeof(ns), "/proc/%u/ns/mnt", pid);
	return stat(ns, &st) == 0 && (uint32_t)st.st_ino == r->mnt_ns;
}

/* Whether the call follows a symlink in its last component. */
static int follows_last(const struct vg_event *ev)
{
	const struct vg_file *f = &ev->u.file;
	const char *name = vg_event_name(ev);

	switch (f->hdr.type) {
	case VG_EV_OPEN:
		return !(f->flags & (O_NOFOLLOW | O_EXCL));
	case VG_EV_CHMOD:
	case VG_EV_TRUNCATE:
		return 1;
	case VG_EV_CHOWN:
		return !(name && !strcmp(name, "lchown"));
	case VG_EV_LINK:
		return (f->flags & AT_SYMLINK_FOLLOW) != 0;
	default:
		return 0;
	}
}

/* dir + raw as the process passed them (".." kept: it is resolved after the
 * symlinks before it, as the kernel does). */
static int resolve_slot(struct vg_path_resolver *r, struct vg_event *ev, enum vg_slot out,
			enum vg_slot dir, enum vg_slot raw, int follow, char *buf)
{
	char joined[2 * VG_PATH_MAX + 2];
	int n;

	if (!ev->len[raw])
		return -1;
	if (ev->s[raw][0] == '/')
		n = snprintf(joined, sizeof(joined), "%s", ev->s[raw]);
	else if (ev->len[dir])
		n = snprintf(joined, sizeof(joined), "%s/%s", ev->s[dir], ev->s[raw]);
	else
		return -1;
	if (n < 0 || (size_t)n >= sizeof(joined) || (size_t)n > VG_PATH_MAX)
		return -1;
	n = resolve_counted(r, ev, joined, follow, buf, VG_PATH_MAX + 1);
	if (n < 0)
		return -1;
	ev->s[out] = buf;
	ev->len[out] = (size_t)n;
	return 0;
}

/* A symlink's target is text, resolved when the link is followed: relative
 * to the directory that holds the link, every symlink on the way followed
 * (`/usr/../etc/shadow`, `e/shadow` next to `e -> /etc`). VG_S_PATH of a
 * symlink event becomes where the link leads now. */
static void resolve_link_target(struct vg_path_resolver *r, struct vg_event *ev, char *buf)
{
	char joined[2 * VG_PATH_MAX + 2];
	const char *target = ev->s[VG_S_PATH_RAW], *link = ev->s[VG_S_PATH2];
	const char *slash = strrchr(link, '/');
	int n;

	if (!ev->len[VG_S_PATH_RAW])
		return;
	if (target[0] == '/')
		n = snprintf(joined, sizeof(joined), "%s", target);
	else if (slash && link[0] == '/')
		n = snprintf(joined, sizeof(joined), "%.*s/%s", (int)(slash - link), link, target);
	else
		return;
	if (n < 0 || (size_t)n >= sizeof(joined) || (size_t)n > VG_PATH_MAX)
		return;
	n = resolve_counted(r, ev, joined, 1, buf, VG_PATH_MAX + 1);
	if (n < 0)
		return;
	ev->s[VG_S_PATH] = buf;
	ev->len[VG_S_PATH] = (size_t)n;
}

/* A uprobe's file is looked up by the kernel with every symlink followed
 * (a link named notpam.so to libpam probes libpam): probe.path gives where
 * it leads. */
static void resolve_probe_path(struct vg_path_resolver *r, struct vg_event *ev)
{
	const struct vg_sys *s = &ev->u.sys;
	int n;

	if ((s->probe != VG_PROBE_UPROBE && s->probe != VG_PROBE_URETPROBE) ||
	    ev->s[VG_S_STR][0] != '/' || !same_mount_ns(r, ev->u.hdr.pid))
		return;
	n = resolve_counted(r, ev, ev->s[VG_S_STR], 1, r->buf[0], sizeof(r->buf[0]));
	if (n < 0)
		return;
	ev->s[VG_S_STR] = r->buf[0];
	ev->len[VG_S_STR] = (size_t)n;
}

void vg_path_resolve_event(struct vg_path_resolver *r, struct vg_event *ev)
{
	const struct vg_file *f = &ev->u.file;
	unsigned type = f->hdr.type;

	if (!r)
		return;
	if (type == VG_EV_PERF_EVENT_OPEN) {
		resolve_probe_path(r, ev);
		return;
	}
	if (vg_event_family(type) != VG_FAM_FILE)
		return;
	/* a successful open already carries the kernel's path; a refused open
	 * of a file that does not exist went nowhere */
	if (type == VG_EV_OPEN && (f->path.off || f->res == -ENOENT))
		return;
	if (type == VG_EV_SYMLINK) { /* unresolved, the target is its text */
		ev->s[VG_S_PATH] = ev->s[VG_S_PATH_RAW];
		ev->len[VG_S_PATH] = ev->len[VG_S_PATH_RAW];
	}
	if (!same_mount_ns(r, f->hdr.pid))
		return;
	if (!f->path.off && type != VG_EV_SYMLINK)
		resolve_slot(r, ev, VG_S_PATH, VG_S_DIR, VG_S_PATH_RAW, follows_last(ev), r->buf[0]);
	if (type == VG_EV_RENAME || type == VG_EV_LINK || type == VG_EV_SYMLINK)
		resolve_slot(r, ev, VG_S_PATH2, VG_S_DIR2, VG_S_PATH2_RAW, 0, r->buf[1]);
	if (type == VG_EV_SYMLINK)
		resolve_link_target(r, ev, r->buf[0]);
}
