/* Checking and decoding ring-buffer records. Everything the kernel sends is
 * treated as untrusted input: sizes, offsets and lengths are checked before a
 * byte is read, so a malformed record is rejected, never read out of bounds. */
#include <errno.h>
#include <string.h>

#include "sensor/event.h"
#include "sensor/syscalls.h"
#include "util/path.h"

enum vg_family vg_event_family(unsigned type)
{
	switch (type) {
	case VG_EV_EXEC:
		return VG_FAM_EXEC;
	case VG_EV_FORK:
		return VG_FAM_FORK;
	case VG_EV_EXIT:
		return VG_FAM_EXIT;
	case VG_EV_OPEN ... VG_EV_TRUNCATE:
		return VG_FAM_FILE;
	case VG_EV_SOCKET ... VG_EV_LISTEN:
		return VG_FAM_NET;
	case VG_EV_SETUID ... VG_EV_SETPGID:
	case VG_EV_MODULE_LOAD ... VG_EV_PERF_EVENT_OPEN:
	case VG_EV_MOUNT:
		return VG_FAM_SYS;
	}
	return VG_FAM_NONE;
}

const char *vg_event_type_name(unsigned type)
{
	static const char *const names[VG_EV_TYPE_MAX] = {
		[VG_EV_EXEC] = "execve",
		[VG_EV_FORK] = "clone",
		[VG_EV_EXIT] = "procexit",
		[VG_EV_OPEN] = "open",
		[VG_EV_UNLINK] = "unlink",
		[VG_EV_RENAME] = "rename",
		[VG_EV_LINK] = "link",
		[VG_EV_SYMLINK] = "symlink",
		[VG_EV_CHMOD] = "chmod",
		[VG_EV_CHOWN] = "chown",
		[VG_EV_MKDIR] = "mkdir",
		[VG_EV_TRUNCATE] = "truncate",
		[VG_EV_SOCKET] = "socket",
		[VG_EV_CONNECT] = "connect",
		[VG_EV_ACCEPT] = "accept",
		[VG_EV_BIND] = "bind",
		[VG_EV_LISTEN] = "listen",
		[VG_EV_SETUID] = "setuid",
		[VG_EV_SETGID] = "setgid",
		[VG_EV_SETNS] = "setns",
		[VG_EV_UNSHARE] = "unshare",
		[VG_EV_PTRACE] = "ptrace",
		[VG_EV_PROCESS_VM_WRITEV] = "process_vm_writev",
		[VG_EV_MPROTECT] = "mprotect",
		[VG_EV_MEMFD_CREATE] = "memfd_create",
		[VG_EV_DUP] = "dup",
		[VG_EV_KILL] = "kill",
		[VG_EV_PRCTL] = "prctl",
		[VG_EV_SETSID] = "setsid",
		[VG_EV_SETPGID] = "setpgid",
		[VG_EV_MODULE_LOAD] = "init_module",
		[VG_EV_BPF] = "bpf",
		[VG_EV_PERF_EVENT_OPEN] = "perf_event_open",
		[VG_EV_MOUNT] = "mount",
	};

	return type < VG_EV_TYPE_MAX ? names[type] : NULL;
}

const char *vg_event_name(const struct vg_event *ev)
{
	const char *n = NULL;

	/* Syscall records are named by their syscall (openat, dup3...), as
	 * Falco's evt.type; scheduler records by their kind. */
	if (ev->u.hdr.syscall_nr >= 0)
		n = vg_syscall_name(ev->u.hdr.syscall_nr);
	return n ? n : vg_event_type_name(ev->u.hdr.type);
}

static size_t fixed_size(enum vg_family fam)
{
	switch (fam) {
	case VG_FAM_EXEC:
		return sizeof(struct vg_exec);
	case VG_FAM_FORK:
		return sizeof(struct vg_fork);
	case VG_FAM_EXIT:
		return sizeof(struct vg_exit);
	case VG_FAM_FILE:
		return sizeof(struct vg_file);
	case VG_FAM_NET:
		return sizeof(struct vg_net);
	case VG_FAM_SYS:
		return sizeof(struct vg_sys);
	case VG_FAM_NONE:
		break;
	}
	return 0;
}

/* Places bytes in the arena as a NUL-terminated string for slot. A record
 * whose strings overlap can name more bytes than it holds; such a record is
 * malformed and refused rather than truncated. */
static int set_slot(struct vg_event *ev, enum vg_slot slot, const char *p, size_t len)
{
	char *dst;

	if (len + 1 > sizeof(ev->arena) - ev->arena_used)
		return -EINVAL;
	dst = ev->arena + ev->arena_used;
	memcpy(dst, p, len);
	dst[len] = 0;
	ev->arena_used += len + 1;
	ev->s[slot] = dst;
	ev->len[slot] = len;
	return 0;
}

