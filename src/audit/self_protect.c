/* VG-083. The monitor's own syscalls never reach it (the sensor skips
 * them), so everything seen here was done by someone else. */
#include <bpf/bpf.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit/fdinfo.h"
#include "audit/own_files.h"
#include "audit/self_protect.h"
#include "output/alert.h"
#include "output/fields.h"
#include "fields/names.h"
#include "sensor/event.h"
#include "sensor/sensor.h"
#include "sensor/syscalls.h"
#include "util/log.h"
#include "util/macros.h"

struct vg_selfprot {
	pid_t self;
	pid_t supervisor; /* the parent that started us (systemd, a shell) */
	const char *hostname;
	vg_alert_fn fn;
	void *ctx;
	uint32_t links[VG_SP_MAX_LINKS];
	unsigned nlinks;
	uint32_t maps[VG_SP_MAX_LINKS]; /* our maps (program arrays, ring buffer ...) */
	unsigned nmaps;
	pid_t pgid;	  /* our process group: kill(-pgid) reaches us */
	uint64_t drops_at_window, window_ns; /* drop alerts: the current window */
	bool drops_alerted;
	char cgroup[512]; /* our cgroup directory: freezing it (or above) stops us */
	pid_t other; /* another `vigil run` seen at start-up, not reported yet */
	char other_exe[256];
	struct vg_fields fields;
	char msg[512];
	struct vg_own_files outs; /* the files we write (audit/own_files.c) */
};

static const char *const tags[] = { "VG-083", "host", "process", "mitre_defense_evasion",
				    "T1562.001" };

static void add(struct vg_fields *f, const char *key, const char *s, int64_t i)
{
	if (f->n >= VG_FIELDS_MAX)
		return;
	f->kv[f->n++] = (struct vg_kv){ .key = key,
					.kind = s ? VG_KV_STR : VG_KV_INT,
					.s = s,
					.s_len = s ? strlen(s) : 0,
					.i = i };
}

static void raise_alert(struct vg_selfprot *sp, const char *rule, const char *priority,
			uint64_t wall_ns)
{
	struct vg_alert a = {
		.time_ns = wall_ns,
		.rule = rule,
		.priority = priority,
		.output = sp->msg,
		.fields = &sp->fields,
		.tags = tags,
		.ntags = ARRAY_SIZE(tags),
		.source = "syscall",
		.hostname = sp->hostname,
	};

	sp->fn(sp->ctx, &a);
}

/* Our links: the bpf_link descriptors this process holds. */
static void find_own_links(struct vg_selfprot *sp)
{
	DIR *d = opendir("/proc/self/fdinfo");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)) && sp->nlinks < VG_SP_MAX_LINKS) {
		char path[300], text[2048];
		struct vg_fdinfo fi;
		ssize_t n;
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%s", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, text, sizeof(text));
		close(fd);
		if (n <= 0 || vg_fdinfo_parse(text, (size_t)n, &fi, NULL))
			continue;
		if (fi.kind == VG_BPF_LINK)
			sp->links[sp->nlinks++] = fi.id;
		else if (fi.kind == VG_BPF_MAP && sp->nmaps < VG_SP_MAX_LINKS)
			sp->maps[sp->nmaps++] = fi.id;
	}
	closedir(d);
}

/* Our cgroup v2 directory, from /proc/self/cgroup ("0::/system.slice/x"). */
static void find_own_cgroup(struct vg_selfprot *sp)
{
	char line[512];
	FILE *f = fopen("/proc/self/cgroup", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = 0;
		if (strlen(line + 3) + sizeof("/sys/fs/cgroup") > sizeof(sp->cgroup))
			break; /* too deep to watch */
		snprintf(sp->cgroup, sizeof(sp->cgroup), "/sys/fs/cgroup%.*s",
			 (int)(sizeof(sp->cgroup) - sizeof("/sys/fs/cgroup")),
			 strcmp(line + 3, "/") ? line + 3 : "");
	}
	fclose(f);
}

pid_t vg_sp_other_copy(pid_t self, char *exe, size_t size)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t found = 0;

	if (!d)
		return 0;
	while (!found && (de = readdir(d))) {
		char path[64], args[256];
		const char *base;
		ssize_t n;
		pid_t pid;
		int fd;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		if (pid == self)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/exe", pid);
		n = readlink(path, exe, size - 1);
		if (n <= 0)
			continue;
		exe[n] = 0;
		base = strrchr(exe, '/');
		base = base ? base + 1 : exe;
		if (strcmp(base, "vigil") && strcmp(base, "vigil (deleted)"))
			continue;
		/* only monitors: `vigil run`, not `vigil bpf-audit` */
		snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, args, sizeof(args) - 1);
		close(fd);
		if (n <= 0)
			continue;
		args[n] = 0;
		if ((size_t)strlen(args) + 1 < (size_t)n && !strcmp(args + strlen(args) + 1, "run"))
			found = pid;
	}
	closedir(d);
	return found;
}

