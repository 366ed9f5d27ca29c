/* Fuzz target: the `ldconfig -p` output parser (src/auth/libpam_path.c).
 * Any bytes: no crash, and a found path is absolute and terminated. */
#include <stdint.h>
#include <string.h>

#include "auth/libpam_path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[128];

	for (int arch = 0; arch < 2; arch++) {
		if (vg_ldcache_pick((const char *)data, size, "libpam.so.0", arch ? "x86-64" : NULL,
				    out, sizeof(out))) {
			if (out[0] != '/' || strnlen(out, sizeof(out)) == sizeof(out))
				__builtin_trap();
		}
	}
	return 0;
}
