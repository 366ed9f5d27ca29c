/* The worker every output runs: its bounded queue, the thread that drains
 * it into a sink, the counters it keeps, and the interface each
 * destination (sink) implements. The sinks include this; the running set
 * (outputs.c) makes one worker per configured output. */
#ifndef VIGIL_OUTPUT_OUT_WORKER_H
#define VIGIL_OUTPUT_OUT_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output/out_conf.h"
#include "output/out_queue.h"

struct vg_out;

/* A destination. send() accounts for the message itself (vg_out_sent,
 * vg_out_lost...); blocking calls inside it must give up once
 * vg_out_aborting() is true. */
struct vg_out_sink {
	int (*open)(struct vg_out *o, char *err, size_t errlen);
	void (*send)(struct vg_out *o, const struct vg_out_msg *m);
	void (*flush)(struct vg_out *o); /* end of a batch, or idle tick */
	void (*reopen)(struct vg_out *o);
	void (*close)(struct vg_out *o);
};

struct vg_out {
	struct vg_output_conf *conf;
	const struct vg_out_sink *sink;
	void *state; /* the sink's own */
	const char *hostname, *app_name;
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct vg_out_queue q; /* under lock */
	bool waiting, reopen;  /* under lock */
	_Atomic uint64_t stop_deadline_ns; /* 0 while running */
	_Atomic uint64_t sent, dropped, errors, retries;
	/* the latest failure's cause, and how many failures it had been said
	 * for (under lock): status shows it, the monitor logs new ones */
	char last_error[VG_OUT_ERROR_MAX];
	uint64_t last_error_seq;
};

/* A worker for conf (copied and checked; format made explicit) delivering
 * through sink; hostname and app_name must outlive it. Not started yet.
 * Returns 0 or a negative errno with the problem in err. */
int vg_out_new(struct vg_out **out, const struct vg_output_conf *conf,
	       const struct vg_out_sink *sink, const char *hostname, const char *app_name,
	       char *err, size_t errlen);
/* Starts the thread (it inherits the caller's signal mask). Returns 0 or
 * a negative errno. */
int vg_out_start(struct vg_out *o);
/* Queues m (taking a reference) and wakes the worker; never blocks on the
 * sink. What the queue refuses or evicts is counted as dropped. */
void vg_out_push(struct vg_out *o, struct vg_out_msg *m);
/* Asks the sink to reopen its destination (a file after logrotate). */
void vg_out_request_reopen(struct vg_out *o);
/* Gives the worker drain_ms from now to send what it holds. */
void vg_out_stop(struct vg_out *o);
/* Waits for a stopped worker (cancelling a write stuck past its drain
 * time), counts what is left as dropped and closes the sink. */
void vg_out_finish(struct vg_out *o);
/* Accepts NULL. */
void vg_out_free(struct vg_out *o);

/* Counters the sinks keep. */
static inline void vg_out_sent(struct vg_out *o, uint64_t n) { atomic_fetch_add(&o->sent, n); }
static inline void vg_out_lost(struct vg_out *o, uint64_t n) { atomic_fetch_add(&o->dropped, n); }
static inline void vg_out_error(struct vg_out *o) { atomic_fetch_add(&o->errors, 1); }
static inline void vg_out_retry(struct vg_out *o) { atomic_fetch_add(&o->retries, 1); }
/* vg_out_error with its cause ("write: No space left on device", "HTTP
 * 500"), kept for status and the monitor's log. */
void vg_out_fail(struct vg_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

uint64_t vg_out_now_ns(void); /* CLOCK_MONOTONIC */
/* True once the output is stopping and its drain time is up. */
bool vg_out_aborting(struct vg_out *o);
/* Sleeps ms (a backoff), waking early when aborting; returns aborting. */
bool vg_out_sleep(struct vg_out *o, uint64_t ms);
/* The next backoff: doubled, capped at backoff_max_ms. */
uint64_t vg_out_backoff_next(const struct vg_output_conf *c, uint64_t cur);

#endif