int vg_sp_open(struct vg_selfprot **out, const char *hostname, vg_alert_fn fn, void *ctx)
{
	struct vg_selfprot *sp = calloc(1, sizeof(*sp));

	if (!sp)
		return -ENOMEM;
	sp->self = getpid();
	sp->supervisor = getppid();
	sp->hostname = hostname;
	sp->fn = fn;
	sp->ctx = ctx;
	find_own_links(sp);
	sp->pgid = getpgrp();
	find_own_cgroup(sp);
	vg_own_files_scan(&sp->outs);
	/* Reported at start-up, on standard error: two monitors are a setup
	 * to look at, not an event in the stream (each would alert on the
	 * other's activity anyway). */
	sp->other = vg_sp_other_copy(sp->self, sp->other_exe, sizeof(sp->other_exe));
	if (sp->other)
		vg_warn("another copy of vigil runs (pid %d, %s)", sp->other, sp->other_exe);
	*out = sp;
	return 0;
}

void vg_sp_free(struct vg_selfprot *sp)
{
	free(sp);
}

void vg_sp_routes(struct vg_sensor *s)
{
	static const char *const calls[] = { "kill", "tkill", "tgkill", "pidfd_send_signal",
					     "ptrace", "bpf" };

	for (size_t i = 0; i < ARRAY_SIZE(calls); i++) {
		int nr = vg_syscall_nr(calls[i]);

		if (nr >= 0)
			vg_sensor_route(s, nr, true);
	}
}

static void who(struct vg_selfprot *sp, const struct vg_event *ev)
{
	const struct vg_hdr *h = &ev->u.hdr;
	static char comm[VG_COMM_LEN + 1];

	memcpy(comm, h->comm, VG_COMM_LEN);
	comm[VG_COMM_LEN] = 0;
	sp->fields.n = 0;
	add(&sp->fields, "evt.type", vg_event_name(ev), 0);
	add(&sp->fields, "proc.pid", NULL, h->pid);
	add(&sp->fields, "proc.name", comm, 0);
	add(&sp->fields, "user.uid", NULL, h->uid);
	add(&sp->fields, "vigil.pid", NULL, sp->self);
}

static bool is_our_link(const struct vg_selfprot *sp, uint32_t id)
{
	for (unsigned i = 0; i < sp->nlinks; i++)
		if (sp->links[i] == id)
			return true;
	return false;
}

static bool is_our_map(const struct vg_selfprot *sp, uint32_t id)
{
	for (unsigned i = 0; i < sp->nmaps; i++)
		if (sp->maps[i] == id)
			return true;
	return false;
}

/* One of our threads (the output, metrics and control threads are
 * signalled and traced by thread id). */
