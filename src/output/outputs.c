/* The running set of outputs: one bounded queue and one worker thread per
 * output. The producer (the monitor loop) renders each alert once and only
 * ever takes a queue's lock for a push, so a stalled destination costs it
 * nothing but the drops it counts. */
#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "output/out_impl.h"
#include "rules/rules.h"

#define BATCH 64

struct vg_outputs {
	struct vg_out *outs[VG_OUTPUTS_MAX];
	unsigned n;
	bool need_text, need_json;
	char hostname[256];
	char app_name[49];
	bool closed;
};

uint64_t vg_out_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

bool vg_out_aborting(struct vg_out *o)
{
	uint64_t deadline = atomic_load(&o->stop_deadline_ns);

	return deadline && vg_out_now_ns() >= deadline;
}

/* Condition waits use CLOCK_MONOTONIC (set on the condvar at open). */
static void wait_ms(struct vg_out *o, uint64_t ms)
{
	struct timespec ts;
	uint64_t at = vg_out_now_ns() + ms * 1000000ull;

	ts.tv_sec = (time_t)(at / 1000000000ull);
	ts.tv_nsec = (long)(at % 1000000000ull);
	pthread_cond_timedwait(&o->cond, &o->lock, &ts);
}

bool vg_out_sleep(struct vg_out *o, uint64_t ms)
{
	uint64_t until = vg_out_now_ns() + ms * 1000000ull, now;

	pthread_mutex_lock(&o->lock);
	while (!vg_out_aborting(o) && (now = vg_out_now_ns()) < until)
		wait_ms(o, (until - now) / 1000000ull + 1);
	pthread_mutex_unlock(&o->lock);
	return vg_out_aborting(o);
}

uint64_t vg_out_backoff_next(const struct vg_output_conf *c, uint64_t cur)
{
	if (!cur)
		return c->backoff_ms;
	return cur * 2 > c->backoff_max_ms ? c->backoff_max_ms : cur * 2;
}

static void sink_flush(struct vg_out *o)
{
	if (o->sink->flush)
		o->sink->flush(o);
}

static void *worker(void *arg)
{
	struct vg_out *o = arg;
	struct vg_out_msg *batch[BATCH];
	bool reopen;
	size_t n;

	/* Only a blocking write may be cancelled (see join_or_cancel). */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);

	for (;;) {
		pthread_mutex_lock(&o->lock);
		while (!o->q.count && !o->reopen && !atomic_load(&o->stop_deadline_ns)) {
			o->waiting = true;
			wait_ms(o, 200);
			o->waiting = false;
			if (!o->q.count && !o->reopen) {
				/* idle: the sink's timers (fsync interval) */
				pthread_mutex_unlock(&o->lock);
				sink_flush(o);
				pthread_mutex_lock(&o->lock);
			}
		}
		reopen = o->reopen;
		o->reopen = false;
		for (n = 0; n < BATCH && o->q.count; n++)
			batch[n] = vg_outq_pop(&o->q);
		pthread_mutex_unlock(&o->lock);
		if (reopen && o->sink->reopen) {
			sink_flush(o);
			o->sink->reopen(o);
		}
		if (!n && atomic_load(&o->stop_deadline_ns))
			break; /* stopping, and nothing left */
		for (size_t i = 0; i < n; i++) {
			if (vg_out_aborting(o))
				vg_out_lost(o, 1);
			else
				o->sink->send(o, batch[i]);
			vg_out_msg_put(batch[i]);
		}
		sink_flush(o);
	}
	return NULL;
}

static void out_free(struct vg_out *o)
{
	if (!o)
		return;
	vg_outq_fini(&o->q);
	pthread_cond_destroy(&o->cond);
	pthread_mutex_destroy(&o->lock);
	vg_output_conf_free(o->conf);
	free(o);
}

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

