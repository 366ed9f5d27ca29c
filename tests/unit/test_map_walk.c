/* vg_map_walk on real BPF maps (needs root, as the whole suite): every entry
 * exactly once, with its value, through the batch reads and through the
 * key-by-key fallback; limits and early stops. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "check.h"
#include "util/map_walk.h"

#define N 50000u

struct tally {
	unsigned char *seen; /* per key */
	size_t calls, bad_values, stop_after;
};

static int on_entry(const void *key, const void *value, void *ctx)
{
	struct tally *t = ctx;
	uint32_t k;
	uint64_t v;

	memcpy(&k, key, sizeof(k));
	memcpy(&v, value, sizeof(v));
	if (k < N)
		t->seen[k]++;
	if (v != (uint64_t)k * 3 + 1)
		t->bad_values++;
	t->calls++;
	return t->stop_after && t->calls == t->stop_after ? 42 : 0;
}

static void test_hash_batch(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "vg_test_walk", 4, 8, N, NULL);
	struct tally t = { 0 };
	size_t once = 0;

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	for (uint32_t k = 0; k < N; k++) {
		uint64_t v = (uint64_t)k * 3 + 1;

		bpf_map_update_elem(fd, &k, &v, BPF_ANY);
	}
	t.seen = calloc(N, 1);
	CHECK_INT(vg_map_walk(fd, 4, 8, 0, on_entry, &t), 0);
	for (uint32_t k = 0; k < N; k++)
		once += t.seen[k] == 1;
	CHECK_INT(once, N);
	CHECK_INT(t.calls, N);
	CHECK_INT(t.bad_values, 0);

	/* a limit: no more than `max` calls */
	memset(t.seen, 0, N);
	t.calls = 0;
	CHECK_INT(vg_map_walk(fd, 4, 8, 1500, on_entry, &t), 0);
	CHECK_INT(t.calls, 1500);

	/* the callback stops the walk and its value comes back */
	t.calls = 0;
	t.stop_after = 7;
	CHECK_INT(vg_map_walk(fd, 4, 8, 0, on_entry, &t), 42);
	CHECK_INT(t.calls, 7);
	free(t.seen);
	close(fd);
}

static void test_empty(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "vg_test_empty", 4, 8, 16, NULL);
	struct tally t = { 0 };

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	t.seen = calloc(N, 1);
	CHECK_INT(vg_map_walk(fd, 4, 8, 0, on_entry, &t), 0);
	CHECK_INT(t.calls, 0);
	free(t.seen);
	close(fd);
}

/* The key-by-key walk that kernels without batch reads get. */
static void test_by_key(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "vg_test_bykey", 4, 8, 1000, NULL);
	struct tally t = { 0 };
	size_t once = 0;

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	for (uint32_t k = 0; k < 1000; k++) {
		uint64_t v = (uint64_t)k * 3 + 1;

		CHECK_INT(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
	}
	t.seen = calloc(N, 1);
	CHECK_INT(vg_map_walk_by_key(fd, 4, 8, 0, on_entry, &t), 0);
	for (uint32_t k = 0; k < 1000; k++)
		once += t.seen[k] == 1;
	CHECK_INT(once, 1000);
	CHECK_INT(t.bad_values, 0);
	t.calls = 0;
	CHECK_INT(vg_map_walk_by_key(fd, 4, 8, 10, on_entry, &t), 0);
	CHECK_INT(t.calls, 10);
	t.calls = 0;
	t.stop_after = 3;
	CHECK_INT(vg_map_walk_by_key(fd, 4, 8, 0, on_entry, &t), 42);
	CHECK_INT(t.calls, 3);
	free(t.seen);
	close(fd);
}

int main(void)
{
	test_hash_batch();
	test_empty();
	test_by_key();
	return check_report();
}
