/* Paths of file events resolved as the kernel resolves them.
 *
 * A successful open names its file by the kernel's own walk of the new
 * descriptor. Every other file call (unlink, rename, link, chmod, chown,
 * truncate, mkdir, a refused open) sends the string the program passed and
 * the path of its cwd or dirfd; joined lexically, a symlinked directory
 * (`~/e -> /etc`, then `rm ~/e/x`) or /proc/self/root hides where the call
 * really went. This module looks the directory up through the file system
 * as the process sees it: from its root (/proc/PID/root, so a chroot is
 * crossed and the result is the real location), every symlink and ".."
 * followed in order, the last component followed only where the call
 * follows it (chmod, chown, truncate, open; not unlink, rename, link,
 * mkdir, lchown).
 *
 * The lookup happens when the monitor reads the event, not during the call:
 * a symlink changed in between gives the new answer, and a process that has
 * exited is looked up from the monitor's own root. Processes in another
 * mount namespace (containers) are left as the kernel sent them. */
#ifndef VIGIL_MONITOR_PATH_RESOLVE_H
#define VIGIL_MONITOR_PATH_RESOLVE_H

#include <stdint.h>

#include "proc/proctable.h"
#include "sensor/event.h"
#include "util/lookup_stats.h"

struct vg_path_resolver;

/* NULL when out of memory; procs gives each process's mount namespace. */
struct vg_path_resolver *vg_path_resolver_new(struct vg_proctable *procs);
void vg_path_resolver_free(struct vg_path_resolver *r);
/* The lookups made for events so far (one vg_path_resolve per resolved
 * path: an openat2 or two); zeros for NULL. */
void vg_path_resolver_stats(const struct vg_path_resolver *r, struct vg_lookup_stats *out);

/* Replaces the lexically joined paths of one file event (VG_S_PATH,
 * VG_S_PATH2) by the resolved ones, when the lookup succeeds. The new
 * strings live in r until the next call. */
void vg_path_resolve_event(struct vg_path_resolver *r, struct vg_event *ev);

/* The core, for tests: resolves `path` (absolute, as process `pid` sees it;
 * /proc/self is that process) into out. Returns the length, or -1 (out
 * unchanged) when it cannot. `follow`: follow a final symlink. */
int vg_path_resolve(uint32_t pid, uint32_t tid, const char *path, int follow, char *out,
		    size_t size);

#endif
