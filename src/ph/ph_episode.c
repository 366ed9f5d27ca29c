/* pH incidents: what every layer needs about a process (ph_episode.h):
 * whether its alerts are in scope, and its path and details for the
 * episode. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ph/ph_classify.h"
#include "ph/ph_episode.h"

static int watched(const struct vg_ph_incidents *in, const char *exe, uint64_t ino)
{
	for (unsigned i = 0; i < in->nwatch; i++)
		if ((exe && !strcmp(in->watch[i], exe)) || (ino && in->watch_ino[i] == ino))
			return 1;
	return 0;
}

/* The scope decision for a process: its path, parent, terminal, and
 * whether its program was seen serving. */
int vg_ph__scope_of(const struct vg_ph_incidents *in, const char *exe, uint64_t ino,
		    int have_proc, uint32_t ppid, int has_tty)
{
	if (watched(in, exe, ino))
		return 1;
	if (in->scope == VG_PH_SCOPE_ALL)
		return 1;
	if (in->scope == VG_PH_SCOPE_WATCHED || vg_ph_quiet_program(exe))
		return 0;
	if (ino && in->listeners[ino % VG_PH_EXE_PATHS] == ino)
		return 1; /* it listens or accepts: it serves the network */
	return have_proc && ppid == 1 && !has_tty; /* a daemon */
}

const char *vg_ph__known_exe(const struct vg_ph_incidents *in, uint64_t dev, uint64_t ino)
{
	unsigned i = (unsigned)(ino % VG_PH_EXE_PATHS);

	return in->exes[i].ino == ino && in->exes[i].dev == dev && in->exes[i].path[0]
		       ? in->exes[i].path
		       : NULL;
}

const char *vg_ph__proc_exe(struct vg_ph_incidents *in, uint32_t pid, uint64_t ino)
{
	char link[64];
	struct stat st;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%u/exe", pid);
	if (stat(link, &st) || st.st_ino != ino)
		return NULL;
	n = readlink(link, in->path, sizeof(in->path) - 1);
	if (n <= 0)
		return NULL;
	in->path[n] = 0;
	return in->path;
}

/* The process from the table, once: when the episode is first reported.
 * An entry whose image is another file (its exec not seen yet) gives the
 * path from /proc instead. */
void vg_ph__episode_proc(struct vg_ph_incidents *in, struct episode *ep)
{
	struct vg_ph_proc_info pi;
	const char *exe;

	if (ep->have_proc)
		return;
	memset(&pi, 0, sizeof(pi));
	pi.uid = -1;
	if (in->proc_fn && !in->proc_fn(in->proc_ctx, ep->pid, &pi)) {
		ep->have_proc = 1;
		/* after an execve the table shows the new program's arguments */
		if (pi.exe_ino == ep->exe.ino)
			copy_str(ep->cmdline, sizeof(ep->cmdline), pi.cmdline);
		copy_str(ep->pname, sizeof(ep->pname), pi.pname);
		copy_str(ep->user, sizeof(ep->user), pi.user);
		copy_str(ep->container, sizeof(ep->container), pi.container_id);
		ep->ppid = pi.ppid;
		ep->uid = pi.uid;
		ep->has_tty = pi.has_tty;
		if (!ep->exe_path[0] && pi.exe && pi.exe_ino == ep->exe.ino)
			copy_str(ep->exe_path, sizeof(ep->exe_path), pi.exe);
	}
	if (!ep->exe_path[0] && (exe = vg_ph__proc_exe(in, ep->pid, ep->exe.ino)))
		copy_str(ep->exe_path, sizeof(ep->exe_path), exe);
	if (!ep->exe_path[0] && (exe = vg_ph__known_exe(in, ep->exe.dev, ep->exe.ino)))
		copy_str(ep->exe_path, sizeof(ep->exe_path), exe);
}

uint32_t vg_ph__parent_of(struct vg_ph_incidents *in, uint32_t pid)
{
	struct vg_ph_proc_info pi;
	char path[64], buf[512], *end;
	unsigned long ppid;
	FILE *f;
	size_t n;

	memset(&pi, 0, sizeof(pi));
	if (in->proc_fn && !in->proc_fn(in->proc_ctx, pid, &pi) && pi.ppid)
		return pi.ppid;
	if (!in->proc_parents)
		return 0;
	/* the table learns of a fork from the sensor's ring, which may come
	 * after the record: /proc/PID/stat, "pid (comm) state ppid ..." with
	 * a comm that may hold spaces and parentheses */
	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	end = strrchr(buf, ')');
	if (!end || end[1] != ' ' || !end[2] || end[3] != ' ')
		return 0;
	ppid = strtoul(end + 4, NULL, 10);
	return ppid <= UINT32_MAX ? (uint32_t)ppid : 0;
}

int vg_ph__in_episode(const struct episode *ep, uint32_t pid)
{
	if (ep->pid == pid)
		return 1;
	for (unsigned i = 0; i < ep->nfamily; i++)
		if (ep->family[i] == pid)
			return 1;
	return 0;
}
