/* The bounded queue of one output, and the reference counting of the
 * messages the queues share. */
#include <errno.h>
#include <stdlib.h>

#include "output/out_queue.h"

void vg_out_msg_put(struct vg_out_msg *m)
{
	if (!m || atomic_fetch_sub(&m->refs, 1) != 1)
		return;
	free(m->text);
	free(m->json);
	free(m);
}

static size_t msg_bytes(const struct vg_out_msg *m)
{
	return m->text_len + m->json_len + sizeof(*m);
}

int vg_outq_init(struct vg_out_queue *q, size_t cap, size_t max_bytes, bool drop_oldest)
{
	if (!cap)
		return -EINVAL;
	q->slots = calloc(cap, sizeof(*q->slots));
	if (!q->slots)
		return -ENOMEM;
	q->cap = cap;
	q->head = q->count = q->bytes = 0;
	q->max_bytes = max_bytes;
	q->drop_oldest = drop_oldest;
	return 0;
}

static bool full_for(const struct vg_out_queue *q, const struct vg_out_msg *m)
{
	/* An empty queue takes any one message, however big. */
	return q->count && (q->count == q->cap || q->bytes + msg_bytes(m) > q->max_bytes);
}

int vg_outq_push(struct vg_out_queue *q, struct vg_out_msg *m)
{
	int evicted = 0;

	if (full_for(q, m) && !q->drop_oldest)
		return -ENOSPC;
	/* One eviction makes room by count; by bytes it may take more. */
	while (full_for(q, m)) {
		vg_out_msg_put(vg_outq_pop(q));
		evicted++;
	}
	atomic_fetch_add(&m->refs, 1);
	q->slots[(q->head + q->count) % q->cap] = m;
	q->count++;
	q->bytes += msg_bytes(m);
	return evicted;
}

struct vg_out_msg *vg_outq_pop(struct vg_out_queue *q)
{
	struct vg_out_msg *m;

	if (!q->count)
		return NULL;
	m = q->slots[q->head];
	q->slots[q->head] = NULL;
	q->head = (q->head + 1) % q->cap;
	q->count--;
	q->bytes -= msg_bytes(m);
	return m;
}

size_t vg_outq_fini(struct vg_out_queue *q)
{
	size_t n = 0;
	struct vg_out_msg *m;

	while ((m = vg_outq_pop(q))) {
		vg_out_msg_put(m);
		n++;
	}
	free(q->slots);
	q->slots = NULL;
	return n;
}
