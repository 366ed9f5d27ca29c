/* One pH profile in or out of the running monitor as a profile file (the
 * format of the state directory, ph_file.h): `vigil profile export EXE
 * FILE`, `import EXE FILE` (replace the profile by the file's), `merge EXE
 * FILE` (add the file's known sequences to it). The base for sharing
 * profiles between copies of a program and across machines. */
#ifndef VIGIL_PH_EXCHANGE_H
#define VIGIL_PH_EXCHANGE_H

#include <stddef.h>
#include <stdint.h>

#include <vigil/ph_events.h>

#include "ph/ph_model.h"

struct vg_ph_exchange {
	int profiles_fd, items_fd;	/* the kernel's maps */
	const struct ph_params *params; /* the running model: files must match */
	__u64 clock_now;		/* the model's clock (frozen profiles' normal_time) */
};

/* Writes the profile of key (its training data and test data) to the
 * absolute path `file`, crash-safely, mode 0600. Returns the number of
 * items written, or a negative errno with err set. */
long vg_ph_export(const struct vg_ph_exchange *x, const struct ph_exe_key *key,
		  const char *exe_path, const char *file, char *err, size_t errlen);

/* Reads `file` (checked whole: model, architecture, checksum...) and
 * replaces the profile of key by it (merge = 0), or adds the file's known
 * items (its test data when it was normal, else its training data) to the
 * profile's training data, and to what a normal profile tests (merge = 1).
 * The profile keeps its number and its count of calls. Returns the items
 * added, or a negative errno with err set; on failure nothing changed. The
 * caller bumps the epoch and deletes the generations no longer used. */
long vg_ph_import(const struct vg_ph_exchange *x, const struct ph_exe_key *key, const char *file,
		  int merge, char *err, size_t errlen);

#endif
