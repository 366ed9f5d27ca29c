/* The running set of outputs: one worker (output/out_worker.c) per
 * configured output. The producer (the monitor loop) renders each alert
 * once, as the outputs need it, and pushes it to every worker whose
 * min_priority it passes. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/outputs.h"
#include "output/out_schema.h"
#include "output/sinks.h"
#include "rules/rules.h"

struct vg_outputs {
	struct vg_out *outs[VG_OUTPUTS_MAX];
	unsigned n;
	bool need_text, need_json;
	char hostname[256];
	char app_name[49];
	bool closed;
};

static const struct vg_out_sink *sink_of(enum vg_out_type t)
{
	switch (t) {
	case VG_OUT_STDOUT:
	case VG_OUT_FILE:
		return &vg_sink_file;
	case VG_OUT_SYSLOG:
		return &vg_sink_syslog;
	case VG_OUT_WEBHOOK:
		return &vg_sink_webhook;
	case VG_OUT_PROGRAM:
		return &vg_sink_program;
	}
	return NULL;
}

int vg_outputs_open(struct vg_outputs **out, struct vg_output_conf *const *confs, unsigned n,
		    const struct vg_outputs_opts *opts, char *err, size_t errlen)
{
	struct vg_outputs *set;
	sigset_t all, old;
	unsigned local_syslog = 0;
	int ret = 0;

	if (n > VG_OUTPUTS_MAX) {
		snprintf(err, errlen, "at most %d outputs", VG_OUTPUTS_MAX);
		return -EINVAL;
	}
	set = calloc(1, sizeof(*set));
	if (!set)
		return -ENOMEM;
	if (opts && opts->hostname)
		snprintf(set->hostname, sizeof(set->hostname), "%s", opts->hostname);
	else
		gethostname(set->hostname, sizeof(set->hostname) - 1);
	snprintf(set->app_name, sizeof(set->app_name), "%s",
		 opts && opts->app_name ? opts->app_name : "vigil");
	for (unsigned i = 0; i < n; i++) {
		struct vg_out *o;
		char why[512] = "";

		ret = vg_out_new(&o, confs[i], sink_of(confs[i]->type), set->hostname, set->app_name,
				 why, sizeof(why));
		if (!ret && o->conf->type == VG_OUT_SYSLOG && !o->conf->address &&
		    ++local_syslog > 1) {
			snprintf(why, sizeof(why), "only one local syslog output (syslog(3) is per process)");
			vg_out_free(o);
			ret = -EINVAL;
		}
		if (ret) {
			snprintf(err, errlen, "output %u (%s): %s", i + 1, vg_output_conf_name(confs[i]),
				 why);
			goto fail;
		}
		set->outs[set->n++] = o;
		ret = o->sink->open(o, why, sizeof(why));
		if (ret) {
			snprintf(err, errlen, "output %s: %s", o->conf->name, why);
			goto fail;
		}
		if (o->conf->format == VG_FMT_TEXT)
			set->need_text = true;
		else
			set->need_json = true;
	}
	/* Workers take no signals: the main loop handles them, and a write
	 * to a dead pipe or socket returns EPIPE instead of killing vigil. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (unsigned i = 0; i < set->n; i++) {
		ret = vg_out_start(set->outs[i]);
		if (ret) {
			snprintf(err, errlen, "output %s: cannot start its thread: %s",
				 set->outs[i]->conf->name, strerror(-ret));
			break;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret)
		goto fail;
	*out = set;
	return 0;
fail:
	vg_outputs_close(set);
	vg_outputs_free(set);
	return ret;
}

/* "TIME PRIORITY MESSAGE" with the message escaped to one line; for raw
 * events "TIME MESSAGE", the message as given (vg_format_fields already
 * escaped it). */
static char *render_text(const struct vg_alert *a, bool event, size_t *len, size_t *body_off)
{
	size_t size = strlen(a->output) * (event ? 1 : 4) + 128;
	char *buf = malloc(size);
	char t[48];
	int n;

	if (!buf)
		return NULL;
	if (event) {
		vg_format_time(t, sizeof(t), a->time_ns);
		n = snprintf(buf, size, "%s %s", t, a->output);
		*len = n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
		*body_off = strlen(t) + 1;
	} else {
		*len = vg_alert_text(buf, size, a);
		*body_off = strcspn(buf, " ") + 1 + strlen(a->priority) + 1;
	}
	if (*body_off > *len)
		*body_off = *len;
	return buf;
}

