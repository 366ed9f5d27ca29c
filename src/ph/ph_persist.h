/* pH profiles between the kernel's maps and the state directory: one file
 * per profile (ph_file.h), loaded before the programs attach, saved
 * periodically and at exit. Saving also deletes the items of generations no
 * profile uses any more (left behind by tolerize resets). */
#ifndef VIGIL_PH_PERSIST_H
#define VIGIL_PH_PERSIST_H

#include <stddef.h>
#include <stdint.h>

#include "ph/ph_model.h"

#define VG_PH_STATE_DIR_DEFAULT "/var/lib/vigil/profiles"
#define VG_PH_SAVE_INTERVAL_DEFAULT_S 600

/* Called for each file that is skipped or cannot be written, and for
 * problems of the directory itself (file = the directory's path). */
typedef void (*ph_persist_report_fn)(void *ctx, const char *file, int err, const char *problem);

struct ph_persist_opts {
	const char *dir;		 /* the state directory */
	const struct ph_params *params;	 /* the running model: files must match */
	int profiles_fd;		 /* ph_profiles: struct ph_exe_key -> struct ph_profile */
	int items_fd;			 /* ph_items: struct ph_item_key -> __u64 stamp */
	uint32_t max_profiles;		 /* files loaded at most */
	ph_persist_report_fn report;
	void *ctx;
};

struct ph_persist_stats {
	uint64_t loaded;	/* profiles loaded at start */
	uint64_t items_loaded;
	uint64_t skipped;	/* files refused (corrupt, foreign, ...) */
	uint64_t saves;		/* save passes */
	uint64_t written;	/* profile files written (unchanged ones are not) */
	uint64_t write_errors;
	uint64_t items_saved;	/* items in the last pass */
	uint64_t profiles_saved; /* profiles in the last pass */
	uint64_t gc_items;	/* dead items deleted from the kernel */
	uint64_t bytes_last;	/* bytes of all profile files after the last pass */
	uint64_t save_ns_last;	/* how long the last pass took (the monitor's loop waits) */
};

struct ph_persist;

/* Creates the state directory (0700, owned by root) if missing. Returns 0
 * or a negative errno; `report` has been told why. */
int ph_persist_new(struct ph_persist **out, const struct ph_persist_opts *o);
void ph_persist_free(struct ph_persist *p);

/* Loads every profile file into the maps, with fresh profile numbers from
 * *next_profile (advanced). `clock_now` is the model's clock now: a frozen
 * profile keeps the wait it had left. A bad file is reported and skipped;
 * returns 0, or a negative errno when the directory cannot be read. */
int ph_persist_load(struct ph_persist *p, __u64 *next_profile, __u64 clock_now);

/* Writes every profile that changed since it was last written and deletes
 * dead generations from the items map. Returns 0 or the first negative
 * errno (each failing file is reported; the others are still written). */
int ph_persist_save(struct ph_persist *p, __u64 clock_now);

/* Remembers a path of the executable (dev, ino), written in its file. */
void ph_persist_note_exe(struct ph_persist *p, __u64 dev, __u64 ino, const char *path);

/* Calls fn with every executable a path is known for (from the profile
 * files loaded, exec events, /proc); fn must not call back into p. */
void ph_persist_foreach_exe(struct ph_persist *p,
			    void (*fn)(void *ctx, __u64 dev, __u64 ino, const char *path), void *ctx);

/* Build-id sharing (docs/ph.md, "Profiles keyed by build-id"): reads the
 * build-id of (dev, ino) through path (once per executable) and, the first
 * time, looks for another executable with the same build-id whose profile
 * is normal or frozen while this one has none settled. Returns 1 and sets
 * *twin to the best one (normal first, then most calls), else 0. */
struct ph_exe_key;
int ph_persist_twin(struct ph_persist *p, __u64 dev, __u64 ino, const char *path,
		    struct ph_exe_key *twin);

/* The build-id known for (dev, ino): its length (0 when none or unknown). */
int ph_persist_build_id(struct ph_persist *p, __u64 dev, __u64 ino, unsigned char *out,
			size_t cap);

/* The state directory's path. */
const char *ph_persist_dir(struct ph_persist *p);

void ph_persist_stats(struct ph_persist *p, struct ph_persist_stats *st);

#endif
