/* pH incidents: anomaly records of a task episode → one alert (see
 * ph_incident.h). The records come from the kernel and were checked by
 * vg_ph_record_check(); everything copied from them is bounded here again. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ph/ph_alert.h"
#include "ph/ph_incident.h"
#include "ph/ph_model.h"
#include "sensor/event.h"
#include "sensor/syscalls.h"

#define VG_PH_EXE_PATHS 4096 /* direct-mapped by inode: collisions lose a name */

struct novel_call {
	uint16_t nr;
	uint16_t window_len;
	uint32_t count;
	uint16_t window[PH_EV_WINDOW]; /* the calls before its first occurrence */
};

struct episode {
	int used;
	int reported;		   /* the incident went out */
	int dirty;		   /* new anomalies since it went out */
	enum vg_ph_severity sev_sent;
	uint32_t pid, tid;
	struct ph_exe_key exe;
	uint64_t profile_id;
	uint64_t first_ns, last_ns; /* CLOCK_BOOTTIME of the first / last record */
	uint64_t anomalies, task_calls, profile_anomalies;
	uint32_t lfc_max, status, window_size;
	int burst, responded;
	uint32_t response;
	int32_t response_err;
	char comm[PH_EV_COMM_LEN + 1];
	unsigned ncalls;
	uint32_t calls_dropped; /* distinct calls beyond VG_PH_INCIDENT_CALLS */
	struct novel_call calls[VG_PH_INCIDENT_CALLS];
	/* the process, from the table when the episode opened */
	int have_proc, has_tty;
	uint32_t ppid;
	int64_t uid;
	char exe_path[512], cmdline[512], pname[32], user[64], container[32];
};

/* A sensor event an incident may list. */
struct recent {
	uint64_t ts;
	uint32_t pid;
	uint16_t type;
	uint8_t critical; /* dup onto 0-2 of a socket, W+X mapping, ptrace, module */
	char text[200];
};

struct vg_ph_incidents {
	vg_ph_incident_fn fn;
	void *ctx;
	vg_ph_proc_fn proc_fn;
	void *proc_ctx;
	const char *hostname;
	int64_t boot_to_wall_ns;
	uint64_t hold_ns, gap_ns;
	struct vg_ph_incident_stats st;
	struct episode slots[VG_PH_INCIDENT_SLOTS];
	struct recent recent[VG_PH_RECENT_EVENTS];
	uint64_t recent_next; /* ring position: total events remembered */
	uint64_t sensor_ns;   /* newest sensor event seen (CLOCK_BOOTTIME) */
	/* rendering */
	struct vg_fields fields;	/* the alert's */
	struct vg_fields ev_fields;	/* scratch for a sensor event */
	const char *tags[2];
	char exe_id[64], ino[24], call[32], window[PH_EV_WINDOW * 32], calls_s[1024];
	char windows[4096], events[2048], reason[256], output[8192];
	char path[4096]; /* readlink of /proc/PID/exe */
	/* paths of recently executed files, by inode (direct-mapped): an
	 * execve's incident is reported after the process became the new
	 * program, when neither the table nor /proc names the old one */
	struct {
		uint64_t ino, dev;
		char path[256];
	} exes[VG_PH_EXE_PATHS];
	/* the alert scope */
	enum vg_ph_scope scope;
	char *watch[VG_PH_WATCH_MAX];
	uint64_t watch_ino[VG_PH_WATCH_MAX]; /* the file at start (0: missing) */
	unsigned nwatch;
	uint64_t listeners[VG_PH_EXE_PATHS]; /* inodes of programs seen serving (direct-mapped) */
};

int vg_ph_incidents_new(struct vg_ph_incidents **out, const char *hostname,
			int64_t boot_to_wall_ns, vg_ph_incident_fn fn, void *ctx)
{
	struct vg_ph_incidents *in = calloc(1, sizeof(*in));

	*out = NULL;
	if (!in)
		return -ENOMEM;
	in->hostname = hostname ? hostname : "";
	in->boot_to_wall_ns = boot_to_wall_ns;
	in->fn = fn;
	in->ctx = ctx;
	in->hold_ns = VG_PH_INCIDENT_HOLD_NS;
	in->gap_ns = VG_PH_INCIDENT_GAP_NS;
	*out = in;
	return 0;
}

