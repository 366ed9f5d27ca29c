/* Loading the kernel sensor: open → configure → feature checks → load →
 * fill routes and the handler table → attach; then the ring-buffer reader. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "ph/ph_model.h"   /* before the skeleton: it uses struct ph_params */
#include "sensor/pmu.h"
#include "sensor/sensor.h" /* and struct vg_route */
#include "sensor.skel.h"
#include "sensor/syscalls.h"
#include "sensor/task_map.h"
#include "sensor/uring_setup.h"
#include "util/log.h"
#include "util/clock.h"
#include "util/macros.h"

/* Hot globals keep to their cache lines (bpf/vg_core.h, bpf/ph_step.h):
 * what any CPU writes (path_gen at every rename, pH's counters at every
 * signal delivery or new profile) never shares a line with what every call
 * reads (the routes, ph_stopped, pH's clock and epoch). */
#define VG_LINE 64
_Static_assert(offsetof(struct sensor_bpf__bss, routes) == VG_LINE, "path_gen alone on its line");
_Static_assert(offsetof(struct sensor_bpf__data_ph, ph_next_profile) % VG_LINE == 0 &&
		       offsetof(struct sensor_bpf__data_ph, ph_next_profile) >
			       offsetof(struct sensor_bpf__data_ph, ph_stopped),
	       "pH's counters on a line of their own, after ph_stopped's");
_Static_assert(offsetof(struct sensor_bpf__data_ph, ph_ns_per_tick) % VG_LINE == 0 &&
		       offsetof(struct sensor_bpf__data_ph, ph_ns_per_tick) -
				       offsetof(struct sensor_bpf__data_ph, ph_next_profile) ==
			       VG_LINE,
	       "pH's clock and epoch on the line after its counters");

struct vg_sensor {
	struct sensor_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *links[12];
	int nlinks;
	vg_event_fn fn;
	void *ctx;
	struct vg_event *ev; /* decoded into, one record at a time */
	uint64_t received[VG_EV_TYPE_MAX];
	uint64_t malformed;
	/* One poll's budget (see vg_sensor_poll): records handled so far, the
	 * monotonic time it ends, and whether a callback stopped the drain
	 * because it was spent. */
	unsigned handled, max_records;
	uint64_t deadline_ns;
	bool yielded;
	struct ring_buffer *rb_extra; /* the rings of vg_sensor_add_ring */
	/* the other rings' callbacks, wrapped to count against the budget */
	struct extra_ring {
		struct vg_sensor *s;
		int (*fn)(void *ctx, void *data, size_t size);
		void *ctx;
	} extra[8];
	unsigned nextra;
	int stats_fd; /* BPF_ENABLE_STATS: run-time statistics while it is open */
	int uring_progs; /* io_uring programs set to load */
};

/* Returned by a record callback when the poll's budget is spent: libbpf
 * stops draining (the record itself is consumed) and passes it up. */
#define BUDGET_SPENT (-ECANCELED)

/* Counts one record against the poll's budget; BUDGET_SPENT once it is
 * gone. The clock is read every 16 records: a record can cost much more
 * than a clock read (thousands of rules), so not less often. */
static int spend(struct vg_sensor *s)
{
	s->handled++;
	if (s->handled >= s->max_records ||
	    ((s->handled & 15) == 0 && vg_clock_ns(CLOCK_MONOTONIC) >= s->deadline_ns)) {
		s->yielded = true;
		return BUDGET_SPENT;
	}
	return 0;
}

/* load() could not load the programs with the io_uring ones: try again
 * without them (a kernel whose io_uring layout the verifier refuses still
 * gets the rest of the sensor). */
#define VG_RETRY_WITHOUT_URING 1

static bool libbpf_verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || (level == LIBBPF_INFO && !libbpf_verbose))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct vg_sensor *s = ctx;

	int ret = 0;

	if (vg_event_decode(s->ev, data, size))
		s->malformed++;
	else {
		s->received[s->ev->u.hdr.type]++;
		ret = s->fn ? s->fn(s->ctx, s->ev) : 0;
	}
	if (spend(s))
		return BUDGET_SPENT;
	return ret < 0 ? ret : 0;
}

static int on_extra_record(void *ctx, void *data, size_t size)
{
	struct extra_ring *x = ctx;
	int ret = x->fn(x->ctx, data, size);

	if (spend(x->s))
		return BUDGET_SPENT;
	return ret < 0 ? ret : 0;
}

