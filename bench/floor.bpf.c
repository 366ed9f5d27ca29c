// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The floor under any per-call monitor on this kernel (bench/floor.py): a
 * program on the sys_enter tracepoint that does nothing, and one that only
 * finds its task's local storage, as pH's per-call step must first. What a
 * monitor does beyond these is its own cost; these are what every program
 * run on every system call pays. fentry/fexit, cheaper to call, are refused
 * on this kernel (../shared/docs/architecture.md). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct floor_task {
	__u64 calls;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct floor_task);
} floor_tasks SEC(".maps");

SEC("tp_btf/sys_enter")
int BPF_PROG(floor_empty, struct pt_regs *regs, long id)
{
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(floor_task_storage, struct pt_regs *regs, long id)
{
	struct floor_task *t = bpf_task_storage_get(&floor_tasks, bpf_get_current_task_btf(), 0,
						    BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (t)
		t->calls++;
	return 0;
}
