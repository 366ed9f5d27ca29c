/* One output's worker: a bounded queue under a mutex and a thread that
 * takes batches off it and hands them to the sink. The producer only ever
 * takes the lock for a push, so a stalled destination costs it nothing but
 * the drops it counts. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/out_worker.h"
#include "util/clock.h"
#include "util/macros.h"

#define BATCH 64

uint64_t vg_out_now_ns(void)
{
	return vg_clock_ns(CLOCK_MONOTONIC);
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

	ts.tv_sec = (time_t)(at / NSEC_PER_SEC);
	ts.tv_nsec = (long)(at % NSEC_PER_SEC);
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

	/* Only a blocking write may be cancelled (see vg_out_finish). */
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

void vg_out_free(struct vg_out *o)
{
	if (!o)
		return;
	vg_outq_fini(&o->q);
	pthread_cond_destroy(&o->cond);
	pthread_mutex_destroy(&o->lock);
	vg_output_conf_free(o->conf);
	free(o);
}

int vg_out_new(struct vg_out **out, const struct vg_output_conf *conf,
	       const struct vg_out_sink *sink, const char *hostname, const char *app_name,
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
		vg_out_free(o);
		return ret;
	}
	if (o->conf->format == VG_FMT_DEFAULT)
		o->conf->format = o->conf->type == VG_OUT_STDOUT || o->conf->type == VG_OUT_SYSLOG
					  ? VG_FMT_TEXT
					  : VG_FMT_JSON;
	o->sink = sink;
	o->hostname = hostname;
	o->app_name = app_name;
	*out = o;
	return 0;
}

int vg_out_start(struct vg_out *o)
{
	int ret = -pthread_create(&o->thread, NULL, worker, o);

	o->started = !ret;
	return ret;
}

void vg_out_push(struct vg_out *o, struct vg_out_msg *m)
{
	int ret;

	pthread_mutex_lock(&o->lock);
	ret = vg_outq_push(&o->q, m);
	if (o->waiting)
		pthread_cond_signal(&o->cond);
	pthread_mutex_unlock(&o->lock);
	if (ret)
		vg_out_lost(o, ret < 0 ? 1 : (uint64_t)ret);
}

void vg_out_request_reopen(struct vg_out *o)
{
	pthread_mutex_lock(&o->lock);
	o->reopen = true;
	pthread_cond_signal(&o->cond);
	pthread_mutex_unlock(&o->lock);
}

void vg_out_stop(struct vg_out *o)
{
	uint64_t deadline = vg_out_now_ns() + o->conf->drain_ms * 1000000ull + 1;

	pthread_mutex_lock(&o->lock);
	atomic_store(&o->stop_deadline_ns, deadline);
	pthread_cond_broadcast(&o->cond);
	pthread_mutex_unlock(&o->lock);
}

/* Every wait of a sink ends at the drain deadline; a write stuck in the
 * kernel (a stdout pipe nobody reads) gets a second more, then the thread
 * is cancelled (write is a cancellation point) so vigil can still exit. */
static void join_or_cancel(struct vg_out *o)
{
	uint64_t at = atomic_load(&o->stop_deadline_ns) + NSEC_PER_SEC;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts); /* timedjoin takes CLOCK_REALTIME */
	at = at > vg_out_now_ns() ? at - vg_out_now_ns() : 0;
	ts.tv_sec += (time_t)(at / NSEC_PER_SEC);
	ts.tv_nsec += (long)(at % NSEC_PER_SEC);
	if (ts.tv_nsec >= NSEC_PER_SEC) {
		ts.tv_sec++;
		ts.tv_nsec -= NSEC_PER_SEC;
	}
	if (pthread_timedjoin_np(o->thread, NULL, &ts)) {
		pthread_cancel(o->thread);
		pthread_join(o->thread, NULL);
		vg_out_error(o);
	}
}

void vg_out_finish(struct vg_out *o)
{
	if (o->started)
		join_or_cancel(o);
	o->started = false;
	/* Whatever the worker could not take is lost, and counted. */
	pthread_mutex_lock(&o->lock);
	for (struct vg_out_msg *m; (m = vg_outq_pop(&o->q));) {
		vg_out_msg_put(m);
		vg_out_lost(o, 1);
	}
	pthread_mutex_unlock(&o->lock);
	if (o->sink->close)
		o->sink->close(o);
}