/* Whether this kernel has the BTF tracepoint a program hooks. */
static bool kernel_has_tracepoint(const struct btf *vmlinux, const char *tp)
{
	char name[128];

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	return btf__find_by_name_kind(vmlinux, name, BTF_KIND_TYPEDEF) >= 0;
}

/* A call that changes what paths name stays routed for its generation bump
 * when its records are turned off. */
static void set_route_type(struct vg_route *r, __u8 type)
{
	r->type = type ? type : r->gen ? VG_ROUTE_GEN : 0;
}

/* Marks the calls that change what a path names, so the kernel forgets the
 * opens it coalesced before them (see repeat_slot in bpf/vg_core.h). */
static void route_path_changes(struct sensor_bpf *skel)
{
	for (unsigned i = 0; i < vg_path_change_syscalls_count; i++) {
		const struct vg_compat_syscall *c = &vg_path_change_syscalls[i];

		skel->bss->routes[c->nr64].gen = 1;
		set_route_type(&skel->bss->routes[c->nr64], skel->bss->routes[c->nr64].type);
		skel->bss->routes32[c->nr32].gen = 1;
		set_route_type(&skel->bss->routes32[c->nr32], skel->bss->routes32[c->nr32].type);
	}
}

/* The i386 calls whose arguments sit in user memory, routed on the 32-bit
 * table to their own handlers. */
