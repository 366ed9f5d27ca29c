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

typedef int (*walker)(int fd, size_t key_size, size_t value_size, size_t max, vg_map_walk_fn fn,
		      void *ctx);

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

/* A hash map of n entries (key k, value 3k + 1) walked by `walk`: all of
 * them once, then a limit, then a callback that stops the walk. */
static void check_walker(walker walk, uint32_t n)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "vg_test_walk", 4, 8, n, NULL);
	struct tally t = { 0 };
	size_t once = 0;

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	for (uint32_t k = 0; k < n; k++) {
		uint64_t v = (uint64_t)k * 3 + 1;

		CHECK_INT(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
	}
	t.seen = calloc(N, 1);
	CHECK_INT(walk(fd, 4, 8, 0, on_entry, &t), 0);
	for (uint32_t k = 0; k < n; k++)
		once += t.seen[k] == 1;
	CHECK_INT(once, n);
	CHECK_INT(t.calls, n);
	CHECK_INT(t.bad_values, 0);

	t.calls = 0;
	CHECK_INT(walk(fd, 4, 8, 10, on_entry, &t), 0);
	CHECK_INT(t.calls, 10);

	t.calls = 0;
	t.stop_after = 7;
	CHECK_INT(walk(fd, 4, 8, 0, on_entry, &t), 42);
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

int main(void)
{
	check_walker(vg_map_walk, N);		/* many batches */
	check_walker(vg_map_walk_by_key, 1000); /* the fallback kernels without batches get */
	test_empty();
	return check_report();
}
