/* pH alert records → alerts. The record comes from the kernel, so every
 * length in it is checked before use; names of calls come from the syscall
 * table (a number without a name is printed as "syscall_N"). */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "ph/ph_alert.h"
#include "ph/ph_model.h"
#include "sensor/syscalls.h"
#include "sensor/uring_ops.h"

/* How each kind is reported: rule name, priority, catalogue id. The
 * monitor folds anomaly and burst records into incidents (ph_incident.c);
 * rendering them one by one is kept for tools and tests. */
struct kind_def {
	const char *rule;
	const char *priority;
	const char *tag;
	const char *what; /* the start of the message */
};

static const struct kind_def kinds[] = {
	[PH_EV_ANOMALY] = { "pH anomaly", "Warning", "VG-090", "pH anomaly" },
	[PH_EV_BURST] = { "pH anomaly burst", "Error", "VG-091",
			  "pH anomaly burst (LFC over the tolerize limit)" },
	[PH_EV_NORMAL] = { "pH profile normal", "Informational", "VG-092",
			   "pH profile became normal" },
	/* an operator must hear that a program is no longer watched */
	[PH_EV_TOLERIZED] = { "pH profile disabled", "Error", "VG-092",
			      "pH profile disabled (anomaly limit reached, no longer tested, back "
			      "to training)" },
	[PH_EV_RESPONSE] = { "pH response", "Critical", "VG-091",
			     "pH response (LFC over the response limit)" },
};

int vg_ph_record_check(const void *data, size_t size, const char **why)
{
	const struct ph_alert_event *e = data;

	if (size < sizeof(*e)) {
		*why = "pH record shorter than struct ph_alert_event";
		return -EINVAL;
	}
	if (e->size != sizeof(*e)) {
		*why = "pH record of another size (kernel and user space built apart?)";
		return -EINVAL;
	}
	if (e->kind < PH_EV_ANOMALY || e->kind > PH_EV_RESPONSE) {
		*why = "pH record of unknown kind";
		return -EINVAL;
	}
	if (e->window_len > PH_EV_WINDOW) {
		*why = "pH record window longer than its array";
		return -EINVAL;
	}
	return 0;
}

const char *vg_ph_response_name(uint32_t sig)
{
	return sig == SIGKILL ? "kill" : sig == SIGSTOP ? "stop" : "signal";
}

/* "killed" / "stopped": what the alert says was done. */
static const char *vg_ph_response_done(uint32_t sig)
{
	return sig == SIGKILL ? "killed" : sig == SIGSTOP ? "stopped" : "signalled";
}

const char *vg_ph_state_name(uint32_t status)
{
	if (status & PH_PROFILE_NORMAL)
		return "normal";
	if (status & PH_PROFILE_FROZEN)
		return "frozen";
	return "training";
}

void vg_ph_call_name(char *buf, size_t size, unsigned nr)
{
	const char *name = vg_syscall_name((int)nr);

	if (nr >= PH_URING_CALL_BASE) /* an io_uring request (bpf/ph.bpf.c) */
		name = vg_uring_op_name(nr - PH_URING_CALL_BASE);
	if (name && nr >= PH_URING_CALL_BASE)
		snprintf(buf, size, "io_uring:%s", name);
	else if (name)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "syscall_%u", nr);
}

static void add(struct vg_fields *f, const char *key, const char *s, int64_t i, int is_str)
{
	if (f->n >= VG_FIELDS_MAX)
		return;
	f->kv[f->n++] = (struct vg_kv){ .key = key,
					.kind = is_str ? VG_KV_STR : VG_KV_INT,
					.s = s,
					.s_len = s ? strlen(s) : 0,
					.i = i };
}

