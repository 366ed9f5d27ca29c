/* Fields that read what the kernel and the tools mean rather than how it
 * was spelled (issue 18): vigil.ruid (the real uid of the record's task),
 * vigil.decodes, vigil.stdin.writer_decodes and vigil.shell.decode_runs
 * (decoders read as they read their options, decoders.c) and
 * vigil.grep.credential_search (grep's patterns as grep compiles them,
 * grep_search.c). */
#include "fields/decoders.h"
#include "fields/fx.h"
#include "fields/grep_search.h"
#include "fields/stdio.h"
#include "sensor/event.h"

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

FX(meaning_fx)
{
	const struct vg_rule_pview *s = vg_fx_self(c);
	long a0 = argv0_len(s);
	const char *rest;
	size_t rest_len;
	char b[512];

	if (ref->field->id == VG_F_VIGIL_STDIN_WRITER_DECODES) {
		int n = c->stdio ? vg_stdio_field_get(c->stdio, c->procs, c->ev,
						       VG_F_VIGIL_STDIN_WRITER, out, b, sizeof(b))
				 : 0;

		return n ? vg_put_bool(out, vg_command_decodes(out->s.ptr, out->s.len)) : 0;
	}
	if (a0 < 0)
		return 0;
	rest = s->args + a0 + 1;
	rest_len = s->args_len - (size_t)a0 - 1;
	switch (ref->field->id) {
	case VG_F_VIGIL_GREP_CREDENTIAL_SEARCH:
		return vg_put_bool(out, vg_grep_credential_search(s->exe, rest, rest_len));
	case VG_F_VIGIL_DECODES:
		return vg_put_bool(out, vg_argv_decodes(s->exe, rest, rest_len));
	case VG_F_VIGIL_SHELL_DECODE_RUNS:
		return vg_put_bool(out, vg_shell_args_decode_and_run(rest, rest_len));
	default:
		return 0;
	}
}

static const struct vg_fx fx[] = {
	{ VG_F_VIGIL_RUID, ruid_fx },
	{ VG_F_VIGIL_DECODES, meaning_fx },
	{ VG_F_VIGIL_STDIN_WRITER_DECODES, meaning_fx },
	{ VG_F_VIGIL_SHELL_DECODE_RUNS, meaning_fx },
	{ VG_F_VIGIL_GREP_CREDENTIAL_SEARCH, meaning_fx },
};

VG_FX_FAMILY(vg_fx_meaning, "vigil (arguments by meaning)", fx);
