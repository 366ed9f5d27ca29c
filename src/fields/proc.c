/* proc.* fields of the event's own process: ids, program, arguments,
 * environment, terminal, times and the executable's file. Lineage
 * (parents, ancestors, session and group leaders) is proc_lineage.c. */
#include <string.h>

#include "fields/fx.h"
#include "fields/names.h"
#include "proc/proctable.h"
#include "sensor/event.h"

static int put_epoch(const struct vg_rule_ctx *c, uint64_t boot_ns, struct vg_value *out)
{
	uint64_t t;

	return vg_fx_boot_to_epoch(c, boot_ns, &t) ? vg_put_uint(out, t) : 0;
}

/* proc.exe_ino.ctime_duration_proc_start: how long before the process
 * started its executable last changed (a file dropped and run at once). */
static int exe_changed_before(struct vg_rule_ctx *c, uint64_t start_boot_ns, struct vg_value *out)
{
	const uint64_t ctime = vg_fx_self(c)->exe_ctime_ns;
	uint64_t start;

	if (!ctime || !vg_fx_boot_to_epoch(c, start_boot_ns, &start) || start < ctime)
		return 0;
	return vg_put_uint(out, start - ctime);
}

/* proc.exe_ino.ctime_duration_pidns_start: how long after its pid namespace
 * (its container) started the executable changed; absent when it changed
 * before. */
static int exe_changed_after(struct vg_rule_ctx *c, uint64_t ns_boot_ns, struct vg_value *out)
{
	const uint64_t ctime = vg_fx_self(c)->exe_ctime_ns;
	uint64_t ns_start;

	if (!ctime || !vg_fx_boot_to_epoch(c, ns_boot_ns, &ns_start) || ctime < ns_start)
		return 0;
	return vg_put_uint(out, ctime - ns_start);
}

static int put_cwd(struct vg_rule_ctx *c, struct vg_value *out)
{
	const struct vg_rule_pview *s = vg_fx_self(c);
	uint32_t len;
	const char *d;

	if (!s->has_img || !s->cwd_len)
		return 0;
	if (s->cwd[s->cwd_len - 1] == '/')
		return vg_put_str(out, s->cwd, s->cwd_len);
	d = vg_sc_printf(c, &len, "%.*s/", (int)s->cwd_len, s->cwd);
	return d ? vg_put_str(out, d, len) : 0;
}

/* proc.env: every loader variable we keep, or one of them by name. */
static int put_env(struct vg_rule_ctx *c, const struct vg_field_ref *ref, struct vg_value *out)
{
	const struct vg_rule_pview *s = vg_fx_self(c);
	const char *p = s->env, *end = s->env + s->env_len;

	if (!s->has_img)
		return 0;
	if (!ref->arg)
		return s->env_len ? vg_put_joined(c, out, "", 0, s->env, s->env_len, 0) : 0;
	/* The dynamic loader takes the last of several LD_* entries of one
	 * name (getenv, the first): a harmless first LD_PRELOAD= hides nothing. */
	const char *hit = NULL;
	size_t hit_len = 0;
	int last = ref->arg_len > 3 && !memcmp(ref->arg, "LD_", 3);

	while (p < end) {
		size_t len = strnlen(p, (size_t)(end - p));

		if (len > ref->arg_len && p[ref->arg_len] == '=' &&
		    !memcmp(p, ref->arg, ref->arg_len)) {
			hit = p + ref->arg_len + 1;
			hit_len = len - ref->arg_len - 1;
			if (!last)
				break;
		}
		p += len + 1;
	}
	return hit ? vg_put_str(out, hit, hit_len) : 0;
}

static void args_stats(const struct vg_rule_pview *v, uint64_t *nargs, uint64_t *chars)
{
	const char *p = v->args, *end = v->args + v->args_len;
	unsigned i = 0;

	*nargs = *chars = 0;
	while (p < end) {
		size_t len = strnlen(p, (size_t)(end - p));

		if (i++ > 0) {
			(*nargs)++;
			*chars += len;
		}
		p += len + 1;
	}
}

