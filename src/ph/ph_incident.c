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

#include "fields/extract.h"
#include "ph/ph_alert.h"
#include "ph/ph_incident.h"
#include "ph/ph_episode.h"
#include "ph/ph_incident_report.h"
#include "ph/ph_model.h"
#include "sensor/event.h"
#include "sensor/syscalls.h"

int vg_ph_incidents_new(struct vg_ph_incidents **out, const char *hostname,
			int64_t boot_to_wall_ns, vg_alert_fn fn, void *ctx)
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
	in->episode_lfc = 1;
	/* large (its scratch area): on the heap; without it events are
	 * listed by their record's path alone */
	in->ev_ctx = calloc(1, sizeof(*in->ev_ctx));
	*out = in;
	return 0;
}

void vg_ph_incidents_free(struct vg_ph_incidents *in)
{
	if (!in)
		return;
	for (unsigned i = 0; i < in->nwatch; i++)
		free(in->watch[i]);
	free(in->ev_ctx);
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
	return vg_ph__scope_of(in, exe, ino, have, pi.ppid, pi.has_tty);
}

void vg_ph_incidents_set_proc(struct vg_ph_incidents *in, vg_ph_proc_fn fn, void *ctx)
{
	in->proc_fn = fn;
	in->proc_ctx = ctx;
}

void vg_ph_incidents_read_proc_parents(struct vg_ph_incidents *in, int on)
{
	in->proc_parents = on;
}

