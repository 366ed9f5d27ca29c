#include <stdarg.h>
#include <stdio.h>

#include "util/log.h"

enum vg_log_level vg_log_max = VG_LOG_INFO;

/* Every line is escaped as a whole: control bytes (ESC, BEL, CR, LF...) as
 * \xNN. Messages carry names and paths from the watched system and from
 * files others may write, and none of them may drive the terminal or forge
 * a log line of its own. Backslashes and UTF-8 stay as they are, so text a
 * caller escaped already (vg_escape) reads the same. */
void vg_log(enum vg_log_level level, const char *fmt, ...)
{
	static const char *const names[] = { "error: ", "warning: ", "", "debug: " };
	char msg[4096];
	va_list ap;

	if (level > vg_log_max)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	flockfile(stderr);
	fprintf(stderr, "vigil: %s", names[level]);
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			fprintf(stderr, "\\x%02x", *p);
		else
			fputc(*p, stderr);
	}
	fputc('\n', stderr);
	funlockfile(stderr);
}
