/* Loading the libpam probes: find the library → resolve the symbols (libelf)
 * → load → attach each uprobe at its file offset. The ring buffer is read in
 * the sensor's poll loop; every record is checked, its strings terminated,
 * then handed to the detections (auth_detect.c). */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "auth/auth_kernel.h"
#include "auth/elf_symbols.h"
#include "auth/libpam_path.h"
#include "util/log.h"
#include "pam.skel.h"
#include "util/clock.h"
#include "util/macros.h"

#define MAX_PROBES 16

/* One probe: a symbol, entry or return, and whether libpam may lack it
 * (pam_start_confdir is from Linux-PAM 1.4). */
struct probe_def {
	const char *sym;
	bool ret;
	bool optional;
};

static const struct probe_def probe_defs[] = {
	{ "pam_start", false, false },	       { "pam_start", true, false },
	{ "pam_start_confdir", false, true },  { "pam_start_confdir", true, true },
	{ "pam_set_item", false, false },      { "pam_get_user", false, false },
	{ "pam_get_user", true, false },       { "pam_authenticate", false, false },
	{ "pam_authenticate", true, false },   { "pam_acct_mgmt", false, false },
	{ "pam_acct_mgmt", true, false },      { "pam_open_session", false, false },
	{ "pam_open_session", true, false },   { "pam_close_session", false, false },
	{ "pam_close_session", true, false },  { "pam_end", false, false },
};
#define NPROBES (ARRAY_SIZE(probe_defs))

struct vg_auth {
	struct pam_bpf *skel;
	struct bpf_program *progs[NPROBES]; /* in probe_defs order */
	struct bpf_link *links[NPROBES];
	struct detacher *closing; /* vg_auth_detach_begin's removals, or NULL */
	char path[PATH_MAX];
	bool explicit_path;
	dev_t dev; /* of the attached file; ino 0 = nothing attached */
	ino_t ino;
	bool said_missing;
	uint64_t next_check_ns;
	struct vg_auth_detect *detect;
	struct vg_proctable *procs;
	bool events;
	vg_alert_fn fn;
	void *ctx;
	int64_t boot_to_wall_ns;
	struct vg_auth_stats st;
};

static void copy_str(char *dst, const char *src, size_t size)
{
	memcpy(dst, src, size - 1);
	dst[size - 1] = 0;
}

static const char *exe_of(struct vg_auth *a, uint32_t pid, char *buf, size_t size)
{
	const struct vg_proc *p = a->procs ? vg_pt_lookup(a->procs, pid) : NULL;
	char link[64];
	ssize_t n;

	if (p && p->img && p->img->exe && p->img->exe[0])
		return p->img->exe;
	/* not in the table yet (its exec is still in the other ring) */
	snprintf(link, sizeof(link), "/proc/%u/exe", pid);
	n = readlink(link, buf, size - 1);
	if (n <= 0)
		return NULL;
	buf[n] = 0;
	return buf;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct vg_auth *a = ctx;
	const struct auth_event *e = data;
	struct vg_auth_attempt at;
	struct auth_items items;
	char comm[AUTH_EV_COMM_LEN + 1], exe[PATH_MAX];

	if (size < sizeof(*e) || e->size != sizeof(*e) || e->kind < 1 ||
	    e->kind > AUTH_EV_KIND_MAX) {
		a->st.malformed++;
		return 0;
	}
	a->st.records++;
	copy_str(items.service, e->items.service, sizeof(items.service));
	copy_str(items.user, e->items.user, sizeof(items.user));
	copy_str(items.ruser, e->items.ruser, sizeof(items.ruser));
	copy_str(items.tty, e->items.tty, sizeof(items.tty));
	copy_str(items.rhost, e->items.rhost, sizeof(items.rhost));
	memcpy(comm, e->comm, AUTH_EV_COMM_LEN);
	comm[AUTH_EV_COMM_LEN] = 0;
	at = (struct vg_auth_attempt){
		.time_ns = (uint64_t)((int64_t)e->ts_ns + a->boot_to_wall_ns),
		.mono_ns = e->ts_ns,
		.kind = (int)e->kind,
		.result = e->result,
		.pid = e->pid,
		.tid = e->tid,
		.uid = e->uid,
		.comm = comm,
		.exepath = exe_of(a, e->pid, exe, sizeof(exe)),
		.service = items.service,
		.user = items.user,
		.ruser = items.ruser,
		.rhost = items.rhost,
		.tty = items.tty,
	};
	a->st.alerts += vg_auth_detect_feed(a->detect, &at, a->events, a->fn, a->ctx);
	return 0;
}

