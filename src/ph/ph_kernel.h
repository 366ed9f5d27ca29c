/* pH in the kernel seen from user space: set up bpf/ph_step.h (part of the
 * sensor's BPF object), its parameters, read its alert records in the
 * monitor's poll loop, stop it. */
#ifndef VIGIL_PH_KERNEL_H
#define VIGIL_PH_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "output/alert.h"
#include "ph/ph_incident.h"
#include "ph/ph_kernel_opts.h"
#include "ph/ph_persist.h"
#include "ph/ph_watch.h" /* the watch list's per-program settings */
#include "sensor/sensor.h"

struct vg_ph_kernel;
struct ph_alert_event;
struct ph_params;

/* What the profiles cost, as stored in the kernel's maps (and on disk). */
struct vg_ph_memory {
	uint64_t profiles;	/* profiles in the map */
	uint64_t items;		/* learnt items in the map (all generations) */
	uint64_t profile_bytes; /* per profile: key + struct ph_profile */
	uint64_t item_bytes;	/* per item: key + stamp */
	uint64_t total_bytes;	/* profiles * profile_bytes + items * item_bytes */
	uint64_t avg_bytes;	/* total_bytes / profiles */
	uint64_t disk_bytes;	/* the profile files after the last save */
};

struct vg_ph_kernel_stats {
	uint64_t alerts;	 /* records read */
	uint64_t malformed;	 /* records that failed the check */
	uint64_t drops;		 /* records the kernel could not queue */
	uint64_t model_errors;	 /* failed model steps in the kernel */
	uint64_t profile_errors; /* profiles that could not be created */
	uint64_t profiles;	 /* profiles created */
	uint64_t signal_windows; /* signal handler windows opened */
	uint64_t responses;	 /* signals sent by the response */
	uint64_t shared;	 /* profiles copied from a build-id twin */
	uint64_t coverage_normal; /* profiles made normal by coverage (ph_coverage.h) */
	uint64_t calls_fast;	  /* calls the task's cache answered (the fast path) */
	uint64_t calls_slow;	  /* calls that ran the model with the profile */
};

/* Called with each alert; the alert is valid during the call only. */

/* pH's kernel side is part of the sensor's BPF object (its per-call step
 * runs in the sensor's sys_exit program): vg_ph_kernel_new() keeps the
 * options, and vg_ph_kernel_part() is then given to vg_sensor_open_with(),
 * which sets pH up while the sensor loads (parameters, profiles from the
 * state directory, its ring buffer in the sensor's reader, its programs).
 * vigil itself is not modelled. Returns 0 or -ENOMEM. */
int vg_ph_kernel_new(struct vg_ph_kernel **out, const struct vg_ph_kernel_opts *o,
		     vg_alert_fn fn, void *ctx, const char *hostname);
const struct vg_sensor_part *vg_ph_kernel_part(struct vg_ph_kernel *k);
void vg_ph_kernel_stats(struct vg_ph_kernel *k, struct vg_ph_kernel_stats *st);

/* The pH maps, for the control commands (src/ph/ph_admin.c). */
struct vg_ph_kernel_maps {
	int tasks;    /* task storage: pidfd → the task's model state */
	int profiles; /* struct ph_exe_key → struct ph_profile */
	int items;    /* struct ph_item_key → add stamp */
	int alerts;   /* the alert ring buffer */
	int sketches; /* struct ph_exe_key → struct ph_sketch (n-gram profiles' call pairs) */
};
void vg_ph_kernel_maps(struct vg_ph_kernel *k, struct vg_ph_kernel_maps *m);
/* Call after changing a profile in the map from user space (admin actions):
 * the tasks' cached profile state is then looked up again (docs/ph.md). */
void vg_ph_kernel_profiles_changed(struct vg_ph_kernel *k);
/* Also passes every raw alert record (already checked) to fn; one hook. */
void vg_ph_kernel_on_record(struct vg_ph_kernel *k,
			    void (*fn)(void *ctx, const struct ph_alert_event *e), void *ctx);