void vg_ph_incidents_free(struct vg_ph_incidents *in)
{
	if (!in)
		return;
	for (unsigned i = 0; i < in->nwatch; i++)
		free(in->watch[i]);
	free(in);
}

int vg_ph_incidents_set_scope(struct vg_ph_incidents *in, enum vg_ph_scope scope,
			      const char *const *watch, unsigned nwatch)
{
	if (nwatch > VG_PH_WATCH_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < nwatch; i++)
		if (!watch[i] || watch[i][0] != '/')
			return -EINVAL;
	for (unsigned i = 0; i < in->nwatch; i++)
		free(in->watch[i]);
	in->nwatch = 0;
	for (unsigned i = 0; i < nwatch; i++) {
		struct stat st;

		in->watch[i] = strdup(watch[i]);
		if (!in->watch[i])
			return -ENOMEM;
		/* by inode too: a short-lived process may be gone before its
		 * path is looked up */
		in->watch_ino[i] = stat(watch[i], &st) ? 0 : st.st_ino;
		in->nwatch++;
	}
	in->scope = scope;
	return 0;
}

static int watched(const struct vg_ph_incidents *in, const char *exe, uint64_t ino)
{
	for (unsigned i = 0; i < in->nwatch; i++)
		if ((exe && !strcmp(in->watch[i], exe)) || (ino && in->watch_ino[i] == ino))
			return 1;
	return 0;
}

/* The scope decision for a process: its path, parent, terminal, and
 * whether its program was seen serving. */
static int scope_of(const struct vg_ph_incidents *in, const char *exe, uint64_t ino,
		    int have_proc, uint32_t ppid, int has_tty)
{
	if (watched(in, exe, ino))
		return 1;
	if (in->scope == VG_PH_SCOPE_ALL)
		return 1;
	if (in->scope == VG_PH_SCOPE_WATCHED || vg_ph_quiet_program(exe))
		return 0;
	if (ino && in->listeners[ino % VG_PH_EXE_PATHS] == ino)
		return 1; /* it listens or accepts: it serves the network */
	return have_proc && ppid == 1 && !has_tty; /* a daemon */
}

int vg_ph_incidents_in_scope(struct vg_ph_incidents *in, uint32_t pid, uint64_t ino)
{
	struct vg_ph_proc_info pi;
	const char *exe;
	int have;

	if (!in)
		return 1;
	memset(&pi, 0, sizeof(pi));
	have = in->proc_fn && !in->proc_fn(in->proc_ctx, pid, &pi) && pi.exe_ino == ino;
	exe = have ? pi.exe : NULL;
	if (!exe)
		exe = vg_ph_incidents_exe_of(in, pid, ino);
	return scope_of(in, exe, ino, have, pi.ppid, pi.has_tty);
}

void vg_ph_incidents_set_proc(struct vg_ph_incidents *in, vg_ph_proc_fn fn, void *ctx)
{
	in->proc_fn = fn;
	in->proc_ctx = ctx;
}

static void copy_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static const char *known_exe(const struct vg_ph_incidents *in, uint64_t dev, uint64_t ino)
{
	unsigned i = (unsigned)(ino % VG_PH_EXE_PATHS);

	return in->exes[i].ino == ino && in->exes[i].dev == dev && in->exes[i].path[0]
		       ? in->exes[i].path
		       : NULL;
}

const char *vg_ph_incidents_known_exe(const struct vg_ph_incidents *in, uint64_t dev,
				      uint64_t ino)
{
	return in ? known_exe(in, dev, ino) : NULL;
}

/* /proc/PID/exe when it is the file `ino`. */
static const char *proc_exe(struct vg_ph_incidents *in, uint32_t pid, uint64_t ino)
{
	char link[64];
	struct stat st;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%u/exe", pid);
	if (stat(link, &st) || st.st_ino != ino)
		return NULL;
	n = readlink(link, in->path, sizeof(in->path) - 1);
	if (n <= 0)
		return NULL;
	in->path[n] = 0;
	return in->path;
}

