/* Reading the BPF objects of the machine and who holds them. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fields/bpf.h"
#include "audit/inventory.h"
#include "util/macros.h"

const char *vg_bpf_kind_name(enum vg_bpf_kind kind)
{
	switch (kind) {
	case VG_BPF_PROG:
		return "prog";
	case VG_BPF_MAP:
		return "map";
	case VG_BPF_LINK:
		return "link";
	default:
		return "?";
	}
}

static struct vg_bpf_obj *add(struct vg_bpf_inventory *inv, enum vg_bpf_kind kind, uint32_t id)
{
	struct vg_bpf_obj *o;

	if (inv->n >= VG_AUDIT_MAX_OBJS) {
		inv->truncated++;
		return NULL;
	}
	if (inv->n == inv->cap) {
		size_t cap = inv->cap ? inv->cap * 2 : 256;
		struct vg_bpf_obj *objs = realloc(inv->objs, cap * sizeof(*objs));

		if (!objs)
			return NULL;
		inv->objs = objs;
		inv->cap = cap;
	}
	o = &inv->objs[inv->n++];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->id = id;
	return o;
}

/* Objects are added kind by kind in id order, so the array is sorted by
 * (kind, id) and searched by halves. */
struct vg_bpf_obj *vg_bpf_inventory_find(const struct vg_bpf_inventory *inv,
					 enum vg_bpf_kind kind, uint32_t id)
{
	size_t lo = 0, hi = inv->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct vg_bpf_obj *o = &inv->objs[mid];

		if (o->kind == kind && o->id == id)
			return &inv->objs[mid];
		if (o->kind < kind || (o->kind == kind && o->id < id))
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int64_t boot_to_wall_ns(void)
{
	struct timespec r, b;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_BOOTTIME, &b);
	return ((int64_t)r.tv_sec - b.tv_sec) * NSEC_PER_SEC + (r.tv_nsec - b.tv_nsec);
}

static void read_prog(struct vg_bpf_obj *o, int fd, int64_t to_wall)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	char num[16];

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return;
	snprintf(o->type, sizeof(o->type), "%s",
		 vg_bpf_prog_type_name(info.type, num, sizeof(num)));
	snprintf(o->name, sizeof(o->name), "%.*s", (int)sizeof(info.name), info.name);
	o->load_wall_ns = info.load_time ? (uint64_t)((int64_t)info.load_time + to_wall) : 0;
	o->uid = info.created_by_uid;
}

static void read_map(struct vg_bpf_obj *o, int fd)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	const char *t;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return;
	t = libbpf_bpf_map_type_str((enum bpf_map_type)info.type);
	if (t)
		snprintf(o->type, sizeof(o->type), "%s", t);
	else
		snprintf(o->type, sizeof(o->type), "%u", info.type);
	snprintf(o->name, sizeof(o->name), "%.*s", (int)sizeof(info.name), info.name);
}

/* struct bpf_link_info as this kernel's uapi lays it out (Debian 12's
 * headers predate the perf_event and uprobe_multi members). */
struct link_info {
	__u32 type, id, prog_id, pad;
	union {
		struct {
			__u64 name;
			__u32 len;
		} raw_tp;
		struct {
			__u32 attach_type, target_obj_id, target_btf_id;
		} tracing;
		struct {
			__u64 cgroup_id;
			__u32 attach_type;
		} cgroup;
		struct {
			__u64 name;
			__u32 len;
		} iter;
		struct {
			__u32 netns_ino, attach_type;
		} netns;
		struct {
			__u32 ifindex;
		} xdp;
		struct {
			__u64 addrs;
			__u32 count, flags;
		} kprobe_multi;
		struct {
			__u64 path, offsets, ref_ctr_offsets, cookies;
			__u32 path_size, count, flags, pid;
		} uprobe_multi;
		struct {
			__u32 type, pad;
			__u64 name;
			__u32 name_len, offset;
			__u64 addr;
		} perf_event;
		__u8 raw[224];
	};
};

enum { LT_RAW_TP = 1, LT_TRACING, LT_CGROUP, LT_ITER, LT_NETNS, LT_XDP, LT_PERF_EVENT,
       LT_KPROBE_MULTI, LT_STRUCT_OPS, LT_NETFILTER, LT_TCX, LT_UPROBE_MULTI, LT_NETKIT };

static const char *const perf_kinds[] = { "event", "uprobe", "uretprobe", "kprobe", "kretprobe",
					  "tracepoint", "perf event" };

static int link_info(int fd, struct link_info *li)
{
	__u32 len = sizeof(*li);

	return bpf_obj_get_info_by_fd(fd, li, &len);
}

