/* pH's control commands: reads and admin actions on the kernel's maps. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "ph/ph_admin.h"
#include "ph/ph_buildid.h"
#include "ph/ph_converge.h"
#include "ph/ph_exchange.h"
#include "ph/ph_model.h"
#include "ph/ph_paths.h"
#include "ph/ph_task_state.h"
#include "util/map_walk.h"
#include <vigil/ph_events.h>


#define ITEMS_SCAN_MAX (1u << 24) /* keys walked per request, at most */
/* normalize refuses a profile with fewer training items (force-normalize) */
#define VG_PH_NORMALIZE_MIN_ITEMS 16u

struct vg_ph_admin {
	struct vg_ph_kernel *k;
	struct vg_ph_kernel_maps maps;
	struct vg_ph_paths *paths;
	int tasks_ok; /* the task map's value has the layout above */
	int64_t boot_to_wall_ns;
};

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

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
	a->boot_to_wall_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);
	vg_ph_kernel_maps(k, &a->maps);
	memset(&info, 0, sizeof(info));
	a->tasks_ok = !bpf_obj_get_info_by_fd(a->maps.tasks, &info, &len) &&
		      info.value_size == sizeof(struct ph_task_state);
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

static const char *state_name(uint32_t status)
{
	if (status & PH_PROFILE_NORMAL)
		return "normal";
	if (status & PH_PROFILE_FROZEN)
		return "frozen";
	return "training";
}

