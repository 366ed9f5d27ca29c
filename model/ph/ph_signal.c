/* pH: signal handlers get windows of their own (struct ph_sigstack,
 * ph_model.h). Plain bounded C like ph_model.c, which the BPF program
 * includes first: it includes this file after it. */
#include "ph_model.h"

#ifndef PH_RING_MASK
#define PH_RING_MASK (PH_WINDOW_MAX - 1)
#endif
_Static_assert((PH_SIGNAL_DEPTH & (PH_SIGNAL_DEPTH - 1)) == 0, "the stack index is a mask");

PH_FN void ph_signal_push(struct ph_task *task, struct ph_sigstack *stack)
{
	struct ph_sig_frame *f;
	__u32 i;

	if (stack->depth >= PH_SIGNAL_DEPTH) {
		stack->overflow++; /* too deep: go on in the current window */
		return;
	}
	f = &stack->frame[stack->depth & (PH_SIGNAL_DEPTH - 1)];
	f->win_start = task->win_start;
	f->calls = task->calls;
	f->gram = task->gram;
	for (i = 0; i < PH_WINDOW_MAX; i++)
		f->ring[i] = task->ring[i];
	stack->depth++;
	task->win_start = task->calls; /* an empty window */
	task->gram = 0;
}

PH_FN void ph_signal_pop(struct ph_task *task, struct ph_sigstack *stack)
{
	const struct ph_sig_frame *f;
	__u32 d;

	if (stack->overflow) {
		stack->overflow--;
		return;
	}
	if (stack->depth == 0 || stack->depth > PH_SIGNAL_DEPTH)
		return; /* rt_sigreturn without a delivery we saw */
	stack->depth--;
	f = &stack->frame[stack->depth & (PH_SIGNAL_DEPTH - 1)];
	/* The ring is indexed by the call count, which went on during the
	 * handler: put each saved call at the same distance from now. */
	for (d = 1; d <= PH_WINDOW_MAX; d++)
		task->ring[(task->calls - d) & PH_RING_MASK] = f->ring[(f->calls - d) & PH_RING_MASK];
	task->win_start = f->win_start + (task->calls - f->calls);
	task->gram = f->gram; /* the same calls at the same distances */
}
