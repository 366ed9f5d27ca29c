/* A process as an incident names it: path, command line, parent, user,
 * container (see ph_procinfo.h). The values come from the extractors
 * through vg_fields_from_ctx, on a record that says no more than "this
 * process": the same values an event of it shows. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fields/extract.h"
#include "output/fields.h"
#include "ph/ph_procinfo.h"
#include "proc/proctable.h"
#include "sensor/event.h"
#include "util/clock.h"
#include "util/macros.h"

struct vg_ph_describer {
	struct vg_rule_ctx ctx;
	struct vg_event ev; /* the process's header, no call */
	struct vg_fields fields;
	char exe[VG_PATH_MAX], cmdline[VG_ARGS_MAX + 1], pname[VG_COMM_LEN + 1], user[64],
		container[80];
	/* the last process described: a server's accepts ask for the same one
	 * again and again (pH's scope and runs), and rendering is not free */
	struct {
		const struct vg_proc *p;
		const struct vg_proc_image *img;
		uint32_t pid, ppid, uid;
		uint64_t start_ns, at_ns;
		struct vg_ph_proc_info info;
	} last;
};

int vg_ph_describer_new(struct vg_ph_describer **out, struct vg_proctable *pt,
			struct vg_usercache *uc, const char *hostname)
{
	struct vg_ph_describer *d = calloc(1, sizeof(*d));

	*out = d;
	if (!d)
		return -ENOMEM;
	d->ctx.procs = pt;
	d->ctx.users = uc;
	d->ctx.hostname = hostname;
	return 0;
}

void vg_ph_describer_free(struct vg_ph_describer *d)
{
	free(d);
}

/* A string field into buf; NULL when the process has none. */
static const char *str_field(const struct vg_fields *f, const char *key, char *buf, size_t size)
{
	const struct vg_kv *kv = vg_fields_get(f, key);

	if (!kv || kv->kind != VG_KV_STR)
		return NULL;
	snprintf(buf, size, "%.*s", (int)(kv->s_len < size ? kv->s_len : size - 1), kv->s);
	return buf;
}

int vg_ph_proc_describe(struct vg_ph_describer *d, uint32_t pid, uint64_t now_ns,
			struct vg_ph_proc_info *out)
{
	const struct vg_proc *p = d && d->ctx.procs && pid ? vg_pt_lookup(d->ctx.procs, pid) : NULL;
	struct vg_hdr *h;
	const struct vg_kv *kv;

	memset(out, 0, sizeof(*out));
	out->uid = -1;
	if (!p)
		return -ENOENT;
	if (d->last.p == p && d->last.img == p->img && d->last.pid == pid &&
	    d->last.ppid == p->ppid && d->last.uid == p->uid && d->last.start_ns == p->start_ns &&
	    now_ns >= d->last.at_ns && now_ns - d->last.at_ns < NSEC_PER_SEC) {
		*out = d->last.info; /* the same process, unchanged, within a second */
		return 0;
	}
	h = &d->ev.u.hdr;
	/* the header an event of the process carries; no call, no strings */
	memset(&d->ev.u, 0, sizeof(d->ev.u));
	for (int i = 0; i < VG_S_COUNT; i++) {
		d->ev.s[i] = "";
		d->ev.len[i] = 0;
	}
	h->type = VG_EV_NONE;
	h->pid = h->tid = pid;
	h->ppid = p->ppid;
	h->uid = p->uid;
	h->gid = p->gid;
	h->ts_ns = now_ns;
	memcpy(h->comm, p->comm, sizeof(h->comm));
	vg_rule_ctx_reset(&d->ctx, &d->ev, vg_clock_ns(CLOCK_REALTIME));
	vg_fields_from_ctx(&d->fields, &d->ctx);

	out->exe = str_field(&d->fields, "proc.exepath", d->exe, sizeof(d->exe));
	out->cmdline = str_field(&d->fields, "proc.cmdline", d->cmdline, sizeof(d->cmdline));
	out->pname = str_field(&d->fields, "proc.pname", d->pname, sizeof(d->pname));
	out->user = str_field(&d->fields, "user.name", d->user, sizeof(d->user));
	out->container_id =
		str_field(&d->fields, "container.id", d->container, sizeof(d->container));
	kv = vg_fields_get(&d->fields, "proc.ppid");
	out->ppid = kv && kv->kind == VG_KV_INT ? (uint32_t)kv->i : p->ppid;
	kv = vg_fields_get(&d->fields, "user.uid");
	if (kv && kv->kind == VG_KV_INT)
		out->uid = kv->i;
	/* not fields: what the scope and the record check need */
	out->exe_ino = p->img->exe_ino;
	out->has_tty = p->img->tty_nr != 0;
	d->last.p = p;
	d->last.img = p->img;
	d->last.pid = pid;
	d->last.ppid = p->ppid;
	d->last.uid = p->uid;
	d->last.start_ns = p->start_ns;
	d->last.at_ns = now_ns;
	d->last.info = *out;
	return 0;
}