static int route_in_memory_args(struct sensor_bpf *skel)
{
	const struct {
		int nr32;
		__u32 type;
		struct bpf_program *prog;
	} calls[] = {
		{ VG_I386_SOCKETCALL, VG_ROUTE_SOCKETCALL, skel->progs.vg_socketcall },
		{ VG_I386_OLD_MMAP, VG_ROUTE_OLD_MMAP, skel->progs.vg_old_mmap },
	};

	for (size_t i = 0; i < ARRAY_SIZE(calls); i++) {
		int fd = bpf_program__fd(calls[i].prog);

		skel->bss->routes32[calls[i].nr32].type = calls[i].type;
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.handlers), &calls[i].type, &fd, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* The programs attached directly; the handlers are only tail-called. */
struct hook {
	struct bpf_program *prog;
	const char *tracepoint;
};

/* pH lives in this object (bpf/ph_step.h) but is optional: without it,
 * its programs are not loaded (and the verifier drops its steps from
 * vg_sys_exit, vg_exec, vg_fork and vg_exit, ph_on being 0), its maps take
 * the least room, and the task entries hold the sensor's part only. */
static int leave_out_ph(struct sensor_bpf *skel)
{
	struct bpf_program *progs[] = { skel->progs.ph_signal_deliver,
					skel->progs.ph_uring_submit };
	int ret;

	for (size_t i = 0; i < ARRAY_SIZE(progs); i++)
		bpf_program__set_autoload(progs[i], false);
	ret = vg_task_map_sensor_only(skel->maps.vg_tasks);
	if (!ret)
		ret = bpf_map__set_max_entries(skel->maps.ph_items, 1);
	if (!ret)
		ret = bpf_map__set_max_entries(skel->maps.ph_profiles, 1);
	if (!ret)
		ret = bpf_map__set_max_entries(skel->maps.ph_response_exes, 1);
	if (!ret)
		ret = bpf_map__set_max_entries(skel->maps.ph_alerts, (__u32)sysconf(_SC_PAGESIZE));
	return ret;
}

/* with_uring: try the io_uring programs too (a retry goes without them). */
static int load(struct vg_sensor *s, const struct vg_sensor_opts *o,
		const struct vg_sensor_part *part, const char **err, bool with_uring)
{
	struct sensor_bpf *skel = s->skel;
	struct hook hooks[] = {
		{ skel->progs.vg_sys_exit, "sys_exit" },
		{ skel->progs.vg_exec, "sched_process_exec" },
		{ skel->progs.vg_fork, "sched_process_fork" },
		{ skel->progs.vg_exit, "sched_process_exit" },
		/* TCP sockets that connect or listen inside an i386 socketcall */
		{ skel->progs.vg_socketcall_sk_state, "inet_sock_set_state" },
	};
	struct btf *vmlinux = btf__load_vmlinux_btf();
	int ret;

	if (!vmlinux) {
		*err = "cannot read this kernel's BTF (/sys/kernel/btf/vmlinux); vigil needs CONFIG_DEBUG_INFO_BTF";
		return -ENOENT;
	}
	for (size_t i = 0; i < ARRAY_SIZE(hooks); i++) {
		if (kernel_has_tracepoint(vmlinux, hooks[i].tracepoint))
			continue;
		vg_warn("this kernel has no %s tracepoint: %s disabled", hooks[i].tracepoint,
			bpf_program__name(hooks[i].prog));
		bpf_program__set_autoload(hooks[i].prog, false);
	}
	s->uring_progs = vg_uring_prepare(skel, vmlinux, with_uring);
	btf__free(vmlinux);

	skel->rodata->self_tgid = getpid();
	skel->rodata->wakeup_bytes = o->wakeup_bytes;
	skel->rodata->coalesce_ns = o->coalesce_ms * 1000000ull;
	/* load shedding (bpf/vg_shed.h): the file family past half the ring,
	 * all but vital records past three quarters */
	skel->rodata->shed_bulk_bytes = o->ring_bytes / 2;
	skel->rodata->shed_vital_bytes = o->ring_bytes / 4 * 3;
	skel->rodata->shed_check_bytes = o->ring_bytes / 16;
	skel->rodata->uprobe_pmu_type = vg_pmu_type("uprobe");
	skel->rodata->kprobe_pmu_type = vg_pmu_type("kprobe");
	ret = bpf_map__set_max_entries(skel->maps.scratch_map, libbpf_num_possible_cpus());
	if (ret) {
		*err = "cannot size the per-CPU scratch map";
		return ret;
	}
	ret = bpf_map__set_max_entries(skel->maps.events, o->ring_bytes);
	if (ret) {
		*err = "invalid ring buffer size (a power of two of at least 4096 bytes)";
		return ret;
	}
	ret = part ? part->configure(part->ctx, skel, err) : leave_out_ph(skel);
	if (ret) {
		if (!*err)
			*err = "cannot configure the sensor's optional parts";
		return ret;
	}
	if (!with_uring) /* pH's io_uring symbols go with the sensor's io_uring programs */
		bpf_program__set_autoload(skel->progs.ph_uring_submit, false);
	ret = sensor_bpf__load(skel);
	if (ret) {
		*err = "loading the BPF programs failed (run as root; see the libbpf messages above)";
		return s->uring_progs ? VG_RETRY_WITHOUT_URING : ret;
	}
	vg_uring_fill(skel);

	/* The same routes for the 32-bit ABI, under the i386 numbers. */
	for (unsigned i = 0; i < vg_compat_syscalls_count; i++) {
		const struct vg_syscall_def *d = vg_syscall_def(vg_compat_syscalls[i].nr64);

		if (d)
			skel->bss->routes32[vg_compat_syscalls[i].nr32] = d->route;
	}
	/* socketcall() and the old mmap() keep their arguments in user memory:
	 * each has its own handler, which decodes them (bpf/vg_compat.h) */
	ret = route_in_memory_args(skel);
	if (ret) {
		*err = "filling the handler table failed";
		return ret;
	}

	/* Handlers by record family, indexed by record type. */
	for (unsigned i = 0; i < vg_syscalls_count; i++) {
		const struct vg_syscall_def *d = &vg_syscalls[i];
		struct bpf_program *h;
		__u32 key = d->route.type;
		int fd;

		skel->bss->routes[d->nr] = d->route;
		switch (vg_event_family(d->route.type)) {
		case VG_FAM_FILE:
			h = skel->progs.vg_file;
			break;
		case VG_FAM_NET:
			h = skel->progs.vg_net;
			break;
		default:
			h = skel->progs.vg_sys;
			break;
		}
		fd = bpf_program__fd(h);
		ret = bpf_map_update_elem(bpf_map__fd(skel->maps.handlers), &key, &fd, BPF_ANY);
		if (ret) {
			*err = "filling the handler table failed";
			return -errno;
		}
	}

	if (o->coalesce_ms)
		route_path_changes(skel);

	return 0;
}

static int attach(struct vg_sensor *s, const char **err)
{
	struct sensor_bpf *skel = s->skel;
	/* exec and fork first: they make the task entries that the per-call
	 * step then finds (a task without one is adopted, a slower path) */
	struct bpf_program *hooks[] = {
		skel->progs.vg_exec,
		skel->progs.vg_fork,
		skel->progs.vg_exit,
		skel->progs.vg_sys_exit,
		skel->progs.vg_socketcall_sk_state,
	};
	int ret;

	for (size_t i = 0; i < ARRAY_SIZE(hooks); i++) {
		struct bpf_link *l;

		if (!bpf_program__autoload(hooks[i]))
			continue;
		l = bpf_program__attach(hooks[i]);
		if (!l) {
			*err = "attaching a tracepoint program failed";
			return -errno;
		}
		s->links[s->nlinks++] = l;
	}
	ret = vg_uring_attach(skel, s->links, &s->nlinks, ARRAY_SIZE(s->links));
	if (ret) {
		*err = "attaching an io_uring tracepoint program failed";
		return ret;
	}
	return 0;
}

/* The kernel's BPF run-time statistics (run_time_ns, run_cnt of every
 * program), for `vigil status`: on while this descriptor is open. The
 * kernel counts the holders, so kernel.bpf_stats_enabled is never written
 * and nothing is left on if vigil dies. Each program run then reads the
 * clock twice, hence the option. */
static void stats_on(struct vg_sensor *s, const struct vg_sensor_opts *o)
{
	s->stats_fd = -1;
	if (!o->bpf_stats)
		return;
	s->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (s->stats_fd < 0)
		vg_warn("BPF run-time statistics unavailable (%s): vigil status shows no "
			"per-program cost", strerror(errno));
}

int vg_sensor_open(struct vg_sensor **out, const struct vg_sensor_opts *o, vg_event_fn fn,
		   void *ctx, const char **err)
{
	return vg_sensor_open_with(out, o, NULL, fn, ctx, err);
}

int vg_sensor_open_with(struct vg_sensor **out, const struct vg_sensor_opts *o,
			const struct vg_sensor_part *part, vg_event_fn fn, void *ctx,
			const char **err)
{
	struct vg_sensor *s;
	int ret;

	*out = NULL;
	*err = NULL;
	libbpf_verbose = o->verbose;
	libbpf_set_print(libbpf_print);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->ev = malloc(sizeof(*s->ev));
	s->stats_fd = -1;
	s->fn = fn;
	s->ctx = ctx;
	s->skel = sensor_bpf__open();
	if (!s->ev || !s->skel) {
		*err = "opening the BPF object failed";
		ret = -ENOMEM;
		goto fail;
	}
	if (o->no_io_uring)
		vg_info("io_uring: not watched (sensor.io_uring is false)");
	ret = load(s, o, part, err, !o->no_io_uring);
	if (ret == VG_RETRY_WITHOUT_URING) {
		vg_warn("io_uring: loading the sensor with its io_uring programs failed; "
			"starting without them (io_uring requests are not seen)");
		sensor_bpf__destroy(s->skel);
		s->skel = sensor_bpf__open();
		ret = s->skel ? load(s, o, part, err, false) : -ENOMEM;
		if (!s->skel)
			*err = "opening the BPF object failed";
	}
	if (ret)
		goto fail;
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), on_record, s, NULL);
	if (!s->rb) {
		*err = "creating the ring buffer reader failed";
		ret = -errno;
		goto fail;
	}
	if (part && (ret = part->start(part->ctx, s, s->skel, err)))
		goto fail;
	stats_on(s, o);
	ret = attach(s, err);
	if (ret)
		goto fail;
	*out = s;
	return 0;