const char *vg_ph_incidents_exe_of(struct vg_ph_incidents *in, uint32_t pid, uint64_t ino)
{
	struct vg_ph_proc_info pi;
	const char *exe;

	if (!in)
		return NULL;
	if (in->proc_fn && !in->proc_fn(in->proc_ctx, pid, &pi) && pi.exe && pi.exe[0] &&
	    pi.exe_ino == ino)
		return pi.exe;
	/* the exec event (another ring) may come later; a short task may be gone */
	if ((exe = proc_exe(in, pid, ino)))
		return exe;
	for (unsigned i = 0; i < VG_PH_EXE_PATHS; i++)
		if (in->exes[i].ino == ino && in->exes[i].path[0])
			return in->exes[i].path;
	return NULL;
}

void vg_ph_incidents_set_timing(struct vg_ph_incidents *in, uint64_t hold_ns, uint64_t gap_ns)
{
	if (hold_ns)
		in->hold_ns = hold_ns;
	if (gap_ns)
		in->gap_ns = gap_ns;
}

void vg_ph_incidents_stats(const struct vg_ph_incidents *in, struct vg_ph_incident_stats *st)
{
	if (in)
		*st = in->st;
	else
		memset(st, 0, sizeof(*st));
}

static const char *severity_name(enum vg_ph_severity s)
{
	return s == VG_PH_SEV_CRITICAL ? "Critical" : s == VG_PH_SEV_ERROR ? "Error" : "Warning";
}

static void call_name(char *buf, size_t size, unsigned nr)
{
	const char *name = vg_syscall_name((int)nr);

	if (name)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "syscall_%u", nr);
}

/* ---- the sensor's recent events ---- */

static int interesting(unsigned type)
{
	switch (type) {
	case VG_EV_EXEC:
	case VG_EV_OPEN:
	case VG_EV_UNLINK:
	case VG_EV_RENAME:
	case VG_EV_CHMOD:
	case VG_EV_CONNECT:
	case VG_EV_ACCEPT:
	case VG_EV_BIND:
	case VG_EV_LISTEN:
	case VG_EV_SETUID:
	case VG_EV_PTRACE:
	case VG_EV_PROCESS_VM_WRITEV:
	case VG_EV_MPROTECT:
	case VG_EV_MEMFD_CREATE:
	case VG_EV_DUP:
	case VG_EV_MODULE_LOAD:
	case VG_EV_BPF:
		return 1;
	default:
		return 0;
	}
}

static const char *field_str(const struct vg_fields *f, const char *key)
{
	const struct vg_kv *kv = vg_fields_get(f, key);

	return kv && kv->kind == VG_KV_STR ? kv->s : NULL;
}

