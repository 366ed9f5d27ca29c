/* Standard input, output and error of each process, as the sensor saw them
 * at its last exec (vg_exec.stdio), and the two ends of the pipes between
 * processes: a pipe is known by its inode, so the process writing into a
 * shell's standard input is the one whose standard output (or error) is
 * the same pipe. Fills Falco's proc.stdin.* / proc.stdout.* /
 * proc.stderr.* and vigil.stdin.writer / vigil.stdout.reader.
 *
 * Fed every exec record (vg_stdio_note) before the rules see it; bounded
 * (VG_STDIO_SLOTS processes and pipes, an old entry is replaced). A process
 * that never exec'd (a shell's subshell running a builtin) is not known. */
#ifndef VIGIL_FIELDS_STDIO_H
#define VIGIL_FIELDS_STDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/fields.h"

#define VG_STDIO_SLOTS 8192

struct vg_event;
struct vg_stdio_table;
struct vg_proctable;

struct vg_stdio_table *vg_stdio_new(void);
void vg_stdio_free(struct vg_stdio_table *t);
void vg_stdio_note(struct vg_stdio_table *t, const struct vg_event *ev);

bool vg_stdio_field_is(enum vg_field_id id);
/* The field for ev's process; strings are rendered into buf or point at
 * static text. Returns 1, or 0 when unknown. */
int vg_stdio_field_get(struct vg_stdio_table *t, struct vg_proctable *procs,
		       const struct vg_event *ev, enum vg_field_id id, struct vg_value *out,
		       char *buf, size_t size);

/* The process writing into ev's process's standard input pipe
 * (writer_of_stdin), or reading its standard output pipe; NULL unknown. */
struct vg_proc;
const struct vg_proc *vg_stdio_peer(struct vg_stdio_table *t, struct vg_proctable *procs,
				    const struct vg_event *ev, bool writer_of_stdin);

/* Falco's name of a descriptor type ("pipe", "file", "unix" ...) for an
 * inode mode and, for sockets, the family; and its name ("pipe:[123]",
 * "/dev/pts/3" ...) into buf, or NULL when the sensor did not send one. */
const char *vg_stdio_type(uint32_t mode, uint32_t aux);
const char *vg_stdio_name(uint32_t mode, uint32_t aux, uint64_t ino, char *buf, size_t size);

#endif
