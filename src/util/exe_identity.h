/* What an executable is, whatever it is called or wherever it lies: the
 * GNU build-id note the linker writes into ELF files (.note.gnu.build-id, a
 * hash of the linked code). Copies, reinstalls of the same package and
 * identical hosts carry the same build-id under another device and inode.
 * A file without one (linked with --build-id=none, stripped of its notes)
 * is known by a hash of its content instead (vg_exe_identity()).
 * pH shares profiles between copies by it (src/ph/ph_buildid.h); the rules
 * know a copied tool by it (proc.exe_tool, src/fields/tool_identity.c). */
#ifndef VIGIL_UTIL_EXE_IDENTITY_H
#define VIGIL_UTIL_EXE_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#define VG_EXE_ID_MAX 40 /* bytes: SHA-1 ids are 20, the largest in use 32 */

/* Reads the build-id of the file at path, but only if it is still the
 * executable (kdev, ino) (kernel dev_t): a path replaced since the exec is
 * not read. Returns the id's length (> 0), 0 when the file has none, or a
 * negative errno (-ESTALE when the path is now another file). */
int vg_exe_build_id(const char *path, uint64_t kdev, uint64_t ino, unsigned char *out, size_t cap);

/* A content hash as an identity: the tag byte, then SHA-256 of the file.
 * No linker writes a 33-byte build-id that starts with 0xff, and the two
 * kinds of ids are hashes of different things: they never meet. */
#define VG_EXE_CONTENT_ID_TAG 0xff
#define VG_EXE_CONTENT_ID_LEN 33
/* Files hashed at most this large (the hash runs in the monitor's loop, once
 * per executable without a build-id: about 0.1 s at this size). */
#define VG_EXE_CONTENT_HASH_MAX (64ull << 20)

/* What the executable is: its build-id, else (a regular file of at most
 * VG_EXE_CONTENT_HASH_MAX bytes) the content hash above. Same checks and
 * returns as vg_exe_build_id(); cap must hold VG_EXE_CONTENT_ID_LEN for
 * the hash. */
int vg_exe_identity(const char *path, uint64_t kdev, uint64_t ino, unsigned char *out, size_t cap);

/* Hex form of an id into buf (2 * len + 1 bytes at most); "" when len 0.
 * A content hash reads "sha256:" and its 64 hex digits (72 bytes). */
void vg_exe_id_hex(const unsigned char *id, size_t len, char *buf, size_t size);

#endif