static void read_link(struct vg_bpf_obj *o, int fd)
{
	struct link_info li;
	char text[256] = "";
	const char *t;
	__u32 type;

	memset(&li, 0, sizeof(li));
	if (link_info(fd, &li))
		return;
	type = li.type;
	o->prog_id = li.prog_id;
	t = libbpf_bpf_link_type_str((enum bpf_link_type)type);
	if (t)
		snprintf(o->type, sizeof(o->type), "%s", t);
	else
		snprintf(o->type, sizeof(o->type), type == LT_UPROBE_MULTI ? "uprobe_multi" : "%u", type);
	/* Again, with buffers for the names this type carries. */
	memset(&li, 0, sizeof(li));
	switch (type) {
	case LT_RAW_TP:
		li.raw_tp.name = (uintptr_t)text;
		li.raw_tp.len = sizeof(text);
		break;
	case LT_ITER:
		li.iter.name = (uintptr_t)text;
		li.iter.len = sizeof(text);
		break;
	case LT_UPROBE_MULTI:
		li.uprobe_multi.path = (uintptr_t)text;
		li.uprobe_multi.path_size = sizeof(text);
		break;
	case LT_PERF_EVENT:
		li.perf_event.name = (uintptr_t)text;
		li.perf_event.name_len = sizeof(text);
		break;
	}
	if (link_info(fd, &li))
		return;
	text[sizeof(text) - 1] = 0;
	switch (type) {
	case LT_RAW_TP:
		snprintf(o->attach, sizeof(o->attach), "raw_tracepoint %s", text);
		break;
	case LT_TRACING:
		snprintf(o->attach, sizeof(o->attach), "btf id %u (obj %u)", li.tracing.target_btf_id,
			 li.tracing.target_obj_id);
		break;
	case LT_CGROUP:
		snprintf(o->attach, sizeof(o->attach), "cgroup %llu",
			 (unsigned long long)li.cgroup.cgroup_id);
		break;
	case LT_ITER:
		snprintf(o->attach, sizeof(o->attach), "iter %s", text);
		break;
	case LT_NETNS:
		snprintf(o->attach, sizeof(o->attach), "netns %u", li.netns.netns_ino);
		break;
	case LT_XDP:
	case LT_TCX:
	case LT_NETKIT:
		snprintf(o->attach, sizeof(o->attach), "ifindex %u", li.xdp.ifindex);
		break;
	case LT_KPROBE_MULTI:
		snprintf(o->attach, sizeof(o->attach), "kprobe_multi %u functions",
			 li.kprobe_multi.count);
		break;
	case LT_UPROBE_MULTI:
		snprintf(o->attach, sizeof(o->attach), "uprobe_multi %s (%u offsets)", text,
			 li.uprobe_multi.count);
		snprintf(o->probe_file, sizeof(o->probe_file), "%s", text);
		break;
	case LT_PERF_EVENT: {
		__u32 k = li.perf_event.type < 7 ? li.perf_event.type : 0;

		if (k == 1 || k == 2) { /* uprobe: file + offset */
			snprintf(o->attach, sizeof(o->attach), "%s %s+0x%x", perf_kinds[k], text,
				 li.perf_event.offset);
			snprintf(o->probe_file, sizeof(o->probe_file), "%s", text);
		} else if (k == 3 || k == 4) {
			snprintf(o->attach, sizeof(o->attach), "%s %s+0x%x", perf_kinds[k],
				 text[0] ? text : "?", li.perf_event.offset);
		} else if (k == 5) {
			snprintf(o->attach, sizeof(o->attach), "tracepoint %s", text);
		} else {
			snprintf(o->attach, sizeof(o->attach), "perf event");
		}
		break;
	}
	}
}

typedef int (*next_id_fn)(__u32 start, __u32 *next);
typedef int (*fd_by_id_fn)(__u32 id);

static int read_kind(struct vg_bpf_inventory *inv, enum vg_bpf_kind kind, int64_t to_wall)
{
	next_id_fn next = kind == VG_BPF_PROG  ? bpf_prog_get_next_id
			  : kind == VG_BPF_MAP ? bpf_map_get_next_id
					       : bpf_link_get_next_id;
	fd_by_id_fn get = kind == VG_BPF_PROG  ? bpf_prog_get_fd_by_id
			  : kind == VG_BPF_MAP ? bpf_map_get_fd_by_id
					       : bpf_link_get_fd_by_id;
	__u32 id = 0;

	for (;;) {
		struct vg_bpf_obj *o;
		int fd;

		if (next(id, &id))
			return errno == ENOENT ? 0 : -errno;
		fd = get(id);
		if (fd < 0) {
			inv->unreadable++; /* gone since, or not ours to open */
			continue;
		}
		o = add(inv, kind, id);
		if (o && kind == VG_BPF_PROG)
			read_prog(o, fd, to_wall);
		else if (o && kind == VG_BPF_MAP)
			read_map(o, fd);
		else if (o)
			read_link(o, fd);
		close(fd);
		if (!o && inv->n < VG_AUDIT_MAX_OBJS)
			return -ENOMEM;
	}
}

