/* vg_ph_census on real BPF maps (needs root, as the whole suite): a read
 * gives the counts as they are when it asks (a small map is counted within
 * the wait), follows inserts and deletes, and stop ends the thread. */
#include <stdint.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "check.h"
#include "ph/ph_census.h"

static void fill(int fd, uint32_t from, uint32_t to)
{
	for (uint32_t k = from; k < to; k++) {
		uint64_t v = k;

		CHECK_INT(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
	}
}

int main(void)
{
	int pfd = bpf_map_create(BPF_MAP_TYPE_HASH, "vg_test_cprof", 4, 8, 64, NULL);
	int ifd = bpf_map_create(BPF_MAP_TYPE_HASH, "vg_test_citem", 4, 8, 4096, NULL);
	struct vg_ph_census_map p = { pfd, 4, 8 }, i = { ifd, 4, 8 };
	struct vg_ph_census *c = NULL;
	uint64_t profiles = 99, items = 99;

	CHECK(pfd >= 0 && ifd >= 0);
	if (pfd < 0 || ifd < 0)
		return check_report();
	CHECK_INT(vg_ph_census_start(&c, &p, &i), 0);
	vg_ph_census_read(c, &profiles, &items);
	CHECK_INT(profiles, 0);
	CHECK_INT(items, 0);
	fill(pfd, 0, 3);
	fill(ifd, 0, 1000);
	vg_ph_census_read(c, &profiles, &items);
	CHECK_INT(profiles, 3);
	CHECK_INT(items, 1000);
	for (uint32_t k = 0; k < 400; k++)
		CHECK_INT(bpf_map_delete_elem(ifd, &k), 0);
	vg_ph_census_read(c, &profiles, &items);
	CHECK_INT(items, 600);
	/* the census keeps its own descriptors: closing ours changes nothing */
	close(pfd);
	close(ifd);
	vg_ph_census_read(c, &profiles, &items);
	CHECK_INT(profiles, 3);
	CHECK_INT(items, 600);
	vg_ph_census_stop(c);
	vg_ph_census_stop(NULL);
	vg_ph_census_read(NULL, &profiles, &items);
	CHECK_INT(items, 0);
	return check_report();
}
