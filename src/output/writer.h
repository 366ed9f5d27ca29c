/* Line output to standard output or a file (appended), buffered and
 * flushed after each batch of events. */
#ifndef VIGIL_OUTPUT_WRITER_H
#define VIGIL_OUTPUT_WRITER_H

#include <stddef.h>

struct vg_writer;

/* path NULL = standard output. Returns 0 or a negative errno. */
int vg_writer_open(struct vg_writer **out, const char *path);
void vg_writer_line(struct vg_writer *w, const char *s, size_t len);
void vg_writer_printf(struct vg_writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vg_writer_flush(struct vg_writer *w);
/* Accepts NULL. */
void vg_writer_close(struct vg_writer *w);

#endif
