/* pH's control commands: reads and admin actions on the kernel's maps.
 * This file: the commands' life, "profiles", "ps" and the status section;
 * ph_admin_view.c renders a profile, ph_admin_actions.c is "profile". */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "ph/ph_admin.h"
#include "ph/ph_admin_actions.h"
#include "ph/ph_admin_view.h"
#include <vigil/ph_events.h>

static void on_record(void *ctx, const struct ph_alert_event *e)
{
	struct vg_ph_admin *a = ctx;

	if (e->kind == PH_EV_ANOMALY || e->kind == PH_EV_BURST)
		vg_ph_paths_anomaly(a->paths, e->exe.dev, e->exe.ino,
				    (uint64_t)((int64_t)e->ts_ns + a->boot_to_wall_ns));
}

static void restored_path(void *ctx, __u64 dev, __u64 ino, const char *path)
{
	struct vg_ph_admin *a = ctx;

	vg_ph_paths_set(a->paths, dev, ino, path, strlen(path));
}

int vg_ph_admin_new(struct vg_ph_admin **out, struct vg_ph_kernel *k)
{
	struct vg_ph_admin *a = calloc(1, sizeof(*a));
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	int ret;

	*out = NULL;
	if (!a)
		return -ENOMEM;
	a->k = k;
	a->boot_to_wall_ns = vg_pha_clock_ns(CLOCK_REALTIME) - vg_pha_clock_ns(CLOCK_BOOTTIME);
	vg_ph_kernel_maps(k, &a->maps);
	memset(&info, 0, sizeof(info));
	a->tasks_ok = !bpf_obj_get_info_by_fd(a->maps.tasks, &info, &len) &&
		      info.value_size == sizeof(struct vg_task);
	ret = vg_ph_paths_new(&a->paths, VG_PH_PATHS_SLOTS);
	if (ret) {
		free(a);
		return ret;
	}
	/* the paths the profile files kept (a program not running now is
	 * still named), then what runs now */
	vg_ph_kernel_foreach_path(k, restored_path, a);
	vg_ph_paths_scan_proc(a->paths, "/proc");
	vg_ph_kernel_on_record(k, on_record, a);
	*out = a;
	return 0;
}

void vg_ph_admin_free(struct vg_ph_admin *a)
{
	if (!a)
		return;
	vg_ph_kernel_on_record(a->k, NULL, NULL);
	vg_ph_paths_free(a->paths);
	free(a);
}

void vg_ph_admin_note_exec(struct vg_ph_admin *a, uint64_t dev, uint64_t ino, const char *path,
			   size_t len)
{
	if (a && ino && len)
		vg_ph_paths_set(a->paths, dev, ino, path, len);
}

/* ---- profiles ---- */

static int cmd_profiles(void *ctx, struct json_object *args, struct json_object **result,
			char *err, size_t errlen)
{
	struct vg_ph_admin *a = ctx;
	struct ph_exe_key key, next;
	struct ph_profile p;
	struct json_object *list;
	uint64_t n = 0, *counts;
	void *prev = NULL;

	/* profile numbers are handed out in order: an array covers them */
	while (!bpf_map_get_next_key(a->maps.profiles, prev, &next)) {
		if (!bpf_map_lookup_elem(a->maps.profiles, &next, &p) && p.id + 1 > n)
			n = p.id + 1;
		key = next;
		prev = &key;
	}
	if (n > (1u << 24))
		n = 1u << 24;
	counts = calloc(n ? n : 1, sizeof(*counts));
	list = json_object_new_array();
	if (!counts || !list) {
		free(counts);
		json_object_put(list);
		return -ENOMEM;
	}
	vg_pha_count_items(a, counts, n);
	vg_ph_paths_scan_proc(a->paths, "/proc");
	prev = NULL;
	while (!bpf_map_get_next_key(a->maps.profiles, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(a->maps.profiles, &key, &p))
			continue; /* deleted meanwhile */
		json_object_array_add(list,
				      vg_pha_profile_json(a, &key, &p, p.id < n ? (long long)counts[p.id] : 0));
	}
	free(counts);
	(void)args;
	(void)err;
	(void)errlen;
	*result = list;
	return 0;
}

/* ---- ps ---- */

static void read_comm(int pid, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	buf[0] = 0;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, size - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	buf[strcspn(buf, "\n")] = 0;
}

