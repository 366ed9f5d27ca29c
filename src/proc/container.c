/* Container id from a cgroup path, and cgroup id -> path by walking cgroup v2.
 *
 * The runtimes put each container in a cgroup whose name carries its id:
 *   docker      /docker/<64hex>                    (cgroupfs driver)
 *               .../docker-<64hex>.scope           (systemd driver)
 *   containerd  .../cri-containerd-<64hex>.scope   (CRI, systemd driver)
 *               .../nerdctl-<64hex>.scope
 *   kubelet     /kubepods/<qos>/pod<uid>/<64hex>   (cgroupfs driver: the
 *               runtime is not named, we report "cri")
 *   CRI-O       .../crio-<64hex>.scope, .../crio-<64hex> (cgroupfs)
 *   podman      .../libpod-<64hex>.scope, /libpod_parent/libpod-<64hex>
 *   LXC         /lxc.payload.<name>, /lxc/<name>
 *   nspawn      /machine.slice/machine-<name>.scope
 * The monitors beside them (crio-conmon-<id>.scope, libpod-conmon-<id>.scope)
 * run on the host and do not match, because what follows the prefix is not
 * 64 hex digits. */
#include "proc/container.h"
#include "util/clock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include "util/macros.h"

#define HEX_ID_LEN 64

static const char *const runtime_names[VG_RT_COUNT] = {
    [VG_RT_NONE] = "",
    [VG_RT_DOCKER] = "docker",
    [VG_RT_CONTAINERD] = "containerd",
    [VG_RT_CRI] = "cri",
    [VG_RT_CRIO] = "cri-o",
    [VG_RT_PODMAN] = "podman",
    [VG_RT_LXC] = "lxc",
    [VG_RT_NSPAWN] = "systemd-nspawn",
};

const char *vg_runtime_name(unsigned runtime)
{
	return runtime < VG_RT_COUNT ? runtime_names[runtime] : "";
}

/* A path component: not NUL-terminated. */
struct comp {
	const char *s;
	size_t n;
};

static bool comp_is(struct comp c, const char *word)
{
	size_t n = strlen(word);
	return c.n == n && memcmp(c.s, word, n) == 0;
}

static bool comp_starts(struct comp c, const char *prefix)
{
	size_t n = strlen(prefix);
	return c.n >= n && memcmp(c.s, prefix, n) == 0;
}

static bool comp_ends(struct comp c, const char *suffix)
{
	size_t n = strlen(suffix);
	return c.n >= n && memcmp(c.s + c.n - n, suffix, n) == 0;
}

/* Runtimes write ids in lower case; upper case is not theirs. */
static bool is_hex_id(const char *s, size_t n)
{
	if (n != HEX_ID_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
			return false;
	}
	return true;
}

static void set_container(struct vg_container *out, enum vg_runtime rt, const char *id, size_t n)
{
	if (n > VG_CONTAINER_ID_MAX)
		n = VG_CONTAINER_ID_MAX;
	memcpy(out->id, id, n);
	out->id[n] = '\0';
	size_t s = n < VG_CONTAINER_SHORT_LEN ? n : VG_CONTAINER_SHORT_LEN;
	memcpy(out->short_id, id, s);
	out->short_id[s] = '\0';
	out->runtime = (uint8_t)rt;
}

/* "<prefix><64hex>.scope" (or without ".scope" when the cgroupfs driver of
 * that runtime names it so). */
static const struct {
	const char *prefix;
	enum vg_runtime runtime;
	bool scope_optional;
} prefixed_ids[] = {
    {"docker-", VG_RT_DOCKER, false},	   {"cri-containerd-", VG_RT_CONTAINERD, false},
    {"nerdctl-", VG_RT_CONTAINERD, false}, {"crio-", VG_RT_CRIO, true},
    {"libpod-", VG_RT_PODMAN, true},
};

static bool match_prefixed(struct comp c, struct vg_container *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(prefixed_ids); i++) {
		if (!comp_starts(c, prefixed_ids[i].prefix))
			continue;
		size_t p = strlen(prefixed_ids[i].prefix);
		const char *id = c.s + p;
		size_t rest = c.n - p;
		if (rest == HEX_ID_LEN + 6 && comp_ends(c, ".scope"))
			rest = HEX_ID_LEN;
		else if (!prefixed_ids[i].scope_optional)
			continue;
		if (is_hex_id(id, rest)) {
			set_container(out, prefixed_ids[i].runtime, id, rest);
			return true;
		}
	}
	return false;
}

