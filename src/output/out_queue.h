/* The rendered message every queue shares, and the bounded queue of one
 * output. */
#ifndef VIGIL_OUTPUT_OUT_QUEUE_H
#define VIGIL_OUTPUT_OUT_QUEUE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

#endif