static void emit(struct vg_outputs *set, const struct vg_alert *a, bool event)
{
	struct vg_out_msg *m = NULL;
	int prio;

	if (!set)
		return;
	if (set->closed) { /* late alerts (pH's last ones): still counted */
		for (unsigned i = 0; i < set->n; i++)
			vg_out_lost(set->outs[i], 1);
		return;
	}
	prio = vg_priority_parse(a->priority, strlen(a->priority));
	if (prio < 0)
		prio = VG_PRIO_DEBUG;
	for (unsigned i = 0; i < set->n; i++) {
		struct vg_out *o = set->outs[i];

		if (prio > o->conf->min_prio)
			continue;
		if (!m) {
			m = calloc(1, sizeof(*m));
			if (m) {
				atomic_init(&m->refs, 1);
				m->prio = prio;
				m->time_ns = a->time_ns;
				if (set->need_text)
					m->text = render_text(a, event, &m->text_len, &m->body_off);
				if (set->need_json && (m->json = vg_alert_json(a)))
					m->json_len = strlen(m->json);
			}
			if (!m || (set->need_text && !m->text) || (set->need_json && !m->json)) {
				vg_out_msg_put(m);
				m = NULL;
			}
		}
		if (!m) { /* out of memory: still counted */
			vg_out_lost(o, 1);
			continue;
		}
		vg_out_push(o, m);
	}
	vg_out_msg_put(m);
}

void vg_outputs_emit(struct vg_outputs *o, const struct vg_alert *a)
{
	emit(o, a, false);
}

void vg_outputs_emit_event(struct vg_outputs *o, const struct vg_alert *a)
{
	emit(o, a, true);
}

void vg_outputs_reopen(struct vg_outputs *set)
{
	for (unsigned i = 0; set && i < set->n; i++)
		vg_out_request_reopen(set->outs[i]);
}

unsigned vg_outputs_count(const struct vg_outputs *o)
{
	return o ? o->n : 0;
}

int vg_outputs_stats(struct vg_outputs *set, unsigned i, struct vg_output_stats *st)
{
	struct vg_out *o;

	if (!set || i >= set->n)
		return -ENOENT;
	o = set->outs[i];
	memset(st, 0, sizeof(*st));
	snprintf(st->name, sizeof(st->name), "%s", o->conf->name);
	st->type = vg_output_type_name(o->conf->type);
	pthread_mutex_lock(&o->lock);
	st->queued = o->q.count;
	memcpy(st->last_error, o->last_error, sizeof(st->last_error));
	st->last_error_seq = o->last_error_seq;
	pthread_mutex_unlock(&o->lock);
	st->sent = atomic_load(&o->sent);
	st->dropped = atomic_load(&o->dropped);
	st->errors = atomic_load(&o->errors);
	st->retries = atomic_load(&o->retries);
	return 0;
}

size_t vg_output_stats_format(char *buf, size_t size, const struct vg_output_stats *st)
{
	int n = snprintf(buf, size, "%s queued=%llu sent=%llu dropped=%llu errors=%llu retries=%llu",
			 st->name, (unsigned long long)st->queued, (unsigned long long)st->sent,
			 (unsigned long long)st->dropped, (unsigned long long)st->errors,
			 (unsigned long long)st->retries);

	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size ? size - 1 : 0;
}

void vg_outputs_close(struct vg_outputs *set)
{
	if (!set || set->closed)
		return;
	set->closed = true;
	/* All drain at once, each within its own drain time. */
	for (unsigned i = 0; i < set->n; i++)
		vg_out_stop(set->outs[i]);
	for (unsigned i = 0; i < set->n; i++)
		vg_out_finish(set->outs[i]);
}

void vg_outputs_free(struct vg_outputs *set)
{
	if (!set)
		return;
	vg_outputs_close(set);
	for (unsigned i = 0; i < set->n; i++)
		vg_out_free(set->outs[i]);
	free(set);
}