static int proc_duration(const struct vg_event *ev, uint64_t start, struct vg_value *out)
{
	uint64_t ts = ev->u.hdr.ts_ns;

	return start && ts >= start ? vg_put_uint(out, ts - start) : 0;
}

FX(proc_pid)
{
	return vg_put_int(out, c->ev->u.hdr.pid);
}

FX(proc_vpid)
{
	return vg_fx_in_host_pidns(c) ? vg_put_int(out, c->ev->u.hdr.pid) : 0;
}

FX(proc_ppid)
{
	return c->ev->u.hdr.ppid ? vg_put_int(out, c->ev->u.hdr.ppid) : 0;
}

FX(proc_pvpid)
{
	return c->ev->u.hdr.ppid && vg_fx_in_host_pidns(c) ? vg_put_int(out, c->ev->u.hdr.ppid) : 0;
}

FX(proc_exe)
{
	return vg_fx_proc_value(c, vg_fx_self(c), PF_EXE, out);
}

FX(proc_exepath)
{
	return vg_fx_proc_value(c, vg_fx_self(c), PF_EXEPATH, out);
}

FX(proc_name)
{
	return vg_fx_proc_value(c, vg_fx_self(c), PF_NAME, out);
}

FX(proc_args)
{
	const struct vg_rule_pview *s = vg_fx_self(c);

	return s->has_img ? vg_put_joined(c, out, "", 0, s->args, s->args_len, 1) : 0;
}

FX(proc_cmdline)
{
	return vg_fx_self_cmdline(c, out);
}

FX(proc_exeline)
{
	const struct vg_rule_pview *s = vg_fx_self(c);

	if (!s->has_img || !s->args_len)
		return 0;
	return vg_put_joined(c, out, s->args, strlen(s->args), s->args, s->args_len, 1);
}

FX(proc_cmdnargs)
{
	const struct vg_rule_pview *s = vg_fx_self(c);
	uint64_t nargs, chars;

	if (!s->has_img)
		return 0;
	args_stats(s, &nargs, &chars);
	return vg_put_uint(out, ref->field->id == VG_F_PROC_CMDNARGS ? nargs : chars);
}

FX(proc_env)
{
	return put_env(c, ref, out);
}

FX(proc_cwd)
{
	return put_cwd(c, out);
}

FX(proc_tty)
{
	const struct vg_rule_pview *s = vg_fx_self(c);

	return s->has_img ? vg_put_uint(out, vg_tty_number(s->tty_nr)) : 0;
}

FX(proc_duration_of)
{
	return proc_duration(c->ev, vg_fx_self(c)->start_ns, out);
}

FX(proc_start_ts)
{
	return put_epoch(c, vg_fx_self(c)->start_ns, out);
}

FX(proc_pidns_init_start_ts)
{
	return put_epoch(c, vg_fx_self(c)->pidns_start_ns, out);
}

FX(proc_exe_ino_ctime)
{
	const struct vg_rule_pview *s = vg_fx_self(c);

	return s->exe_ctime_ns ? vg_put_uint(out, s->exe_ctime_ns) : 0;
}

FX(proc_exe_ino_mtime)
{
	const struct vg_rule_pview *s = vg_fx_self(c);

	return s->exe_mtime_ns ? vg_put_uint(out, s->exe_mtime_ns) : 0;
}

FX(proc_exe_ino_ctime_dps)
{
	return exe_changed_before(c, vg_fx_self(c)->start_ns, out);
}

FX(proc_exe_ino_ctime_dpns)
{
	return exe_changed_after(c, vg_fx_self(c)->pidns_start_ns, out);
}

FX(proc_is_exe_upper_layer)
{
	const struct vg_rule_pview *s = vg_fx_self(c);

	if (s->has_img && (s->img_flags & VG_IMG_LAYER_KNOWN)) /* judged at exec */
		return vg_put_bool(out, s->img_flags & VG_IMG_EXE_UPPER_LAYER);
	/* read from /proc: a host process is taken to run from its image's
	 * files; in a container we cannot tell */
	return vg_fx_on_host(vg_fx_container(c)) ? vg_put_bool(out, false) : 0;
}

