/* pH's state directory, opened so that it cannot be turned against the
 * host or shared: created by vigil (0700), or, when it exists, a real
 * directory owned by vigil's user, private, holding only files vigil
 * writes there (ph-*.profile, .*.tmp) — vigil never chmods or cleans a
 * directory it does not own. It is locked (flock on the directory) for the
 * life of the descriptor, so two instances cannot share it and race on
 * their temporary files. */
#ifndef VIGIL_PH_STATEDIR_H
#define VIGIL_PH_STATEDIR_H

#include <stddef.h>

/* The directory's O_DIRECTORY descriptor (locked), or a negative errno
 * with the reason in err (paths escaped). Missing parents are created
 * (0700). */
int ph_statedir_open(const char *dir, char *err, size_t errlen);

#endif
