/* What an executable is, for sharing pH profiles between copies: its GNU
 * build-id, else a hash of its content. The reader lives in
 * src/util/exe_identity.c (the rules use it too, and src/fields sits below
 * src/ph); these are pH's names for it. */
#ifndef VIGIL_PH_BUILDID_H
#define VIGIL_PH_BUILDID_H

#include "util/exe_identity.h"

#define VG_PH_BUILD_ID_MAX VG_EXE_ID_MAX
#define VG_PH_CONTENT_ID_TAG VG_EXE_CONTENT_ID_TAG
#define VG_PH_CONTENT_ID_LEN VG_EXE_CONTENT_ID_LEN
#define VG_PH_CONTENT_HASH_MAX VG_EXE_CONTENT_HASH_MAX

static inline int vg_ph_build_id(const char *path, uint64_t kdev, uint64_t ino, unsigned char *out,
				 size_t cap)
{
	return vg_exe_build_id(path, kdev, ino, out, cap);
}

static inline int vg_ph_exe_identity(const char *path, uint64_t kdev, uint64_t ino,
				     unsigned char *out, size_t cap)
{
	return vg_exe_identity(path, kdev, ino, out, cap);
}

static inline void vg_ph_build_id_hex(const unsigned char *id, size_t len, char *buf, size_t size)
{
	vg_exe_id_hex(id, len, buf, size);
}

#endif