void vg_ph_incidents_event(struct vg_ph_incidents *in, const struct vg_event *ev)
{
	struct recent *r;
	const char *type, *what, *fdtype;
	unsigned t = ev->u.hdr.type;

	if (!in)
		return;
	if (ev->u.hdr.ts_ns > in->sensor_ns)
		in->sensor_ns = ev->u.hdr.ts_ns;
	if (!interesting(t))
		return;
	if ((t == VG_EV_LISTEN || t == VG_EV_ACCEPT) && in->proc_fn) {
		struct vg_ph_proc_info pi;

		if (!in->proc_fn(in->proc_ctx, ev->u.hdr.pid, &pi) && pi.exe_ino)
			in->listeners[pi.exe_ino % VG_PH_EXE_PATHS] = pi.exe_ino;
	}
	if (t == VG_EV_EXEC && ev->u.exec.exe_ino && ev->len[VG_S_EXE] < 256) {
		unsigned i = (unsigned)(ev->u.exec.exe_ino % VG_PH_EXE_PATHS);

		in->exes[i].ino = ev->u.exec.exe_ino;
		in->exes[i].dev = ev->u.exec.exe_dev;
		copy_str(in->exes[i].path, sizeof(in->exes[i].path), ev->s[VG_S_EXE]);
	}
	r = &in->recent[in->recent_next++ % VG_PH_RECENT_EVENTS];
	r->ts = ev->u.hdr.ts_ns;
	r->pid = ev->u.hdr.pid;
	r->type = (uint16_t)t;
	if (t == VG_EV_OPEN) {
		/* the common one, on the monitor's hot path: no field rendering */
		const char *name = vg_event_name(ev);

		r->critical = 0;
		snprintf(r->text, sizeof(r->text), "%s %.180s", name ? name : "open",
			 ev->s[VG_S_PATH]);
		return;
	}
	vg_fields_from_event(&in->ev_fields, ev, NULL);
	type = field_str(&in->ev_fields, "evt.type");
	what = t == VG_EV_EXEC ? ev->s[VG_S_EXE] : field_str(&in->ev_fields, "fd.name");
	if (!what && t == VG_EV_MODULE_LOAD)
		what = ev->s[VG_S_STR];
	if (t == VG_EV_DUP) {
		fdtype = field_str(&in->ev_fields, "fd.type");
		r->critical = fdtype && (!strcmp(fdtype, "ipv4") || !strcmp(fdtype, "ipv6") ||
					 !strcmp(fdtype, "unix"));
		snprintf(r->text, sizeof(r->text), "%s %s onto %" PRId64, type ? type : "dup",
			 fdtype ? fdtype : "?",
			 vg_fields_get(&in->ev_fields, "evt.arg.newfd")
				 ? vg_fields_get(&in->ev_fields, "evt.arg.newfd")->i
				 : -1);
		return;
	}
	r->critical = t == VG_EV_MPROTECT || t == VG_EV_PTRACE || t == VG_EV_MODULE_LOAD ||
		      t == VG_EV_PROCESS_VM_WRITEV;
	if (t == VG_EV_MPROTECT)
		what = field_str(&in->ev_fields, "evt.arg.prot");
	snprintf(r->text, sizeof(r->text), "%s%s%.180s", type ? type : "event", what ? " " : "",
		 what ? what : "");
}

/* Indices of the remembered events of the episode's process, from a little
 * before its first anomaly until now, critical ones first; at most max. */
static unsigned episode_events(const struct vg_ph_incidents *in, const struct episode *ep,
			       unsigned *idx, unsigned max)
{
	uint64_t n = in->recent_next < VG_PH_RECENT_EVENTS ? in->recent_next : VG_PH_RECENT_EVENTS;
	uint64_t from = ep->first_ns > VG_PH_RECENT_BEFORE_NS ? ep->first_ns - VG_PH_RECENT_BEFORE_NS
							      : 0;
	unsigned got = 0;

	for (int pass = 1; pass >= 0; pass--) {
		/* newest first within a pass: the events nearest the anomaly */
		for (uint64_t k = 0; k < n && got < max; k++) {
			unsigned i = (unsigned)((in->recent_next - 1 - k) % VG_PH_RECENT_EVENTS);
			const struct recent *r = &in->recent[i];

			if (r->pid != ep->pid || r->ts < from || r->critical != pass)
				continue;
			idx[got++] = i;
		}
	}
	/* in time order */
	for (unsigned a = 1; a < got; a++)
		for (unsigned b = a; b > 0 && in->recent[idx[b - 1]].ts > in->recent[idx[b]].ts; b--) {
			unsigned t = idx[b];

			idx[b] = idx[b - 1];
			idx[b - 1] = t;
		}
	return got;
}

/* ---- episodes ---- */

static void episode_open(struct vg_ph_incidents *in, struct episode *ep,
			 const struct ph_alert_event *e)
{
	struct vg_ph_proc_info pi;

	memset(ep, 0, sizeof(*ep));
	ep->used = 1;
	ep->pid = e->pid;
	ep->tid = e->tid;
	ep->exe = e->exe;
	ep->profile_id = e->profile_id;
	ep->first_ns = e->ts_ns;
	ep->window_size = e->window_size;
	ep->uid = -1;
	memcpy(ep->comm, e->comm, PH_EV_COMM_LEN);
	ep->comm[PH_EV_COMM_LEN] = 0;
	/* the path now, while the process still runs that file (an execve
	 * among its calls replaces it before the report) */
	memset(&pi, 0, sizeof(pi));
	if (in->proc_fn && !in->proc_fn(in->proc_ctx, e->pid, &pi) && pi.exe && pi.exe[0] &&
	    pi.exe_ino == e->exe.ino)
		copy_str(ep->exe_path, sizeof(ep->exe_path), pi.exe);
}