static int take_str(struct vg_event *ev, enum vg_slot slot, const struct vg_str *s,
		    const unsigned char *rec, size_t size, size_t fixed)
{
	size_t len;

	if (!s->off)
		return 0;
	if (s->off < fixed || (size_t)s->off + s->len > size)
		return -EINVAL;
	len = s->len;
	/* Strings end at their first NUL, except argv and env, which are lists
	 * of NUL-separated strings. */
	if (slot != VG_S_ARGS && slot != VG_S_ENV) {
		const void *nul = memchr(rec + s->off, 0, len);

		if (nul)
			len = (const unsigned char *)nul - (rec + s->off);
	}
	return set_slot(ev, slot, (const char *)rec + s->off, len);
}

/* The resolved path of a file record: the kernel's own when it walked an
 * open descriptor, else the base directory joined with the raw path. */
static int resolve_joined(struct vg_event *ev, enum vg_slot out, enum vg_slot dir,
			  enum vg_slot raw)
{
	char buf[VG_PATH_MAX + 1];
	int n;

	if (!ev->len[raw])
		return 0;
	n = vg_path_join(buf, sizeof(buf), ev->len[dir] ? ev->s[dir] : NULL, ev->s[raw]);
	if (n < 0) {
		ev->u.hdr.flags |= VG_F_PATH_TRUNC;
		n = strlen(buf);
	}
	if (ev->s[raw][0] != '/' && !ev->len[dir])
		ev->u.hdr.flags |= VG_F_PATH_UNRESOLVED;
	return set_slot(ev, out, buf, n);
}

int vg_event_decode(struct vg_event *ev, const void *data, size_t size)
{
	const unsigned char *rec = data;
	struct vg_hdr h;
	enum vg_family fam;
	size_t fixed;
	int err = 0;

	if (size < sizeof(h))
		return -EINVAL;
	memcpy(&h, data, sizeof(h));
	if (h.size < sizeof(h) || h.size > size || h.size > VG_EVENT_MAX)
		return -EINVAL;
	size = h.size;
	fam = vg_event_family(h.type);
	fixed = fixed_size(fam);
	if (!fixed)
		return -EINVAL;

	memset(&ev->u, 0, sizeof(ev->u));
	memcpy(&ev->u, data, size < fixed ? size : fixed);
	/* A call made through the 32-bit ABI is named and read as its x86-64
	 * equivalent (same arguments, same places); VG_F_COMPAT says which. One
	 * decoded from socketcall() already carries the x86-64 number. */
	if ((h.flags & VG_F_COMPAT) && !(h.flags & VG_F_SOCKETCALL) && h.syscall_nr >= 0)
		ev->u.hdr.syscall_nr = vg_syscall_from_compat(h.syscall_nr);
	ev->arena_used = 0;
	for (int i = 0; i < VG_S_COUNT; i++) {
		ev->s[i] = "";
		ev->len[i] = 0;
	}
	if (size < fixed)
		return 0; /* an older, shorter record: its strings are absent */

	switch (fam) {
	case VG_FAM_EXEC:
		err |= take_str(ev, VG_S_EXE, &ev->u.exec.exe, rec, size, fixed);
		err |= take_str(ev, VG_S_FILENAME, &ev->u.exec.filename, rec, size, fixed);
		err |= take_str(ev, VG_S_ARGS, &ev->u.exec.args, rec, size, fixed);
		err |= take_str(ev, VG_S_CWD, &ev->u.exec.cwd, rec, size, fixed);
		err |= take_str(ev, VG_S_TTY, &ev->u.exec.tty, rec, size, fixed);
		err |= take_str(ev, VG_S_ENV, &ev->u.exec.env, rec, size, fixed);
		break;
	case VG_FAM_FILE:
		err |= take_str(ev, VG_S_PATH, &ev->u.file.path, rec, size, fixed);
		err |= take_str(ev, VG_S_PATH_RAW, &ev->u.file.path_raw, rec, size, fixed);
		err |= take_str(ev, VG_S_DIR, &ev->u.file.dir, rec, size, fixed);
		err |= take_str(ev, VG_S_PATH2_RAW, &ev->u.file.path2_raw, rec, size, fixed);
		err |= take_str(ev, VG_S_DIR2, &ev->u.file.dir2, rec, size, fixed);
		if (err)
			break;
		if (!ev->len[VG_S_PATH])
			err |= resolve_joined(ev, VG_S_PATH, VG_S_DIR, VG_S_PATH_RAW);
		err |= resolve_joined(ev, VG_S_PATH2, VG_S_DIR2, VG_S_PATH2_RAW);
		break;
	case VG_FAM_NET:
		err |= take_str(ev, VG_S_UNIX_PATH, &ev->u.net.unix_path, rec, size, fixed);
		break;
	case VG_FAM_SYS:
		err |= take_str(ev, VG_S_STR, &ev->u.sys.str, rec, size, fixed);
		err |= take_str(ev, VG_S_STR2, &ev->u.sys.str2, rec, size, fixed);
		err |= take_str(ev, VG_S_STR3, &ev->u.sys.str3, rec, size, fixed);
		break;
	default:
		break;
	}
	return err ? -EINVAL : 0;
}
