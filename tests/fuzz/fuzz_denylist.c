/* Fuzz target: deny-list files (--deny-exec-file). Any bytes must parse or
 * fail with a message naming the file and line, never crash; every kept
 * entry must be a valid kernel key: absolute, shorter than the key, no
 * control bytes, NUL-padded. */
#include <stdint.h>
#include <string.h>

#include "response/denylist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vg_denylist l = { 0 };
	struct vg_deny_err err = { { 0 } };
	int ret = vg_denylist_parse(&l, "fuzz.txt", (const char *)data, size, &err);

	if (ret && strncmp(err.msg, "fuzz.txt:", 9) != 0)
		__builtin_trap(); /* errors name the file and line */
	if (l.n > VG_DENY_MAX_ENTRIES)
		__builtin_trap();
	for (unsigned i = 0; i < l.n; i++) {
		size_t len = strnlen(l.paths[i], VG_DENY_PATH_LEN);

		if (len == 0 || len == VG_DENY_PATH_LEN || l.paths[i][0] != '/')
			__builtin_trap();
		for (size_t j = 0; j < len; j++)
			if ((unsigned char)l.paths[i][j] < 0x20)
				__builtin_trap();
		for (size_t j = len; j < VG_DENY_PATH_LEN; j++)
			if (l.paths[i][j])
				__builtin_trap(); /* the kernel compares all 256 bytes */
	}
	vg_denylist_free(&l);
	return 0;
}
