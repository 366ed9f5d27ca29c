/* Reading every entry of a BPF hash map from user space, quickly.
 *
 * The plain way, bpf_map_get_next_key() then bpf_map_lookup_elem(), costs two
 * system calls per entry: a million pH items took about half a second, spent
 * inside the monitor's poll loop. The batch interface fetches thousands of
 * entries per call. Kernels or map types without it fall back to the plain
 * walk, so callers need not care. */
#ifndef VIGIL_UTIL_MAP_WALK_H
#define VIGIL_UTIL_MAP_WALK_H

#include <stddef.h>
#include <stdint.h>

/* Called for each entry; return non-zero to stop the walk (that value is
 * returned by vg_map_walk). */
typedef int (*vg_map_walk_fn)(const void *key, const void *value, void *ctx);

/* Calls fn for each entry of the map `fd` (keys of key_size bytes, values of
 * value_size bytes), at most `max` entries (0: no limit). The map may change
 * meanwhile: an entry added or deleted during the walk may or may not be
 * seen, as with any walk of a live map. Returns 0 when done, fn's non-zero
 * value when it stopped the walk, or a negative errno. */
int vg_map_walk(int fd, size_t key_size, size_t value_size, size_t max, vg_map_walk_fn fn,
		void *ctx);

/* The same walk, key by key: what vg_map_walk falls back to (public so that
 * the fallback is tested on this kernel, which has batch reads). */
int vg_map_walk_by_key(int fd, size_t key_size, size_t value_size, size_t max,
		       vg_map_walk_fn fn, void *ctx);

/* Sums, over every possible CPU, the `nvals` 64-bit counters that each
 * CPU's value of the per-CPU map `fd` holds at `key`, into sums[0..nvals-1]
 * (added to what is there). Returns 0 or a negative errno. */
int vg_percpu_sum(int fd, const void *key, size_t nvals, uint64_t *sums);

#endif
