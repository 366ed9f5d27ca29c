/* The files vigil writes (its output files, alert logs): known by device
 * and inode and by path, from its own descriptors, so self-protection can
 * tell when another process opens one for writing, truncates, renames,
 * deletes or re-modes it (src/audit/self_protect.c). */
#ifndef VIGIL_AUDIT_OWN_FILES_H
#define VIGIL_AUDIT_OWN_FILES_H

#include <stdint.h>

struct vg_event;

#define VG_OWN_FILES_MAX 16

struct vg_own_file {
	uint64_t ino;
	uint32_t dev; /* the kernel's encoding (major << 20 | minor), as records carry it */
	char path[256];
};

struct vg_own_files {
	struct vg_own_file f[VG_OWN_FILES_MAX];
	unsigned n;
};

/* Looks at this process's descriptors again: every regular file open for
 * writing. Cheap enough to call once a second (outputs are reopened on
 * SIGUSR1, by logrotate). */
void vg_own_files_scan(struct vg_own_files *o);

/* The path of our file that this file event changes (an open for writing
 * or truncating, truncate, unlink, rename of it or onto it, chmod, chown),
 * or NULL. */
const char *vg_own_files_touched(const struct vg_own_files *o, const struct vg_event *ev);

#endif
