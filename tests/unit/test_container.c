/* Container ids from cgroup paths, and the cgroup id -> path map over a fake
 * cgroup tree and over the real one. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "proc/container.h"
#include "proc/proctable.h"
#include "util/macros.h"

#define H1 "3f4b1c2d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809"
#define H2 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define POD "pod6a1e2b44_7c39_4d0f_9a51_8b5d1c4f2e77"

struct want {
	const char *cgroup;
	int runtime; /* VG_RT_NONE: host */
	const char *id;
};

static const struct want positives[] = {
    /* docker */
    {"/docker/" H1, VG_RT_DOCKER, H1},
    {"12:memory:/docker/" H1, VG_RT_DOCKER, H1},
    {"0::/system.slice/docker-" H1 ".scope", VG_RT_DOCKER, H1},
    {"/system.slice/docker-" H1 ".scope\n", VG_RT_DOCKER, H1},
    /* systemd inside a docker container: a sub-cgroup of the container */
    {"/system.slice/docker-" H1 ".scope/init.scope", VG_RT_DOCKER, H1},
    /* docker in docker: the innermost container holds the process */
    {"/docker/" H1 "/docker/" H2, VG_RT_DOCKER, H2},
    /* containerd through CRI, systemd driver */
    {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-" POD ".slice/"
     "cri-containerd-" H1 ".scope",
     VG_RT_CONTAINERD, H1},
    {"/system.slice/nerdctl-" H2 ".scope", VG_RT_CONTAINERD, H2},
    /* kubelet cgroupfs driver: the runtime is not in the path */
    {"/kubepods/besteffort/" POD "/" H1, VG_RT_CRI, H1},
    {"/kubepods/" POD "/" H2, VG_RT_CRI, H2},
    /* containerd cgroupfs: /<namespace>/<id> */
    {"/k8s.io/" H1, VG_RT_CONTAINERD, H1},
    /* CRI-O */
    {"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-" POD ".slice/crio-" H2
     ".scope",
     VG_RT_CRIO, H2},
    {"/kubepods/burstable/" POD "/crio-" H1, VG_RT_CRIO, H1},
    /* podman */
    {"/machine.slice/libpod-" H1 ".scope", VG_RT_PODMAN, H1},
    {"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" H2 ".scope", VG_RT_PODMAN,
     H2},
    {"/machine.slice/libpod-" H1 ".scope/container", VG_RT_PODMAN, H1},
    {"/libpod_parent/libpod-" H2, VG_RT_PODMAN, H2},
    {"/libpod_parent/" H1, VG_RT_PODMAN, H1},
    /* LXC, nspawn */
    {"/lxc.payload.web1", VG_RT_LXC, "web1"},
    {"/lxc.payload.web1/system.slice/cron.service", VG_RT_LXC, "web1"},
    {"4:memory:/lxc/db", VG_RT_LXC, "db"},
    {"/machine.slice/machine-debian12.scope", VG_RT_NSPAWN, "debian12"},
    {"/machine.slice/machine-lxc\\x2d1234\\x2dguest.scope", VG_RT_LXC, "lxc\\x2d1234\\x2dguest"},
};

static const char *const negatives[] = {
    "",
    "/",
    "0::/",
    "0::/init.scope",
    "/user.slice/user-1000.slice/session-3.scope",
    "/system.slice/docker.service",
    "/system.slice/containerd.service",
    "/system.slice/crio.service",
    /* the monitors beside the containers run on the host */
    "/machine.slice/libpod-conmon-" H1 ".scope",
    "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-" POD ".slice/crio-conmon-" H1
    ".scope",
    /* a pod's slice is not a container */
    "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-" POD ".slice",
    "/kubepods/besteffort/" POD,
    /* wrong lengths, wrong alphabet, wrong suffix */
    "/docker/3f4b1c2d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80",
    "/docker/3f4b1c2d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8099",
    "/docker/3F4B1C2D5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F708192A3B4C5D6E7F809",
    "/docker/3g4b1c2d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809",
    "/system.slice/docker-" H1 ".scopex",
    "/system.slice/docker-" H1,
    "/system.slice/docker-" H1 ".service",
    "/system.slice/cri-containerd-.scope",
    /* a 32-hex job cgroup, and a qemu guest */
    "4:memory:/process_api/bce765e8393b33e91524531129e5b425",
    "/machine.slice/machine-qemu\\x2d1\\x2dwin10.scope",
    "/lxc.monitor.web1",
    "/lxc.payload.",
    "12:memory",
    "12:memory:",
    "not a path at all",
};