/* The memory the profiles take now (walks the items map: O(items)).
 * Returns 0 or a negative errno. */
int vg_ph_kernel_memory(struct vg_ph_kernel *k, struct vg_ph_memory *m);
/* The path of an executable (kernel dev_t, inode), written in its profile
 * file for humans. The first time, its build-id is read and, if another
 * executable with the same build-id has a settled profile while this one
 * has none, the profile is copied to it (ph_share.h). */
void vg_ph_kernel_note_exe(struct vg_ph_kernel *k, uint64_t dev, uint64_t ino, const char *path);
/* The oldest sample of p's convergence window (ph_converge.h); 0 when
 * none yet (the monitor samples every profile every 10 s). */
struct vg_ph_sample;
int vg_ph_kernel_converge_sample(struct vg_ph_kernel *k, const struct ph_profile *p,
				 struct vg_ph_sample *then);
/* Normal by coverage (ph_coverage.h): the runs the profile of `ino` went
 * through since its last change, and the runs a profile needs (0: off). */
struct vg_ph_coverage_state;
void vg_ph_kernel_coverage(struct vg_ph_kernel *k, uint64_t ino, struct vg_ph_coverage_state *st,
			   uint32_t *runs_needed);
/* Seconds until `runs` runs become all those needed from blocks of calls
 * alone at calls_per_s (ph_coverage.h); UINT64_MAX when unknown or off. */
/* `needed`: the program's own runs (vg_ph_kernel_coverage()'s runs_needed) */
uint64_t vg_ph_kernel_coverage_eta_s(struct vg_ph_kernel *k, uint32_t runs, uint32_t needed,
				     uint64_t calls_per_s);
/* The build-id known for (dev, ino) as hex into hex ("" when none or not
 * read yet); returns its length in bytes. */
int vg_ph_kernel_build_id(struct vg_ph_kernel *k, uint64_t dev, uint64_t ino, char *hex,
			  size_t size);
/* How incidents name a process: the monitor's process table (optional). */
void vg_ph_kernel_set_proc(struct vg_ph_kernel *k, vg_ph_proc_fn fn, void *ctx);
/* Every sensor event: incidents list what the process did around them. */
void vg_ph_kernel_note_event(struct vg_ph_kernel *k, const struct vg_event *ev);
void vg_ph_kernel_incident_stats(struct vg_ph_kernel *k, struct vg_ph_incident_stats *st);
/* The model's parameters as loaded (read only): those the kernel applies to
 * the executable key (a watched program's own, ph_watch.h), or with key
 * NULL the global ones. */
struct ph_exe_key;
const struct ph_params *vg_ph_kernel_params(struct vg_ph_kernel *k, const struct ph_exe_key *key);
/* The model's clock now (ns, the kernel's jiffies): what normal_time uses. */
__u64 vg_ph_kernel_model_now(struct vg_ph_kernel *k);
/* Every executable path the profile files (and exec events) gave, so that
 * `vigil profiles` names the profiles restored at start. */
void vg_ph_kernel_foreach_path(struct vg_ph_kernel *k,
			       void (*fn)(void *ctx, __u64 dev, __u64 ino, const char *path),
			       void *ctx);
/* Zeros when persistence is off. */
void vg_ph_kernel_persist_stats(struct vg_ph_kernel *k, struct ph_persist_stats *st);
/* Call from the monitor's loop (every poll): reports the incidents that are
 * due, and saves the profiles when the save interval has passed. */
void vg_ph_kernel_tick(struct vg_ph_kernel *k);
/* Detaches the programs and saves the profiles a last time (the exit
 * save). The maps stay readable until vg_ph_kernel_close(). */
void vg_ph_kernel_stop(struct vg_ph_kernel *k);
/* Detaches pH's own programs and frees what it holds; accepts NULL. The
 * maps and programs are the sensor's: close the sensor (which reads the
 * ring) first. */
void vg_ph_kernel_close(struct vg_ph_kernel *k);

#endif