/* The process from the table, once: when the episode is first reported.
 * An entry whose image is another file (its exec not seen yet) gives the
 * path from /proc instead. */
static void episode_proc(struct vg_ph_incidents *in, struct episode *ep)
{
	struct vg_ph_proc_info pi;
	const char *exe;

	if (ep->have_proc)
		return;
	memset(&pi, 0, sizeof(pi));
	pi.uid = -1;
	if (in->proc_fn && !in->proc_fn(in->proc_ctx, ep->pid, &pi)) {
		ep->have_proc = 1;
		/* after an execve the table shows the new program's arguments */
		if (pi.exe_ino == ep->exe.ino)
			copy_str(ep->cmdline, sizeof(ep->cmdline), pi.cmdline);
		copy_str(ep->pname, sizeof(ep->pname), pi.pname);
		copy_str(ep->user, sizeof(ep->user), pi.user);
		copy_str(ep->container, sizeof(ep->container), pi.container_id);
		ep->ppid = pi.ppid;
		ep->uid = pi.uid;
		ep->has_tty = pi.has_tty;
		if (!ep->exe_path[0] && pi.exe && pi.exe_ino == ep->exe.ino)
			copy_str(ep->exe_path, sizeof(ep->exe_path), pi.exe);
	}
	if (!ep->exe_path[0] && (exe = proc_exe(in, ep->pid, ep->exe.ino)))
		copy_str(ep->exe_path, sizeof(ep->exe_path), exe);
	if (!ep->exe_path[0] && (exe = known_exe(in, ep->exe.dev, ep->exe.ino)))
		copy_str(ep->exe_path, sizeof(ep->exe_path), exe);
}

static void episode_add(struct episode *ep, const struct ph_alert_event *e)
{
	struct novel_call *c = NULL;

	if (e->ts_ns > ep->last_ns)
		ep->last_ns = e->ts_ns;
	if (e->kind == PH_EV_RESPONSE) {
		ep->responded = 1;
		ep->response = e->response;
		ep->response_err = e->response_err;
		return;
	}
	ep->anomalies++;
	ep->task_calls = e->task_calls;
	ep->profile_anomalies = e->profile_anomalies;
	ep->status = e->status;
	if (e->lfc > ep->lfc_max)
		ep->lfc_max = e->lfc;
	if (e->kind == PH_EV_BURST)
		ep->burst = 1;
	for (unsigned i = 0; i < ep->ncalls; i++)
		if (ep->calls[i].nr == e->call)
			c = &ep->calls[i];
	if (c) {
		c->count++;
		return;
	}
	if (ep->ncalls == VG_PH_INCIDENT_CALLS) {
		ep->calls_dropped++;
		return;
	}
	c = &ep->calls[ep->ncalls++];
	c->nr = (uint16_t)(e->call > 0xffff ? 0xffff : e->call);
	c->count = 1;
	c->window_len = (uint16_t)(e->window_len > PH_EV_WINDOW ? PH_EV_WINDOW : e->window_len);
	memcpy(c->window, e->window, c->window_len * sizeof(c->window[0]));
}

/* The episode's severity and the reasons for it ("execve: runs a program"). */
static enum vg_ph_severity episode_severity(struct vg_ph_incidents *in, const struct episode *ep,
					    const unsigned *ev, unsigned nev, char *why,
					    size_t size)
{
	enum vg_ph_severity sev = ep->burst ? VG_PH_SEV_ERROR : VG_PH_SEV_WARNING;
	int dup_socket = 0, wx = 0;
	size_t at = 0;
	char name[32];

	why[0] = 0;
	for (unsigned i = 0; i < nev; i++) {
		const struct recent *r = &in->recent[ev[i]];

		dup_socket |= r->type == VG_EV_DUP && r->critical;
		wx |= r->type == VG_EV_MPROTECT;
	}
	for (unsigned i = 0; i < ep->ncalls; i++) {
		enum vg_ph_severity s;
		const char *what;

		call_name(name, sizeof(name), ep->calls[i].nr);
		s = vg_ph_call_severity(name);
		what = vg_ph_call_why(name);
		/* the sensor saw what the call did */
		if ((!strcmp(name, "dup2") || !strcmp(name, "dup3") || !strcmp(name, "dup")) &&
		    dup_socket) {
			s = VG_PH_SEV_CRITICAL;
			what = "puts a socket on standard input/output";
		}
		if ((!strcmp(name, "mprotect") || !strcmp(name, "mmap") ||
		     !strcmp(name, "pkey_mprotect")) && wx) {
			s = VG_PH_SEV_CRITICAL;
			what = "maps memory writable and executable";
		}
		if (s < VG_PH_SEV_ERROR || !what)
			continue;
		if (s > sev)
			sev = s;
		if (at < size)
			at += (size_t)snprintf(why + at, size - at, "%s%s: %s", at ? "; " : "", name,
					       what);
	}
	if (ep->burst && at < size)
		snprintf(why + at, size - at, "%sburst: LFC %u over the tolerize limit",
			 at ? "; " : "", ep->lfc_max);
	return sev;
}