static int cmd_ps(void *ctx, struct json_object *args, struct json_object **result, char *err,
		  size_t errlen)
{
	struct vg_ph_admin *a = ctx;
	struct ph_task_state st;
	struct ph_profile p;
	struct json_object *list, *o;
	struct dirent *de;
	char comm[32];
	DIR *d;
	int pid;

	(void)args;
	if (!a->tasks_ok) {
		snprintf(err, errlen, "the pH task map has an unexpected layout");
		return -EPROTO;
	}
	d = opendir("/proc");
	list = json_object_new_array();
	if (!d || !list) {
		if (d)
			closedir(d);
		json_object_put(list);
		return -ENOMEM;
	}
	vg_ph_paths_scan_proc(a->paths, "/proc");
	while ((de = readdir(d))) {
		pid = atoi(de->d_name);
		if (pid <= 0 || vg_pha_task_state_of(a, pid, &st))
			continue; /* not followed by the model (or gone) */
		o = json_object_new_object();
		if (!o)
			break;
		read_comm(pid, comm, sizeof(comm));
		json_object_object_add(o, "pid", json_object_new_int(pid));
		vg_pha_add_str(o, "comm", comm);
		vg_pha_add_str(o, "exe", vg_ph_paths_get(a->paths, st.exe.dev, st.exe.ino, NULL));
		vg_pha_add_u64(o, "dev", st.exe.dev);
		vg_pha_add_u64(o, "ino", st.exe.ino);
		if (st.exe.ino && !bpf_map_lookup_elem(a->maps.profiles, &st.exe, &p)) {
			vg_pha_add_str(o, "state", vg_pha_state_name(p.status));
			vg_pha_add_u64(o, "train_count", p.train_count);
		} else {
			vg_pha_add_str(o, "state", NULL);
			vg_pha_add_u64(o, "train_count", 0);
		}
		vg_pha_add_u64(o, "calls", st.t.calls);
		vg_pha_add_u64(o, "lfc", st.t.lfc);
		vg_pha_add_u64(o, "lfc_max", st.t.lfc_max);
		vg_pha_add_u64(o, "anomalies", st.t.anomalies);
		json_object_array_add(list, o);
	}
	closedir(d);
	*result = list;
	return 0;
}

/* ---- status section ---- */

/* memlock of a map, from our own fdinfo (what the kernel charges for it). */
static uint64_t map_memlock(int fd)
{
	char path[64], line[256];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

static int status_section(void *ctx, struct json_object *sec)
{
	struct vg_ph_admin *a = ctx;
	struct vg_ph_kernel_stats ks;
	struct vg_ph_incident_stats is;
	struct ph_exe_key key, next;
	struct ph_profile p;
	uint64_t by_state[3] = { 0 }, nprof = 0, items = 0, mem_items, mem_prof;
	void *prev = NULL;
	struct json_object *st;
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	while (!bpf_map_get_next_key(a->maps.profiles, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(a->maps.profiles, &key, &p))
			continue;
		nprof++;
		by_state[(p.status & PH_PROFILE_NORMAL) ? 2 : (p.status & PH_PROFILE_FROZEN) ? 1 : 0]++;
	}
	items = (uint64_t)vg_pha_count_items(a, NULL, 0);
	vg_ph_kernel_stats(a->k, &ks);
	mem_items = map_memlock(a->maps.items);
	mem_prof = map_memlock(a->maps.profiles);
	st = json_object_new_object();
	if (!st)
		return -ENOMEM;
	vg_pha_add_u64(st, "training", by_state[0]);
	vg_pha_add_u64(st, "frozen", by_state[1]);
	vg_pha_add_u64(st, "normal", by_state[2]);
	json_object_object_add(sec, "profiles_by_state", st);
	vg_pha_add_u64(sec, "profiles", nprof);
	vg_pha_add_u64(sec, "items", items);
	/* what the profiles hold: entries and items at their payload size */
	vg_pha_add_u64(sec, "profile_bytes_avg",
		nprof ? (nprof * vg_pha_profile_bytes(0) +
			 items * (sizeof(struct ph_item_key) + sizeof(__u64))) / nprof
		      : 0);
	/* what the kernel charges: the items map grows with items (not
	 * preallocated); the profile map is preallocated to its limit */
	vg_pha_add_u64(sec, "items_map_bytes", mem_items);
	vg_pha_add_u64(sec, "profiles_map_bytes", mem_prof);
	/* the items map's charge shared out, plus one profile map slot */
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(a->maps.profiles, &info, &len) || !info.max_entries)
		info.max_entries = 1;
	vg_pha_add_u64(sec, "kernel_bytes_per_profile",
		nprof ? mem_items / nprof + mem_prof / info.max_entries : 0);
	vg_ph_kernel_incident_stats(a->k, &is);
	vg_pha_add_u64(sec, "incidents", is.incidents);
	vg_pha_add_u64(sec, "incidents_out_of_scope", is.out_of_scope);
	vg_pha_add_u64(sec, "episodes_below_threshold", is.below_threshold);
	vg_pha_add_u64(sec, "episodes_joined_family", is.family_joined);
	vg_pha_add_u64(sec, "alerts", ks.alerts);
	vg_pha_add_u64(sec, "alert_drops", ks.drops);
	vg_pha_add_u64(sec, "malformed", ks.malformed);
	vg_pha_add_u64(sec, "model_errors", ks.model_errors);
	/* pH's per-call step: answered by the task's cache, or the model run */
	vg_pha_add_u64(sec, "calls_fast", ks.calls_fast);
	vg_pha_add_u64(sec, "calls_slow", ks.calls_slow);
	vg_pha_add_u64(sec, "profiles_normal_by_coverage", ks.coverage_normal);
	vg_pha_add_u64(sec, "profile_errors", ks.profile_errors);
	return 0;
}

int vg_ph_admin_register(struct vg_ph_admin *a, struct vg_ctl_registry *reg)
{
	int ret = vg_ctl_register(reg, "ps", cmd_ps, a);

	if (!ret)
		ret = vg_ctl_register(reg, "profiles", cmd_profiles, a);
	if (!ret)
		ret = vg_ctl_register(reg, "profile", vg_ph_admin_cmd_profile, a);
	if (!ret)
		ret = vg_ctl_add_status(reg, "ph", status_section, a);
	return ret;
}