static void test_parse(void)
{
	struct vg_container c;

	for (size_t i = 0; i < ARRAY_SIZE(positives); i++) {
		const struct want *w = &positives[i];
		int r = vg_container_parse(w->cgroup, strlen(w->cgroup), &c);
		if (r != 1 || c.runtime != w->runtime || strcmp(c.id, w->id) != 0)
			fprintf(stderr, "positive %zu: %s -> %d %s %s\n", i, w->cgroup, r,
				vg_runtime_name(c.runtime), c.id);
		CHECK_INT(r, 1);
		CHECK_INT(c.runtime, w->runtime);
		CHECK_STR(c.id, w->id);
		char shortid[13];
		snprintf(shortid, sizeof(shortid), "%.12s", w->id);
		CHECK_STR(c.short_id, shortid);
	}
	for (size_t i = 0; i < ARRAY_SIZE(negatives); i++) {
		int r = vg_container_parse(negatives[i], strlen(negatives[i]), &c);
		if (r != 0)
			fprintf(stderr, "negative %zu: %s -> %s %s\n", i, negatives[i],
				vg_runtime_name(c.runtime), c.id);
		CHECK_INT(r, 0);
		CHECK_STR(c.id, "");
		CHECK_STR(c.short_id, "");
		CHECK_INT(c.runtime, VG_RT_NONE);
	}

	/* Falco's container.id: the first 12 hex digits */
	vg_container_parse("/docker/" H1, strlen("/docker/" H1), &c);
	CHECK_STR(c.short_id, "3f4b1c2d5e6f");

	/* len is honoured: the id must not be read past it */
	static const char cut[] = "/docker/" H1;
	CHECK_INT(vg_container_parse(cut, sizeof(cut) - 2, &c), 0);
	CHECK_INT(vg_container_parse(NULL, 0, &c), 0);

	/* binary junk, NULs inside, very long names: no crash, host */
	char junk[600];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 37 + 11);
	CHECK_INT(vg_container_parse(junk, sizeof(junk), &c), 0);
	char slashes[300];
	memset(slashes, '/', sizeof(slashes));
	CHECK_INT(vg_container_parse(slashes, sizeof(slashes), &c), 0);

	CHECK_STR(vg_runtime_name(VG_RT_DOCKER), "docker");
	CHECK_STR(vg_runtime_name(VG_RT_CONTAINERD), "containerd");
	CHECK_STR(vg_runtime_name(VG_RT_CRI), "cri");
	CHECK_STR(vg_runtime_name(VG_RT_CRIO), "cri-o");
	CHECK_STR(vg_runtime_name(VG_RT_PODMAN), "podman");
	CHECK_STR(vg_runtime_name(VG_RT_NONE), "");
	CHECK_STR(vg_runtime_name(999), "");
}