fail:
	vg_sensor_close(s);
	return ret < 0 ? ret : -EINVAL;
}

/* One phase of a poll: a budget of max records and ns nanoseconds. */
static void budget(struct vg_sensor *s, unsigned max, uint64_t ns)
{
	s->handled = 0;
	s->max_records = max;
	s->deadline_ns = vg_clock_ns(CLOCK_MONOTONIC) + ns;
}

int vg_sensor_poll(struct vg_sensor *s, int timeout_ms)
{
	unsigned total = 0;
	bool yielded = false;
	int n;

	/* Bounded: at most VG_SENSOR_POLL_MAX_RECORDS records or
	 * VG_SENSOR_POLL_MAX_NS per call, so the loop gets back to signals,
	 * timers and clients however fast records arrive or however slow they
	 * are to handle. What the reader cannot keep up with stays in the ring,
	 * and what the ring cannot hold the kernel counts as dropped. */
	s->yielded = false;
	/* The other rings (pH alerts, auth, deny) first, with a budget of their
	 * own: a flooded sensor ring must not starve them, nor they it. */
	if (s->rb_extra) {
		budget(s, VG_SENSOR_POLL_MAX_RECORDS / 4, VG_SENSOR_POLL_MAX_NS / 4);
		n = ring_buffer__consume(s->rb_extra);
		if (n < 0 && !s->yielded)
			return n;
		total = s->handled;
		yielded = s->yielded;
		s->yielded = false;
	}
	budget(s, VG_SENSOR_POLL_MAX_RECORDS, VG_SENSOR_POLL_MAX_NS);
	/* The kernel wakes us only when a backlog builds up, so after the
	 * wait we always drain what is there (within the budget). */
	n = ring_buffer__poll(s->rb, yielded ? 0 : timeout_ms);
	if (n < 0 && !s->yielded)
		return n == -EINTR ? (int)total : n;
	if (!s->yielded) {
		n = ring_buffer__consume(s->rb);
		if (n < 0 && !s->yielded)
			return n;
	}
	s->yielded = s->yielded || yielded;
	return (int)(total + s->handled);
}