static void add_u64(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

static void add_time(struct json_object *o, const char *k, uint64_t wall_ns)
{
	char buf[64];
	time_t s = (time_t)(wall_ns / 1000000000ull);
	struct tm tm;

	if (!wall_ns || !gmtime_r(&s, &tm)) {
		json_object_object_add(o, k, NULL);
		return;
	}
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	add_str(o, k, buf);
}

struct item_counts {
	uint64_t *counts; /* per profile number, below n (may be NULL) */
	uint64_t n;
	long long total;
};

static int count_one(const void *key, const void *value, void *ctx)
{
	const struct ph_item_key *k = key;
	struct item_counts *c = ctx;

	(void)value;
	if (c->counts && k->profile < c->n)
		c->counts[k->profile]++;
	c->total++;
	return 0;
}

/* Items per profile number: one walk of the items map. counts[id] for
 * ids below n (counts may be NULL); returns the total. */
static long long count_items(struct vg_ph_admin *a, uint64_t *counts, uint64_t n)
{
	struct item_counts c = { counts, n, 0 };

	vg_map_walk(a->maps.items, sizeof(struct ph_item_key), sizeof(__u64), ITEMS_SCAN_MAX,
		    count_one, &c);
	return c.total;
}

/* Bytes a profile takes: its map entry plus its items (key + stamp). The
 * kernel's own per-element overhead is in `vigil status` (map memlock). */
static uint64_t profile_bytes(uint64_t items)
{
	return sizeof(struct ph_exe_key) + sizeof(struct ph_profile) +
	       items * (sizeof(struct ph_item_key) + sizeof(__u64));
}

/* How far a training profile is from freezing. It freezes once the calls
 * since its last change exceed (1 - den/factor) of its training calls (75%)
 * and it has min_train calls: with n calls before the last change, after
 * max(factor/den * n, min_train) training calls if nothing new comes. */
/* The rate of new sequences per 1000 training calls over the last minutes
 * and, when they are rare enough for the freeze, the expected seconds to
 * normal (ph_converge.h); null while no sample is old enough. */
static void add_convergence(struct vg_ph_admin *a, struct json_object *o,
			    const struct ph_profile *p, uint64_t gap, uint64_t calls_to_freeze,
			    uint64_t normal_wait_s)
{
	struct vg_ph_sample then, now = { (uint64_t)clock_ns(CLOCK_MONOTONIC), p->train_count,
					  p->adds };
	struct vg_ph_convergence cv = { 0 };

	if (vg_ph_kernel_converge_sample(a->k, p, &then))
		vg_ph_converge_estimate(&then, &now, gap, calls_to_freeze, normal_wait_s, &cv);
	if (!cv.known) {
		json_object_object_add(o, "new_per_kcalls", NULL);
		json_object_object_add(o, "expected_normal_s", NULL);
		return;
	}
	json_object_object_add(o, "new_per_kcalls",
			       json_object_new_double((double)cv.new_per_kcalls_x100 / 100.0));
	add_u64(o, "train_calls_per_s", cv.calls_per_s);
	json_object_object_add(o, "converging", json_object_new_boolean(cv.converging));
	if (cv.converging)
		add_u64(o, "expected_normal_s", cv.expected_normal_s);
	else
		json_object_object_add(o, "expected_normal_s", NULL);
}

static void add_progress(struct vg_ph_admin *a, struct json_object *o, const struct ph_profile *p)
{
	const struct ph_params *prm = vg_ph_kernel_params(a->k);
	uint64_t n = p->train_count - p->last_mod_count, need, pct;

	if (!prm || (p->status & (PH_PROFILE_FROZEN | PH_PROFILE_NORMAL)) ||
	    !prm->normal_factor_den) {
		json_object_object_add(o, "progress_pct", NULL);
		json_object_object_add(o, "calls_to_freeze", NULL);
		json_object_object_add(o, "new_per_kcalls", NULL);
		json_object_object_add(o, "expected_normal_s", NULL);
		return;
	}
	need = n * prm->normal_factor / prm->normal_factor_den + 1;
	if (need < prm->min_train)
		need = prm->min_train;
	pct = need ? p->train_count * 100 / need : 100;
	add_u64(o, "progress_pct", pct > 99 ? 99 : pct);
	add_u64(o, "calls_to_freeze", need > p->train_count ? need - p->train_count : 0);
	add_convergence(a, o, p, need > n ? need - n : 1,
			need > p->train_count ? need - p->train_count : 0,
			prm->normal_wait / 1000000000ull);
}

static struct json_object *profile_json(struct vg_ph_admin *a, const struct ph_exe_key *key,
					const struct ph_profile *p, long long items)
{
	struct json_object *o = json_object_new_object();
	uint64_t last = 0;
	const char *path = vg_ph_paths_get(a->paths, key->dev, key->ino, &last);
	char bid[2 * VG_PH_BUILD_ID_MAX + 1];

	if (!o)
		return NULL;
	add_str(o, "exe", path);
	add_u64(o, "dev", key->dev);
	add_u64(o, "ino", key->ino);
	/* what the executable is: copies with the same build-id share a profile */
	vg_ph_kernel_build_id(a->k, key->dev, key->ino, bid, sizeof(bid));
	add_str(o, "build_id", bid[0] ? bid : NULL);
	add_u64(o, "id", p->id);
	add_str(o, "state", state_name(p->status));
	add_u64(o, "calls", p->calls);
	add_u64(o, "train_count", p->train_count);
	add_u64(o, "last_mod_count", p->last_mod_count);
	add_u64(o, "adds", p->adds);
	add_u64(o, "train_gen", p->train_gen);
	add_u64(o, "test_gen", p->test_gen);
	add_u64(o, "test_items", p->test_stamp);
	add_u64(o, "anomalies", p->anomalies);
	add_u64(o, "store_errors", p->store_errors);
	add_u64(o, "held_items", p->held);
	if (items >= 0) {
		add_u64(o, "items", (uint64_t)items);
		add_u64(o, "bytes", profile_bytes((uint64_t)items));
	}
	add_time(o, "last_anomaly", last);
	add_progress(a, o, p);
	/* a frozen profile becomes normal at normal_time (the model's clock) */
	if ((p->status & PH_PROFILE_FROZEN) && !(p->status & PH_PROFILE_NORMAL) &&
	    p->normal_time != ~0ull) {
		__u64 now = vg_ph_kernel_model_now(a->k);
		uint64_t wall = (uint64_t)clock_ns(CLOCK_REALTIME);

		add_time(o, "normal_at", p->normal_time > now ? wall + (p->normal_time - now) : wall);
	} else {
		json_object_object_add(o, "normal_at", NULL);
	}
	return o;
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
	count_items(a, counts, n);
	vg_ph_paths_scan_proc(a->paths, "/proc");
	prev = NULL;
	while (!bpf_map_get_next_key(a->maps.profiles, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(a->maps.profiles, &key, &p))
			continue; /* deleted meanwhile */
		json_object_array_add(list,
				      profile_json(a, &key, &p, p.id < n ? (long long)counts[p.id] : 0));
	}
	free(counts);
	(void)args;
	(void)err;
	(void)errlen;
	*result = list;
	return 0;
}

/* ---- ps ---- */

static int task_state_of(struct vg_ph_admin *a, int pid, struct ph_task_state *st)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int ret;

	if (pidfd < 0)
		return -errno;
	ret = bpf_map_lookup_elem(a->maps.tasks, &pidfd, st) ? -errno : 0;
	close(pidfd);
	return ret;
}

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
		if (pid <= 0 || task_state_of(a, pid, &st))
			continue; /* not followed by the model (or gone) */
		o = json_object_new_object();
		if (!o)
			break;
		read_comm(pid, comm, sizeof(comm));
		json_object_object_add(o, "pid", json_object_new_int(pid));
		add_str(o, "comm", comm);
		add_str(o, "exe", vg_ph_paths_get(a->paths, st.exe.dev, st.exe.ino, NULL));
		add_u64(o, "dev", st.exe.dev);
		add_u64(o, "ino", st.exe.ino);
		if (st.exe.ino && !bpf_map_lookup_elem(a->maps.profiles, &st.exe, &p)) {
			add_str(o, "state", state_name(p.status));
			add_u64(o, "train_count", p.train_count);
		} else {
			add_str(o, "state", NULL);
			add_u64(o, "train_count", 0);
		}
		add_u64(o, "calls", st.t.calls);
		add_u64(o, "lfc", st.t.lfc);
		add_u64(o, "lfc_max", st.t.lfc_max);
		add_u64(o, "anomalies", st.t.anomalies);
		json_object_array_add(list, o);
	}
	closedir(d);
	*result = list;
	return 0;
}