static void test_cgroup_file(void)
{
	struct vg_container c;
	char v2[256];
	static const char v1[] = "12:pids:/docker/" H1 "\n"
				 "11:memory:/docker/" H1 "\n"
				 "1:name=systemd:/docker/" H1 "\n"
				 "0::/system.slice/docker-" H1 ".scope\n";
	static const char host[] = "9:name=systemd:/\n"
				   "4:memory:/process_api/bce765e8393b33e91524531129e5b425\n"
				   "0::/user.slice/user-0.slice/session-1.scope\n";
	static const char mixed[] = "5:cpu:/\n4:memory:/kubepods/besteffort/" POD "/" H2 "\n";

	CHECK_INT(vg_container_from_cgroup_file(v1, sizeof(v1) - 1, &c, v2, sizeof(v2)), 1);
	CHECK_STR(c.id, H1);
	CHECK_INT(c.runtime, VG_RT_DOCKER);
	CHECK_STR(v2, "/system.slice/docker-" H1 ".scope");

	CHECK_INT(vg_container_from_cgroup_file(host, sizeof(host) - 1, &c, v2, sizeof(v2)), 0);
	CHECK_STR(c.id, "");
	CHECK_STR(v2, "/user.slice/user-0.slice/session-1.scope");

	CHECK_INT(vg_container_from_cgroup_file(mixed, sizeof(mixed) - 1, &c, v2, sizeof(v2)), 1);
	CHECK_INT(c.runtime, VG_RT_CRI);
	CHECK_STR(v2, "");

	/* no trailing newline, tiny v2 buffer, NULL v2 */
	static const char one[] = "0::/a/very/long/path";
	CHECK_INT(vg_container_from_cgroup_file(one, sizeof(one) - 1, &c, v2, 5), 0);
	CHECK_STR(v2, "/a/v");
	CHECK_INT(vg_container_from_cgroup_file(v1, sizeof(v1) - 1, &c, NULL, 0), 1);
	CHECK_INT(vg_container_from_cgroup_file("", 0, &c, v2, sizeof(v2)), 0);
}

