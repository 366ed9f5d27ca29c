/* pH as a detector (detector.h): the model runs in the sensor's own
 * programs (ph/ph_kernel.h), so it opens before the sensor and gives it
 * its part; its control commands (ph/ph_admin.h) and exit report live
 * here too. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "monitor/detector.h"
#include "util/clock.h"
#include "monitor/monitor_opts.h"
#include "ph/ph_admin.h"
#include "ph/ph_kernel.h"
#include "ph/ph_procinfo.h"
#include "proc/proctable.h"
#include "sensor/event.h"

struct det_ph {
	struct vg_ph_kernel *ph;
	struct vg_ph_admin *admin; /* once a registry asks for pH's commands */
	struct vg_detector_env env;
	struct vg_ph_describer *describer; /* NULL: incidents name no process */
};

/* pH incidents name the process from the table. */
static int describe(void *ctx, uint32_t pid, struct vg_ph_proc_info *out)
{
	struct det_ph *d = ctx;

	return vg_ph_proc_describe(d->describer, pid, vg_clock_ns(CLOCK_BOOTTIME), out);
}

static int ph_open(void **state, const struct vg_detector_env *env)
{
	struct det_ph *d;
	int ret;

	*state = NULL;
	if (!env->opts->ph)
		return 0;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->env = *env;
	ret = vg_ph_kernel_new(&d->ph, &env->opts->ph_opts, env->alert, env->alert_ctx,
			       env->hostname);
	if (ret) {
		free(d);
		return ret;
	}
	*state = d;
	return 0;
}

static const struct vg_sensor_part *ph_sensor_part(void *state)
{
	return vg_ph_kernel_part(((struct det_ph *)state)->ph);
}

/* pH's incidents exist once the sensor has loaded its programs */
static void ph_sensor_opened(void *state, struct vg_sensor *s)
{
	struct det_ph *d = state;

	if (!d->describer &&
	    vg_ph_describer_new(&d->describer, d->env.procs, d->env.users, d->env.hostname))
		fprintf(stderr, "vigil: ph: out of memory: incidents name no process\n");
	vg_ph_kernel_set_proc(d->ph, describe, d);
}

static void ph_event(void *state, const struct vg_event *ev, uint64_t wall_ns)
{
	struct det_ph *d = state;
	const struct vg_proc *p;

	vg_ph_kernel_note_event(d->ph, ev); /* what incidents list around them */
	if (ev->u.hdr.type != VG_EV_EXEC)
		return;
	/* pH names a profile's file, and its commands a profile, by the
	 * program's path; the kernel keys them by inode */
	p = vg_pt_lookup(d->env.procs, ev->u.hdr.pid);
	if (!p || !p->img)
		return;
	vg_ph_kernel_note_exe(d->ph, p->img->exe_dev, p->img->exe_ino, p->img->exe);
	if (d->admin)
		vg_ph_admin_note_exec(d->admin, p->img->exe_dev, p->img->exe_ino, p->img->exe,
				      p->img->exe_len);
}

static void ph_tick(void *state, uint64_t now_ns)
{
	vg_ph_kernel_tick(((struct det_ph *)state)->ph); /* periodic profile save */
}

static int ph_status(void *state, struct vg_ctl_registry *reg)
{
	struct det_ph *d = state;
	int ret = d->admin ? 0 : vg_ph_admin_new(&d->admin, d->ph);

	return ret ? ret : vg_ph_admin_register(d->admin, reg);
}

/* pH's counters at exit, so a lost alert is never silent. */
static void ph_report(void *state)
{
	struct det_ph *d = state;
	struct vg_ph_kernel_stats st;
	struct ph_persist_stats ps;
	struct vg_ph_memory mem;

	vg_ph_kernel_stop(d->ph); /* detach, then the exit save */
	vg_ph_kernel_stats(d->ph, &st);
	fprintf(stderr,
		"vigil: ph alerts=%llu drops=%llu malformed=%llu profiles=%llu model_errors=%llu "
		"profile_errors=%llu\n",
		(unsigned long long)st.alerts, (unsigned long long)st.drops,
		(unsigned long long)st.malformed, (unsigned long long)st.profiles,
		(unsigned long long)st.model_errors, (unsigned long long)st.profile_errors);
	vg_ph_kernel_persist_stats(d->ph, &ps);
	if (!vg_ph_kernel_memory(d->ph, &mem))
		fprintf(stderr,
			"vigil: ph memory profiles=%llu items=%llu bytes=%llu avg_per_profile=%llu "
			"(%llu B/profile + %llu B/item) disk=%llu saves=%llu written=%llu "
			"write_errors=%llu gc_items=%llu save_ms=%llu signal_windows=%llu responses=%llu\n",
			(unsigned long long)mem.profiles, (unsigned long long)mem.items,
			(unsigned long long)mem.total_bytes, (unsigned long long)mem.avg_bytes,
			(unsigned long long)mem.profile_bytes, (unsigned long long)mem.item_bytes,
			(unsigned long long)mem.disk_bytes, (unsigned long long)ps.saves,
			(unsigned long long)ps.written, (unsigned long long)ps.write_errors,
			(unsigned long long)ps.gc_items,
			(unsigned long long)(ps.save_ns_last / 1000000),
			(unsigned long long)st.signal_windows,
			(unsigned long long)st.responses);
}

static void ph_close(void *state)
{
	struct det_ph *d = state;

	vg_ph_admin_free(d->admin); /* before pH: it unhooks itself */
	vg_ph_kernel_close(d->ph);
	vg_ph_describer_free(d->describer);
	free(d);
}

struct vg_ph_kernel *vg_det_ph_kernel(void *state)
{
	return state ? ((struct det_ph *)state)->ph : NULL;
}

const struct vg_detector_ops vg_det_ph = {
	.name = "ph",
	.before_sensor = true,
	.open = ph_open,
	.sensor_part = ph_sensor_part,
	.sensor_opened = ph_sensor_opened,
	.event = ph_event,
	.tick = ph_tick,
	.status = ph_status,
	.report = ph_report,
	.close = ph_close,
};
