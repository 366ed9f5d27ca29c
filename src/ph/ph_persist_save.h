/* One save pass of pH's profiles from the kernel's maps to the state
 * directory (ph_persist_save.c), for ph_persist.c. */
#ifndef VIGIL_PH_PERSIST_SAVE_H
#define VIGIL_PH_PERSIST_SAVE_H

#include <stdint.h>

#include "ph/ph_known.h"
#include "ph/ph_model.h"

struct ph_save_ctx {
	int dirfd;
	const char *dir; /* its path, for the reports */
	const struct ph_params *params;
	int profiles_fd, items_fd;
	struct ph_known_table *known; /* paths, build-ids, what each file holds */
	/* told about each file that cannot be written (as ph_persist_report_fn) */
	void (*report)(void *ctx, const char *file, int err, const char *problem);
	void *ctx;
};

/* What one pass did. */
struct ph_save_result {
	uint64_t written, write_errors, gc_items;
	uint64_t bytes; /* of all the profile files after the pass */
	uint64_t profiles, items;
	uint64_t ns; /* how long it took */
};

/* Returns 0 or the first negative errno (each failing file is reported;
 * the others are still written). */
int ph_save_pass(const struct ph_save_ctx *p, __u64 clock_now, struct ph_save_result *out);

#endif