static void add(struct vg_fields *f, const char *key, const char *s, int64_t i, enum vg_kv_kind k)
{
	if (f->n >= VG_FIELDS_MAX)
		return;
	f->kv[f->n++] = (struct vg_kv){ .key = key, .kind = k, .s = s,
					.s_len = s ? strlen(s) : 0, .i = i };
}

static void add_s(struct vg_fields *f, const char *key, const char *s)
{
	if (s && s[0])
		add(f, key, s, 0, VG_KV_STR);
	else
		add(f, key, NULL, 0, VG_KV_NULL);
}

static void add_i(struct vg_fields *f, const char *key, int64_t i)
{
	add(f, key, NULL, i, VG_KV_INT);
}

/* "a b c" of a window */
static size_t window_names(char *buf, size_t size, const uint16_t *w, unsigned n)
{
	size_t at = 0;
	char name[32];

	buf[0] = 0;
	for (unsigned i = 0; i < n && at < size; i++) {
		call_name(name, sizeof(name), w[i]);
		at += (size_t)snprintf(buf + at, size - at, "%s%s", i ? " " : "", name);
	}
	return at < size ? at : size - 1;
}

static void report(struct vg_ph_incidents *in, struct episode *ep, uint64_t now_ns)
{
	struct vg_fields *f = &in->fields;
	unsigned ev[VG_PH_INCIDENT_EVENTS], nev;
	enum vg_ph_severity sev;
	const char *exe;
	size_t at;
	char name[32];
	int update = ep->reported;

	episode_proc(in, ep);
	if (!update && !scope_of(in, ep->exe_path, ep->exe.ino, ep->have_proc, ep->ppid,
				 ep->has_tty)) {
		/* learnt silently: counted, never reported (nor its updates) */
		ep->reported = 1;
		ep->dirty = 0;
		ep->sev_sent = VG_PH_SEV_CRITICAL;
		in->st.out_of_scope++;
		return;
	}
	nev = episode_events(in, ep, ev, VG_PH_INCIDENT_EVENTS);
	sev = episode_severity(in, ep, ev, nev, in->reason, sizeof(in->reason));
	if (update && sev <= ep->sev_sent) {
		ep->dirty = 0;
		return; /* nothing an operator did not hear already */
	}
	/* the kernel's dev_t: 12 bits of major, 20 of minor */
	snprintf(in->exe_id, sizeof(in->exe_id), "%" PRIu64 ":%" PRIu64 ":%" PRIu64,
		 (uint64_t)(ep->exe.dev >> 20), (uint64_t)(ep->exe.dev & 0xfffff),
		 (uint64_t)ep->exe.ino);
	snprintf(in->ino, sizeof(in->ino), "%" PRIu64, (uint64_t)ep->exe.ino);
	exe = ep->exe_path[0] ? ep->exe_path : in->exe_id;

	at = 0;
	in->calls_s[0] = 0;
	in->windows[0] = 0;
	for (unsigned i = 0; i < ep->ncalls; i++) {
		size_t w;

		call_name(name, sizeof(name), ep->calls[i].nr);
		if (at < sizeof(in->calls_s))
			at += (size_t)snprintf(in->calls_s + at, sizeof(in->calls_s) - at, "%s%s",
					       i ? " " : "", name);
		w = strlen(in->windows);
		if (w + 64 < sizeof(in->windows)) {
			w += (size_t)snprintf(in->windows + w, sizeof(in->windows) - w,
					      "%s%s after [", i ? "; " : "", name);
			w += window_names(in->windows + w, sizeof(in->windows) - w,
					  ep->calls[i].window, ep->calls[i].window_len);
			if (w < sizeof(in->windows))
				snprintf(in->windows + w, sizeof(in->windows) - w, "]");
		}
	}
	call_name(in->call, sizeof(in->call), ep->ncalls ? ep->calls[0].nr : 0);
	window_names(in->window, sizeof(in->window), ep->ncalls ? ep->calls[0].window : NULL,
		     ep->ncalls ? ep->calls[0].window_len : 0);
	at = 0;
	in->events[0] = 0;
	for (unsigned i = 0; i < nev && at < sizeof(in->events); i++)
		at += (size_t)snprintf(in->events + at, sizeof(in->events) - at, "%s%s",
				       i ? "; " : "", in->recent[ev[i]].text);

	snprintf(in->output, sizeof(in->output),
		 "pH incident%s: %s (pid %u tid %u, %s, parent %s %u, user %s%s%s) made %" PRIu64
		 " calls outside its normal profile: %s%s (first: %s after [%s]); LFC %u%s%s%s%s%s"
		 "; held back, not learnt (if legitimate: vigil profile accept %s)",
		 update ? " (update)" : "", exe, ep->pid, ep->tid,
		 ep->cmdline[0] ? ep->cmdline : ep->comm, ep->pname[0] ? ep->pname : "?", ep->ppid,
		 ep->user[0] ? ep->user : "?", ep->container[0] ? ", container " : "",
		 ep->container, ep->anomalies, in->calls_s, ep->calls_dropped ? " ..." : "",
		 in->call, in->window, ep->lfc_max, in->reason[0] ? "; " : "", in->reason,
		 nev ? "; around it: " : "", in->events,
		 !ep->responded	    ? ""
		 : ep->response_err ? "; the response failed"
		 : ep->response == SIGKILL ? "; killed by the response"
					   : "; stopped by the response",
		 in->exe_id);

	f->n = 0;
	f->used = 0;
	add_s(f, "proc.name", ep->comm);
	add_i(f, "proc.pid", ep->pid);
	add_i(f, "thread.tid", ep->tid);
	add_s(f, "proc.exepath", ep->exe_path);
	add_s(f, "proc.cmdline", ep->cmdline);
	if (ep->have_proc)
		add_i(f, "proc.ppid", ep->ppid);
	add_s(f, "proc.pname", ep->pname);
	add_s(f, "user.name", ep->user);
	if (ep->uid >= 0)
		add_i(f, "user.uid", ep->uid);
	add_s(f, "container.id", ep->container);
	add_s(f, "ph.exe", exe);
	add_s(f, "ph.exe_id", in->exe_id);
	/* inodes are 64-bit: a number only while JSON readers keep it exact */
	if (ep->exe.ino <= INT64_MAX)
		add_i(f, "ph.exe_ino", (int64_t)ep->exe.ino);
	else
		add_s(f, "ph.exe_ino", in->ino);
	add_i(f, "ph.profile_id", (int64_t)ep->profile_id);
	add_s(f, "ph.call", in->call);
	add_s(f, "ph.window", in->window);
	add_i(f, "ph.window_size", ep->window_size);
	add_s(f, "ph.calls", in->calls_s);
	add_s(f, "ph.windows", in->windows);
	add_i(f, "ph.anomalies", (int64_t)ep->anomalies);
	add_i(f, "ph.lfc", ep->lfc_max);
	add(f, "ph.burst", NULL, ep->burst, VG_KV_BOOL);
	add_s(f, "ph.severity_reason", in->reason);
	add_s(f, "ph.events", in->events);
	add_s(f, "ph.state", vg_ph_state_name(ep->status));
	add_i(f, "ph.task_calls", (int64_t)ep->task_calls);
	add_i(f, "ph.profile_anomalies", (int64_t)ep->profile_anomalies);
	add_i(f, "ph.delay_ms", now_ns > ep->first_ns ? (int64_t)((now_ns - ep->first_ns) / 1000000)
						      : 0);
	add(f, "ph.update", NULL, update, VG_KV_BOOL);
	if (ep->responded)
		add_s(f, "ph.response", vg_ph_response_name(ep->response));

	in->tags[0] = "VG-090";
	in->tags[1] = "pH";
	struct vg_alert a = {
		.time_ns = (uint64_t)((int64_t)ep->first_ns + in->boot_to_wall_ns),
		.rule = "pH incident",
		.priority = severity_name(sev),
		.output = in->output,
		.fields = f,
		.tags = in->tags,
		.ntags = 2,
		.source = "syscall",
		.hostname = in->hostname,
	};
	ep->reported = 1;
	ep->dirty = 0;
	ep->sev_sent = sev;
	in->st.incidents++;
	if (update)
		in->st.updates++;
	if (in->fn)
		in->fn(in->ctx, &a);
}

