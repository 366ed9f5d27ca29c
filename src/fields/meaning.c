/* Fields that read what the kernel and the tools mean rather than how it
 * was spelled (issue 18): vigil.ruid (the real uid of the record's task),
 * vigil.decodes, vigil.stdin.writer_decodes and vigil.shell.decode_runs
 * (decoders read as they read their options, decoders.c) and
 * vigil.grep.credential_search (grep's patterns as grep compiles them,
 * grep_search.c), proc.exe_tool (what the executable is by its build-id,
 * tool_identity.c: the decoders and grep above are recognised by it first,
 * then by the executable's name), vigil.caps_raised (capabilities from the
 * file at exec), vigil.mount.source (mount_source.c) and the shell relays
 * vigil.stdout.relay_net and vigil.stdin.writer_shell (relay.c). */
#include <sys/socket.h>
#include <sys/stat.h>

#include "fields/decoders.h"
#include "fields/fx.h"
#include "fields/grep_search.h"
#include "fields/mount_source.h"
#include "fields/relay.h"
#include "fields/stdio.h"
#include "fields/tool_identity.h"
#include "proc/proctable.h"
#include "sensor/event.h"
#include "sensor/syscalls.h"

/* the record's header: the real uid when the event happened */
FX(ruid_fx)
{
	return vg_put_uint(out, c->ev->u.hdr.uid);
}

/* The first argument's end in the process's argv (NUL after each), or -1
 * when its argv is unknown. */
static long argv0_len(const struct vg_rule_pview *s)
{
	size_t a0;

	if (!s->has_img || !s->exe || !s->args)
		return -1;
	a0 = strnlen(s->args, s->args_len);
	return a0 < s->args_len ? (long)a0 : -1;
}

/* The tool the event's process runs (proc.exe_tool), or NULL. */
static const char *self_tool(struct vg_rule_ctx *c)
{
	const struct vg_rule_pview *s = vg_fx_self(c);

	if (!s->has_img || !s->exe_ino)
		return NULL;
	return vg_tool_of_exe(s->pid, s->exe, s->exe_dev, s->exe_ino, s->exe_mtime_ns,
			      c->ev->u.hdr.ts_ns);
}

FX(exe_tool_fx)
{
	const char *t = self_tool(c);

	return t ? vg_put_cstr(out, t) : 0;
}

/* vigil.caps_raised: the sensor compared the new permitted set with the
 * ambient set (bpf/vg_facts.h) */
FX(caps_raised_fx)
{
	if (c->ev->u.hdr.type != VG_EV_EXEC)
		return 0;
	return vg_put_bool(out, c->ev->u.hdr.flags & VG_F_EXEC_CAPS_RAISED);
}

/* vigil.mount.source: which argument is the source, per call */
FX(mount_source_fx)
{
	const struct vg_event *ev = c->ev;
	const struct vg_sys *sys = &ev->u.sys;
	const struct vg_rule_pview *s;
	int nr = ev->u.hdr.syscall_nr, dirfd = -100;
	const char *call, *path = ev->s[VG_S_STR];
	bool follow = true;
	char buf[4096];

	if (ev->u.hdr.type != VG_EV_MOUNT)
		return 0;
	if (ev->u.hdr.flags & VG_F_COMPAT)
		nr = vg_syscall_from_compat(nr);
	call = vg_syscall_name(nr);
	if (!call)
		return 0;
	if (!strcmp(call, "open_tree")) {
		dirfd = (int)sys->args[0];
		follow = !(sys->args[2] & 0x100); /* AT_SYMLINK_NOFOLLOW */
	} else if (!strcmp(call, "fsconfig")) {
		if (strcmp(ev->s[VG_S_STR], "source"))
			return 0;
		path = ev->s[VG_S_STR2];
	} else if (strcmp(call, "mount")) {
		return 0;
	}
	s = vg_fx_self(c);
	if (!vg_mount_source_resolve(ev->u.hdr.pid, dirfd, s->cwd, path, follow, buf, sizeof(buf)))
		return 0;
	return vg_put_copy(c, out, buf);
}

static bool is_shell_name(const char *name)
{
	static const char *const shells[] = { "sh",	"bash", "dash", "zsh", "ksh", "mksh",
					      "ash", "tcsh", "csh",  "fish", "rbash", "yash" };
	const char *b = strrchr(name, '/');

	b = b ? b + 1 : name;
	for (size_t i = 0; i < ARRAY_SIZE(shells); i++)
		if (!strcmp(b, shells[i]))
			return true;
	return false;
}

/* vigil.stdout.relay_net: the other end of an exec's standard output */
FX(relay_net_fx)
{
	const struct vg_event *ev = c->ev;
	const struct vg_stdio *o;
	const struct vg_proc *reader;
	const struct vg_rule_pview *s;
	const char *tool;
	long a0;

	if (ev->u.hdr.type != VG_EV_EXEC)
		return 0;
	/* /proc is read only for a shell that reads its commands from standard
	 * input, whatever order the rule's clauses run in */
	s = vg_fx_self(c);
	a0 = argv0_len(s);
	tool = self_tool(c);
	if (a0 < 0 || !is_shell_name(tool ? tool : s->exe) ||
	    !vg_shell_args_read_stdin(s->args + a0 + 1, s->args_len - (size_t)a0 - 1))
		return vg_put_bool(out, false);
	o = &ev->u.exec.stdio[1];
	if ((o->mode & S_IFMT) == S_IFIFO) {
		reader = c->stdio ? vg_stdio_peer(c->stdio, c->procs, ev, false) : NULL;
		return vg_put_bool(out, (reader && vg_relay_holds_net(reader->pid, o->ino)) ||
						vg_relay_holds_net(ev->u.hdr.ppid, o->ino));
	}
	if ((o->mode & S_IFMT) == S_IFSOCK && o->aux == AF_UNIX)
		return vg_put_bool(out, vg_relay_holds_net(ev->u.hdr.ppid, 0));
	return vg_put_bool(out, false);
}

