/* Executable key (device, inode) → path, for showing pH profiles by name.
 * The kernel keys profiles by file identity only; user space learns the
 * names from exec events and /proc. Bounded: a fixed number of slots, an
 * old name is evicted when its probe run is full. Also remembers the last
 * anomaly time of each executable (from pH's alert records). */
#ifndef VIGIL_PH_PH_PATHS_H
#define VIGIL_PH_PH_PATHS_H

#include <stddef.h>
#include <stdint.h>

#define VG_PH_PATHS_SLOTS 32768u /* twice the default profile limit */
#define VG_PH_PATH_MAX 4096

struct vg_ph_paths;

int vg_ph_paths_new(struct vg_ph_paths **out, uint32_t slots);
void vg_ph_paths_free(struct vg_ph_paths *t);
/* Records the path of (dev, ino); dev is the kernel's dev_t. Returns 0 or
 * a negative errno. */
int vg_ph_paths_set(struct vg_ph_paths *t, uint64_t dev, uint64_t ino, const char *path,
		    size_t len);
void vg_ph_paths_anomaly(struct vg_ph_paths *t, uint64_t dev, uint64_t ino, uint64_t wall_ns);
/* The path, or NULL when unknown; *last_anomaly_ns gets 0 when none. */
const char *vg_ph_paths_get(const struct vg_ph_paths *t, uint64_t dev, uint64_t ino,
			    uint64_t *last_anomaly_ns);
/* Adds the executables of the processes running now (/proc/PID/exe). */
void vg_ph_paths_scan_proc(struct vg_ph_paths *t, const char *proc_root);
/* The kernel's dev_t (MAJOR << 20 | MINOR) of a user-space st_dev. */
uint64_t vg_kernel_dev(uint64_t st_dev);

#endif
