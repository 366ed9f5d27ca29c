/* Where libpam is: the dynamic linker's cache (`ldconfig -p`), then the
 * usual library directories, multiarch ones included. */
#ifndef VIGIL_AUTH_LIBPAM_PATH_H
#define VIGIL_AUTH_LIBPAM_PATH_H

#include <stddef.h>

#define VG_LIBPAM_SONAME "libpam.so.0"

/* Picks the path of soname from `ldconfig -p` output (text, len bytes, need
 * not be terminated). arch_tag (e.g. "x86-64"), when not NULL, must appear in
 * the entry's parenthesised flags, so a 32-bit copy is not taken for the
 * native one. Returns 1 and the path in out, or 0 when there is none (or it
 * does not fit). */
int vg_ldcache_pick(const char *text, size_t len, const char *soname, const char *arch_tag,
		    char *out, size_t outlen);

/* Finds the native libpam. Returns 0 with its path in out, or -ENOENT. */
int vg_libpam_find(char *out, size_t outlen);

#endif
