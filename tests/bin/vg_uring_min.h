/* A minimal io_uring ring on the raw system calls (io_uring_setup,
 * io_uring_enter, mmap), no liburing: what the io_uring tests and the
 * benchmark drive the kernel with. One thread, submit then wait. */
#ifndef VG_URING_MIN_H
#define VG_URING_MIN_H

#include <linux/io_uring.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

struct vg_ring {
	int fd;
	unsigned flags; /* IORING_SETUP_* */
	unsigned *sq_head, *sq_tail, *sq_mask, *sq_array, *sq_flags;
	unsigned *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	unsigned sq_entries;
	unsigned queued; /* SQEs filled since the last submit */
};

static inline int vg_ring_init(struct vg_ring *r, unsigned entries, unsigned flags)
{
	struct io_uring_params p;
	size_t sq_len, cq_len;
	char *sq, *cq;

	memset(&p, 0, sizeof(p));
	memset(r, 0, sizeof(*r));
	p.flags = flags;
	if (flags & IORING_SETUP_SQPOLL)
		p.sq_thread_idle = 2000; /* ms the SQPOLL thread spins before it sleeps */
	r->fd = (int)syscall(__NR_io_uring_setup, entries, &p);
	if (r->fd < 0)
		return -1;
	r->flags = flags;
	sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP)
		sq_len = cq_len = sq_len > cq_len ? sq_len : cq_len;
	sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		  IORING_OFF_SQ_RING);
	if (sq == MAP_FAILED)
		return -1;
	cq = sq;
	if (!(p.features & IORING_FEAT_SINGLE_MMAP)) {
		cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
			  IORING_OFF_CQ_RING);
		if (cq == MAP_FAILED)
			return -1;
	}
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (r->sqes == MAP_FAILED)
		return -1;
	r->sq_head = (unsigned *)(sq + p.sq_off.head);
	r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned *)(sq + p.sq_off.array);
	r->sq_flags = (unsigned *)(sq + p.sq_off.flags);
	r->cq_head = (unsigned *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	r->sq_entries = p.sq_entries;
	return 0;
}

/* The next free SQE, zeroed, or NULL when the queue is full. */
static inline struct io_uring_sqe *vg_ring_sqe(struct vg_ring *r)
{
	unsigned tail = *r->sq_tail + r->queued;
	unsigned head = __atomic_load_n(r->sq_head, __ATOMIC_ACQUIRE);
	struct io_uring_sqe *sqe;

	if (tail - head >= r->sq_entries)
		return NULL;
	sqe = &r->sqes[tail & *r->sq_mask];
	memset(sqe, 0, sizeof(*sqe));
	r->sq_array[tail & *r->sq_mask] = tail & *r->sq_mask;
	r->queued++;
	return sqe;
}

/* Publishes the queued SQEs and waits for at least wait_nr completions.
 * With SQPOLL the kernel thread takes them: no submission call is made
 * (only a wake-up when it sleeps), which is the point of SQPOLL. */
static inline int vg_ring_submit(struct vg_ring *r, unsigned wait_nr)
{
	unsigned n = r->queued, flags = wait_nr ? IORING_ENTER_GETEVENTS : 0;
	long ret;

	__atomic_store_n(r->sq_tail, *r->sq_tail + n, __ATOMIC_RELEASE);
	r->queued = 0;
	if (r->flags & IORING_SETUP_SQPOLL) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(r->sq_flags, __ATOMIC_RELAXED) & IORING_SQ_NEED_WAKEUP)
			flags |= IORING_ENTER_SQ_WAKEUP;
		if (!flags)
			return 0;
		n = 0;
	}
	ret = syscall(__NR_io_uring_enter, r->fd, n, wait_nr, flags, NULL, 0);
	return ret < 0 ? -1 : 0;
}

/* Takes one completion; false when none is there yet. */
static inline bool vg_ring_reap(struct vg_ring *r, struct io_uring_cqe *out)
{
	unsigned head = *r->cq_head;

	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return false;
	*out = r->cqes[head & *r->cq_mask];
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return true;
}

/* Waits for and takes one completion. */
static inline int vg_ring_wait(struct vg_ring *r, struct io_uring_cqe *out)
{
	while (!vg_ring_reap(r, out))
		if (syscall(__NR_io_uring_enter, r->fd, 0, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
			return -1;
	return 0;
}

#endif