void vg_bpf_inventory_note_owner(struct vg_bpf_inventory *inv, const struct vg_fdinfo *fi,
				 int32_t pid, const char *comm, const char *exe)
{
	struct vg_bpf_obj *o = vg_bpf_inventory_find(inv, fi->kind, fi->id);

	if (!o)
		return;
	if (o->owner_pid == pid)
		return; /* several descriptors of one process */
	o->owners++;
	if (o->owner_pid && o->owner_pid < pid)
		return; /* keep the oldest (lowest) pid as the one named */
	o->owner_pid = pid;
	snprintf(o->owner_comm, sizeof(o->owner_comm), "%s", comm);
	snprintf(o->owner_exe, sizeof(o->owner_exe), "%s", exe);
}

void vg_bpf_inventory_link_progs(struct vg_bpf_inventory *inv)
{
	for (size_t i = 0; i < inv->n; i++) {
		const struct vg_bpf_obj *l = &inv->objs[i];
		struct vg_bpf_obj *p;

		if (l->kind != VG_BPF_LINK || !l->prog_id)
			continue;
		p = vg_bpf_inventory_find(inv, VG_BPF_PROG, l->prog_id);
		if (!p)
			continue;
		if (!p->attach[0])
			snprintf(p->attach, sizeof(p->attach), "link %u: %.290s", l->id, l->attach);
		if (!p->probe_file[0])
			snprintf(p->probe_file, sizeof(p->probe_file), "%s", l->probe_file);
		if (!p->owner_pid && l->owner_pid) {
			p->owner_pid = l->owner_pid;
			p->owners = l->owners;
			memcpy(p->owner_comm, l->owner_comm, sizeof(p->owner_comm));
			memcpy(p->owner_exe, l->owner_exe, sizeof(p->owner_exe));
		}
	}
}

static void read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, size - 1) : -1;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = 0;
}

/* Every process's BPF descriptors: anon inodes named bpf-prog, bpf-map,
 * bpf_link; their fdinfo says which object. */
static void scan_owners(struct vg_bpf_inventory *inv)
{
	DIR *proc = opendir("/proc");
	struct dirent *de;

	if (!proc)
		return;
	while ((de = readdir(proc))) {
		char path[300], comm[17] = "", exe[256] = "";
		struct dirent *fe;
		DIR *fds;
		ssize_t n;
		int pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fds = opendir(path);
		if (!fds)
			continue;
		while ((fe = readdir(fds))) {
			char link[64], info[4096];
			struct vg_fdinfo fi;

			if (fe->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid, fe->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = 0;
			if (strncmp(link, "anon_inode:bpf", 14))
				continue;
			snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", pid, fe->d_name);
			read_small(path, info, sizeof(info));
			if (vg_fdinfo_parse(info, strlen(info), &fi, NULL))
				continue;
			if (!comm[0]) {
				snprintf(path, sizeof(path), "/proc/%d/comm", pid);
				read_small(path, comm, sizeof(comm));
				snprintf(path, sizeof(path), "/proc/%d/exe", pid);
				n = readlink(path, exe, sizeof(exe) - 1);
				exe[n > 0 ? n : 0] = 0;
			}
			vg_bpf_inventory_note_owner(inv, &fi, pid, comm, exe);
		}
		closedir(fds);
	}
	closedir(proc);
}

int vg_bpf_inventory_read(struct vg_bpf_inventory *inv)
{
	int64_t to_wall = boot_to_wall_ns();
	int ret;

	memset(inv, 0, sizeof(*inv));
	ret = read_kind(inv, VG_BPF_PROG, to_wall);
	if (!ret)
		ret = read_kind(inv, VG_BPF_MAP, to_wall);
	if (!ret)
		ret = read_kind(inv, VG_BPF_LINK, to_wall);
	if (ret) {
		vg_bpf_inventory_free(inv);
		return ret;
	}
	scan_owners(inv);
	vg_bpf_inventory_link_progs(inv);
	return 0;
}

void vg_bpf_inventory_free(struct vg_bpf_inventory *inv)
{
	free(inv->objs);
	memset(inv, 0, sizeof(*inv));
}