/* A bare 64-hex component: the cgroupfs drivers of docker, kubelet and
 * containerd (/<namespace>/<id>). Which one, the parents tell. */
static bool match_bare(struct comp c, struct comp parent, const char *before, size_t before_len,
		       struct vg_container *out)
{
	if (!is_hex_id(c.s, c.n))
		return false;
	enum vg_runtime rt = VG_RT_CONTAINERD;
	if (comp_is(parent, "docker"))
		rt = VG_RT_DOCKER;
	else if (comp_is(parent, "libpod_parent"))
		rt = VG_RT_PODMAN;
	else if (memmem(before, before_len, "kubepods", 8))
		rt = VG_RT_CRI;
	set_container(out, rt, c.s, c.n);
	return true;
}

/* A container name as runtimes write them: visible ASCII only. A NUL or a
 * control byte would make the id read as empty or as something else. */
static bool is_name(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

static bool match_named(struct comp c, struct comp parent, struct vg_container *out)
{
	static const char payload[] = "lxc.payload.";

	if (!is_name(c.s, c.n))
		return false;
	if (comp_starts(c, payload) && c.n > sizeof(payload) - 1) {
		set_container(out, VG_RT_LXC, c.s + sizeof(payload) - 1,
			      c.n - (sizeof(payload) - 1));
		return true;
	}
	if (comp_is(parent, "lxc") && c.n > 0) {
		set_container(out, VG_RT_LXC, c.s, c.n);
		return true;
	}
	/* machined registers nspawn containers and libvirt guests alike; the
	 * qemu ones are virtual machines, libvirt's "lxc-" ones are LXC. */
	if (comp_is(parent, "machine.slice") && comp_starts(c, "machine-") &&
	    comp_ends(c, ".scope") && c.n > 8 + 6) {
		struct comp name = {c.s + 8, c.n - 8 - 6};
		if (comp_starts(name, "qemu"))
			return false;
		enum vg_runtime rt = comp_starts(name, "lxc\\x2d") ? VG_RT_LXC : VG_RT_NSPAWN;
		set_container(out, rt, name.s, name.n);
		return true;
	}
	return false;
}

/* The component that ends at end (exclusive), skipping trailing slashes. */
static struct comp comp_before(const char *path, size_t end)
{
	while (end > 0 && path[end - 1] == '/')
		end--;
	size_t start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	return (struct comp){path + start, end - start};
}

/* "hierarchy-id:controllers:path" -> path; a plain path stays as it is. */
static void strip_line_prefix(const char **s, size_t *len)
{
	if (*len == 0 || (*s)[0] < '0' || (*s)[0] > '9')
		return;
	const char *c1 = memchr(*s, ':', *len);
	if (!c1)
		return;
	const char *c2 = memchr(c1 + 1, ':', *len - (size_t)(c1 + 1 - *s));
	if (!c2)
		return;
	*len -= (size_t)(c2 + 1 - *s);
	*s = c2 + 1;
}

int vg_container_parse(const char *cgroup, size_t len, struct vg_container *out)
{
	memset(out, 0, sizeof(*out));
	if (!cgroup)
		return 0;
	strip_line_prefix(&cgroup, &len);
	while (len > 0 && (cgroup[len - 1] == '\n' || cgroup[len - 1] == '\r'))
		len--;

	size_t end = len;
	while (end > 0) {
		struct comp c = comp_before(cgroup, end);
		if (c.n == 0)
			break;
		size_t start = (size_t)(c.s - cgroup);
		struct comp parent = comp_before(cgroup, start);
		if (match_prefixed(c, out) || match_bare(c, parent, cgroup, start, out) ||
		    match_named(c, parent, out))
			return 1;
		end = start;
	}
	return 0;
}

int vg_container_from_cgroup_file(const char *text, size_t len, struct vg_container *out,
				  char *v2_path, size_t v2_size)
{
	struct vg_container c;
	bool found = false;

	memset(out, 0, sizeof(*out));
	if (v2_path && v2_size)
		v2_path[0] = '\0';
	while (len > 0) {
		const char *nl = memchr(text, '\n', len);
		size_t n = nl ? (size_t)(nl - text) : len;
		if (!found && vg_container_parse(text, n, &c)) {
			*out = c;
			found = true;
		}
		if (v2_path && v2_size && n >= 3 && memcmp(text, "0::", 3) == 0) {
			size_t plen = n - 3 < v2_size - 1 ? n - 3 : v2_size - 1;
			memcpy(v2_path, text + 3, plen);
			v2_path[plen] = '\0';
		}
		if (!nl)
			break;
		len -= n + 1;
		text = nl + 1;
	}
	return found;
}

/* ---- cgroup id -> path ---- */

struct cg_entry {
	uint64_t id;
	char *path; /* NULL: not in the tree when we last walked it */
	struct vg_container container;
};

struct vg_cgmap {
	char *root;
	size_t max_entries;
	unsigned max_depth;
	size_t max_scan;
	uint64_t min_interval_ns;

	struct cg_entry *entries;
	size_t count;
	uint32_t *index; /* open addressing: entry number + 1, 0 = empty */
	size_t index_mask;

	bool walked;
	uint64_t last_walk_ns;
	struct vg_cgroup_info info; /* what lookup hands out */
	struct vg_cgmap_stats st;
};

const char *vg_cgroup_default_root(void)
{
	struct statfs sf;

	if (statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
		return "/sys/fs/cgroup";
	if (statfs("/sys/fs/cgroup/unified", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
		return "/sys/fs/cgroup/unified";
	return NULL;
}

static size_t slot_of(const struct vg_cgmap *m, uint64_t id)
{
	return (size_t)((id * 0x9E3779B97F4A7C15ull) >> 32) & m->index_mask;
}

static struct cg_entry *find(const struct vg_cgmap *m, uint64_t id)
{
	for (size_t i = slot_of(m, id);; i = (i + 1) & m->index_mask) {
		uint32_t e = m->index[i];
		if (e == 0)
			return NULL;
		if (m->entries[e - 1].id == id)
			return &m->entries[e - 1];
	}
}

/* The caller checked there is room (count < max_entries) and that id is new. */
static int insert(struct vg_cgmap *m, uint64_t id, const char *path)
{
	struct cg_entry *e = &m->entries[m->count];

	e->path = NULL;
	if (path) {
		e->path = strdup(path);
		if (!e->path)
			return -ENOMEM;
		vg_container_parse(path, strlen(path), &e->container);
	} else {
		memset(&e->container, 0, sizeof(e->container));
	}
	e->id = id;
	size_t i = slot_of(m, id);
	while (m->index[i])
		i = (i + 1) & m->index_mask;
	m->index[i] = (uint32_t)(++m->count);
	return 0;
}

static void clear(struct vg_cgmap *m)
{
	for (size_t i = 0; i < m->count; i++)
		free(m->entries[i].path);
	m->count = 0;
	memset(m->index, 0, (m->index_mask + 1) * sizeof(*m->index));
	m->st.clears++;
}

int vg_cgmap_new(struct vg_cgmap **out, const struct vg_cgmap_opts *opts)
{
	struct vg_cgmap_opts o = opts ? *opts : (struct vg_cgmap_opts){0};
	struct vg_cgmap *m;
	struct stat st;

	*out = NULL;
	if (!o.root)
		o.root = vg_cgroup_default_root();
	if (!o.root)
		return -ENOENT;
	if (stat(o.root, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->max_entries = o.max_entries ? o.max_entries : 16384;
	if (m->max_entries < 2)
		m->max_entries = 2;
	if (m->max_entries > (1u << 24))
		m->max_entries = 1u << 24;
	m->max_depth = o.max_depth ? o.max_depth : 32;
	m->max_scan = o.max_scan ? o.max_scan : 100000;
	m->min_interval_ns = o.min_rescan_interval_ns;

	size_t cap = 16;
	while (cap < 2 * m->max_entries)
		cap <<= 1;
	m->index_mask = cap - 1;
	m->root = strdup(o.root);
	m->entries = calloc(m->max_entries, sizeof(*m->entries));
	m->index = calloc(cap, sizeof(*m->index));
	if (!m->root || !m->entries || !m->index) {
		vg_cgmap_free(m);
		return -ENOMEM;
	}
	*out = m;
	return 0;
}

void vg_cgmap_free(struct vg_cgmap *m)
{
	if (!m)
		return;
	if (m->entries)
		for (size_t i = 0; i < m->count; i++)
			free(m->entries[i].path);
	free(m->entries);
	free(m->index);
	free(m->root);
	free(m);
}

struct walk {
	struct vg_cgmap *m;
	uint64_t target;
	size_t seen;
	char path[4096];
};

/* Keeps one slot free for the id we are looking for, so a full cache cannot
 * make the walk forget the one cgroup it was started for. */
static void record(struct walk *w, uint64_t id, const char *path)
{
	struct vg_cgmap *m = w->m;
	struct cg_entry *e = find(m, id);

	if (e) {
		if (!e->path && (e->path = strdup(path)) != NULL)
			vg_container_parse(path, strlen(path), &e->container);
		return;
	}
	if (m->count + (id == w->target ? 0 : 1) < m->max_entries)
		insert(m, id, path);
}

static void walk_dir(struct walk *w, int fd, size_t plen, unsigned depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;

	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL && w->seen < w->m->max_scan) {
		struct stat st;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		w->seen++;
		size_t nlen = strlen(de->d_name);
		if (plen + 1 + nlen >= sizeof(w->path))
			continue;
		w->path[plen] = '/';
		memcpy(w->path + plen + 1, de->d_name, nlen + 1);
		record(w, (uint64_t)st.st_ino, w->path);
		if (depth + 1 < w->m->max_depth) {
			int sub = openat(dirfd(d), de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				walk_dir(w, sub, plen + 1 + nlen, depth + 1);
		}
		w->path[plen] = '\0';
	}
	closedir(d);
}

static void walk_tree(struct vg_cgmap *m, uint64_t target)
{
	struct walk *w = malloc(sizeof(*w));
	struct stat st;
	int fd;

	m->walked = true;
	m->last_walk_ns = vg_clock_ns(CLOCK_MONOTONIC);
	m->st.walks++;
	if (!w)
		return;
	if (m->count + 1 >= m->max_entries)
		clear(m);
	w->m = m;
	w->target = target;
	w->seen = 0;
	w->path[0] = '\0';
	fd = open(m->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0) {
		record(w, (uint64_t)st.st_ino, "/");
		walk_dir(w, fd, 0, 0);
	} else if (fd >= 0) {
		close(fd);
	}
	m->st.dirs_seen += w->seen;
	free(w);
}

int vg_cgmap_lookup(struct vg_cgmap *m, uint64_t id, const struct vg_cgroup_info **info)
{
	struct cg_entry *e = find(m, id);

	*info = NULL;
	if (!e) {
		if (m->walked && vg_clock_ns(CLOCK_MONOTONIC) - m->last_walk_ns < m->min_interval_ns) {
			m->st.rate_limited++;
			return -EAGAIN;
		}
		walk_tree(m, id);
		e = find(m, id);
		if (!e && m->count < m->max_entries && insert(m, id, NULL) == 0)
			e = find(m, id);
	}
	if (!e || !e->path) {
		m->st.misses++;
		return -ENOENT;
	}
	m->st.hits++;
	m->info.id = e->id;
	m->info.path = e->path;
	m->info.container = e->container;
	*info = &m->info;
	return 0;
}

int vg_cgmap_id_of(const struct vg_cgmap *m, const char *path, uint64_t *id)
{
	char full[4096 + 256];
	struct stat st;

	if (snprintf(full, sizeof(full), "%s/%s", m->root, path) >= (int)sizeof(full))
		return -ENAMETOOLONG;
	if (stat(full, &st) < 0)
		return -errno;
	*id = (uint64_t)st.st_ino;
	return 0;
}

void vg_cgmap_get_stats(const struct vg_cgmap *m, struct vg_cgmap_stats *st)
{
	*st = m->st;
	st->entries = m->count;
}
