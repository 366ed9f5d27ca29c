/* Flow-collection depth of YAML text, before parsing (yaml_guard.h). */
#include <errno.h>

#include "util/yaml_guard.h"

int vg_yaml_flow_depth_check(const char *buf, size_t len, unsigned max, unsigned *line)
{
	unsigned depth = 0, ln = 1;
	int comment = 0;

	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (c == '\n') {
			ln++;
			comment = 0;
			continue;
		}
		if (comment)
			continue;
		/* a comment starts at a '#' after a space or at a line's start;
		 * its brackets are text */
		if (c == '#' && (i == 0 || buf[i - 1] == ' ' || buf[i - 1] == '\t' ||
				 buf[i - 1] == '\n')) {
			comment = 1;
			continue;
		}
		if (c == '[' || c == '{') {
			if (++depth > max) {
				*line = ln;
				return -E2BIG;
			}
		} else if ((c == ']' || c == '}') && depth) {
			depth--;
		}
	}
	return 0;
}
