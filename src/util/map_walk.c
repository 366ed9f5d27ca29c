/* Batch reads of a BPF map, with the key-by-key walk as fallback. */
#include "util/map_walk.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define CHUNK_FIRST 1024u
#define CHUNK_MAX (1u << 20)
/* the kernel's own "not supported" (ENOTSUPP), which libc does not name */
#define KERNEL_ENOTSUPP 524

/* Two system calls per entry: for kernels or maps without batch reads. */
int vg_map_walk_by_key(int fd, size_t key_size, size_t value_size, size_t max,
		       vg_map_walk_fn fn, void *ctx)
{
	unsigned char *buf = malloc(2 * key_size + value_size);
	unsigned char *key, *next, *value;
	void *prev = NULL;
	size_t n = 0;
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	key = buf;
	next = buf + key_size;
	value = buf + 2 * key_size;
	while ((!max || n < max) && !bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, value))
			continue; /* deleted meanwhile */
		n++;
		ret = fn(key, value, ctx);
		if (ret)
			break;
	}
	free(buf);
	return ret;
}

int vg_map_walk(int fd, size_t key_size, size_t value_size, size_t max, vg_map_walk_fn fn,
		void *ctx)
{
	/* the kernel's resume token: a bucket number for hash maps, a key for
	 * others; big enough for either */
	size_t token_size = key_size > 8 ? key_size : 8;
	unsigned char *in = calloc(2, token_size), *out;
	unsigned char *keys = NULL, *values = NULL;
	unsigned chunk = CHUNK_FIRST;
	size_t seen = 0;
	int first = 1, ret = 0;

	if (!in)
		return -ENOMEM;
	out = in + token_size;
	for (;;) {
		__u32 count = chunk;
		int err;

		if (!keys) {
			keys = malloc((size_t)chunk * key_size);
			values = malloc((size_t)chunk * value_size);
			if (!keys || !values) {
				ret = -ENOMEM;
				break;
			}
		}
		err = bpf_map_lookup_batch(fd, first ? NULL : in, out, keys, values, &count, NULL);
		err = err ? -errno : 0;
		if (err && err != -ENOENT) {
			if (err == -ENOSPC && chunk < CHUNK_MAX) {
				/* a bucket holds more entries than the chunk: the
				 * kernel did not move on, retry the same place bigger */
				chunk *= 2;
				free(keys);
				free(values);
				keys = values = NULL;
				continue;
			}
			if (first && (err == -EINVAL || err == -KERNEL_ENOTSUPP || err == -EOPNOTSUPP ||
				      err == -ENOSPC)) {
				free(keys);
				free(values);
				free(in);
				return vg_map_walk_by_key(fd, key_size, value_size, max, fn, ctx);
			}
			ret = err;
			break;
		}
		for (__u32 i = 0; i < count && !ret; i++) {
			if (max && seen >= max)
				break;
			seen++;
			ret = fn(keys + (size_t)i * key_size, values + (size_t)i * value_size, ctx);
		}
		if (ret || err == -ENOENT || (max && seen >= max))
			break;
		memcpy(in, out, token_size);
		first = 0;
	}
	free(keys);
	free(values);
	free(in);
	return ret;
}

int vg_percpu_sum(int fd, const void *key, size_t nvals, uint64_t *sums)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *per;
	int ret;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	per = calloc((size_t)ncpu * nvals, sizeof(*per));
	if (!per)
		return -ENOMEM;
	ret = bpf_map_lookup_elem(fd, key, per) ? -errno : 0;
	for (int c = 0; !ret && c < ncpu; c++)
		for (size_t i = 0; i < nvals; i++)
			sums[i] += per[(size_t)c * nvals + i];
	free(per);
	return ret;
}