static bool is_our_thread(pid_t tid)
{
	char path[64];

	if (tid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/self/task/%d", tid);
	return access(path, F_OK) == 0;
}

/* Whether a kill/tkill/tgkill/pidfd_send_signal reaches the monitor:
 * its pid, one of its threads, its process group, or every process
 * (kill(-1), by root). pidfd_send_signal's target was read in the kernel. */
static bool signal_reaches_us(const struct vg_selfprot *sp, const struct vg_event *ev)
{
	const struct vg_sys *s = &ev->u.sys;
	const char *name = vg_event_name(ev);
	pid_t t = (pid_t)s->target_pid;

	if (t == sp->self || (pid_t)s->args[0] == sp->self)
		return true;
	if (name && !strcmp(name, "kill"))
		return (t == -1 && ev->u.hdr.uid == 0) || (t < -1 && -t == sp->pgid);
	if (name && !strcmp(name, "tkill"))
		return is_our_thread(t);
	return false;
}

/* A write-open of cgroup.freeze, cgroup.kill or freezer.state in our
 * cgroup or one above it (freezing a parent freezes us). */
static bool freezes_us(const struct vg_selfprot *sp, const struct vg_event *ev)
{
	const char *p = ev->s[VG_S_PATH], *base;
	size_t dir, n = strlen(sp->cgroup);

	if (!n || !(ev->u.file.flags & (O_WRONLY | O_RDWR)))
		return false;
	base = strrchr(p, '/');
	if (!base || (strcmp(base, "/cgroup.freeze") && strcmp(base, "/cgroup.kill") &&
		      strcmp(base, "/freezer.state")))
		return false;
	dir = (size_t)(base - p);
	return dir <= n && !strncmp(sp->cgroup, p, dir) && (sp->cgroup[dir] == '/' || !sp->cgroup[dir]);
}

/* logrotate renames, truncates (copytruncate) and re-modes our logs by
 * design, then sends SIGUSR1: its executable, read while it still runs. */
static bool is_log_rotator(pid_t pid)
{
	char link[64], exe[128];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/exe", pid);
	n = readlink(link, exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = 0;
	return !strcmp(exe, "/usr/sbin/logrotate") || !strcmp(exe, "/sbin/logrotate");
}

/* Another process changing a file we write: our alerts, on their way to
 * whoever reads them, edited or destroyed. */
static void own_file_changed(struct vg_selfprot *sp, const struct vg_event *ev, uint64_t wall_ns)
{
	const char *path = vg_own_files_touched(&sp->outs, ev);

	if (!path || is_log_rotator((pid_t)ev->u.hdr.pid))
		return;
	who(sp, ev);
	add(&sp->fields, "fd.name", path, 0);
	add(&sp->fields, "evt.res", NULL, ev->u.file.res);
	snprintf(sp->msg, sizeof(sp->msg), "vigil's output file changed by another process "
		 "(file=%s evt=%s process=%s pid=%d uid=%u res=%lld)", path, vg_event_name(ev),
		 sp->fields.kv[2].s, ev->u.hdr.pid, ev->u.hdr.uid, (long long)ev->u.file.res);
	raise_alert(sp, "vigil output file changed", "Critical", wall_ns);
}

void vg_sp_event(struct vg_selfprot *sp, const struct vg_event *ev, uint64_t wall_ns)
{
	const struct vg_sys *s = &ev->u.sys;
	const char *what;
	char sig[32];

	if (!sp)
		return;
	switch (ev->u.hdr.type) {
	case VG_EV_KILL:
		/* kill/tkill: target_pid; tgkill: the thread group is args[0] */
		if (!signal_reaches_us(sp, ev))
			return;
		if (s->res < 0 && s->res != -EPERM)
			return; /* a probe for a pid that is not ours */
		/* vigil's own control signals (SIGHUP reloads, SIGUSR1 reopens the
		 * output files for logrotate) are its interface, not an attack */
		if (s->aux == SIGHUP || s->aux == SIGUSR1)
			return;
		/* signal 0 delivers nothing: it asks whether the pid lives, the
		 * probe every supervisor and script makes */
		if (s->aux == 0)
			return;
		/* nor is the supervisor that started us stopping us (systemctl
		 * stop, Ctrl-C): what matters is anyone else killing the monitor */
		if ((pid_t)ev->u.hdr.pid == sp->supervisor && sp->supervisor > 1 &&
		    (s->aux == SIGTERM || s->aux == SIGINT))
			return;
		who(sp, ev);
		what = vg_signal_name(sig, sizeof(sig), s->aux);
		add(&sp->fields, "evt.arg.sig", what, 0);
		add(&sp->fields, "evt.res", NULL, s->res);
		snprintf(sp->msg, sizeof(sp->msg), "vigil signalled by another process (sig=%s "
			 "process=%s pid=%d uid=%u res=%lld)", what, sp->fields.kv[2].s,
			 ev->u.hdr.pid, ev->u.hdr.uid, (long long)s->res);
		raise_alert(sp, "vigil signalled", "Warning", wall_ns);
		break;
	case VG_EV_PTRACE:
		if ((pid_t)s->target_pid != sp->self && !is_our_thread((pid_t)s->target_pid))
			return;
		who(sp, ev);
		what = vg_ptrace_request(sig, sizeof(sig), s->args[0]);
		add(&sp->fields, "evt.arg.request", what, 0);
		add(&sp->fields, "evt.res", NULL, s->res);
		snprintf(sp->msg, sizeof(sp->msg), "vigil ptraced by another process (request=%s "
			 "process=%s pid=%d uid=%u res=%lld)", what, sp->fields.kv[2].s,
			 ev->u.hdr.pid, ev->u.hdr.uid, (long long)s->res);
		raise_alert(sp, "vigil ptraced", "Critical", wall_ns);
		break;
	case VG_EV_RENAME:
	case VG_EV_TRUNCATE:
	case VG_EV_UNLINK:
	case VG_EV_CHMOD:
	case VG_EV_CHOWN:
		own_file_changed(sp, ev, wall_ns);
		break;
	case VG_EV_OPEN:
		if (!freezes_us(sp, ev)) {
			own_file_changed(sp, ev, wall_ns);
			return;
		}
		who(sp, ev);
		add(&sp->fields, "fd.name", ev->s[VG_S_PATH], 0);
		add(&sp->fields, "evt.res", NULL, ev->u.file.res);
		snprintf(sp->msg, sizeof(sp->msg), "vigil's cgroup opened to freeze or kill it "
			 "(file=%s process=%s pid=%d uid=%u res=%lld)", ev->s[VG_S_PATH],
			 sp->fields.kv[2].s, ev->u.hdr.pid, ev->u.hdr.uid,
			 (long long)ev->u.file.res);
		raise_alert(sp, "vigil cgroup frozen", "Critical", wall_ns);
		break;
	case VG_EV_BPF:
		if (s->obj_id && is_our_map(sp, s->obj_id) &&
		    (s->args[0] == BPF_MAP_UPDATE_ELEM || s->args[0] == BPF_MAP_DELETE_ELEM ||
		     s->args[0] == BPF_MAP_FREEZE || s->args[0] == BPF_MAP_UPDATE_BATCH ||
		     s->args[0] == BPF_MAP_DELETE_BATCH)) {
			who(sp, ev);
			add(&sp->fields, "bpf.map.id", NULL, s->obj_id);
			add(&sp->fields, "evt.arg.cmd", NULL, (int64_t)s->args[0]);
			add(&sp->fields, "evt.res", NULL, s->res);
			snprintf(sp->msg, sizeof(sp->msg), "vigil's BPF map %u changed by another "
				 "process (cmd=%llu process=%s pid=%d res=%lld)", s->obj_id,
				 (unsigned long long)s->args[0], sp->fields.kv[2].s, ev->u.hdr.pid,
				 (long long)s->res);
			raise_alert(sp, "vigil BPF map changed", "Critical", wall_ns);
			return;
		}
		if ((s->args[0] != BPF_LINK_DETACH && s->args[0] != BPF_LINK_UPDATE) || !s->obj_id ||
		    !is_our_link(sp, s->obj_id))
			return;
		who(sp, ev);
		add(&sp->fields, "bpf.link.id", NULL, s->obj_id);
		add(&sp->fields, "evt.res", NULL, s->res);
		snprintf(sp->msg, sizeof(sp->msg), "vigil's BPF link %u detached by another process "
			 "(process=%s pid=%d res=%lld)", s->obj_id, sp->fields.kv[2].s,
			 ev->u.hdr.pid, (long long)s->res);
		raise_alert(sp, "vigil BPF link removed", "Critical", wall_ns);
		break;
	}
}

void vg_sp_drops(struct vg_selfprot *sp, uint64_t dropped_total, uint64_t wall_ns)
{
	uint64_t lost;

	if (!sp)
		return;
	if (!sp->window_ns || wall_ns - sp->window_ns >= VG_SP_DROP_WINDOW_S * NSEC_PER_SEC ||
	    dropped_total < sp->drops_at_window) {
		sp->window_ns = wall_ns;
		sp->drops_at_window = dropped_total;
		sp->drops_alerted = false;
		return;
	}
	lost = dropped_total - sp->drops_at_window;
	if (lost < VG_SP_DROP_ALERT || sp->drops_alerted)
		return;
	sp->drops_alerted = true;
	sp->fields.n = 0;
	add(&sp->fields, "vigil.drops", NULL, (int64_t)lost);
	add(&sp->fields, "vigil.pid", NULL, sp->self);
	snprintf(sp->msg, sizeof(sp->msg), "vigil lost %llu events in under %d s (shed or "
		 "dropped: a flood of events blinds the monitor)", (unsigned long long)lost,
		 VG_SP_DROP_WINDOW_S);
	raise_alert(sp, "vigil events dropped", "Error", wall_ns);
}

void vg_sp_tick(struct vg_selfprot *sp, uint64_t wall_ns)
{
	if (!sp)
		return;
	vg_own_files_scan(&sp->outs); /* reopened on SIGUSR1, new outputs after a reload */
	for (unsigned i = 0; i < sp->nlinks; i++) {
		int fd = bpf_link_get_fd_by_id(sp->links[i]);

		if (fd >= 0) {
			close(fd);
			continue;
		}
		if (errno != ENOENT)
			continue;
		sp->fields.n = 0;
		add(&sp->fields, "bpf.link.id", NULL, sp->links[i]);
		add(&sp->fields, "vigil.pid", NULL, sp->self);
		snprintf(sp->msg, sizeof(sp->msg), "vigil's BPF link %u is gone (detached or "
			 "destroyed by another process)", sp->links[i]);
		raise_alert(sp, "vigil BPF link removed", "Critical", wall_ns);
		/* once per link */
		sp->links[i] = sp->links[--sp->nlinks];
		i--;
	}
}
