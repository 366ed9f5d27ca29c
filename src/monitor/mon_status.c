/* The monitor's own figures for `vigil status`. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "fields/file_identity.h"
#include "monitor/mon_status.h"
#include "monitor/path_resolve.h"
#include "output/repeats.h"
#include "util/clock.h"
#include "util/macros.h"

void vg_mon_status_init(struct vg_mon_status *st, struct vg_sensor *s, uint64_t now_ns)
{
	st->sensor = s;
	st->start_ns = st->prev_ns = st->cur_ns = now_ns;
}

void vg_mon_status_tick(struct vg_mon_status *st, uint64_t now_ns)
{
	struct vg_sensor_stats ss;

	if (now_ns - st->cur_ns < VG_MON_RATE_PERIOD_NS)
		return;
	vg_sensor_stats(st->sensor, &ss);
	memcpy(st->prev, st->cur, sizeof(st->prev));
	st->prev_ns = st->cur_ns;
	memcpy(st->cur, ss.received, sizeof(st->cur));
	st->cur_ns = now_ns;
}

static void add_u64(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

/* One fdinfo file: its "key: value" numbers we care about. */
struct fdinfo {
	int is_map, is_link;
	unsigned long long memlock, map_id, prog_id;
};

static int read_fdinfo(const char *name, struct fdinfo *fi)
{
	char path[300], line[256];
	FILE *f;

	memset(fi, 0, sizeof(*fi));
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%s", name);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "map_type:", 9))
			fi->is_map = 1;
		else if (!strncmp(line, "link_type:", 10))
			fi->is_link = 1;
		sscanf(line, "memlock: %llu", &fi->memlock);
		sscanf(line, "map_id: %llu", &fi->map_id);
		sscanf(line, "prog_id: %llu", &fi->prog_id);
	}
	fclose(f);
	return 0;
}

/* Our BPF maps (memlock each) and attached programs (one link each), found
 * through our own file descriptors: this covers the sensor, pH and any
 * later BPF object without each having to report. */
static void bpf_objects(struct json_object *sec)
{
	struct json_object *maps = json_object_new_object(), *progs = json_object_new_array();
	unsigned long long seen[512];
	unsigned nseen = 0;
	uint64_t total = 0, links = 0;
	struct dirent *de;
	struct fdinfo fi;
	DIR *d = opendir("/proc/self/fdinfo");

	if (!d || !maps || !progs) {
		if (d)
			closedir(d);
		json_object_put(maps);
		json_object_put(progs);
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || read_fdinfo(de->d_name, &fi))
			continue;
		if (fi.is_map) {
			struct bpf_map_info info;
			__u32 len = sizeof(info);
			unsigned i;

			for (i = 0; i < nseen && seen[i] != fi.map_id; i++)
				;
			if (i < nseen)
				continue; /* the same map through another fd */
			if (nseen < ARRAY_SIZE(seen))
				seen[nseen++] = fi.map_id;
			memset(&info, 0, sizeof(info));
			if (bpf_obj_get_info_by_fd(atoi(de->d_name), &info, &len))
				continue;
			total += fi.memlock;
			/* several maps may share a name (.bss of two objects) */
			if (json_object_object_get_ex(maps, info.name, NULL)) {
				char name[64];

				snprintf(name, sizeof(name), "%s#%u", info.name, info.id);
				add_u64(maps, name, fi.memlock);
			} else {
				add_u64(maps, info.name, fi.memlock);
			}
		} else if (fi.is_link) {
			struct bpf_prog_info info;
			__u32 len = sizeof(info);
			int fd = bpf_prog_get_fd_by_id((__u32)fi.prog_id);

			links++;
			memset(&info, 0, sizeof(info));
			if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
				json_object_array_add(progs, json_object_new_string(info.name));
			if (fd >= 0)
				close(fd);
		}
	}
	closedir(d);
	add_u64(sec, "programs_attached", links);
	json_object_object_add(sec, "programs", progs);
	add_u64(sec, "bpf_map_bytes", total);
	json_object_object_add(sec, "bpf_maps", maps);
}

static uint64_t rss_bytes(void)
{
	char line[256];
	unsigned long long kb = 0;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

/* {"calls": N, "failures": N, "time_ns": N} of one kind of look-up */
static void lookups(struct json_object *sec, const char *name, const struct vg_lookup_stats *ls)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return;
	add_u64(o, "calls", ls->calls);
	add_u64(o, "failures", ls->failures);
	add_u64(o, "time_ns", ls->ns);
	json_object_object_add(sec, name, o);
}

