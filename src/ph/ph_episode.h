/* pH incidents, inside: the episode table, and what every layer of it
 * needs about a process (ph_episode.c): its alert scope and its path.
 * The layers: ph_incident.c (records, the sensor's events, the table's
 * life) calls ph_incident_report.c (the alert); both call this one.
 * Not for other users. */
#ifndef VIGIL_PH_EPISODE_H
#define VIGIL_PH_EPISODE_H

#include <stdio.h>

#include <vigil/ph_events.h>

#include "output/fields.h"
#include "ph/ph_incident_types.h"

#define VG_PH_EXE_PATHS 4096 /* direct-mapped by inode: collisions lose a name */
#define VG_PH_FAMILY_MAX 4   /* processes of one episode beyond the first */

struct novel_call {
	uint16_t nr;
	uint16_t window_len;
	uint32_t count;
	int never_made; /* the profile's test data never saw this call at all */
	uint16_t window[PH_EV_WINDOW]; /* the calls before its first occurrence */
};

struct episode {
	int used;
	int reported;		   /* the incident went out */
	int dirty;		   /* new anomalies since it went out */
	int quiet;		   /* found below the evidence threshold, no record since */
	enum vg_ph_severity sev_sent;
	uint32_t pid, tid;
	uint32_t parent; /* pid's parent when the episode opened (0: unknown) */
	/* parent or child processes of the same program whose anomalies came
	 * while this episode was open: one attack, one incident (a forked
	 * child's execve, its parent's wait) */
	uint32_t family[VG_PH_FAMILY_MAX];
	unsigned nfamily;
	struct ph_exe_key exe;
	uint64_t profile_id;
	uint64_t first_ns, last_ns; /* CLOCK_BOOTTIME of the first / last record */
	uint64_t anomalies, task_calls, profile_anomalies;
	uint32_t lfc_max, status, window_size;
	/* the model's verdict (PH_EV_F_EVIDENCE) on a record of the episode;
	 * records of an older kernel side (no PH_EV_F_JUDGED): the LFC
	 * reached episode_lfc */
	int evidence;
	int burst, responded;
	uint32_t response;
	int32_t response_err;
	char comm[PH_EV_COMM_LEN + 1];
	unsigned ncalls;
	uint32_t calls_dropped; /* distinct calls beyond VG_PH_INCIDENT_CALLS */
	struct novel_call calls[VG_PH_INCIDENT_CALLS];
	/* the process, from the table when the episode opened */
	int have_proc, has_tty;
	uint32_t ppid;
	int64_t uid;
	char exe_path[512], cmdline[512], pname[32], user[64], container[32];
};

/* A sensor event an incident may list. */
struct recent {
	uint64_t ts;
	uint32_t pid;
	uint16_t type;
	uint8_t critical; /* dup onto 0-2 of a socket, W+X mapping, ptrace, module */
	char text[200];
};

struct vg_ph_incidents {
	vg_alert_fn fn;
	void *ctx;
	vg_ph_proc_fn proc_fn;
	void *proc_ctx;
	int proc_parents; /* /proc/PID/stat for a parent the table lacks */
	const char *hostname;
	int64_t boot_to_wall_ns;
	uint64_t hold_ns, gap_ns;
	uint32_t episode_lfc; /* evidence threshold (vg_ph_incidents_set_threshold) */
	struct vg_ph_incident_stats st;
	struct episode slots[VG_PH_INCIDENT_SLOTS];
	struct recent recent[VG_PH_RECENT_EVENTS];
	uint64_t recent_next; /* ring position: total events remembered */
	uint64_t sensor_ns;   /* newest sensor event seen (CLOCK_BOOTTIME) */
	/* rendering */
	struct vg_fields fields;	/* the alert's */
	struct vg_fields ev_fields;	/* scratch for a sensor event */
	struct vg_rule_ctx *ev_ctx;	/* its rendering (vg_fields_from_ctx); NULL: none */
	const char *tags[2];
	char exe_id[64], ino[24], call[32], window[PH_EV_WINDOW * 32], calls_s[1024];
	char never_made_s[1024]; /* the calls the program never made before */
	char family_s[VG_PH_FAMILY_MAX * 11 + 1]; /* the family's pids */
	char windows[4096], events[2048], reason[256], output[8192];
	char path[4096]; /* readlink of /proc/PID/exe */
	/* paths of recently executed files, by inode (direct-mapped): an
	 * execve's incident is reported after the process became the new
	 * program, when neither the table nor /proc names the old one */
	struct {
		uint64_t ino, dev;
		char path[256];
	} exes[VG_PH_EXE_PATHS];
	/* the alert scope */
	enum vg_ph_scope scope;
	char *watch[VG_PH_WATCH_MAX];
	uint64_t watch_ino[VG_PH_WATCH_MAX]; /* the file at start (0: missing) */
	unsigned nwatch;
	uint64_t listeners[VG_PH_EXE_PATHS]; /* inodes of programs seen serving (direct-mapped) */
};

static inline void copy_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/* 1 if the process is in the alert scope. */
int vg_ph__scope_of(const struct vg_ph_incidents *in, const char *exe, uint64_t ino,
		    int have_proc, uint32_t ppid, int has_tty);
/* The parent of pid (the process table, else /proc), 0 when unknown. */
uint32_t vg_ph__parent_of(struct vg_ph_incidents *in, uint32_t pid);
/* 1 if pid is the episode's process or one of its family. */
int vg_ph__in_episode(const struct episode *ep, uint32_t pid);
/* Fills the episode's process fields once. */
void vg_ph__episode_proc(struct vg_ph_incidents *in, struct episode *ep);
/* The path the last exec of (dev, ino) named, or NULL. */
const char *vg_ph__known_exe(const struct vg_ph_incidents *in, uint64_t dev, uint64_t ino);
/* /proc/PID/exe when it is the file `ino` (into in->path), or NULL. */
const char *vg_ph__proc_exe(struct vg_ph_incidents *in, uint32_t pid, uint64_t ino);

#endif