/* Each uprobe's removal waits for the kernel (an RCU grace period, a
 * quarter of a second or more under load): one after the other, the 16
 * probes held vigil's exit for 4 s. They are removed from one thread each,
 * so the waits overlap, and the monitor starts that as soon as its loop
 * ends (vg_auth_detach_begin), while it drains and saves. */
struct detacher {
	pthread_t th[NPROBES];
	bool started[NPROBES];
	struct bpf_link *links[NPROBES];
};

static void *destroy_link(void *link)
{
	bpf_link__destroy(link);
	return NULL;
}

static void detach_start(struct detacher *d, struct bpf_link **links)
{
	for (size_t i = 0; i < NPROBES; i++) {
		d->links[i] = links[i];
		links[i] = NULL;
		d->started[i] = d->links[i] &&
				pthread_create(&d->th[i], NULL, destroy_link, d->links[i]) == 0;
	}
}

static void detach_finish(struct detacher *d)
{
	for (size_t i = 0; i < NPROBES; i++) {
		if (d->started[i])
			pthread_join(d->th[i], NULL);
		else
			bpf_link__destroy(d->links[i]); /* NULL is fine */
		d->links[i] = NULL;
		d->started[i] = false;
	}
}

static void detach(struct vg_auth *a)
{
	struct detacher d;

	detach_start(&d, a->links);
	detach_finish(&d);
	a->st.probes = 0;
	a->ino = 0;
}

/* Attaches every probe to the library as it is now. On failure nothing
 * stays attached and err says why. */
static int attach(struct vg_auth *a, char *err, size_t errlen)
{
	struct vg_elf_sym syms[NPROBES];
	struct bpf_link *links[NPROBES] = { NULL };
	struct stat before;
	int ret, probes = 0;

	if (stat(a->path, &before)) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", a->path, strerror(errno));
		return ret;
	}
	for (size_t i = 0; i < NPROBES; i++)
		syms[i].name = probe_defs[i].sym;
	ret = vg_elf_symbols_file(a->path, syms, NPROBES, err, errlen);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < NPROBES; i++) {
		LIBBPF_OPTS(bpf_uprobe_opts, uo, .retprobe = probe_defs[i].ret);

		if (!syms[i].offset) {
			if (probe_defs[i].optional)
				continue;
			snprintf(err, errlen, "%s: no symbol %s", a->path, probe_defs[i].sym);
			ret = -ENOENT;
			goto fail;
		}
		links[i] = bpf_program__attach_uprobe_opts(a->progs[i], -1, a->path,
							   (size_t)syms[i].offset, &uo);
		if (!links[i]) {
			ret = -errno;
			snprintf(err, errlen, "%s: attaching to %s failed: %s", a->path,
				 probe_defs[i].sym, strerror(errno));
			goto fail;
		}
		probes++;
	}
	detach(a);
	memcpy(a->links, links, sizeof(links));
	a->dev = before.st_dev;
	a->ino = before.st_ino;
	a->st.probes = probes;
	a->st.attaches++;
	return 0;
fail:
	for (size_t i = 0; i < NPROBES; i++)
		bpf_link__destroy(links[i]);
	return ret;
}

int vg_auth_open(struct vg_auth **out, const struct vg_auth_opts *o, struct vg_sensor *sensor,
		 struct vg_proctable *procs, vg_alert_fn fn, void *ctx, const char **err)
{
	struct vg_auth *a;
	char why[VG_ELF_ERR_LEN + PATH_MAX];
	int ret;

