/* The value of pH's task-storage map (ph_tasks), one per thread: shared by
 * bpf/ph_step.h (in the sensor's object), which writes it, and user space (`vigil ps`), which reads it
 * with a pidfd as key. In the BPF program, include it after ph_model.h (the
 * model's linkage macros must come first). */
#ifndef VIGIL_PH_TASK_STATE_H
#define VIGIL_PH_TASK_STATE_H

#include <vigil/ph_events.h>

#include "ph_model.h"

struct ph_task_state {
	struct ph_task t;
	struct ph_exe_key exe;	/* its profile */
	struct ph_sigstack sig; /* windows of interrupted code (signal handlers) */
	/* The program's name as of its exec (or adoption). A successful execve
	 * is modelled at exec (the sensor's program runs at sys_exit, and the
	 * call returns in the new program): by then the task has the new name,
	 * so a record about that call names the program with this one. */
	char comm[16];
	__u32 at_exec; /* 1 while the execve is modelled, at exec */
	__u32 pad;
};

#endif