/* ---- profile show / admin actions ---- */

/* The profile key of an "exe" path or a "pid" argument. */
static int resolve_key(struct vg_ph_admin *a, struct json_object *args, struct ph_exe_key *key,
		       char *err, size_t errlen)
{
	struct json_object *v;
	struct ph_task_state st;
	struct stat sb;
	char exe[64];
	int64_t pid;

	memset(key, 0, sizeof(*key));
	if (json_object_object_get_ex(args, "id", &v)) {
		/* "MAJOR:MINOR:INODE", as alerts print it (ph.exe_id) */
		unsigned long long maj, min, ino;
		char tail;

		if (!json_object_is_type(v, json_type_string) ||
		    sscanf(json_object_get_string(v), "%llu:%llu:%llu%c", &maj, &min, &ino, &tail) != 3 ||
		    maj > 0xfff || min > 0xfffff) {
			snprintf(err, errlen, "\"id\" must be MAJOR:MINOR:INODE (ph.exe_id of an alert)");
			return -EINVAL;
		}
		key->dev = (maj << 20) | min;
		key->ino = ino;
		return 0;
	}
	if (json_object_object_get_ex(args, "pid", &v)) {
		pid = json_object_get_int64(v);
		if (!json_object_is_type(v, json_type_int) || pid <= 0 || pid > 0x3fffffff) {
			snprintf(err, errlen, "\"pid\" must be a process id");
			return -EINVAL;
		}
		/* the profile the model really uses for it, else its exe now */
		if (a->tasks_ok && !task_state_of(a, (int)pid, &st) && st.exe.ino) {
			*key = st.exe;
			return 0;
		}
		snprintf(exe, sizeof(exe), "/proc/%lld/exe", (long long)pid);
		if (stat(exe, &sb)) {
			snprintf(err, errlen, "no process %lld (or no executable): %s",
				 (long long)pid, strerror(errno));
			return -ESRCH;
		}
	} else if (json_object_object_get_ex(args, "exe", &v) &&
		   json_object_is_type(v, json_type_string)) {
		if (json_object_get_string(v)[0] != '/') {
			snprintf(err, errlen, "\"exe\" must be an absolute path");
			return -EINVAL;
		}
		if (stat(json_object_get_string(v), &sb)) {
			snprintf(err, errlen, "%.200s: %s", json_object_get_string(v),
				 strerror(errno));
			return -errno;
		}
		vg_ph_paths_set(a->paths, vg_kernel_dev(sb.st_dev), sb.st_ino,
				json_object_get_string(v),
				(size_t)json_object_get_string_len(v));
	} else {
		snprintf(err, errlen, "name the profile with \"exe\" (a path) or \"pid\"");
		return -EINVAL;
	}
	key->dev = vg_kernel_dev(sb.st_dev);
	key->ino = sb.st_ino;
	return 0;
}