/* ---- fake cgroup tree ---- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void rm_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void mkdirs(const char *root, const char *rel)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	}
	mkdir(path, 0755);
}

static uint64_t ino_of(const char *root, const char *rel)
{
	char path[PATH_MAX];
	struct stat st;
	snprintf(path, sizeof(path), "%s%s", root, rel);
	return stat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

#define DOCKER_CG "/system.slice/docker-" H1 ".scope"
#define CRI_CG                                                                                     \
	"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-" POD                         \
	".slice/cri-containerd-" H2 ".scope"

static void test_cgmap_fake(void)
{
	char root[] = "/tmp/vigil-cgroup-XXXXXX";
	struct vg_cgmap *m = NULL;
	const struct vg_cgroup_info *info;
	struct vg_cgmap_stats st;

	CHECK(mkdtemp(root) != NULL);
	mkdirs(root, DOCKER_CG);
	mkdirs(root, CRI_CG);
	mkdirs(root, "/user.slice/user-1000.slice/session-2.scope");
	mkdirs(root, "/a/b/c/d/e/f");
	/* files are not cgroups */
	char file[PATH_MAX];
	snprintf(file, sizeof(file), "%s/system.slice/cgroup.procs", root);
	close(open(file, O_CREAT | O_WRONLY, 0644));

	struct vg_cgmap_opts o = {.root = root, .max_depth = 5};
	CHECK_INT(vg_cgmap_new(&m, &o), 0);
	if (!m)
		goto out;

	CHECK_INT(vg_cgmap_lookup(m, ino_of(root, DOCKER_CG), &info), 0);
	CHECK(info != NULL);
	if (info) {
		CHECK_STR(info->path, DOCKER_CG);
		CHECK_STR(info->container.id, H1);
		CHECK_INT(info->container.runtime, VG_RT_DOCKER);
	}
	/* the first walk cached the whole tree: no second walk */
	CHECK_INT(vg_cgmap_lookup(m, ino_of(root, CRI_CG), &info), 0);
	CHECK(info && strcmp(info->container.short_id, "0123456789ab") == 0);
	CHECK(info && info->container.runtime == VG_RT_CONTAINERD);
	CHECK_INT(vg_cgmap_lookup(m, ino_of(root, "/user.slice/user-1000.slice"), &info), 0);
	CHECK(info && strcmp(info->path, "/user.slice/user-1000.slice") == 0);
	CHECK(info && info->container.runtime == VG_RT_NONE);
	CHECK_INT(vg_cgmap_lookup(m, ino_of(root, ""), &info), 0);
	CHECK(info && strcmp(info->path, "/") == 0);
	vg_cgmap_get_stats(m, &st);
	CHECK_INT(st.walks, 1);

	/* deeper than max_depth: not found */
	CHECK_INT(vg_cgmap_lookup(m, ino_of(root, "/a/b/c/d/e/f"), &info), -ENOENT);
	CHECK_INT(vg_cgmap_lookup(m, ino_of(root, "/a/b/c/d/e"), &info), 0);
	CHECK_INT(vg_cgmap_lookup(m, ino_of(root, "/system.slice/cgroup.procs"), &info), -ENOENT);

	/* an unknown id walks once, then is remembered */
	vg_cgmap_get_stats(m, &st);
	uint64_t walks = st.walks;
	CHECK_INT(vg_cgmap_lookup(m, 0xdeadbeefcafeull, &info), -ENOENT);
	CHECK(info == NULL);
	CHECK_INT(vg_cgmap_lookup(m, 0xdeadbeefcafeull, &info), -ENOENT);
	vg_cgmap_get_stats(m, &st);
	CHECK_INT(st.walks, walks + 1);

	/* a cgroup created later is found by a new walk */
	mkdirs(root, "/machine.slice/libpod-" H2 ".scope");
	CHECK_INT(vg_cgmap_lookup(m, ino_of(root, "/machine.slice/libpod-" H2 ".scope"), &info), 0);
	CHECK(info && info->container.runtime == VG_RT_PODMAN);

	uint64_t id;
	CHECK_INT(vg_cgmap_id_of(m, DOCKER_CG, &id), 0);
	CHECK_INT(id, ino_of(root, DOCKER_CG));
	CHECK_INT(vg_cgmap_id_of(m, "/no/such/cgroup", &id), -ENOENT);
	vg_cgmap_free(m);
	m = NULL;

	/* a tiny cache still answers for the id it walked for */
	o.max_entries = 3;
	CHECK_INT(vg_cgmap_new(&m, &o), 0);
	CHECK_INT(vg_cgmap_lookup(m, ino_of(root, CRI_CG), &info), 0);
	CHECK(info && strcmp(info->container.id, H2) == 0);
	CHECK_INT(vg_cgmap_lookup(m, ino_of(root, DOCKER_CG), &info), 0);
	CHECK(info && strcmp(info->container.id, H1) == 0);
	CHECK_INT(vg_cgmap_lookup(m, ino_of(root, "/a/b"), &info), 0);
	vg_cgmap_get_stats(m, &st);
	CHECK(st.entries <= 3);
	CHECK(st.clears >= 1);
	vg_cgmap_free(m);
	m = NULL;

	/* walks are rate limited when asked */
	o.max_entries = 0;
	o.min_rescan_interval_ns = 3600ull * NSEC_PER_SEC;
	CHECK_INT(vg_cgmap_new(&m, &o), 0);
	CHECK_INT(vg_cgmap_lookup(m, ino_of(root, DOCKER_CG), &info), 0);
	mkdirs(root, "/system.slice/docker-" H2 ".scope");
	CHECK_INT(vg_cgmap_lookup(m, ino_of(root, "/system.slice/docker-" H2 ".scope"), &info),
		  -EAGAIN);
	vg_cgmap_get_stats(m, &st);
	CHECK_INT(st.walks, 1);
	CHECK_INT(st.rate_limited, 1);
	vg_cgmap_free(m);
	m = NULL;

	/* a missing root is an error, not a crash */
	o.root = "/nonexistent/vigil/cgroup";
	CHECK_INT(vg_cgmap_new(&m, &o), -ENOENT);
	CHECK(m == NULL);
	vg_cgmap_free(NULL);
out:
	rm_tree(root);
}

