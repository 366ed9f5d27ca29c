/* A process as an incident names it: path, command line, parent, user,
 * container (see ph_procinfo.h). */
#include <errno.h>
#include <string.h>

#include "ph/ph_procinfo.h"
#include "proc/proctable.h"
#include "proc/usercache.h"

int vg_ph_proc_describe(struct vg_proctable *pt, struct vg_usercache *uc, uint32_t pid,
			uint64_t now_ns, struct vg_ph_proc_info *out, char *cmdline, size_t size)
{
	const struct vg_proc *p = pt ? vg_pt_lookup(pt, pid) : NULL;
	const struct vg_proc *parent;

	memset(out, 0, sizeof(*out));
	out->uid = -1;
	if (!p)
		return -ENOENT;
	out->exe = p->img->exe;
	out->exe_ino = p->img->exe_ino;
	out->has_tty = p->img->tty_nr != 0;
	vg_proc_cmdline(p, cmdline, size);
	out->cmdline = cmdline;
	out->ppid = p->ppid;
	parent = vg_pt_ancestor(pt, p, 1);
	out->pname = parent ? parent->comm : NULL;
	out->uid = p->uid;
	out->user = uc ? vg_uc_user(uc, p->uid, now_ns) : NULL;
	out->container_id = p->container.short_id;
	return 0;
}
