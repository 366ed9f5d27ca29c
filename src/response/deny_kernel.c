/* Loading the exec deny list: open → map sizes → load → fill the maps →
 * attach; its records become alerts through the sensor's poll loop. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "response/deny_kernel.h"
#include "util/log.h"
#include "response.skel.h"
#include "util/clock.h"

struct vg_deny_kernel {
	struct response_bpf *skel;
	const struct vg_denylist *list;
	vg_alert_fn fn;
	void *ctx;
	const char *hostname;
	int64_t boot_to_wall_ns;
	uint64_t records, malformed;
	unsigned npaths, ninodes;
	/* one alert at a time */
	struct vg_fields fields;
	char output[1024];
	char action[64];
};

static const char *action_of(const struct vg_deny_event *e, char *buf, size_t size)
{
	static const char *const refused[] = {
		[VG_DENY_REFUSED_PID1] = "pid 1",
		[VG_DENY_REFUSED_SELF] = "vigil itself",
		[VG_DENY_REFUSED_KTHREAD] = "kernel thread",
	};

	if (e->refused == VG_DENY_SENT && e->signal_ret == 0)
		snprintf(buf, size, "killed");
	else if (e->refused == VG_DENY_SENT)
		snprintf(buf, size, "failed(%s)", strerror(-e->signal_ret));
	else
		snprintf(buf, size, "refused(%s)",
			 e->refused <= VG_DENY_REFUSED_KTHREAD ? refused[e->refused] : "?");
	return buf;
}

static void add_int(struct vg_fields *f, const char *key, int64_t v)
{
	f->kv[f->n++] = (struct vg_kv){ .key = key, .kind = VG_KV_INT, .i = v };
}

static void add_str(struct vg_fields *f, const char *key, const char *s)
{
	f->kv[f->n++] = (struct vg_kv){ .key = key, .kind = VG_KV_STR, .s = s, .s_len = strlen(s) };
}

static int on_record(void *ctx, void *data, size_t size)
{
	static const char *const tags[] = { "vigil", "response" };
	struct vg_deny_kernel *k = ctx;
	struct vg_deny_event e;
	const char *how, *entry;
	struct vg_fields *f = &k->fields;

	if (size < sizeof(e) || ((struct vg_deny_event *)data)->size != sizeof(e)) {
		k->malformed++;
		return 0;
	}
	memcpy(&e, data, sizeof(e));
	e.comm[sizeof(e.comm) - 1] = 0;
	e.filename[sizeof(e.filename) - 1] = 0;
	k->records++;
	how = e.match == VG_DENY_BY_INODE ? "inode" : "path";
	entry = e.entry < k->list->n ? k->list->paths[e.entry] : "?";
	action_of(&e, k->action, sizeof(k->action));
	f->n = 0;
	f->used = 0;
	add_str(f, "evt.type", "execve");
	add_int(f, "proc.pid", e.pid);
	add_int(f, "thread.tid", e.tid);
	add_int(f, "proc.ppid", e.ppid);
	add_str(f, "proc.name", e.comm);
	add_int(f, "user.uid", e.uid);
	add_str(f, "evt.arg.filename", e.filename);
	add_int(f, "proc.exe_ino", (int64_t)e.ino);
	add_int(f, "proc.exe_dev", e.dev);
	add_str(f, "vigil.deny.match", how);
	add_str(f, "vigil.deny.entry", entry);
	add_str(f, "vigil.action", k->action);
	snprintf(k->output, sizeof(k->output),
		 "Denied executable killed (proc.pid=%u proc.ppid=%u proc.name=%s user.uid=%u "
		 "evt.arg.filename=%s vigil.deny.match=%s vigil.deny.entry=%s vigil.action=%s)",
		 e.pid, e.ppid, e.comm, e.uid, e.filename, how, entry, k->action);
	struct vg_alert a = {
		.time_ns = (uint64_t)((int64_t)e.ts_ns + k->boot_to_wall_ns),
		.rule = "Denied executable killed",
		.priority = "Critical",
		.output = k->output,
		.fields = f,
		.tags = tags,
		.ntags = 2,
		.source = "syscall",
		.hostname = k->hostname,
	};
	if (k->fn)
		k->fn(k->ctx, &a);
	return 0;
}

