/* vigil.mount.source: the source of a mount call as the kernel looks it up,
 * not as it was spelled. mount(2) with MS_BIND, open_tree and a device
 * given to mount or to fsconfig(source) follow symlinks and take a relative
 * name from the working directory (or open_tree's directory descriptor):
 * `ln -s /etc ~/e; mount --bind ~/e /mnt` binds /etc. Resolved in user space
 * when the event is evaluated (racy: a link changed in between, or a
 * process gone, is resolved as it is then, or not at all), in the monitor's
 * mount namespace. */
#ifndef VIGIL_FIELDS_MOUNT_SOURCE_H
#define VIGIL_FIELDS_MOUNT_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The resolved path of `path` (as given by process pid) into buf; false
 * when it cannot be resolved (it does not exist, the process and its
 * directory are gone). dirfd: open_tree's directory descriptor, or -100
 * (AT_FDCWD); cwd: the process's working directory as last known, used
 * when /proc/PID/cwd cannot be read; follow: false for
 * AT_SYMLINK_NOFOLLOW (the last component is then not followed). */
bool vg_mount_source_resolve(uint32_t pid, int dirfd, const char *cwd, const char *path,
			     bool follow, char *buf, size_t size);

#endif