/* The process table asks the map for the container of an event's cgroup. */
static void test_proctable_cgroups(void)
{
	char root[] = "/tmp/vigil-cgroup-XXXXXX";
	struct vg_cgmap *m = NULL;
	struct vg_proctable *pt = NULL;

	CHECK(mkdtemp(root) != NULL);
	mkdirs(root, DOCKER_CG);
	mkdirs(root, "/user.slice");
	struct vg_cgmap_opts o = {.root = root};
	CHECK_INT(vg_cgmap_new(&m, &o), 0);
	CHECK_INT(vg_pt_new(&pt, 64, NSEC_PER_SEC), 0);
	if (!m || !pt)
		goto out;
	vg_pt_set_cgmap(pt, m);

	struct vg_hdr h = {.type = VG_EV_OPEN, .pid = 4000, .tid = 4000, .ppid = 1};
	h.cgroup_id = ino_of(root, DOCKER_CG);
	struct vg_proc *p = vg_pt_resolve(pt, &h);
	CHECK(p != NULL);
	CHECK_STR(p->container.short_id, "3f4b1c2d5e6f");
	CHECK_STR(p->container.id, H1);
	CHECK_INT(p->container.runtime, VG_RT_DOCKER);
	CHECK_INT(p->cgroup_id, h.cgroup_id);

	/* the child of a containerized process is in the same container */
	struct vg_proc *c = vg_pt_on_fork(pt, 4000, 4001, 1);
	CHECK_STR(c->container.id, H1);

	/* moved to the host's cgroup (docker exec --cgroup..., systemd moves) */
	h.cgroup_id = ino_of(root, "/user.slice");
	p = vg_pt_resolve(pt, &h);
	CHECK_STR(p->container.id, "");
	CHECK_INT(p->container.runtime, VG_RT_NONE);
out:
	vg_pt_free(pt);
	vg_cgmap_free(m);
	rm_tree(root);
}

/* The real cgroup v2 tree of this machine, read only. */
static void test_cgmap_real(void)
{
	const char *root = vg_cgroup_default_root();
	struct vg_cgmap *m = NULL;
	const struct vg_cgroup_info *info;
	char buf[8192], v2[4096];
	struct vg_container c;

	if (!root) {
		printf("no cgroup v2 mounted: real-tree checks skipped\n");
		return;
	}
	struct vg_cgmap_opts o = {.root = root};
	CHECK_INT(vg_cgmap_new(&m, &o), 0);
	if (!m)
		return;
	CHECK_INT(vg_cgmap_lookup(m, ino_of(root, ""), &info), 0);
	CHECK(info && strcmp(info->path, "/") == 0);

	/* our own cgroup, as /proc/self/cgroup names it */
	int fd = open("/proc/self/cgroup", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
	if (fd >= 0)
		close(fd);
	CHECK(n > 0);
	if (n > 0) {
		vg_container_from_cgroup_file(buf, (size_t)n, &c, v2, sizeof(v2));
		uint64_t id = 0;
		CHECK_INT(vg_cgmap_id_of(m, v2, &id), 0);
		CHECK_INT(vg_cgmap_lookup(m, id, &info), 0);
		CHECK(info && strcmp(info->path, v2[1] ? v2 : "/") == 0);
	}
	vg_cgmap_free(m);
}

/* Found by fuzz_container: a name of NUL bytes read as an empty id. */
static void test_names_must_be_visible(void)
{
	static const char nul_name[] = "o/lxc.payload.\0\0\0s";
	struct vg_container c;

	CHECK_INT(vg_container_parse(nul_name, sizeof(nul_name) - 1, &c), 0);
	CHECK_STR(c.id, "");
	CHECK_INT(vg_container_parse("/lxc/ctr\x01", 9, &c), 0);
	CHECK_INT(vg_container_parse("/lxc.payload.web1", 17, &c), 1);
	CHECK_STR(c.id, "web1");
}

int main(void)
{
	test_names_must_be_visible();
	test_parse();
	test_cgroup_file();
	test_cgmap_fake();
	test_proctable_cgroups();
	test_cgmap_real();
	return check_report();
}