/* vigil.stdin.writer_shell, vigil.stdout.reader_shell: the process at the
 * other end of the pipe is a shell (by name or build-id) reading commands
 * from its own standard input */
FX(peer_shell_fx)
{
	bool writer = ref->field->id == VG_F_VIGIL_STDIN_WRITER_SHELL;
	const struct vg_proc *w = c->stdio ? vg_stdio_peer(c->stdio, c->procs, c->ev, writer) : NULL;
	const struct vg_proc_image *img = w ? w->img : NULL;
	const char *tool = NULL;
	size_t a0;

	if (!img || !img->args_len)
		return 0;
	if (img->exe_ino)
		tool = vg_tool_of_exe(w->pid, img->exe, img->exe_dev, img->exe_ino, img->exe_mtime_ns,
				      c->ev->u.hdr.ts_ns);
	a0 = strnlen(img->args, img->args_len);
	if (a0 >= img->args_len)
		return 0;
	return vg_put_bool(out, (is_shell_name(tool ? tool : img->exe) || is_shell_name(w->comm)) &&
					vg_shell_args_read_stdin(img->args + a0 + 1, img->args_len - a0 - 1));
}

/* The writer of the process's standard input decodes: its own program by
 * what it is (a copy of base64 under any name), else by the command line's
 * first word. */
static int writer_decodes(struct vg_rule_ctx *c, struct vg_value *out)
{
	const struct vg_proc *w = c->stdio ? vg_stdio_peer(c->stdio, c->procs, c->ev, true) : NULL;
	const struct vg_proc_image *img = w ? w->img : NULL;
	const char *tool = NULL;
	char b[512];
	int n;

	if (img && img->exe_ino)
		tool = vg_tool_of_exe(w->pid, img->exe, img->exe_dev, img->exe_ino, img->exe_mtime_ns,
				      c->ev->u.hdr.ts_ns);
	if (tool && img->args_len) {
		size_t a0 = strnlen(img->args, img->args_len);

		if (a0 < img->args_len && vg_argv_decodes(tool, img->args + a0 + 1, img->args_len - a0 - 1))
			return vg_put_bool(out, true);
	}
	n = c->stdio ? vg_stdio_field_get(c->stdio, c->procs, c->ev, VG_F_VIGIL_STDIN_WRITER, out, b,
					  sizeof(b))
		     : 0;
	return n ? vg_put_bool(out, vg_command_decodes(out->s.ptr, out->s.len)) : 0;
}

FX(meaning_fx)
{
	const struct vg_rule_pview *s = vg_fx_self(c);
	long a0 = argv0_len(s);
	const char *rest;
	size_t rest_len;
	const char *tool;

	if (ref->field->id == VG_F_VIGIL_STDIN_WRITER_DECODES)
		return writer_decodes(c, out);
	if (a0 < 0)
		return 0;
	rest = s->args + a0 + 1;
	rest_len = s->args_len - (size_t)a0 - 1;
	switch (ref->field->id) {
	case VG_F_VIGIL_GREP_CREDENTIAL_SEARCH:
		tool = self_tool(c);
		if (tool && vg_grep_credential_search_at(tool, rest, rest_len, s->cwd))
			return vg_put_bool(out, true);
		return vg_put_bool(out, vg_grep_credential_search_at(s->exe, rest, rest_len, s->cwd));
	case VG_F_VIGIL_DECODES:
		tool = self_tool(c);
		if (tool && vg_argv_decodes(tool, rest, rest_len))
			return vg_put_bool(out, true);
		return vg_put_bool(out, vg_argv_decodes(s->exe, rest, rest_len));
	case VG_F_VIGIL_SHELL_DECODE_RUNS:
		return vg_put_bool(out, vg_shell_args_decode_and_run(rest, rest_len));
	default:
		return 0;
	}
}

static const struct vg_fx fx[] = {
	{ VG_F_VIGIL_RUID, ruid_fx },
	{ VG_F_PROC_EXE_TOOL, exe_tool_fx },
	{ VG_F_VIGIL_CAPS_RAISED, caps_raised_fx },
	{ VG_F_VIGIL_MOUNT_SOURCE, mount_source_fx },
	{ VG_F_VIGIL_STDOUT_RELAY_NET, relay_net_fx },
	{ VG_F_VIGIL_STDIN_WRITER_SHELL, peer_shell_fx },
	{ VG_F_VIGIL_STDOUT_READER_SHELL, peer_shell_fx },
	{ VG_F_VIGIL_DECODES, meaning_fx },
	{ VG_F_VIGIL_STDIN_WRITER_DECODES, meaning_fx },
	{ VG_F_VIGIL_SHELL_DECODE_RUNS, meaning_fx },
	{ VG_F_VIGIL_GREP_CREDENTIAL_SEARCH, meaning_fx },
};

VG_FX_FAMILY(vg_fx_meaning, "vigil (arguments by meaning)", fx);
