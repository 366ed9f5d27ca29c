/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Records of the libpam probes (bpf/pam.bpf.c) to user space
 * (src/auth/auth_kernel.c): one fixed-size record per finished PAM call on
 * the object's own ring buffer. Same rules as events.h: fixed-width types,
 * explicit padding, the size checked below and by the reader; new fields go
 * at the end.
 *
 * Only the items named here are ever read from a PAM handle: service, user,
 * remote user, remote host and tty. Passwords and tokens (PAM_AUTHTOK,
 * PAM_OLDAUTHTOK, the conversation) are never touched.
 */
#ifndef VIGIL_AUTH_EVENTS_H
#define VIGIL_AUTH_EVENTS_H

#ifdef __bpf__
/* vmlinux.h provides __u8 ... __u64 */
#else
#include <linux/types.h>
#endif

#define AUTH_EV_COMM_LEN 16
#define AUTH_EV_NAME_LEN 64   /* service, user, ruser, tty */
#define AUTH_EV_RHOST_LEN 128 /* a host name or an address */

/* Which PAM call finished. */
enum auth_ev_kind {
	AUTH_EV_AUTHENTICATE = 1,  /* pam_authenticate */
	AUTH_EV_ACCT_MGMT = 2,	   /* pam_acct_mgmt */
	AUTH_EV_OPEN_SESSION = 3,  /* pam_open_session */
	AUTH_EV_CLOSE_SESSION = 4, /* pam_close_session */
};
#define AUTH_EV_KIND_MAX AUTH_EV_CLOSE_SESSION

/* pam_set_item() item types that are read (from <security/_pam_types.h>). */
#define AUTH_PAM_SERVICE 1
#define AUTH_PAM_USER 2
#define AUTH_PAM_TTY 3
#define AUTH_PAM_RHOST 4
#define AUTH_PAM_RUSER 8

/* What is known about one PAM handle: the strings, NUL-terminated (the
 * kernel writes at most LEN - 1 bytes; the reader terminates again). */
struct auth_items {
	char service[AUTH_EV_NAME_LEN];
	char user[AUTH_EV_NAME_LEN];
	char ruser[AUTH_EV_NAME_LEN];
	char tty[AUTH_EV_NAME_LEN];
	char rhost[AUTH_EV_RHOST_LEN];
};

struct auth_event {
	__u32 size; /* sizeof(struct auth_event), checked by the reader */
	__u32 kind; /* enum auth_ev_kind */
	__u64 ts_ns; /* CLOCK_BOOTTIME */
	__u64 pamh;  /* the handle's address in the process: ties calls together */
	__u32 pid;   /* thread group id */
	__u32 tid;
	__u32 uid;
	__s32 result; /* the call's PAM return code (PAM_SUCCESS = 0) */
	__u32 known;  /* 1 when the handle was seen at pam_start (items valid) */
	__u32 pad0;
	char comm[AUTH_EV_COMM_LEN];
	struct auth_items items;
};

_Static_assert(sizeof(struct auth_items) == 384, "auth_items layout");
_Static_assert(sizeof(struct auth_event) == 448, "auth_event layout");

#endif
