/* Which container a process runs in, from its cgroup.
 *
 * Two parts:
 *  - vg_container_parse(): a cgroup path (or a line of /proc/PID/cgroup) to a
 *    container id and runtime, by the naming conventions of the runtimes
 *    (docker, containerd/CRI, CRI-O, podman, LXC, systemd-nspawn);
 *  - struct vg_cgmap: cgroup id (the u64 of bpf_get_current_cgroup_id(), which
 *    is the inode number of the cgroup v2 directory) to path and container, by
 *    walking the cgroup v2 tree on a miss and caching what it saw, so events
 *    from processes we never saw in /proc still get a container id.
 *
 * No global state; the cgroup root is a parameter so tests can use a fake tree. */
#ifndef VIGIL_PROC_CONTAINER_H
#define VIGIL_PROC_CONTAINER_H

#include <stddef.h>
#include <stdint.h>

#define VG_CONTAINER_ID_MAX 64	  /* full id: 64 hex digits, or a machine name */
#define VG_CONTAINER_SHORT_LEN 12 /* Falco's container.id is the first 12 */

enum vg_runtime {
	VG_RT_NONE = 0, /* the host */
	VG_RT_DOCKER,
	VG_RT_CONTAINERD,
	VG_RT_CRI, /* a kubelet cgroupfs path that does not name the runtime */
	VG_RT_CRIO,
	VG_RT_PODMAN,
	VG_RT_LXC,
	VG_RT_NSPAWN,
	VG_RT_COUNT
};

struct vg_container {
	char id[VG_CONTAINER_ID_MAX + 1];	   /* "" on the host */
	char short_id[VG_CONTAINER_SHORT_LEN + 1]; /* "" on the host */
	uint8_t runtime;			   /* enum vg_runtime */
};

/* "docker", "containerd", "cri", "cri-o", "podman", "lxc", "systemd-nspawn";
 * "" for VG_RT_NONE and out-of-range values. */
const char *vg_runtime_name(unsigned runtime);

/* Parses one cgroup path ("/system.slice/docker-<id>.scope") or one line of
 * /proc/PID/cgroup ("0::/system.slice/..."). Components are tried from the
 * innermost outwards, so a process in a sub-cgroup of a container (systemd in a
 * container) still belongs to it. Returns 1 and fills *out for a container,
 * 0 and an empty *out for the host. Never reads past len; any bytes are fine. */
int vg_container_parse(const char *cgroup, size_t len, struct vg_container *out);

/* Parses a whole /proc/PID/cgroup file (cgroup v1 hosts list one line per
 * hierarchy): the container of the first line that names one. If v2_path is
 * not NULL, the path of the "0::" line is copied there ("" if none). Returns
 * 1 for a container, 0 for the host. */
int vg_container_from_cgroup_file(const char *text, size_t len, struct vg_container *out,
				  char *v2_path, size_t v2_size);

/* ---- cgroup id -> path and container ---- */

struct vg_cgmap;

struct vg_cgroup_info {
	uint64_t id;	  /* inode number of the cgroup v2 directory */
	const char *path; /* relative to the root, "/" for the root itself */
	struct vg_container container;
};

struct vg_cgmap_opts {
	const char *root;		 /* cgroup v2 mount; NULL: vg_cgroup_default_root() */
	size_t max_entries;		 /* cached cgroups; 0: 16384 */
	unsigned max_depth;		 /* walk depth below the root; 0: 32 */
	size_t max_scan;		 /* directories visited per walk; 0: 100000 */
	uint64_t min_rescan_interval_ns; /* between two walks; 0: no limit */
};

struct vg_cgmap_stats {
	uint64_t walks, dirs_seen, hits, misses, rate_limited, clears;
	size_t entries;
};

/* The cgroup v2 mount: "/sys/fs/cgroup" on unified hosts,
 * "/sys/fs/cgroup/unified" on hybrid ones, NULL without cgroup v2. */
const char *vg_cgroup_default_root(void);

/* Returns 0, -ENOMEM, or -ENOENT/-ENOTDIR... when the root cannot be opened. */
int vg_cgmap_new(struct vg_cgmap **out, const struct vg_cgmap_opts *opts);
void vg_cgmap_free(struct vg_cgmap *m);

/* Looks a cgroup id up; on a miss walks the tree once. Returns 0 and sets
 * *info (valid until the next call on m), -ENOENT when the id is not in the
 * tree (remembered, so repeated misses cost one hash lookup), or -EAGAIN
 * when a walk would be needed but the last one was too recent. */
int vg_cgmap_lookup(struct vg_cgmap *m, uint64_t id, const struct vg_cgroup_info **info);

/* The id of a cgroup path relative to the root (as in /proc/PID/cgroup).
 * Returns 0 or a negative errno from stat(). */
int vg_cgmap_id_of(const struct vg_cgmap *m, const char *path, uint64_t *id);

void vg_cgmap_get_stats(const struct vg_cgmap *m, struct vg_cgmap_stats *st);

#endif
