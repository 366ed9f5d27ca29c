/* Flag names of the mount calls. mount(2) packs its options and its
 * propagation changes into one word (MS_*); the new mount API has flags of
 * its own per call. Unknown bits are shown in hex, so a rule that looks for
 * a name never mistakes one bit for another. */
#include <stdio.h>
#include <string.h>

#include "fields/mount_args.h"
#include "util/macros.h"

struct flag_name {
	uint64_t bit;
	const char *name;
};

#define F(bit, name) { bit, name }

static const struct flag_name mount_names[] = {
	F(1, "MS_RDONLY"),	F(2, "MS_NOSUID"),	 F(4, "MS_NODEV"),
	F(8, "MS_NOEXEC"),	F(16, "MS_SYNCHRONOUS"), F(32, "MS_REMOUNT"),
	F(64, "MS_MANDLOCK"),	F(128, "MS_DIRSYNC"),	 F(256, "MS_NOSYMFOLLOW"),
	F(1024, "MS_NOATIME"),	F(2048, "MS_NODIRATIME"), F(4096, "MS_BIND"),
	F(8192, "MS_MOVE"),	F(16384, "MS_REC"),	 F(32768, "MS_SILENT"),
	F(1 << 16, "MS_POSIXACL"), F(1 << 17, "MS_UNBINDABLE"), F(1 << 18, "MS_PRIVATE"),
	F(1 << 19, "MS_SLAVE"), F(1 << 20, "MS_SHARED"), F(1 << 21, "MS_RELATIME"),
	F(1 << 22, "MS_KERNMOUNT"), F(1 << 23, "MS_I_VERSION"), F(1 << 24, "MS_STRICTATIME"),
	F(1 << 25, "MS_LAZYTIME"),
};

static const struct flag_name open_tree_names[] = {
	F(1, "OPEN_TREE_CLONE"),	 F(0x100, "AT_SYMLINK_NOFOLLOW"), F(0x800, "AT_NO_AUTOMOUNT"),
	F(0x1000, "AT_EMPTY_PATH"),	 F(0x8000, "AT_RECURSIVE"),	 F(02000000, "OPEN_TREE_CLOEXEC"),
};

static const struct flag_name move_mount_names[] = {
	F(1, "MOVE_MOUNT_F_SYMLINKS"),	F(2, "MOVE_MOUNT_F_AUTOMOUNTS"), F(4, "MOVE_MOUNT_F_EMPTY_PATH"),
	F(0x10, "MOVE_MOUNT_T_SYMLINKS"), F(0x20, "MOVE_MOUNT_T_AUTOMOUNTS"),
	F(0x40, "MOVE_MOUNT_T_EMPTY_PATH"), F(0x100, "MOVE_MOUNT_SET_GROUP"),
	F(0x200, "MOVE_MOUNT_BENEATH"),
};


static const char *render(char *buf, size_t size, uint64_t v, const struct flag_name *t, size_t n)
{
	size_t used = 0;

	buf[0] = 0;
	for (size_t i = 0; i < n && used < size; i++) {
		if (!(v & t[i].bit))
			continue;
		used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? "|" : "", t[i].name);
		v &= ~t[i].bit;
	}
	if (v && used < size)
		used += (size_t)snprintf(buf + used, size - used, "%s0x%llx", used ? "|" : "",
					 (unsigned long long)v);
	if (!used)
		snprintf(buf, size, "0");
	return buf;
}

const char *vg_mount_call_flags(char *buf, size_t size, const char *call, const __u64 args[6],
				int64_t *raw)
{
	if (!call || !size)
		return NULL;
	if (!strcmp(call, "mount")) {
		/* the old magic number in the top half means nothing today */
		*raw = (int64_t)(args[3] & 0xffffffffu);
		if ((args[3] & 0xffff0000u) == 0xc0ed0000u)
			*raw &= 0xffff;
		return render(buf, size, (uint64_t)*raw, mount_names, ARRAY_SIZE(mount_names));
	}
	if (!strcmp(call, "open_tree")) {
		*raw = (int64_t)args[2];
		return render(buf, size, args[2], open_tree_names, ARRAY_SIZE(open_tree_names));
	}
	if (!strcmp(call, "move_mount")) {
		*raw = (int64_t)args[4];
		return render(buf, size, args[4], move_mount_names, ARRAY_SIZE(move_mount_names));
	}
	return NULL;
}