FX(proc_sid)
{
	const struct vg_rule_pview *s = vg_fx_self(c);

	return s->sid != VG_SID_UNKNOWN && vg_fx_in_host_pidns(c) ? vg_put_int(out, s->sid) : 0;
}

FX(proc_vpgid)
{
	const struct vg_rule_pview *s = vg_fx_self(c);

	return s->pgid != VG_PGID_UNKNOWN && vg_fx_in_host_pidns(c) ? vg_put_int(out, s->pgid) : 0;
}

FX(proc_is_exe_writable)
{
	return vg_fx_exe_writable(c, out);
}

FX(proc_is_exe_from_memfd)
{
	const struct vg_rule_pview *s = vg_fx_self(c);

	return s->has_img ? vg_put_bool(out, s->img_flags & VG_IMG_EXE_MEMFD) : 0;
}

FX(proc_exe_ino)
{
	const struct vg_rule_pview *s = vg_fx_self(c);

	return s->has_img && s->exe_ino ? vg_put_uint(out, s->exe_ino) : 0;
}

FX(proc_args_truncated)
{
	const struct vg_hdr *h = &c->ev->u.hdr;

	return h->type == VG_EV_EXEC ? vg_put_bool(out, (h->flags & VG_F_ARGS_TRUNC) != 0) : 0;
}

FX(proc_ld_env_truncated)
{
	const struct vg_hdr *h = &c->ev->u.hdr;

	return h->type == VG_EV_EXEC ? vg_put_bool(out, (h->flags & VG_F_ENV_TRUNC) != 0) : 0;
}

static const struct vg_fx fx[] = {
	{ VG_F_PROC_PID, proc_pid },
	{ VG_F_PROC_VPID, proc_vpid },
	{ VG_F_PROC_PPID, proc_ppid },
	{ VG_F_PROC_PVPID, proc_pvpid },
	{ VG_F_PROC_EXE, proc_exe },
	{ VG_F_PROC_EXEPATH, proc_exepath },
	{ VG_F_PROC_NAME, proc_name },
	{ VG_F_PROC_ARGS, proc_args },
	{ VG_F_PROC_CMDLINE, proc_cmdline },
	{ VG_F_PROC_EXELINE, proc_exeline },
	{ VG_F_PROC_CMDNARGS, proc_cmdnargs },
	{ VG_F_PROC_CMDLENARGS, proc_cmdnargs },
	{ VG_F_PROC_ENV, proc_env },
	{ VG_F_PROC_CWD, proc_cwd },
	{ VG_F_PROC_TTY, proc_tty },
	{ VG_F_PROC_SID, proc_sid },
	{ VG_F_PROC_VPGID, proc_vpgid },
	{ VG_F_PROC_DURATION, proc_duration_of },
	{ VG_F_PROC_START_TS, proc_start_ts },
	{ VG_F_PROC_PIDNS_INIT_START_TS, proc_pidns_init_start_ts },
	{ VG_F_PROC_EXE_INO, proc_exe_ino },
	{ VG_F_PROC_EXE_INO_CTIME, proc_exe_ino_ctime },
	{ VG_F_PROC_EXE_INO_MTIME, proc_exe_ino_mtime },
	{ VG_F_PROC_EXE_INO_CTIME_DPS, proc_exe_ino_ctime_dps },
	{ VG_F_PROC_EXE_INO_CTIME_DPNS, proc_exe_ino_ctime_dpns },
	{ VG_F_PROC_IS_EXE_WRITABLE, proc_is_exe_writable },
	{ VG_F_PROC_IS_EXE_UPPER_LAYER, proc_is_exe_upper_layer },
	{ VG_F_PROC_IS_EXE_FROM_MEMFD, proc_is_exe_from_memfd },
	{ VG_F_PROC_ARGS_TRUNCATED, proc_args_truncated },
	{ VG_F_PROC_LD_ENV_TRUNCATED, proc_ld_env_truncated },
};

VG_FX_FAMILY(vg_fx_proc, "proc", fx);
