/* The kernel sensor seen from user space: load, attach, read, detach. */
#ifndef VIGIL_SENSOR_SENSOR_H
#define VIGIL_SENSOR_SENSOR_H

#include <stdbool.h>
#include <stdint.h>

#include "sensor/event.h"

struct vg_sensor;

struct vg_sensor_opts {
	uint32_t ring_bytes;   /* ring buffer size, a power of two >= 4096 */
	uint64_t wakeup_bytes; /* backlog that wakes the reader early */
	bool verbose;	       /* pass libbpf's messages through */
	uint32_t coalesce_ms;  /* window of open coalescing; 0 = send every open */
	bool bpf_stats;	       /* the kernel's BPF run-time statistics while open */
	bool no_io_uring;      /* leave io_uring requests unwatched (sensor.io_uring) */
};

#define VG_SENSOR_DEFAULT_COALESCE_MS 1000

#define VG_SENSOR_DEFAULT_RING (16u << 20)

/* Called for every record; a non-zero return stops the current poll. */
typedef int (*vg_event_fn)(void *ctx, const struct vg_event *ev);

struct vg_sensor_stats {
	uint64_t received[VG_EV_TYPE_MAX]; /* records read, by type */
	uint64_t dropped[VG_EV_TYPE_MAX];  /* records the kernel could not queue */
	uint64_t received_total, dropped_total;
#define VG_STATS_CPUS 64
	uint64_t dropped_cpu[VG_STATS_CPUS]; /* by CPU; higher CPUs count in the last */
	uint64_t shed[VG_EV_TYPE_MAX]; /* records shed to keep room for vital ones (vg_shed.h) */
	uint64_t shed_total;
	uint64_t malformed; /* records that failed decoding */
	uint64_t compat;    /* 32-bit syscalls seen but not decoded */
	uint64_t coalesced; /* repeated opens counted instead of sent */
	uint64_t uring_unpaired; /* io_uring records sent without their result */
};

struct sensor_bpf;

/* A part of vigil whose kernel side lives in the sensor's BPF object and
 * runs in its programs (pH: bpf/ph_step.h). The sensor calls it at two
 * stages of its start. Without a part, its programs are not loaded. */
struct vg_sensor_part {
	/* Before load: the part's constants, parameters and map sizes. */
	int (*configure)(void *ctx, struct sensor_bpf *skel, const char **err);
	/* After load, before the sensor's programs attach: fill its maps,
	 * read its ring (vg_sensor_add_ring), attach its own programs. */
	int (*start)(void *ctx, struct vg_sensor *s, struct sensor_bpf *skel, const char **err);
	void *ctx;
};

/* Opens, loads and attaches everything. Programs for hooks this kernel lacks
 * are left out with a warning. Returns 0 or a negative errno; *err names
 * what failed. */
int vg_sensor_open(struct vg_sensor **out, const struct vg_sensor_opts *opts, vg_event_fn fn,
		   void *ctx, const char **err);
/* The same with a part (NULL: none). */
int vg_sensor_open_with(struct vg_sensor **out, const struct vg_sensor_opts *opts,
			const struct vg_sensor_part *part, vg_event_fn fn, void *ctx,
			const char **err);
/* Reads what the kernel queued (every ring: the sensor's and those added
 * with vg_sensor_add_ring), waiting up to timeout_ms for more, but handles
 * at most VG_SENSOR_POLL_MAX_RECORDS records or VG_SENSOR_POLL_MAX_NS of
 * work per call, so that the caller's loop always gets control back. The
 * other rings are read first, with a quarter of that budget of their own,
 * so a flooded sensor ring never starves them (pH alerts, auth, deny).
 * Returns the number of records handled or a negative errno;
 * vg_sensor_poll_yielded tells whether the budget ended the call (records
 * may be waiting). */
#define VG_SENSOR_POLL_MAX_RECORDS 4096
#define VG_SENSOR_POLL_MAX_NS (50ull * 1000000ull)
int vg_sensor_poll(struct vg_sensor *s, int timeout_ms);
bool vg_sensor_poll_yielded(const struct vg_sensor *s);
/* Reads another ring buffer (of another BPF object, e.g. pH) in the same
 * poll loop: fn gets its raw records. Returns 0 or a negative errno. */
int vg_sensor_add_ring(struct vg_sensor *s, int map_fd,
		       int (*fn)(void *ctx, void *data, size_t size), void *ctx);
/* Enables or disables the records of one syscall (by number). */
int vg_sensor_route(struct vg_sensor *s, int nr, bool on);
void vg_sensor_stats(struct vg_sensor *s, struct vg_sensor_stats *st);
/* Number of attached programs. */
int vg_sensor_attached(const struct vg_sensor *s);
/* Whether the kernel's BPF run-time statistics are on for our programs
 * (opts.bpf_stats and the kernel allowed it, or someone else turned them on). */
bool vg_sensor_bpf_stats(const struct vg_sensor *s);
/* Detaches and unloads everything; accepts NULL. */
void vg_sensor_close(struct vg_sensor *s);

#endif
