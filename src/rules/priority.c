/* Rule priorities as Falco spells them (rules.h). */
#include "rules/rules.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

static const char *const prio_names[] = {
	"Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug",
};

int vg_priority_parse(const char *s, size_t len)
{
	for (int i = 0; i <= VG_PRIO_DEBUG; i++)
		if (strlen(prio_names[i]) == len && strncasecmp(prio_names[i], s, len) == 0)
			return i;
	if (len == 4 && strncasecmp(s, "info", 4) == 0)
		return VG_PRIO_INFO;
	return -EINVAL;
}

const char *vg_priority_name(enum vg_priority p)
{
	return (unsigned)p <= VG_PRIO_DEBUG ? prio_names[p] : "Unknown";
}
