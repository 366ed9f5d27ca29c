// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The exec deny list: at sched_process_exec, the point of no return of
 * execve, a program whose file (device + inode) or name (the path given to
 * execve) is on the list gets SIGKILL. The signal is pending before the new
 * program returns to user space, so it never runs an instruction.
 *
 * Loaded only when a deny list is configured. Never vigil, pid 1 or kernel
 * threads: those are reported, not signalled. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <vigil/response_events.h>

#define SIGKILL 9
#define PF_KTHREAD 0x00200000

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by user space before load. */
const volatile __u32 self_tgid = 0;

__u64 deny_drops; /* records that did not fit the ring (the kill still happened) */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096); /* user space sets the limit */
	__type(key, struct vg_deny_ino_key);
	__type(value, __u32); /* entry number */
} deny_inodes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, char[VG_DENY_PATH_LEN]);
	__type(value, __u32);
} deny_paths SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 << 10);
} deny_events SEC(".maps");

/* A path key is built here: 256 bytes is half the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[VG_DENY_PATH_LEN]);
} path_key SEC(".maps");

SEC("tp_btf/sched_process_exec")
int BPF_PROG(vg_deny_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct vg_deny_ino_key ik = {};
	struct vg_deny_event *e;
	struct inode *inode = bprm->file->f_inode;
	__u32 zero = 0, match = 0, refused = VG_DENY_SENT, *entry;
	char *name;
	long ret = 0;

	ik.ino = inode->i_ino;
	ik.dev = inode->i_sb->s_dev;
	entry = bpf_map_lookup_elem(&deny_inodes, &ik);
	if (entry) {
		match = VG_DENY_BY_INODE;
	} else {
		name = bpf_map_lookup_elem(&path_key, &zero);
		if (!name)
			return 0;
		__builtin_memset(name, 0, VG_DENY_PATH_LEN);
		/* A name of 256 bytes or more cannot be on the list: the read
		 * then fills the key and finds nothing. */
		bpf_probe_read_kernel_str(name, VG_DENY_PATH_LEN, bprm->filename);
		entry = bpf_map_lookup_elem(&deny_paths, name);
		if (!entry)
			return 0;
		match = VG_DENY_BY_PATH;
	}
	if (p->tgid == 1)
		refused = VG_DENY_REFUSED_PID1;
	else if (p->tgid == self_tgid)
		refused = VG_DENY_REFUSED_SELF;
	else if (p->flags & PF_KTHREAD)
		refused = VG_DENY_REFUSED_KTHREAD;
	else
		ret = bpf_send_signal(SIGKILL); /* to the current task's process */

	e = bpf_ringbuf_reserve(&deny_events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&deny_drops, 1);
		return 0;
	}
	e->size = sizeof(*e);
	e->match = match;
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->ino = ik.ino;
	e->dev = ik.dev;
	e->pid = p->tgid;
	e->tid = p->pid;
	e->ppid = p->real_parent->tgid;
	e->uid = p->cred->uid.val;
	e->refused = refused;
	e->signal_ret = (__s32)ret;
	e->entry = *entry;
	__builtin_memcpy(e->comm, p->comm, sizeof(e->comm));
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), bprm->filename);
	bpf_ringbuf_submit(e, 0);
	return 0;
}
