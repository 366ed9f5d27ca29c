/* Copies a settled pH profile to another executable with the same build-id
 * (a copy, a reinstall, the same package on another host), so that it
 * starts normal instead of learning from nothing. docs/ph.md, "Profiles
 * keyed by build-id". */
#ifndef VIGIL_PH_SHARE_H
#define VIGIL_PH_SHARE_H

#include <stddef.h>

#include "ph/ph_exchange.h"

/* Replaces the profile of `to` by the profile of `from` (through a private
 * file in the state directory `dir`, the format export/import use). When
 * `to` has no profile yet, one is created first with a number taken from
 * *next_profile (the kernel's counter, shared atomically). Returns the
 * items copied or a negative errno with err set; the caller bumps the
 * epoch. */
long vg_ph_share_profile(const struct vg_ph_exchange *x, __u64 *next_profile, const char *dir,
			 const struct ph_exe_key *from, const struct ph_exe_key *to,
			 const char *from_path, char *err, size_t errlen);

#endif