/* The list into the maps: every path by name, and by the file it names now. */
static int fill_maps(struct vg_deny_kernel *k)
{
	int pfd = bpf_map__fd(k->skel->maps.deny_paths);
	int ifd = bpf_map__fd(k->skel->maps.deny_inodes);
	struct stat st;

	for (unsigned i = 0; i < k->list->n; i++) {
		const char *path = k->list->paths[i];
		struct vg_deny_ino_key key = { 0 };

		if (bpf_map_update_elem(pfd, path, &i, BPF_ANY))
			return -errno;
		k->npaths++;
		if (stat(path, &st)) {
			vg_warn("deny list: %s: %s (denied by path only)", path, strerror(errno));
			continue;
		}
		if (!S_ISREG(st.st_mode)) {
			vg_warn("deny list: %s is not a regular file (denied by path only)", path);
			continue;
		}
		/* the kernel's dev_t: MAJOR << 20 | MINOR */
		key.ino = st.st_ino;
		key.dev = (uint32_t)((major(st.st_dev) << 20) | minor(st.st_dev));
		if (bpf_map_update_elem(ifd, &key, &i, BPF_NOEXIST) == 0)
			k->ninodes++;
		else if (errno != EEXIST) /* two names of one file: one entry */
			return -errno;
	}
	return 0;
}

int vg_deny_kernel_open(struct vg_deny_kernel **out, const struct vg_denylist *list,
			struct vg_sensor *sensor, vg_alert_fn fn, void *ctx,
			const char *hostname, const char **err)
{
	struct vg_deny_kernel *k;
	uint32_t max = list->n ? list->n : 1;
	int ret;

	*out = NULL;
	*err = NULL;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->list = list;
	k->fn = fn;
	k->ctx = ctx;
	k->hostname = hostname;
	k->boot_to_wall_ns = (int64_t)vg_clock_ns(CLOCK_REALTIME) - (int64_t)vg_clock_ns(CLOCK_BOOTTIME);
	k->skel = response_bpf__open();
	if (!k->skel) {
		*err = "opening the deny-list BPF object failed";
		ret = -errno;
		goto fail;
	}
	k->skel->rodata->self_tgid = (uint32_t)getpid();
	ret = bpf_map__set_max_entries(k->skel->maps.deny_paths, max);
	if (!ret)
		ret = bpf_map__set_max_entries(k->skel->maps.deny_inodes, max);
	if (ret) {
		*err = "cannot size the deny-list maps";
		goto fail;
	}
	ret = response_bpf__load(k->skel);
	if (ret) {
		*err = "loading the deny-list BPF program failed (see the libbpf messages above)";
		goto fail;
	}
	ret = fill_maps(k);
	if (ret) {
		*err = "filling the deny-list maps failed";
		goto fail;
	}
	ret = vg_sensor_add_ring(sensor, bpf_map__fd(k->skel->maps.deny_events), on_record, k);
	if (ret) {
		*err = "reading the deny-list ring buffer failed";
		goto fail;
	}
	ret = response_bpf__attach(k->skel);
	if (ret) {
		*err = "attaching the deny-list program failed";
		goto fail;
	}
	vg_info("exec deny list: %u paths, %u files by inode", k->npaths, k->ninodes);
	*out = k;
	return 0;
fail:
	vg_deny_kernel_close(k);
	return ret < 0 ? ret : -EINVAL;
}

void vg_deny_kernel_stats(struct vg_deny_kernel *k, struct vg_deny_kernel_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!k)
		return;
	st->records = k->records;
	st->malformed = k->malformed;
	st->drops = k->skel->bss->deny_drops;
	st->paths = k->npaths;
	st->inodes = k->ninodes;
}

void vg_deny_kernel_close(struct vg_deny_kernel *k)
{
	if (!k)
		return;
	response_bpf__destroy(k->skel);
	free(k);
}
