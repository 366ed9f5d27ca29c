/* pH incidents: one episode → one alert (see ph_incident.h): its severity
 * from what the calls do and what the sensor saw, and its fields. */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "ph/ph_alert.h"
#include "ph/ph_classify.h"
#include "ph/ph_incident_report.h"
#include "ph/ph_model.h"
#include "sensor/syscalls.h"

static const char *severity_name(enum vg_ph_severity s)
{
	return s == VG_PH_SEV_CRITICAL ? "Critical" : s == VG_PH_SEV_ERROR ? "Error" : "Warning";
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

			if (!vg_ph__in_episode(ep, r->pid) || r->ts < from || r->critical != pass)
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

		vg_ph_call_name(name, sizeof(name), ep->calls[i].nr);
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
		vg_ph_call_name(name, sizeof(name), w[i]);
		at += (size_t)snprintf(buf + at, size - at, "%s%s", i ? " " : "", name);
	}
	return at < size ? at : size - 1;
}

void vg_ph__report(struct vg_ph_incidents *in, struct episode *ep, uint64_t now_ns)
{
	struct vg_fields *f = &in->fields;
	unsigned ev[VG_PH_INCIDENT_EVENTS], nev;
	enum vg_ph_severity sev;
	const char *exe;
	size_t at, never_at;
	char name[32];
	int update = ep->reported;
	int in_container;

	vg_ph__episode_proc(in, ep);
	in_container = ep->container[0] && strcmp(ep->container, "host"); /* Falco's name */
	if (!update && !vg_ph__scope_of(in, ep->exe_path, ep->exe.ino, ep->have_proc, ep->ppid,
				 ep->has_tty)) {
		/* learnt silently: counted, never reported (nor its updates) */
		ep->reported = 1;
		ep->dirty = 0;
		ep->sev_sent = VG_PH_SEV_CRITICAL;
		in->st.out_of_scope++;
		return;
	}
	at = 0;
	in->family_s[0] = 0;
	for (unsigned i = 0; i < ep->nfamily && at < sizeof(in->family_s); i++)
		at += (size_t)snprintf(in->family_s + at, sizeof(in->family_s) - at, "%s%u",
				       i ? " " : "", ep->family[i]);
	nev = episode_events(in, ep, ev, VG_PH_INCIDENT_EVENTS);
	sev = episode_severity(in, ep, ev, nev, in->reason, sizeof(in->reason));
	/* the evidence threshold: one novel call (a loop count, the allocator
	 * somewhere else) makes a few anomalous calls, no incident; more than
	 * one could explain, a dangerous call or a response is one */
	if (!update && sev < VG_PH_SEV_CRITICAL && !ep->responded && !ep->evidence)
		return;
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
	never_at = 0;
	in->calls_s[0] = 0;
	in->never_made_s[0] = 0;
	in->windows[0] = 0;
	for (unsigned i = 0; i < ep->ncalls; i++) {
		size_t w;

		vg_ph_call_name(name, sizeof(name), ep->calls[i].nr);
		if (at < sizeof(in->calls_s))
			at += (size_t)snprintf(in->calls_s + at, sizeof(in->calls_s) - at, "%s%s",
					       i ? " " : "", name);
		if (ep->calls[i].never_made && never_at < sizeof(in->never_made_s))
			never_at += (size_t)snprintf(in->never_made_s + never_at,
						     sizeof(in->never_made_s) - never_at, "%s%s",
						     never_at ? " " : "", name);
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
	vg_ph_call_name(in->call, sizeof(in->call), ep->ncalls ? ep->calls[0].nr : 0);
	window_names(in->window, sizeof(in->window), ep->ncalls ? ep->calls[0].window : NULL,
		     ep->ncalls ? ep->calls[0].window_len : 0);
	at = 0;
	in->events[0] = 0;
	for (unsigned i = 0; i < nev && at < sizeof(in->events); i++)
		at += (size_t)snprintf(in->events + at, sizeof(in->events) - at, "%s%s",
				       i ? "; " : "", in->recent[ev[i]].text);

	snprintf(in->output, sizeof(in->output),
		 "pH incident%s: %s (pid %u tid %u%s%s, %s, parent %s %u, user %s%s%s) made %" PRIu64
		 " calls outside its normal profile: %s%s (first: %s after [%s])%s%s; LFC %u%s%s%s%s%s"
		 "; held back, not learnt (if legitimate: vigil profile accept %s)",
		 update ? " (update)" : "", exe, ep->pid, ep->tid,
		 in->family_s[0] ? ", with its parent or child pid " : "", in->family_s,
		 ep->cmdline[0] ? ep->cmdline : ep->comm, ep->pname[0] ? ep->pname : "?", ep->ppid,
		 ep->user[0] ? ep->user : "?", in_container ? ", container " : "",
		 in_container ? ep->container : "", ep->anomalies, in->calls_s,
		 ep->calls_dropped ? " ..." : "", in->call, in->window,
		 in->never_made_s[0] ? "; never made before: " : "", in->never_made_s,
		 ep->lfc_max, in->reason[0] ? "; " : "", in->reason,
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
	add_s(f, "ph.family_pids", in->family_s);
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
	add_s(f, "ph.never_made", in->never_made_s);
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
