/* Fuzz target: cgroup paths and whole /proc/PID/cgroup files, as the
 * process table parses them for container ids. Any bytes must parse
 * without crashing, and a found id must be hex or a name of bounded size. */
#include <stdint.h>
#include <string.h>

#include "proc/container.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vg_container c;
	char v2[4096];

	if (vg_container_parse((const char *)data, size, &c) == 1) {
		if (strlen(c.id) > VG_CONTAINER_ID_MAX || strlen(c.short_id) > VG_CONTAINER_SHORT_LEN)
			__builtin_trap();
		if (!c.id[0] || c.runtime == 0 || c.runtime >= VG_RT_COUNT)
			__builtin_trap();
	} else if (c.id[0] || c.short_id[0]) {
		__builtin_trap(); /* the host has no id */
	}
	vg_container_from_cgroup_file((const char *)data, size, &c, v2, sizeof(v2));
	if (strnlen(v2, sizeof(v2)) == sizeof(v2))
		__builtin_trap(); /* the v2 path must be terminated */
	return 0;
}
