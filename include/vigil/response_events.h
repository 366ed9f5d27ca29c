/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The exec deny list (bpf/response.bpf.c) and its records to user space
 * (src/response/deny_kernel.c). Same rules as events.h: fixed-width types,
 * explicit padding, the size checked below and by the reader.
 */
#ifndef VIGIL_RESPONSE_EVENTS_H
#define VIGIL_RESPONSE_EVENTS_H

#ifdef __bpf__
/* vmlinux.h provides __u8 ... __u64 */
#else
#include <linux/types.h>
#endif

#define VG_DENY_PATH_LEN 256 /* path keys: the path, NUL-padded (longer paths refused) */
#define VG_DENY_COMM_LEN 16

/* Key of the inode map: the executable file's identity. */
struct vg_deny_ino_key {
	__u64 ino;
	__u32 dev; /* the kernel's dev_t (MAJOR << 20 | MINOR) */
	__u32 pad;
};

/* Which entry matched. */
enum vg_deny_match {
	VG_DENY_BY_INODE = 1,
	VG_DENY_BY_PATH = 2,
};

/* Why the kernel did not send the signal (0: it did). */
enum vg_deny_refusal {
	VG_DENY_SENT = 0,
	VG_DENY_REFUSED_PID1 = 1,
	VG_DENY_REFUSED_SELF = 2, /* vigil itself */
	VG_DENY_REFUSED_KTHREAD = 3,
};

struct vg_deny_event {
	__u32 size; /* sizeof(struct vg_deny_event), checked by the reader */
	__u32 match; /* enum vg_deny_match */
	__u64 ts_ns; /* CLOCK_BOOTTIME */
	__u64 ino;
	__u32 dev;
	__u32 pid; /* thread group id */
	__u32 tid;
	__u32 ppid;
	__u32 uid;
	__u32 refused;	   /* enum vg_deny_refusal */
	__s32 signal_ret;  /* bpf_send_signal()'s result when sent */
	__u32 entry;	   /* the entry's number in the deny list */
	char comm[VG_DENY_COMM_LEN];
	char filename[VG_DENY_PATH_LEN]; /* as given to execve (cut at 255 bytes) */
};

_Static_assert(sizeof(struct vg_deny_ino_key) == 16, "vg_deny_ino_key layout");
_Static_assert(sizeof(struct vg_deny_event) == 328, "vg_deny_event layout");

#endif
