/* Fuzz target: the ELF dynamic-symbol reader (src/auth/elf_symbols.c) on
 * any bytes. It must not crash, and any offset it returns must lie inside
 * the image (a uprobe there must hit the file). */
#include <stdint.h>
#include <string.h>

#include "auth/elf_symbols.h"
#include "util/macros.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vg_elf_sym syms[] = { { "pam_start", 0 }, { "pam_authenticate", 0 }, { "pam_end", 0 },
				     { "pam_start", 0 }, { "main", 0 },	      { "_init", 0 },
				     { "malloc", 0 } };
	char err[VG_ELF_ERR_LEN];
	int n = vg_elf_symbols_mem(data, size, "fuzz", syms, ARRAY_SIZE(syms), err,
				   sizeof(err));

	if (n < 0 && strnlen(err, sizeof(err)) == sizeof(err))
		__builtin_trap(); /* the message must be terminated */
	for (size_t i = 0; n > 0 && i < ARRAY_SIZE(syms); i++)
		if (syms[i].offset >= size)
			__builtin_trap();
	return 0;
}
