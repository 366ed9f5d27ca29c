/* SIGHUP's reload, away from the detection loop: the configuration and the
 * rule files are read and compiled in a thread of their own, and the loop
 * swaps the result in only once it is complete (vg_reload_poll). A slow or
 * hostile file (a FIFO, a megabyte of nested brackets) costs that thread
 * time, never the loop's: events, signals, --duration, stats, the control
 * socket and metrics go on. */
#ifndef VIGIL_MONITOR_RELOAD_H
#define VIGIL_MONITOR_RELOAD_H

#include <stdbool.h>
#include <stdint.h>

/* A reload still reading after this long is abandoned (its result thrown
 * away when it ends), and the next SIGHUP may start another. */
#define VG_RELOAD_MAX_MS (60u * 1000u)

struct vg_detect;
struct vg_monitor_opts;
struct vg_reload;

/* What a finished reload gives the loop. */
struct vg_reload_result {
	void *config;		  /* mo->reload_prepare's result, NULL: keep the running one */
	bool rules_read;	  /* rule files were read (some were configured) */
	struct vg_detect *detect; /* the new rules when they loaded cleanly, else NULL */
	unsigned nrules_files;	  /* how many files they came from */
};

/* Starts a reload thread. -errno when it could not start (nothing changes). */
int vg_reload_start(struct vg_reload **out, const struct vg_monitor_opts *mo);

/* Non-blocking: true (and *res filled, r freed) once the reload is done. */
bool vg_reload_poll(struct vg_reload *r, struct vg_reload_result *res);

/* How long ago the reload started. */
uint64_t vg_reload_age_ms(const struct vg_reload *r);

/* Gives up on a reload (over VG_RELOAD_MAX_MS, or at exit): one still
 * running throws its result away itself when it ends (or ends with the
 * process); a finished one is freed here. r is gone after. */
void vg_reload_abandon(struct vg_reload *r);

#endif