static struct episode *find(struct vg_ph_incidents *in, const struct ph_alert_event *e)
{
	for (unsigned i = 0; i < VG_PH_INCIDENT_SLOTS; i++) {
		struct episode *ep = &in->slots[i];

		if (ep->used && ep->tid == e->tid && ep->pid == e->pid &&
		    ep->exe.ino == e->exe.ino && ep->exe.dev == e->exe.dev)
			return ep;
	}
	return NULL;
}

/* A free slot; when none, the oldest episode is reported (if it was not)
 * and its slot reused. */
static struct episode *take_slot(struct vg_ph_incidents *in, uint64_t now_ns)
{
	struct episode *oldest = NULL;

	for (unsigned i = 0; i < VG_PH_INCIDENT_SLOTS; i++) {
		struct episode *ep = &in->slots[i];

		if (!ep->used)
			return ep;
		if (!oldest || ep->last_ns < oldest->last_ns)
			oldest = ep;
	}
	if (!oldest->reported) {
		report(in, oldest, now_ns);
		in->st.evicted++;
	}
	oldest->used = 0;
	return oldest;
}

void vg_ph_incidents_record(struct vg_ph_incidents *in, const struct ph_alert_event *e,
			    uint64_t now_ns)
{
	struct episode *ep;

	if (!in || (e->kind != PH_EV_ANOMALY && e->kind != PH_EV_BURST &&
		    e->kind != PH_EV_RESPONSE))
		return;
	in->st.records++;
	ep = find(in, e);
	if (ep && e->ts_ns > ep->last_ns + in->gap_ns) {
		/* a new episode of the same task */
		if (!ep->reported)
			report(in, ep, now_ns);
		ep->used = 0;
		ep = NULL;
	}
	if (!ep) {
		ep = take_slot(in, now_ns);
		episode_open(in, ep, e);
	}
	episode_add(ep, e);
	if (ep->reported)
		ep->dirty = 1;
}

