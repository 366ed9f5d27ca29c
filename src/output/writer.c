#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/writer.h"
#include "util/log.h"

struct vg_writer {
	FILE *f;
	int own;	   /* we opened it, we close it */
	int write_failed; /* reported once, not per line */
};

int vg_writer_open(struct vg_writer **out, const char *path)
{
	struct vg_writer *w = calloc(1, sizeof(*w));
	int fd;

	if (!w)
		return -ENOMEM;
	if (!path) {
		w->f = stdout;
	} else {
		fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (fd < 0 || !(w->f = fdopen(fd, "a"))) {
			int err = errno;

			if (fd >= 0)
				close(fd);
			free(w);
			return -err;
		}
		w->own = 1;
	}
	setvbuf(w->f, NULL, _IOFBF, 1 << 16);
	*out = w;
	return 0;
}

static void check(struct vg_writer *w)
{
	if (ferror(w->f) && !w->write_failed) {
		w->write_failed = 1;
		vg_err("writing output failed: %s", strerror(errno));
	}
}

void vg_writer_line(struct vg_writer *w, const char *s, size_t len)
{
	fwrite(s, 1, len, w->f);
	fputc('\n', w->f);
	check(w);
}

void vg_writer_printf(struct vg_writer *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(w->f, fmt, ap);
	va_end(ap);
	fputc('\n', w->f);
	check(w);
}

void vg_writer_flush(struct vg_writer *w)
{
	fflush(w->f);
	check(w);
}

void vg_writer_close(struct vg_writer *w)
{
	if (!w)
		return;
	fflush(w->f);
	if (w->own)
		fclose(w->f);
	free(w);
}