const char *vg_ph_incidents_known_exe(const struct vg_ph_incidents *in, uint64_t dev,
				      uint64_t ino)
{
	return in ? vg_ph__known_exe(in, dev, ino) : NULL;
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
	if ((exe = vg_ph__proc_exe(in, pid, ino)))
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

void vg_ph_incidents_set_threshold(struct vg_ph_incidents *in, uint32_t episode_lfc)
{
	if (in)
		in->episode_lfc = episode_lfc ? episode_lfc : 1;
}

void vg_ph_incidents_stats(const struct vg_ph_incidents *in, struct vg_ph_incident_stats *st)
{
	if (in)
		*st = in->st;
	else
		memset(st, 0, sizeof(*st));
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

/* A field of the sensor event as the one renderer shows it, copied into buf
 * (values need not end in NUL); NULL when the event has no such field. */
static const char *field_str(const struct vg_fields *f, const char *key, char *buf, size_t size)
{
	const struct vg_kv *kv = vg_fields_get(f, key);

	if (!kv || kv->kind != VG_KV_STR)
		return NULL;
	snprintf(buf, size, "%.*s", (int)(kv->s_len < size ? kv->s_len : size - 1), kv->s);
	return buf;
}

void vg_ph_incidents_event(struct vg_ph_incidents *in, const struct vg_event *ev)
{
	struct recent *r;
	const char *type, *what, *fdtype;
	char type_b[32], what_b[168], fdtype_b[16], newfd_b[16];
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
	if (t == VG_EV_OPEN || t == VG_EV_EXEC || !in->ev_ctx) {
		/* the common ones, on the monitor's hot path (every open sent,
		 * every exec): no field rendering, the record's own path */
		const char *name = vg_event_name(ev);

		r->critical = 0;
		snprintf(r->text, sizeof(r->text), "%s %.180s", name ? name : "event",
			 ev->s[t == VG_EV_EXEC ? VG_S_EXE : VG_S_PATH]);
		return;
	}
	/* the record as --events and the rules see it (no process table: the
	 * record's own fields are all the text needs) */
	vg_rule_ctx_reset(in->ev_ctx, ev, 0);
	vg_fields_from_ctx(&in->ev_fields, in->ev_ctx);
	type = field_str(&in->ev_fields, "evt.type", type_b, sizeof(type_b));
	what = t == VG_EV_EXEC ? ev->s[VG_S_EXE]
			       : field_str(&in->ev_fields, "fd.name", what_b, sizeof(what_b));
	if (!what && t == VG_EV_MODULE_LOAD)
		what = ev->s[VG_S_STR];
	if (t == VG_EV_DUP) {
		const char *newfd = field_str(&in->ev_fields, "evt.arg.newfd", newfd_b,
					      sizeof(newfd_b));

		fdtype = field_str(&in->ev_fields, "fd.type", fdtype_b, sizeof(fdtype_b));
		r->critical = fdtype && (!strcmp(fdtype, "ipv4") || !strcmp(fdtype, "ipv6") ||
					 !strcmp(fdtype, "unix"));
		snprintf(r->text, sizeof(r->text), "%s %s onto %s", type ? type : "dup",
			 fdtype ? fdtype : "?", newfd ? newfd : "?");
		return;
	}
	r->critical = t == VG_EV_MPROTECT || t == VG_EV_PTRACE || t == VG_EV_MODULE_LOAD ||
		      t == VG_EV_PROCESS_VM_WRITEV;
	if (t == VG_EV_MPROTECT)
		what = field_str(&in->ev_fields, "evt.arg.prot", what_b, sizeof(what_b));
	snprintf(r->text, sizeof(r->text), "%s%s%.166s", type ? type : "event", what ? " " : "",
		 what ? what : "");
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
	ep->parent = vg_ph__parent_of(in, e->pid);
	/* the path now, while the process still runs that file (an execve
	 * among its calls replaces it before the report) */
	memset(&pi, 0, sizeof(pi));
	if (in->proc_fn && !in->proc_fn(in->proc_ctx, e->pid, &pi) && pi.exe && pi.exe[0] &&
	    pi.exe_ino == e->exe.ino)
		copy_str(ep->exe_path, sizeof(ep->exe_path), pi.exe);
}

static void episode_add(struct vg_ph_incidents *in, struct episode *ep,
			const struct ph_alert_event *e)
{
	struct novel_call *c = NULL;
	int never_made = (e->flags & PH_EV_F_JUDGED) && (e->flags & PH_EV_F_NEVER_MADE);

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
	if (e->flags & PH_EV_F_JUDGED ? (e->flags & PH_EV_F_EVIDENCE) != 0
				      : e->lfc >= in->episode_lfc)
		ep->evidence = 1;
	if (e->kind == PH_EV_BURST)
		ep->burst = 1;
	for (unsigned i = 0; i < ep->ncalls; i++)
		if (ep->calls[i].nr == e->call)
			c = &ep->calls[i];
	if (c) {
		c->count++;
		c->never_made |= never_made;
		return;
	}
	if (ep->ncalls == VG_PH_INCIDENT_CALLS) {
		ep->calls_dropped++;
		return;
	}
	c = &ep->calls[ep->ncalls++];
	c->nr = (uint16_t)(e->call > 0xffff ? 0xffff : e->call);
	c->count = 1;
	c->never_made = never_made;
	c->window_len = (uint16_t)(e->window_len > PH_EV_WINDOW ? PH_EV_WINDOW : e->window_len);
	memcpy(c->window, e->window, c->window_len * sizeof(c->window[0]));
}

static int same_exe(const struct episode *ep, const struct ph_alert_event *e)
{
	return ep->exe.ino == e->exe.ino && ep->exe.dev == e->exe.dev;
}

/* The episode of the record's task; a process that joined an episode (its
 * family) is in it with all its threads. */
static struct episode *find(struct vg_ph_incidents *in, const struct ph_alert_event *e)
{
	for (unsigned i = 0; i < VG_PH_INCIDENT_SLOTS; i++) {
		struct episode *ep = &in->slots[i];

		if (!ep->used || !same_exe(ep, e))
			continue;
		if (ep->pid == e->pid ? ep->tid == e->tid : vg_ph__in_episode(ep, e->pid))
			return ep;
	}
	return NULL;
}

/* An open episode of the same program in the record's parent process, or
 * in its child (forked before its own anomalies): one attack that forks
 * (system(): the child's execve, the parent's wait) is one incident. Not
 * siblings, nor threads: those are other requests of a server. */
static struct episode *find_family(struct vg_ph_incidents *in, const struct ph_alert_event *e)
{
	uint32_t parent = 0;
	int parent_known = 0;

	for (unsigned i = 0; i < VG_PH_INCIDENT_SLOTS; i++) {
		struct episode *ep = &in->slots[i];

		if (!ep->used || !same_exe(ep, e) || ep->pid == e->pid ||
		    ep->nfamily == VG_PH_FAMILY_MAX || e->ts_ns > ep->last_ns + in->gap_ns)
			continue;
		if (ep->parent == e->pid)
			return ep; /* the record's process is the episode's parent */
		if (!parent_known) {
			parent = vg_ph__parent_of(in, e->pid); /* once, and only here */
			parent_known = 1;
		}
		if (parent && vg_ph__in_episode(ep, parent))
			return ep;
	}
	return NULL;
}

/* The episode is over: reported now if it was not and passes the evidence
 * threshold (vg_ph__report() decides), else counted below it. */
static void episode_close(struct vg_ph_incidents *in, struct episode *ep, uint64_t now_ns)
{
	if (!ep->reported) {
		vg_ph__report(in, ep, now_ns);
		if (!ep->reported)
			in->st.below_threshold++;
	}
	ep->used = 0;
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
	if (oldest->reported) {
		oldest->used = 0;
		return oldest;
	}
	episode_close(in, oldest, now_ns);
	if (oldest->reported)
		in->st.evicted++; /* reported early (below the threshold: counted there) */
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
		episode_close(in, ep, now_ns);
		ep = NULL;
	}
	if (!ep && (ep = find_family(in, e))) {
		ep->family[ep->nfamily++] = e->pid;
		in->st.family_joined++;
	}
	if (!ep) {
		ep = take_slot(in, now_ns);
		episode_open(in, ep, e);
	}
	episode_add(in, ep, e);
	if (ep->reported)
		ep->dirty = 1;
	ep->quiet = 0; /* new evidence: weighed again at the next tick */
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
		 * latest VG_PH_INCIDENT_MAX_HOLD_NS after the first anomaly;
		 * below the evidence threshold it stays unreported (weighed
		 * again when a record adds to it) until it passes or ends */
		if (!ep->reported && now_ns > ep->last_ns + in->gap_ns)
			episode_close(in, ep, now_ns);
		else if (!ep->reported && !ep->quiet && now_ns >= ep->first_ns + in->hold_ns &&
			 (in->sensor_ns >= ep->first_ns + in->hold_ns ||
			  now_ns >= ep->first_ns + VG_PH_INCIDENT_MAX_HOLD_NS)) {
			vg_ph__report(in, ep, now_ns);
			ep->quiet = !ep->reported;
		} else if (ep->reported && ep->dirty) {
			vg_ph__report(in, ep, now_ns); /* only if the severity went up */
		}
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

		if (ep->used && ep->reported && ep->dirty)
			vg_ph__report(in, ep, ep->last_ns);
		if (ep->used)
			episode_close(in, ep, ep->last_ns);
	}
}
