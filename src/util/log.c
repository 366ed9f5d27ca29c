#include <stdarg.h>
#include <stdio.h>

#include "util/log.h"

enum vg_log_level vg_log_max = VG_LOG_INFO;

void vg_log(enum vg_log_level level, const char *fmt, ...)
{
	static const char *const names[] = { "error: ", "warning: ", "", "debug: " };
	va_list ap;

	if (level > vg_log_max)
		return;
	fprintf(stderr, "vigil: %s", names[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
