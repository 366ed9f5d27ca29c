/* ph_persist between real BPF hash maps (created here, no program) and a
 * temp directory: what a save keeps, what it garbage-collects, that an
 * unchanged profile is not rewritten, and that a load renumbers profiles
 * and moves a frozen profile's deadline to the new clock. Needs root (BPF
 * maps); without it the test says so and checks nothing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include <vigil/ph_events.h>

#include "check.h"
#include "ph/ph_file.h"
#include "ph/ph_persist.h"

static int problems;

static void on_problem(void *ctx, const char *file, int err, const char *problem)
{
	(void)ctx;
	problems++;
	fprintf(stderr, "problem: %s: %s (%d)\n", file, problem, err);
}

static int make_maps(int *profiles, int *items)
{
	*profiles = bpf_map_create(BPF_MAP_TYPE_HASH, "t_profiles", sizeof(struct ph_exe_key),
				   sizeof(struct ph_profile), 64, NULL);
	*items = bpf_map_create(BPF_MAP_TYPE_HASH, "t_items", sizeof(struct ph_item_key),
				sizeof(__u64), 1024, NULL);
	return *profiles < 0 || *items < 0 ? -errno : 0;
}

static void put_item(int fd, __u64 profile, __u32 gen, __u64 item, __u64 stamp)
{
	struct ph_item_key k = { .profile = (__u32)profile, .gen = gen, .item = item };

	CHECK_INT(bpf_map_update_elem(fd, &k, &stamp, BPF_ANY), 0);
}

static int has_item(int fd, __u64 profile, __u32 gen, __u64 item)
{
	struct ph_item_key k = { .profile = (__u32)profile, .gen = gen, .item = item };
	__u64 stamp;

	return bpf_map_lookup_elem(fd, &k, &stamp) == 0;
}

static size_t count_keys(int fd, size_t key_size)
{
	char key[64], next[64];
	void *prev = NULL;
	size_t n = 0;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		n++;
	}
	return n;
}

int main(void)
{
	char dir[] = "/tmp/vigil-phpersist-XXXXXX", state[128], cmd[160];
	struct ph_params params;
	struct ph_persist_opts o = { .params = &params, .max_profiles = 64, .report = on_problem };
	struct ph_exe_key key = { .dev = 254u << 20, .ino = 4242 };
	struct ph_persist_stats st;
	struct ph_profile prof, got;
	struct ph_persist *p;
	int pfd, ifd, pfd2, ifd2;
	__u64 next = 0;

	if (make_maps(&pfd, &ifd)) {
		printf("skipped: cannot create BPF maps (not root?)\n");
		return check_report();
	}
	ph_params_default(&params);
	if (!mkdtemp(dir))
		return 1;
	snprintf(state, sizeof(state), "%s/a/profiles", dir);
	o.dir = state;
	o.profiles_fd = pfd;
	o.items_fd = ifd;

	/* A tolerized profile: training generation 3 (2 items counted),
	 * test data = generation 2, stamps below 1. */
	ph_profile_init(&prof, 7);
	prof.train_gen = 3;
	prof.test_gen = 2;
	prof.adds = 2;
	prof.test_stamp = 1;
	prof.train_count = 500;
	prof.last_mod_count = 100;
	prof.status = PH_PROFILE_NORMAL;
	CHECK_INT(bpf_map_update_elem(pfd, &key, &prof, BPF_ANY), 0);
	put_item(ifd, 7, 1, 100, 0); /* generation 1: dead */
	put_item(ifd, 7, 2, 200, 0); /* test data */
	put_item(ifd, 7, 2, 201, 1); /* generation 2 beyond the test data: dead */
	put_item(ifd, 7, 3, 300, 0); /* training */
	put_item(ifd, 7, 3, 301, 1); /* training */
	put_item(ifd, 7, 3, 302, 2); /* learnt after the profile was read: not yet */
	put_item(ifd, 7, 4, 400, 0); /* a newer generation than the copy knows: kept */
	put_item(ifd, 8, 1, 500, 0); /* another profile's: untouched */

	CHECK_INT(ph_persist_new(&p, &o), 0);
	CHECK_INT(ph_persist_save(p, 1000), 0);
	ph_persist_stats(p, &st);
	CHECK_INT(st.written, 1);
	CHECK_INT(st.profiles_saved, 1);
	CHECK_INT(st.items_saved, 3);
	CHECK_INT(st.gc_items, 2);
	CHECK(!has_item(ifd, 7, 1, 100));
	CHECK(!has_item(ifd, 7, 2, 201));
	CHECK(has_item(ifd, 7, 2, 200) && has_item(ifd, 7, 3, 302) && has_item(ifd, 7, 4, 400));
	CHECK(has_item(ifd, 8, 1, 500));
	/* unchanged: not written again */
	CHECK_INT(ph_persist_save(p, 2000), 0);
	ph_persist_stats(p, &st);
	CHECK_INT(st.written, 1);
	CHECK(st.bytes_last > 0);
	/* a change is written */
	prof.calls = 99;
	prof.status = PH_PROFILE_FROZEN;
	prof.normal_time = 1000 + 500; /* 500 left at the clock of the save */
	CHECK_INT(bpf_map_update_elem(pfd, &key, &prof, BPF_ANY), 0);
	CHECK_INT(ph_persist_save(p, 1000), 0);
	ph_persist_stats(p, &st);
	CHECK_INT(st.written, 2);
	ph_persist_free(p);

	/* Load into fresh maps: renumbered from `next`, same contents. */
	CHECK_INT(make_maps(&pfd2, &ifd2), 0);
	o.profiles_fd = pfd2;
	o.items_fd = ifd2;
	next = 40;
	CHECK_INT(ph_persist_new(&p, &o), 0);
	CHECK_INT(ph_persist_load(p, &next, 777000), 0);
	ph_persist_stats(p, &st);
	CHECK_INT(st.loaded, 1);
	CHECK_INT(st.items_loaded, 3);
	CHECK_INT(next, 41);
	CHECK_INT(bpf_map_lookup_elem(pfd2, &key, &got), 0);
	CHECK_INT(got.id, 41);
	CHECK_INT(got.calls, 99);
	CHECK_INT(got.normal_time, 777000 + 500);
	CHECK_INT(count_keys(ifd2, sizeof(struct ph_item_key)), 3);
	CHECK(has_item(ifd2, 41, 2, 200) && has_item(ifd2, 41, 3, 300) &&
	      has_item(ifd2, 41, 3, 301));
	/* its deadline moved to the new clock: written again, once */
	CHECK_INT(ph_persist_save(p, 777001), 0);
	CHECK_INT(ph_persist_save(p, 777002), 0);
	ph_persist_stats(p, &st);
	CHECK_INT(st.written, 1);
	ph_persist_free(p);
	CHECK_INT(problems, 0);

	close(pfd);
	close(ifd);
	close(pfd2);
	close(ifd2);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_INT(system(cmd), 0);
	return check_report();
}