int vg_mon_status_section(void *ctx, struct json_object *sec)
{
	struct vg_mon_status *st = ctx;
	struct vg_sensor_stats ss;
	struct vg_control_stats cs;
	struct json_object *rate = json_object_new_object(), *total = json_object_new_object();
	struct json_object *drops = json_object_new_object(), *bytype = json_object_new_object();
	struct json_object *bycpu = json_object_new_object(), *ctl = json_object_new_object();
	struct json_object *shed = json_object_new_object();
	uint64_t now = vg_clock_ns(CLOCK_MONOTONIC), dt = st->cur_ns - st->prev_ns, all_rate = 0;
	struct vg_lookup_stats ls;
	char name[16];

	if (!rate || !total || !drops || !bytype || !bycpu || !ctl || !shed) {
		json_object_put(shed);
		json_object_put(rate);
		json_object_put(total);
		json_object_put(drops);
		json_object_put(bytype);
		json_object_put(bycpu);
		json_object_put(ctl);
		return -ENOMEM;
	}
	vg_sensor_stats(st->sensor, &ss);
	add_u64(sec, "uptime_s", (now - st->start_ns) / NSEC_PER_SEC);
	add_u64(sec, "pid", (uint64_t)getpid());
	add_u64(sec, "rules_loaded", st->rules);
	add_u64(sec, "alerts", st->alerts ? *st->alerts : 0);
	add_u64(sec, "alerts_folded", vg_repeats_folded(st->repeats));
	bpf_objects(sec);
	add_u64(sec, "rss_bytes", rss_bytes());
	for (unsigned t = 0; t < VG_EV_TYPE_MAX; t++) {
		const char *n = vg_event_type_name(t);
		uint64_t r;

		if (n && ss.shed[t]) /* even of a type all shed */
			add_u64(shed, n, ss.shed[t]);
		if (!n || !ss.received[t])
			continue;
		/* over the last full period (5-10 s); since start until then */
		r = dt ? (st->cur[t] - st->prev[t]) * NSEC_PER_SEC / dt
		       : ss.received[t] * NSEC_PER_SEC / (now - st->start_ns + 1);
		all_rate += r;
		add_u64(rate, n, r);
		add_u64(total, n, ss.received[t]);
		if (ss.dropped[t])
			add_u64(bytype, n, ss.dropped[t]);
	}
	add_u64(sec, "events_total", ss.received_total);
	add_u64(sec, "events_per_s", all_rate);
	json_object_object_add(sec, "events_per_s_by_type", rate);
	json_object_object_add(sec, "events_by_type", total);
	for (int c = 0; c < VG_STATS_CPUS; c++)
		if (ss.dropped_cpu[c]) {
			snprintf(name, sizeof(name), "cpu%d", c);
			add_u64(bycpu, name, ss.dropped_cpu[c]);
		}
	add_u64(drops, "ring_full", ss.dropped_total);
	json_object_object_add(drops, "ring_full_by_type", bytype);
	json_object_object_add(drops, "ring_full_by_cpu", bycpu);
	/* load shedding (bpf/vg_shed.h): sent on purpose to keep room for vital records */
	add_u64(drops, "shed", ss.shed_total);
	json_object_object_add(drops, "shed_by_type", shed);
	add_u64(drops, "malformed", ss.malformed);
	add_u64(drops, "socketcall32_undecoded", ss.compat);
	json_object_object_add(sec, "drops", drops);
	/* what per-event look-ups cost: one openat2 per non-open file event,
	 * one stat per event that may touch a watched file */
	vg_path_resolver_stats(st->paths, &ls);
	lookups(sec, "path_resolver", &ls);
	vg_file_known_name_stats(&ls);
	lookups(sec, "known_name", &ls);
	vg_control_stats(st->control, &cs);
	add_u64(ctl, "requests", cs.requests);
	add_u64(ctl, "refused_non_root", cs.refused);
	add_u64(ctl, "busy", cs.busy);
	add_u64(ctl, "timeouts", cs.timeouts);
	add_u64(ctl, "errors", cs.errors);
	json_object_object_add(sec, "control", ctl);
	return 0;
}