void vg_ph_incidents_tick(struct vg_ph_incidents *in, uint64_t now_ns)
{
	if (!in)
		return;
	for (unsigned i = 0; i < VG_PH_INCIDENT_SLOTS; i++) {
		struct episode *ep = &in->slots[i];

		if (!ep->used)
			continue;
		/* due after the hold, once the sensor's events (another ring,
		 * which may lag under load) have caught up with it, or at the
		 * latest VG_PH_INCIDENT_MAX_HOLD_NS after the first anomaly */
		if (!ep->reported && now_ns >= ep->first_ns + in->hold_ns &&
		    (in->sensor_ns >= ep->first_ns + in->hold_ns ||
		     now_ns >= ep->first_ns + VG_PH_INCIDENT_MAX_HOLD_NS))
			report(in, ep, now_ns);
		else if (ep->reported && ep->dirty)
			report(in, ep, now_ns); /* only if the severity went up */
		if (ep->reported && now_ns > ep->last_ns + in->gap_ns)
			ep->used = 0;
	}
}

void vg_ph_incidents_flush(struct vg_ph_incidents *in)
{
	if (!in)
		return;
	for (unsigned i = 0; i < VG_PH_INCIDENT_SLOTS; i++) {
		struct episode *ep = &in->slots[i];

		if (ep->used && (!ep->reported || ep->dirty))
			report(in, ep, ep->last_ns);
		ep->used = 0;
	}
}
