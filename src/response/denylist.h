/* The exec deny list as configured: absolute paths from --deny-exec and
 * --deny-exec-file (one path per line, '#' comments). Pure data and parsing;
 * deny_kernel.c puts it in the kernel. */
#ifndef VIGIL_RESPONSE_DENYLIST_H
#define VIGIL_RESPONSE_DENYLIST_H

#include <stddef.h>

#include <vigil/response_events.h>

#define VG_DENY_MAX_ENTRIES 4096	 /* paths in the list */
#define VG_DENY_MAX_FILE_BYTES (1u << 20) /* size of a deny-list file */

struct vg_denylist {
	char (*paths)[VG_DENY_PATH_LEN]; /* NUL-padded: the kernel's key */
	unsigned n, cap;
};

/* Problems carry file, line and what is wrong: "deny.txt:3: path is not absolute". */
struct vg_deny_err {
	char msg[512];
};

void vg_denylist_free(struct vg_denylist *l);

/* Adds one path (len bytes). where names its origin in errors ("--deny-exec",
 * or a file name) and line its line (0 = none). A path already on the list is
 * not added twice. Returns 0, -EINVAL (bad path), -E2BIG (list full) or
 * -ENOMEM, with err filled. */
int vg_denylist_add(struct vg_denylist *l, const char *path, size_t len, const char *where,
		    unsigned line, struct vg_deny_err *err);

/* Parses a deny-list file's content: one absolute path per line; blank lines
 * and lines starting with '#' (after blanks) are skipped; blanks around a
 * path are trimmed. Stops at the first error. */
int vg_denylist_parse(struct vg_denylist *l, const char *name, const char *buf, size_t len,
		      struct vg_deny_err *err);

/* Reads and parses a file (at most VG_DENY_MAX_FILE_BYTES). */
int vg_denylist_load_file(struct vg_denylist *l, const char *path, struct vg_deny_err *err);

#endif
