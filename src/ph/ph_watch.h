/* The watch list's per-program settings (ph.watch mappings; docs/ph.md,
 * "Watch list"): a program's own normal wait, coverage runs, anomaly limit
 * and ignored calls override the global ones for its profile.
 *
 * In the kernel (bpf/ph_watch.h) each such program has a whole struct
 * ph_params, the global one with its settings applied, under its
 * executable's device and inode: resolved at start, and again when an
 * exec shows the watched path in another file (a reinstall). A profile
 * already frozen then gets the shorter wait at once. In user space the
 * coverage runs are decided here, and a watched program's "profile
 * disabled" alert is Critical: it is never tolerized silently. */
#ifndef VIGIL_PH_PH_WATCH_H
#define VIGIL_PH_PH_WATCH_H

#include <stdint.h>

#include <vigil/ph_events.h> /* struct ph_exe_key */

#include "output/alert.h"
#include "ph/ph_kernel_opts.h"

struct sensor_bpf;
struct ph_params;
struct ph_profile;
struct vg_ph_coverage;
struct vg_ph_watch;

#define VG_PH_WATCH_KEYS_MAX 4 /* files (device, inode) one entry follows */

/* Before load: checks the entries (their call names) and tells the kernel
 * whether to look per-program settings up at all. 0 or -EINVAL with *err. */
int vg_ph_watch_configure(struct sensor_bpf *skel, const struct vg_ph_kernel_opts *o,
			  const char **err);

/* After load, before attach (the profiles of earlier runs loaded): each
 * entry's parameters from the global ones, its file, the kernel's map.
 * `now` is the model's clock. A missing file is reported and followed
 * when it appears (vg_ph_watch_note_exe()). A profile whose normal time
 * moves bumps the tasks' epoch. Returns 0 or a negative errno with *err.
 * *out is NULL when the list is empty. */
int vg_ph_watch_new(struct vg_ph_watch **out, const struct vg_ph_kernel_opts *o,
		    struct sensor_bpf *skel, uint64_t now, const char **err);
void vg_ph_watch_free(struct vg_ph_watch *w);

/* An exec of `path` from the file (dev, ino): a watched path in a file it
 * did not know gets its settings there too. Accepts NULL. */
void vg_ph_watch_note_exe(struct vg_ph_watch *w, uint64_t dev, uint64_t ino, const char *path);

/* 1 if (dev, ino) is a file of a watched entry with settings. */
int vg_ph_watch_has(const struct vg_ph_watch *w, const struct ph_exe_key *key);

/* The parameters the kernel uses for key: its own, else global (also
 * for key NULL). */
const struct ph_params *vg_ph_watch_params(const struct vg_ph_watch *w,
					   const struct ph_exe_key *key,
					   const struct ph_params *global);

/* The runs a profile of inode `ino` needs to be normal by coverage (its
 * own coverage_runs, else `global`). */
uint32_t vg_ph_watch_coverage_runs(const struct vg_ph_watch *w, uint64_t ino, uint32_t global);

/* vg_ph_coverage_note() (ph_coverage.h) for the profile p of key, with
 * the program's own runs when it has them: 1 when p should be normal. */
int vg_ph_watch_coverage_note(const struct vg_ph_watch *w, struct vg_ph_coverage *c,
			      const struct ph_exe_key *key, const struct ph_profile *p,
			      const struct ph_params *prm, uint64_t now_ns);

/* A rendered pH alert about key: a watched program's "profile disabled"
 * (anomaly limit reached) becomes Critical. */
void vg_ph_watch_alert(const struct vg_ph_watch *w, const struct ph_alert_event *e,
		       struct vg_alert *alert);

#endif