bool vg_sensor_poll_yielded(const struct vg_sensor *s)
{
	return s->yielded;
}

int vg_sensor_add_ring(struct vg_sensor *s, int map_fd,
		       int (*fn)(void *ctx, void *data, size_t size), void *ctx)
{
	struct extra_ring *x;
	int ret;

	if (s->nextra == ARRAY_SIZE(s->extra))
		return -ENOSPC;
	x = &s->extra[s->nextra];
	*x = (struct extra_ring){ .s = s, .fn = fn, .ctx = ctx };
	if (!s->rb_extra) {
		s->rb_extra = ring_buffer__new(map_fd, on_extra_record, x, NULL);
		ret = s->rb_extra ? 0 : -errno;
	} else {
		ret = ring_buffer__add(s->rb_extra, map_fd, on_extra_record, x);
	}
	if (ret)
		return ret < 0 ? ret : -EINVAL;
	s->nextra++;
	return 0;
}

int vg_sensor_route(struct vg_sensor *s, int nr, bool on)
{
	const struct vg_syscall_def *d = vg_syscall_def(nr);

	if (!d)
		return -ENOENT;
	set_route_type(&s->skel->bss->routes[nr], on ? d->route.type : 0);
	for (unsigned i = 0; i < vg_compat_syscalls_count; i++)
		if (vg_compat_syscalls[i].nr64 == nr)
			set_route_type(&s->skel->bss->routes32[vg_compat_syscalls[i].nr32],
				       on ? d->route.type : 0);
	return 0;
}

/* Each CPU counts the opens it coalesced in its scratch record, right after
 * the `sent` counter (struct scratch in bpf/vg_core.h): two u64 at its start. */
static uint64_t coalesced_opens(struct vg_sensor *s, int ncpu)
{
	size_t size = bpf_map__value_size(s->skel->maps.scratch_map);
	uint64_t total = 0;
	char *value = malloc(size);

	if (!value)
		return 0;
	for (__u32 cpu = 0; cpu < (__u32)ncpu; cpu++) {
		uint64_t counters[2];

		if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.scratch_map), &cpu, value))
			continue;
		memcpy(counters, value, sizeof(counters));
		total += counters[1];
	}
	free(value);
	return total;
}

void vg_sensor_stats(struct vg_sensor *s, struct vg_sensor_stats *st)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *vals;

	memset(st, 0, sizeof(*st));
	memcpy(st->received, s->received, sizeof(st->received));
	for (int t = 0; t < VG_EV_TYPE_MAX; t++)
		st->received_total += s->received[t];
	st->malformed = s->malformed;
	st->compat = s->skel->bss->compat_seen;
	st->uring_unpaired = s->skel->bss->uring_unpaired;
	if (ncpu <= 0)
		return;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return;
	st->coalesced = coalesced_opens(s, ncpu);
	for (__u32 t = 0; t < VG_EV_TYPE_MAX; t++) {
		if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.drops), &t, vals))
			continue;
		for (int c = 0; c < ncpu; c++) {
			st->dropped[t] += vals[c];
			st->dropped_cpu[c < VG_STATS_CPUS ? c : VG_STATS_CPUS - 1] += vals[c];
		}
		st->dropped_total += st->dropped[t];
		if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.shed), &t, vals))
			continue;
		for (int c = 0; c < ncpu; c++)
			st->shed[t] += vals[c];
		st->shed_total += st->shed[t];
	}
	free(vals);
}

int vg_sensor_attached(const struct vg_sensor *s)
{
	return s->nlinks;
}

bool vg_sensor_bpf_stats(const struct vg_sensor *s)
{
	char buf[8] = "";
	FILE *f;

	if (s->stats_fd >= 0)
		return true;
	f = fopen("/proc/sys/kernel/bpf_stats_enabled", "re");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	return buf[0] == '1';
}

void vg_sensor_close(struct vg_sensor *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->nlinks; i++)
		bpf_link__destroy(s->links[i]);
	ring_buffer__free(s->rb_extra);
	ring_buffer__free(s->rb);
	sensor_bpf__destroy(s->skel);
	if (s->stats_fd >= 0)
		close(s->stats_fd);
	free(s->ev);
	free(s);
}
