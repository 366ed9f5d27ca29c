/* What an executable is, for sharing pH profiles between copies: the GNU
 * build-id note the linker writes into ELF files (.note.gnu.build-id, a
 * hash of the linked code). Copies, reinstalls of the same package and
 * identical hosts carry the same build-id under another device and inode.
 * Files without one (stripped of notes, scripts) are not shared. */
#ifndef VIGIL_PH_BUILDID_H
#define VIGIL_PH_BUILDID_H

#include <stddef.h>
#include <stdint.h>

#define VG_PH_BUILD_ID_MAX 40 /* bytes: SHA-1 ids are 20, the largest in use 32 */

/* Reads the build-id of the file at path, but only if it is still the
 * executable (kdev, ino) (kernel dev_t): a path replaced since the exec is
 * not read. Returns the id's length (> 0), 0 when the file has none, or a
 * negative errno (-ESTALE when the path is now another file). */
int vg_ph_build_id(const char *path, uint64_t kdev, uint64_t ino, unsigned char *out, size_t cap);

/* Hex form of an id into buf (2 * len + 1 bytes at most); "" when len 0. */
void vg_ph_build_id_hex(const unsigned char *id, size_t len, char *buf, size_t size);

#endif