	*out = NULL;
	*err = NULL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->procs = procs;
	a->events = o->events;
	a->fn = fn;
	a->ctx = ctx;
	a->boot_to_wall_ns = (int64_t)vg_clock_ns(CLOCK_REALTIME) - (int64_t)vg_clock_ns(CLOCK_BOOTTIME);
	ret = vg_auth_detect_new(&a->detect, &o->detect);
	if (ret) {
		*err = "invalid authentication detection options";
		goto fail;
	}
	a->skel = pam_bpf__open();
	if (!a->skel) {
		ret = -errno;
		*err = "opening the PAM BPF object failed";
		goto fail;
	}
	ret = bpf_map__set_max_entries(a->skel->maps.auth_handles, VG_AUTH_HANDLES_DEFAULT);
	if (!ret)
		ret = pam_bpf__load(a->skel);
	if (ret) {
		*err = "loading the PAM BPF programs failed (see the libbpf messages above)";
		goto fail;
	}
	{
		__typeof__(a->skel->progs) *p = &a->skel->progs;
		struct bpf_program *progs[NPROBES] = {
			p->vg_pam_start,    p->vg_pam_start_rt, p->vg_pam_confdir, p->vg_pam_confd_rt,
			p->vg_pam_set_item, p->vg_pam_get_user, p->vg_pam_getu_rt, p->vg_pam_auth,
			p->vg_pam_auth_rt,  p->vg_pam_acct,	p->vg_pam_acct_rt, p->vg_pam_open,
			p->vg_pam_open_rt,  p->vg_pam_close,	p->vg_pam_close_rt, p->vg_pam_end,
		};
		memcpy(a->progs, progs, sizeof(progs));
	}
	ret = vg_sensor_add_ring(sensor, bpf_map__fd(a->skel->maps.auth_events), on_record, a);
	if (ret) {
		*err = "reading the PAM ring buffer failed";
		goto fail;
	}
	if (o->libpam) {
		a->explicit_path = true;
		snprintf(a->path, sizeof(a->path), "%s", o->libpam);
	} else if (vg_libpam_find(a->path, sizeof(a->path))) {
		vg_warn("libpam not found (ldconfig cache, library directories): "
			"authentication monitoring is off");
		a->said_missing = true;
		*out = a;
		return 0;
	}
	ret = attach(a, why, sizeof(why));
	if (ret == -ENOENT && a->explicit_path) {
		vg_warn("%s; authentication monitoring waits for it", why);
		a->said_missing = true;
	} else if (ret) {
		vg_err("%s", why);
		*err = "attaching the libpam probes failed";
		goto fail;
	} else {
		vg_info("authentication: %d libpam probes on %s", a->st.probes, a->path);
	}
	*out = a;
	return 0;
fail:
	vg_auth_close(a);
	return ret < 0 ? ret : -EINVAL;
}

void vg_auth_tick(struct vg_auth *a, uint64_t now_ns)
{
	char why[VG_ELF_ERR_LEN + PATH_MAX];
	struct stat st;

	if (!a || !a->path[0] || now_ns < a->next_check_ns)
		return;
	a->next_check_ns = now_ns + VG_AUTH_RECHECK_NS;
	/* missing in the middle of an upgrade: keep what is attached */
	if (stat(a->path, &st) || (a->ino && st.st_dev == a->dev && st.st_ino == a->ino))
		return;
	if (attach(a, why, sizeof(why))) {
		vg_warn("libpam changed but the probes could not follow: %s", why);
		return;
	}
	vg_info("libpam %s changed (new inode): %d probes re-attached", a->path, a->st.probes);
}

void vg_auth_stats(struct vg_auth *a, struct vg_auth_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!a)
		return;
	*st = a->st;
	if (a->skel && a->skel->bss) {
		st->drops = a->skel->bss->auth_drops;
		st->state_errors = a->skel->bss->auth_state_errors;
	}
}

void vg_auth_detach_begin(struct vg_auth *a)
{
	if (!a || a->closing)
		return;
	a->closing = calloc(1, sizeof(*a->closing));
	if (a->closing)
		detach_start(a->closing, a->links);
}

void vg_auth_close(struct vg_auth *a)
{
	if (!a)
		return;
	if (a->closing) {
		detach_finish(a->closing);
		free(a->closing);
	}
	detach(a);
	pam_bpf__destroy(a->skel); /* accepts NULL */
	vg_auth_detect_free(a->detect);
	free(a);
}