struct dead_items {
	const struct ph_profile *p;
	struct ph_item_key *keys;
	size_t n, cap;
};

static int collect_dead(const void *key, const void *value, void *ctx)
{
	const struct ph_item_key *k = key;
	struct dead_items *d = ctx;

	(void)value;
	if (k->profile != d->p->id || k->gen == d->p->train_gen || k->gen == d->p->test_gen)
		return 0;
	if (d->n == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 1024;
		struct ph_item_key *nk = realloc(d->keys, ncap * sizeof(*nk));

		if (!nk)
			return -ENOMEM; /* delete what was collected */
		d->keys = nk;
		d->cap = ncap;
	}
	d->keys[d->n++] = *k;
	return 0;
}

/* Deletes the items of profile `id` in generations other than the two it
 * still uses (after reset / sensitize). Returns how many went. */
static uint64_t drop_dead_items(struct vg_ph_admin *a, const struct ph_profile *p)
{
	struct dead_items d = { p, NULL, 0, 0 };
	uint64_t gone = 0;

	/* collect first: deleting while walking restarts the walk */
	vg_map_walk(a->maps.items, sizeof(struct ph_item_key), sizeof(__u64), ITEMS_SCAN_MAX,
		    collect_dead, &d);
	for (size_t i = 0; i < d.n; i++)
		if (!bpf_map_delete_elem(a->maps.items, &d.keys[i]))
			gone++;
	free(d.keys);
	return gone;
}

struct held_items {
	const struct ph_profile *p;
	struct ph_item_key *keys;
	size_t n, cap;
};

static int collect_held(const void *key, const void *value, void *ctx)
{
	const struct ph_item_key *k = key;
	struct held_items *h = ctx;

	(void)value;
	if (k->profile != (__u32)h->p->id || k->gen != (h->p->train_gen | PH_GEN_HELD))
		return 0;
	if (h->n == h->cap) {
		size_t ncap = h->cap ? h->cap * 2 : 256;
		struct ph_item_key *nk = realloc(h->keys, ncap * sizeof(*nk));

		if (!nk)
			return -ENOMEM; /* accept what was collected */
		h->keys = nk;
		h->cap = ncap;
	}
	h->keys[h->n++] = *k;
	return 0;
}

/* accept: what the profile held back (misses in normal mode) joins its
 * training data, and the test data of a normal profile. */
static uint64_t accept_held(struct vg_ph_admin *a, struct ph_profile *p)
{
	struct held_items h = { p, NULL, 0, 0 };
	uint64_t added = 0;

	vg_map_walk(a->maps.items, sizeof(struct ph_item_key), sizeof(__u64), ITEMS_SCAN_MAX,
		    collect_held, &h);
	for (size_t i = 0; i < h.n; i++) {
		struct ph_item_key k = h.keys[i];
		__u64 stamp = p->adds;

		k.gen = p->train_gen;
		if (!bpf_map_update_elem(a->maps.items, &k, &stamp, BPF_NOEXIST)) {
			p->adds++;
			added++;
		}
		bpf_map_delete_elem(a->maps.items, &h.keys[i]);
	}
	free(h.keys);
	p->held = 0;
	if ((p->status & PH_PROFILE_NORMAL) && p->test_gen == p->train_gen)
		p->test_stamp = p->adds;
	return added;
}

/* The admin actions of pH, applied to a copy of the profile. */
static int apply_action(const char *action, struct ph_profile *p)
{
	uint32_t gen = (p->train_gen > p->test_gen ? p->train_gen : p->test_gen) + 1;

	if (!strcmp(action, "normalize")) {
		/* the training data becomes the test data, normal from now */
		ph_profile_start_normal(p);
	} else if (!strcmp(action, "sensitize")) {
		/* forget this training period; normal mode and its test data stay */
		p->train_gen = gen;
		p->train_count = 0;
		p->last_mod_count = 0;
		p->adds = 0;
		p->held = 0; /* the old generation's held items are deleted */
		p->status &= ~PH_PROFILE_FROZEN;
	} else if (!strcmp(action, "tolerize")) {
		/* stop normal mode, keep learning from what is known */
		p->status &= ~(PH_PROFILE_NORMAL | PH_PROFILE_FROZEN);
		p->anomalies = 0;
		p->normal_time = 0;
		/* learning again, counted from now: its calls in normal mode
		 * all counted as "nothing new" (misses are held back, not
		 * learnt), so it would freeze at once, before learning anything */
		p->train_count = 0;
		p->last_mod_count = 0;
	} else if (!strcmp(action, "reset")) {
		/* start over: empty training data, no test data */
		uint64_t id = p->id, calls = p->calls;

		ph_profile_init(p, id);
		p->train_gen = gen;
		p->calls = calls;
	} else {
		return -EINVAL;
	}
	return 0;
}

