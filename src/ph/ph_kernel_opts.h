/* pH's options in the kernel (vg_ph_kernel_new(), ph_kernel.h) and their
 * defaults: a leaf, so that the parts that set pH up need not include
 * the whole kernel side. */
#ifndef VIGIL_PH_KERNEL_OPTS_H
#define VIGIL_PH_KERNEL_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#define VG_PH_NORMAL_WAIT_DEFAULT_S 604800ull /* 7 days, as pH */
#define VG_PH_MAX_ITEMS_DEFAULT (1u << 20)    /* learnt pairs / n-grams, all profiles */
#define VG_PH_MAX_PROFILES_DEFAULT 16384u     /* executables */
#define VG_PH_RING_DEFAULT (1u << 20)

/* One ph.watch entry's own settings (ph_watch.h); VG_PH_WATCH_UNSET: the
 * global value. */
#define VG_PH_WATCH_UNSET UINT64_MAX
struct vg_ph_watch_opt {
	const char *path;
	uint64_t normal_wait_s;
	uint64_t coverage_runs;
	uint64_t anomaly_limit;
	const char *const *ignore_calls; /* syscall names */
	unsigned nignore_calls;
};

struct vg_ph_kernel_opts {
	uint64_t normal_wait_s; /* frozen → normal after this many seconds */
	uint64_t min_train;	/* calls before a profile may freeze; 0 = model default */
	uint32_t max_items;
	uint32_t max_profiles;
	bool plain; /* plain pH (lookahead pairs, window 9) instead of 12-grams */
	bool ngram_only; /* 12-grams without the pairs' fallback (ph.model: ngram) */
	/* persistence (src/ph/ph_persist.c) */
	const char *state_dir;	  /* NULL: VG_PH_STATE_DIR_DEFAULT */
	uint64_t save_interval_s; /* 0: only at exit */
	bool no_persist;	  /* neither load nor save profiles */
	/* the optional response: off unless response_sig is set */
	int response_sig;	       /* SIGKILL or SIGSTOP; 0 = observe only */
	uint32_t response_lfc;	       /* act when a task's LFC goes above this (1..127) */
	const char *const *response_exes; /* only these executables (by device + inode) */
	unsigned nresponse_exes;
	/* which programs' alerts are reported (ph_incident.h); all learn */
	int alert_scope;		 /* enum vg_ph_scope; 0: services */
	const char *const *watch;	 /* always reported (absolute paths) */
	unsigned nwatch;
	const struct vg_ph_watch_opt *watch_opts; /* nwatch of them, or NULL */
	uint64_t learning_window_s; /* 0: off; else ph_window.h */
	/* a frozen profile is normal after this many runs without anything
	 * new (ph_coverage.h); 0: off, normal only after normal_wait */
	uint32_t coverage_runs;
	/* coverage by calls: a block of coverage_calls training calls spanning
	 * at least coverage_block_s without anything new is a run; 0: off */
	uint64_t coverage_calls;
	uint64_t coverage_block_s;
};

#define VG_PH_RESPONSE_EXES_MAX 64

#endif