static int out_new(struct vg_outputs *set, const struct vg_output_conf *conf, struct vg_out **out,
		   char *err, size_t errlen)
{
	struct vg_out *o = calloc(1, sizeof(*o));
	pthread_condattr_t ca;
	int ret;

	if (!o)
		return -ENOMEM;
	pthread_mutex_init(&o->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&o->cond, &ca);
	pthread_condattr_destroy(&ca);
	ret = vg_output_conf_dup(&o->conf, conf);
	if (!ret)
		ret = vg_output_conf_check(o->conf, err, errlen);
	if (!ret)
		ret = vg_outq_init(&o->q, conf->queue, conf->queue_bytes, conf->drop_oldest);
	if (ret) {
		if (ret == -ENOMEM)
			snprintf(err, errlen, "out of memory");
		out_free(o);
		return ret;
	}
	if (o->conf->format == VG_FMT_DEFAULT)
		o->conf->format = o->conf->type == VG_OUT_STDOUT || o->conf->type == VG_OUT_SYSLOG
					  ? VG_FMT_TEXT
					  : VG_FMT_JSON;
	o->sink = sink_of(o->conf->type);
	o->hostname = set->hostname;
	o->app_name = set->app_name;
	*out = o;
	return 0;
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

		ret = out_new(set, confs[i], &o, why, sizeof(why));
		if (!ret && o->conf->type == VG_OUT_SYSLOG && !o->conf->address &&
		    ++local_syslog > 1) {
			snprintf(why, sizeof(why), "only one local syslog output (syslog(3) is per process)");
			out_free(o);
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
		ret = -pthread_create(&set->outs[i]->thread, NULL, worker, set->outs[i]);
		if (ret) {
			snprintf(err, errlen, "output %s: cannot start its thread: %s",
				 set->outs[i]->conf->name, strerror(-ret));
			break;
		}
		set->outs[i]->started = true;
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
		int ret;

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
		pthread_mutex_lock(&o->lock);
		ret = vg_outq_push(&o->q, m);
		if (o->waiting)
			pthread_cond_signal(&o->cond);
		pthread_mutex_unlock(&o->lock);
		if (ret)
			vg_out_lost(o, ret < 0 ? 1 : (uint64_t)ret);
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
	for (unsigned i = 0; set && i < set->n; i++) {
		struct vg_out *o = set->outs[i];

		pthread_mutex_lock(&o->lock);
		o->reopen = true;
		pthread_cond_signal(&o->cond);
		pthread_mutex_unlock(&o->lock);
	}
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
	st->type = (const char *[]){ "stdout", "file", "syslog", "webhook", "program" }[o->conf->type];
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

void vg_out_fail(struct vg_out *o, const char *fmt, ...)
{
	va_list ap;

	vg_out_error(o);
	pthread_mutex_lock(&o->lock);
	va_start(ap, fmt);
	vsnprintf(o->last_error, sizeof(o->last_error), fmt, ap);
	va_end(ap);
	o->last_error_seq++;
	pthread_mutex_unlock(&o->lock);
}

size_t vg_output_stats_format(char *buf, size_t size, const struct vg_output_stats *st)
{
	int n = snprintf(buf, size, "%s queued=%llu sent=%llu dropped=%llu errors=%llu retries=%llu",
			 st->name, (unsigned long long)st->queued, (unsigned long long)st->sent,
			 (unsigned long long)st->dropped, (unsigned long long)st->errors,
			 (unsigned long long)st->retries);

	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size ? size - 1 : 0;
}

/* Every wait of a sink ends at the drain deadline; a write stuck in the
 * kernel (a stdout pipe nobody reads) gets a second more, then the thread
 * is cancelled (write is a cancellation point) so vigil can still exit. */
static void join_or_cancel(struct vg_out *o)
{
	uint64_t at = atomic_load(&o->stop_deadline_ns) + 1000000000ull;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts); /* timedjoin takes CLOCK_REALTIME */
	at = at > vg_out_now_ns() ? at - vg_out_now_ns() : 0;
	ts.tv_sec += (time_t)(at / 1000000000ull);
	ts.tv_nsec += (long)(at % 1000000000ull);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	if (pthread_timedjoin_np(o->thread, NULL, &ts)) {
		pthread_cancel(o->thread);
		pthread_join(o->thread, NULL);
		vg_out_error(o);
	}
}

void vg_outputs_close(struct vg_outputs *set)
{
	if (!set || set->closed)
		return;
	set->closed = true;
	/* All drain at once, each within its own drain time. */
	for (unsigned i = 0; i < set->n; i++) {
		struct vg_out *o = set->outs[i];
		uint64_t deadline = vg_out_now_ns() + o->conf->drain_ms * 1000000ull + 1;

		pthread_mutex_lock(&o->lock);
		atomic_store(&o->stop_deadline_ns, deadline);
		pthread_cond_broadcast(&o->cond);
		pthread_mutex_unlock(&o->lock);
	}
	for (unsigned i = 0; i < set->n; i++) {
		struct vg_out *o = set->outs[i];

		if (o->started)
			join_or_cancel(o);
		o->started = false;
		/* Whatever a worker could not take is lost, and counted. */
		pthread_mutex_lock(&o->lock);
		for (struct vg_out_msg *m; (m = vg_outq_pop(&o->q));) {
			vg_out_msg_put(m);
			vg_out_lost(o, 1);
		}
		pthread_mutex_unlock(&o->lock);
		if (o->sink->close)
			o->sink->close(o);
	}
}

void vg_outputs_free(struct vg_outputs *set)
{
	if (!set)
		return;
	vg_outputs_close(set);
	for (unsigned i = 0; i < set->n; i++)
		out_free(set->outs[i]);
	free(set);
}
