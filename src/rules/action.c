/* The "action:" key of a rule (a vigil extension): its names. */
#include <errno.h>
#include <string.h>

#include "rules/rules.h"
#include "util/macros.h"

static const char *const action_names[] = {
	[VG_ACTION_NONE] = "none",
	[VG_ACTION_KILL] = "kill",
	[VG_ACTION_KILL_PGROUP] = "kill_pgroup",
};

int vg_action_parse(const char *s, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(action_names); i++)
		if (strlen(action_names[i]) == len && memcmp(action_names[i], s, len) == 0)
			return (int)i;
	return -EINVAL;
}

const char *vg_action_name(enum vg_rule_action a)
{
	if ((unsigned)a >= ARRAY_SIZE(action_names))
		return "?";
	return action_names[a];
}
