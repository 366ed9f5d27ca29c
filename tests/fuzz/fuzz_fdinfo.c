/* Fuzz target: /proc/PID/fdinfo text as the eBPF audit and self-protection
 * parse it for BPF object ids. Any bytes must parse without reading past
 * the input, and a result must be consistent. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/fdinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a private copy of exactly size bytes: ASan sees any overread */
	char *copy = malloc(size ? size : 1);
	struct vg_fdinfo fi;
	unsigned line = 0;
	int ret;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	ret = vg_fdinfo_parse(copy, size, &fi, &line);
	if (ret == 0 && (fi.kind < VG_BPF_PROG || fi.kind > VG_BPF_LINK))
		__builtin_trap();
	if (ret == 0 && fi.kind != VG_BPF_LINK && fi.prog_id)
		__builtin_trap(); /* only links name a program */
	if (ret == -EINVAL && line == 0)
		__builtin_trap(); /* a malformed id says where */
	if (ret && ret != -EINVAL && ret != -ENOENT)
		__builtin_trap();
	free(copy);
	return 0;
}
