/* pH's control command "profile": show a profile, and the admin actions
 * on it (normalize, sensitize, tolerize, reset, accept, export, import,
 * merge); see docs/control.md for the races they accept. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bpf/bpf.h>

#include "ph/ph_admin_actions.h"
#include "ph/ph_admin_view.h"
#include "ph/ph_exchange.h"
#include "util/map_walk.h"

/* normalize refuses a profile with fewer training items (force-normalize) */
#define VG_PH_NORMALIZE_MIN_ITEMS 16u

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
		if (a->tasks_ok && !vg_pha_task_state_of(a, (int)pid, &st) && st.exe.ino) {
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
	struct vg_ph_exchange x = { a->maps.profiles, a->maps.items, vg_ph_kernel_params(a->k, NULL),
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
	o = vg_pha_profile_json(a, &key, &p, -1);
	if (!o)
		return -ENOMEM;
	vg_pha_add_str(o, "action", action);
	vg_pha_add_str(o, "file", file);
	vg_pha_add_u64(o, !strcmp(action, "export") ? "items_written" : "items_added", (uint64_t)n);
	*result = o;
	return 0;
}

int vg_ph_admin_cmd_profile(void *ctx, struct json_object *args, struct json_object **result,
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
		vg_pha_count_items(a, counts, n);
	o = vg_pha_profile_json(a, &key, &p, counts ? (long long)counts[p.id] : -1);
	free(counts);
	if (!o)
		return -ENOMEM;
	vg_pha_add_str(o, "action", action);
	if (dropped)
		vg_pha_add_u64(o, "items_dropped", dropped);
	if (!strcmp(action, "accept"))
		vg_pha_add_u64(o, "items_accepted", accepted);
	*result = o;
	return 0;
}
