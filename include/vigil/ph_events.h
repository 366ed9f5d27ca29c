/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Records of the in-kernel pH model (bpf/ph.bpf.c) to user space
 * (src/ph/ph_kernel.c): one fixed-size record per alert on the pH ring
 * buffer. Same rules as events.h: fixed-width types, explicit padding, the
 * size checked below and by the reader; new fields go at the end.
 */
#ifndef VIGIL_PH_EVENTS_H
#define VIGIL_PH_EVENTS_H

#ifdef __bpf__
/* vmlinux.h provides __u8 ... __u64 */
#else
#include <linux/types.h>
#endif

#define PH_EV_COMM_LEN 16
#define PH_EV_WINDOW 15 /* calls before the offending one (PH_WINDOW_MAX - 1) */
/* Calls from PH_URING_CALL_BASE up are io_uring requests, not syscalls:
 * PH_URING_CALL_BASE + IORING_OP_* (x86-64 syscall numbers stay below 512). */
#define PH_URING_CALL_BASE 512

/* What happened. */
enum ph_ev_kind {
	PH_EV_ANOMALY = 1,   /* a call missing from a normal profile */
	PH_EV_BURST = 2,     /* that anomaly took the task's LFC over tolerize_limit */
	PH_EV_NORMAL = 3,    /* the profile entered normal mode */
	PH_EV_TOLERIZED = 4, /* anomaly_limit reached: normal mode stopped */
	PH_EV_RESPONSE = 5,  /* the response signalled the task (--ph-response) */
};

/* Identity of an executable: the file's device and full 64-bit inode. */
struct ph_exe_key {
	__u64 dev; /* the kernel's dev_t (MAJOR << 20 | MINOR) */
	__u64 ino;
};

/* ph_alert_event.flags: the model's verdict on the record's call. */
#define PH_EV_F_JUDGED 0x1u	/* the two bits below are set by the model */
#define PH_EV_F_NEVER_MADE 0x2u /* a call the profile's test data never saw */
#define PH_EV_F_EVIDENCE 0x4u	/* the task's frame holds an episode's evidence */

struct ph_alert_event {
	__u32 size; /* sizeof(struct ph_alert_event), checked by the reader */
	__u32 kind; /* enum ph_ev_kind */
	__u64 ts_ns; /* CLOCK_BOOTTIME */
	struct ph_exe_key exe;
	__u64 profile_id;	   /* the model's profile number (item keys) */
	__u64 task_calls;	   /* calls of the task since exec, this one included */
	__u64 task_anomalies;	   /* anomalous calls of the task since exec */
	__u64 profile_anomalies; /* anomalies since the profile became normal */
	__u64 profile_calls;	   /* calls the profile has seen */
	__u32 pid; /* thread group id */
	__u32 tid;
	__u32 call; /* the syscall number this record is about */
	__u32 lfc;  /* the task's locality frame count after the call */
	__u32 status; /* profile status bits after the call (PH_PROFILE_*) */
	__u32 misses; /* unknown items of the call */
	__u32 window_len; /* valid entries of window[] */
	__u32 window_size; /* the model's W: window (pairs) or n (n-grams) */
	__u16 window[PH_EV_WINDOW]; /* the calls before `call`, oldest first */
	__u16 flags; /* PH_EV_F_* (was padding: 0 from older builds) */
	char comm[PH_EV_COMM_LEN];
	__u32 response;	    /* PH_EV_RESPONSE: the signal sent (9 kill, 19 stop) */
	__s32 response_err; /* 0, or bpf_send_signal()'s negative errno */
};

_Static_assert(sizeof(struct ph_exe_key) == 16, "ph_exe_key layout");
_Static_assert(sizeof(struct ph_alert_event) == 160, "ph_alert_event layout");

#endif
