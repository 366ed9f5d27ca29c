/* Arguments of the mount calls as rules see them (evt.arg.flags of mount,
 * open_tree and move_mount, rendered with the kernel's names), see
 * bpf/vg_nsmount.h for what the sensor sends. */
#ifndef VIGIL_FIELDS_MOUNT_ARGS_H
#define VIGIL_FIELDS_MOUNT_ARGS_H

#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>

/* The flags argument of mount (MS_BIND|MS_REC...), open_tree
 * (OPEN_TREE_CLONE|AT_RECURSIVE...) or move_mount (MOVE_MOUNT_F_EMPTY_PATH...),
 * chosen by the syscall's name, from its raw arguments; *raw gets the number.
 * NULL for another call. */
const char *vg_mount_call_flags(char *buf, size_t size, const char *call, const __u64 args[6],
				int64_t *raw);

#endif
