/* Inside the outputs: the rendered message shared by every queue, the
 * bounded queue, the per-output state its worker thread owns, and the
 * interface each destination (sink) implements. */
#ifndef VIGIL_OUTPUT_OUT_IMPL_H
#define VIGIL_OUTPUT_OUT_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output/outputs.h"

/* One alert rendered once; each queue holding it holds a reference. */
struct vg_out_msg {
	atomic_int refs;
	int prio; /* 0 emergency .. 7 debug, syslog's severities */
	uint64_t time_ns;
	char *text; /* "TIME PRIORITY MESSAGE" (events: "TIME MESSAGE"); NULL if unused */
	size_t text_len;
	size_t body_off; /* where MESSAGE starts in text */
	char *json;	 /* Falco's alert JSON; NULL if unused */
	size_t json_len;
};

void vg_out_msg_put(struct vg_out_msg *m);

/* A ring of message pointers with a count limit and a byte limit. Not
 * locked: its output's mutex guards it. */
struct vg_out_queue {
	struct vg_out_msg **slots;
	size_t cap, head, count;
	size_t bytes, max_bytes;
	bool drop_oldest;
};

int vg_outq_init(struct vg_out_queue *q, size_t cap, size_t max_bytes, bool drop_oldest);
/* Queues m (taking a reference) when there is room. When full: with
 * drop_oldest, the oldest messages are unqueued and put until m fits;
 * otherwise m is refused. Returns how many were evicted (m queued), or
 * -ENOSPC (m refused). */
int vg_outq_push(struct vg_out_queue *q, struct vg_out_msg *m);
/* The oldest message (the caller now owns its reference), or NULL. */
struct vg_out_msg *vg_outq_pop(struct vg_out_queue *q);
/* Puts every queued message; returns how many there were. */
size_t vg_outq_fini(struct vg_out_queue *q);

enum vg_out_type { VG_OUT_STDOUT, VG_OUT_FILE, VG_OUT_SYSLOG, VG_OUT_WEBHOOK, VG_OUT_PROGRAM };
enum vg_out_format { VG_FMT_DEFAULT, VG_FMT_JSON, VG_FMT_TEXT };
enum vg_out_fsync { VG_FSYNC_NONE, VG_FSYNC_EVERY, VG_FSYNC_INTERVAL };
enum vg_out_transport { VG_TR_LOCAL, VG_TR_UDP, VG_TR_TCP };

#define VG_OUT_HEADERS_MAX 16

struct vg_output_conf {
	enum vg_out_type type;
	char name[VG_OUTPUT_NAME_MAX]; /* empty: derived from type and target */
	int min_prio;		       /* alerts above (less severe) are skipped */
	enum vg_out_format format;
	uint64_t queue, queue_bytes;
	bool drop_oldest;
	uint64_t drain_ms;
	uint64_t timeout_ms, connect_timeout_ms;
	uint64_t retries, backoff_ms, backoff_max_ms;
	/* file */
	char *path;
	enum vg_out_fsync fsync;
	uint64_t fsync_interval_ms;
	/* syslog */
	int facility;
	char *address; /* NULL: local syslog(3) */
	enum vg_out_transport transport;
	char host[256], port[8];
	uint64_t max_message;
	/* webhook */
	char *url;
	char *headers[VG_OUT_HEADERS_MAX];
	unsigned nheaders;
	char *ca_file, *cert, *key;
	bool insecure;
	/* program */
	char *command;
};

int vg_output_conf_dup(struct vg_output_conf **out, const struct vg_output_conf *c);

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

extern const struct vg_out_sink vg_sink_file;	/* stdout and file */
extern const struct vg_out_sink vg_sink_syslog;
extern const struct vg_out_sink vg_sink_webhook;
extern const struct vg_out_sink vg_sink_program;

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

/* RFC 5424: "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG".
 * Header fields are cut to their RFC lengths and printable ASCII ("-" when
 * empty); the whole is cut to size - 1. Returns the length. */
size_t vg_rfc5424_format(char *buf, size_t size, int facility, int severity, uint64_t time_ns,
			 const char *hostname, const char *app, int pid, const char *msgid,
			 const char *msg, size_t msglen);
/* "daemon", "local0" ... → LOG_DAEMON ...; -EINVAL if unknown. */
int vg_syslog_facility(const char *name);

#endif