/* export / import / merge with a profile file (src/ph/ph_exchange.c). */
static int exchange(struct vg_ph_admin *a, const char *action, struct json_object *args,
		    struct json_object **result, char *err, size_t errlen)
{
	struct vg_ph_exchange x = { a->maps.profiles, a->maps.items, vg_ph_kernel_params(a->k),
				    vg_ph_kernel_model_now(a->k) };
	struct json_object *v, *o;
	struct ph_exe_key key;
	struct ph_profile p;
	const char *file;
	long n;
	int ret;

	if (!json_object_object_get_ex(args, "file", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		snprintf(err, errlen, "%s needs \"file\" (an absolute path)", action);
		return -EINVAL;
	}
	file = json_object_get_string(v);
	ret = resolve_key(a, args, &key, err, errlen);
	if (ret)
		return ret;
	if (!strcmp(action, "export"))
		n = vg_ph_export(&x, &key, vg_ph_paths_get(a->paths, key.dev, key.ino, NULL), file,
				 err, errlen);
	else
		n = vg_ph_import(&x, &key, file, !strcmp(action, "merge"), err, errlen);
	if (n < 0)
		return (int)n;
	if (bpf_map_lookup_elem(a->maps.profiles, &key, &p)) {
		snprintf(err, errlen, "the profile went away");
		return -ENOENT;
	}
	if (strcmp(action, "export")) {
		vg_ph_kernel_profiles_changed(a->k);
		drop_dead_items(a, &p); /* the generations the import replaced */
	}
	o = profile_json(a, &key, &p, -1);
	if (!o)
		return -ENOMEM;
	add_str(o, "action", action);
	add_str(o, "file", file);
	add_u64(o, !strcmp(action, "export") ? "items_written" : "items_added", (uint64_t)n);
	*result = o;
	return 0;
}

static int cmd_profile(void *ctx, struct json_object *args, struct json_object **result,
		       char *err, size_t errlen)
{
	struct vg_ph_admin *a = ctx;
	struct json_object *v, *o;
	struct ph_exe_key key;
	struct ph_profile p;
	const char *action = "show";
	uint64_t *counts, n, dropped = 0, accepted = 0;
	int ret, force = 0;

	if (json_object_object_get_ex(args, "action", &v)) {
		if (!json_object_is_type(v, json_type_string)) {
			snprintf(err, errlen, "\"action\" must be a string");
			return -EINVAL;
		}
		action = json_object_get_string(v);
	}
	if (!strcmp(action, "force-normalize")) {
		action = "normalize";
		force = 1;
	}
	if (!strcmp(action, "export") || !strcmp(action, "import") || !strcmp(action, "merge"))
		return exchange(a, action, args, result, err, errlen);
	if (strcmp(action, "show") && strcmp(action, "normalize") && strcmp(action, "sensitize") &&
	    strcmp(action, "tolerize") && strcmp(action, "reset") && strcmp(action, "accept")) {
		snprintf(err, errlen,
			 "unknown action '%.40s' (show, normalize, force-normalize, sensitize, "
			 "tolerize, reset, accept, export, import, merge)",
			 action);
		return -EINVAL;
	}
	ret = resolve_key(a, args, &key, err, errlen);
	if (ret)
		return ret;
	if (bpf_map_lookup_elem(a->maps.profiles, &key, &p)) {
		snprintf(err, errlen, "no pH profile for that executable (dev %llu inode %llu): "
				      "the model has not seen it run",
			 (unsigned long long)key.dev, (unsigned long long)key.ino);
		return -ENOENT;
	}
	/* normal with (nearly) no training data: every call of the program
	 * would be an anomaly (after sensitize, a reset or a burst) */
	if (!strcmp(action, "normalize") && !force && p.adds < VG_PH_NORMALIZE_MIN_ITEMS) {
		snprintf(err, errlen,
			 "refusing to normalize: the training data holds %llu items (fewer than %u; "
			 "after sensitize, reset or a burst it starts empty), so every call would be "
			 "an anomaly; let it train, or use force-normalize",
			 (unsigned long long)p.adds, VG_PH_NORMALIZE_MIN_ITEMS);
		return -EINVAL;
	}
	if (!strcmp(action, "accept"))
		accepted = accept_held(a, &p); /* items first, then the profile */
	if (strcmp(action, "show")) {
		if (strcmp(action, "accept"))
			apply_action(action, &p);
		/* replaces the whole value; see docs/control.md for the race */
		if (bpf_map_update_elem(a->maps.profiles, &key, &p, BPF_EXIST)) {
			snprintf(err, errlen, "updating the profile failed: %s", strerror(errno));
			return -errno;
		}
		vg_ph_kernel_profiles_changed(a->k);
		if (!strcmp(action, "reset") || !strcmp(action, "sensitize"))
			dropped = drop_dead_items(a, &p);
		if (!strcmp(action, "reset")) /* starting over: no anomaly yet */
			vg_ph_paths_anomaly(a->paths, key.dev, key.ino, 0);
	}
	n = p.id + 1;
	counts = n <= (1u << 24) ? calloc(n, sizeof(*counts)) : NULL;
	if (counts)
		count_items(a, counts, n);
	o = profile_json(a, &key, &p, counts ? (long long)counts[p.id] : -1);
	free(counts);
	if (!o)
		return -ENOMEM;
	add_str(o, "action", action);
	if (dropped)
		add_u64(o, "items_dropped", dropped);
	if (!strcmp(action, "accept"))
		add_u64(o, "items_accepted", accepted);
	*result = o;
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
	items = (uint64_t)count_items(a, NULL, 0);
	vg_ph_kernel_stats(a->k, &ks);
	mem_items = map_memlock(a->maps.items);
	mem_prof = map_memlock(a->maps.profiles);
	st = json_object_new_object();
	if (!st)
		return -ENOMEM;
	add_u64(st, "training", by_state[0]);
	add_u64(st, "frozen", by_state[1]);
	add_u64(st, "normal", by_state[2]);
	json_object_object_add(sec, "profiles_by_state", st);
	add_u64(sec, "profiles", nprof);
	add_u64(sec, "items", items);
	/* what the profiles hold: entries and items at their payload size */
	add_u64(sec, "profile_bytes_avg",
		nprof ? (nprof * profile_bytes(0) +
			 items * (sizeof(struct ph_item_key) + sizeof(__u64))) / nprof
		      : 0);
	/* what the kernel charges: the items map grows with items (not
	 * preallocated); the profile map is preallocated to its limit */
	add_u64(sec, "items_map_bytes", mem_items);
	add_u64(sec, "profiles_map_bytes", mem_prof);
	/* the items map's charge shared out, plus one profile map slot */
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(a->maps.profiles, &info, &len) || !info.max_entries)
		info.max_entries = 1;
	add_u64(sec, "kernel_bytes_per_profile",
		nprof ? mem_items / nprof + mem_prof / info.max_entries : 0);
	vg_ph_kernel_incident_stats(a->k, &is);
	add_u64(sec, "incidents", is.incidents);
	add_u64(sec, "incidents_out_of_scope", is.out_of_scope);
	add_u64(sec, "alerts", ks.alerts);
	add_u64(sec, "alert_drops", ks.drops);
	add_u64(sec, "malformed", ks.malformed);
	add_u64(sec, "model_errors", ks.model_errors);
	add_u64(sec, "profile_errors", ks.profile_errors);
	return 0;
}

int vg_ph_admin_register(struct vg_ph_admin *a, struct vg_ctl_registry *reg)
{
	int ret = vg_ctl_register(reg, "ps", cmd_ps, a);

	if (!ret)
		ret = vg_ctl_register(reg, "profiles", cmd_profiles, a);
	if (!ret)
		ret = vg_ctl_register(reg, "profile", cmd_profile, a);
	if (!ret)
		ret = vg_ctl_add_status(reg, "ph", status_section, a);
	return ret;
}
