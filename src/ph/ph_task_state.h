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
};

#endif