void vg_ph_alert_render(struct vg_ph_alert *out, const struct ph_alert_event *e,
			int64_t boot_to_wall_ns, const char *hostname, const char *exe_path)
{
	const struct kind_def *k = &kinds[e->kind];
	struct vg_fields *f = &out->fields;
	const char *state = vg_ph_state_name(e->status);
	size_t at = 0;
	char name[32];

	memcpy(out->comm, e->comm, PH_EV_COMM_LEN);
	out->comm[PH_EV_COMM_LEN] = 0;
	vg_ph_call_name(out->call, sizeof(out->call), e->call);
	out->window[0] = 0;
	for (unsigned i = 0; i < e->window_len && i < PH_EV_WINDOW; i++) {
		vg_ph_call_name(name, sizeof(name), e->window[i]);
		at += snprintf(out->window + at, sizeof(out->window) - at, "%s%s", i ? " " : "",
			       name);
		if (at >= sizeof(out->window))
			break; /* cannot happen: 15 names of < 32 bytes */
	}
	/* the kernel's dev_t: 12 bits of major, 20 of minor */
	snprintf(out->exe_id, sizeof(out->exe_id), "%" PRIu64 ":%" PRIu64 ":%" PRIu64,
		 (uint64_t)(e->exe.dev >> 20), (uint64_t)(e->exe.dev & 0xfffff),
		 (uint64_t)e->exe.ino);
	snprintf(out->exe, sizeof(out->exe), "%s",
		 exe_path && exe_path[0] ? exe_path : out->exe_id);
	snprintf(out->ino, sizeof(out->ino), "%" PRIu64, (uint64_t)e->exe.ino);

	if (e->kind == PH_EV_RESPONSE)
		snprintf(out->output, sizeof(out->output),
			 "%s: %s %s (pid %u tid %u) after %s, LFC %u (exe %s)%s%s", k->what,
			 e->response_err ? "failed to signal" : vg_ph_response_done(e->response),
			 out->comm, e->pid, e->tid, out->call, e->lfc, out->exe,
			 e->response_err ? ": " : "",
			 e->response_err ? strerror(-e->response_err) : "");
	else if (e->kind == PH_EV_NORMAL)
		snprintf(out->output, sizeof(out->output),
			 "%s: %s (exe %s) profile normal after %" PRIu64 " calls (pid %u)",
			 k->what, out->comm, out->exe, (uint64_t)e->profile_calls, e->pid);
	else
		snprintf(out->output, sizeof(out->output),
			 "%s: %s (pid %u tid %u) made %s after [%s] (LFC %u, %u unknown items, "
			 "profile %s, exe %s, profile anomalies %" PRIu64 ")",
			 k->what, out->comm, e->pid, e->tid, out->call, out->window, e->lfc,
			 e->misses, state, out->exe, (uint64_t)e->profile_anomalies);

	f->n = 0;
	f->used = 0;
	add(f, "proc.name", out->comm, 0, 1);
	add(f, "proc.pid", NULL, e->pid, 0);
	add(f, "thread.tid", NULL, e->tid, 0);
	add(f, "ph.call", out->call, 0, 1);
	add(f, "ph.window", out->window, 0, 1);
	add(f, "ph.window_size", NULL, e->window_size, 0);
	add(f, "ph.lfc", NULL, e->lfc, 0);
	add(f, "ph.misses", NULL, e->misses, 0);
	add(f, "ph.state", state, 0, 1);
	add(f, "ph.exe", out->exe, 0, 1);
	add(f, "ph.exe_id", out->exe_id, 0, 1);
	/* inodes are 64-bit: a number only while JSON readers keep it exact */
	if (e->exe.ino <= INT64_MAX)
		add(f, "ph.exe_ino", NULL, (int64_t)e->exe.ino, 0);
	else
		add(f, "ph.exe_ino", out->ino, 0, 1);
	add(f, "ph.profile_id", NULL, (int64_t)e->profile_id, 0);
	add(f, "ph.task_calls", NULL, (int64_t)e->task_calls, 0);
	add(f, "ph.task_anomalies", NULL, (int64_t)e->task_anomalies, 0);
	add(f, "ph.profile_anomalies", NULL, (int64_t)e->profile_anomalies, 0);
	add(f, "ph.profile_calls", NULL, (int64_t)e->profile_calls, 0);

	if (e->kind == PH_EV_RESPONSE) {
		add(f, "ph.response", vg_ph_response_name(e->response), 0, 1);
		add(f, "ph.response_error", NULL, e->response_err, 0);
	}

	out->tags[0] = k->tag;
	out->tags[1] = "pH";
	out->alert = (struct vg_alert){
		.time_ns = (uint64_t)((int64_t)e->ts_ns + boot_to_wall_ns),
		.rule = k->rule,
		.priority = k->priority,
		.output = out->output,
		.fields = f,
		.tags = out->tags,
		.ntags = 2,
		.source = "syscall",
		.hostname = hostname ? hostname : "",
	};
}
