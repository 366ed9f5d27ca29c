/* Rule actions: SIGKILL through a pidfd, after the policy checks. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "response/kill.h"
#include "util/clock.h"
#include "util/macros.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
/* Linux 6.9: signal the process group of the pidfd's process. */
#ifndef PIDFD_SIGNAL_PROCESS_GROUP
#define PIDFD_SIGNAL_PROCESS_GROUP (1u << 2)
#endif
#define PF_KTHREAD 0x00200000u

void vg_killer_init(struct vg_killer *k, bool enabled)
{
	k->enabled = enabled;
	k->self = (uint32_t)getpid();
	k->self_pgrp = (uint32_t)getpgrp();
	k->proc = "/proc";
}

int vg_parse_proc_stat(const char *line, struct vg_stat_view *out)
{
	/* The name (field 2) may hold spaces and parentheses: the fields we
	 * want are counted from the last ')'. */
	const char *p = strrchr(line, ')');
	unsigned long long v;
	char *end;

	if (!p)
		return -EINVAL;
	p++;
	/* fields 3 (state) ... 22 (starttime); 5 = pgrp, 9 = flags */
	for (int field = 3; field <= 22; field++) {
		while (*p == ' ')
			p++;
		if (!*p)
			return -EINVAL;
		if (field == 3) {
			p++; /* one-letter state */
			continue;
		}
		errno = 0;
		v = strtoull(p, &end, 10);
		if (end == p || errno)
			return -EINVAL;
		p = end;
		if (field == 5)
			out->pgrp = (uint32_t)v;
		else if (field == 9)
			out->flags = (uint32_t)v;
		else if (field == 22)
			out->starttime = v;
	}
	return 0;
}

static int read_stat(const struct vg_killer *k, uint32_t pid, struct vg_stat_view *st)
{
	char path[64], line[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%u/stat", k->proc, pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, line, sizeof(line) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -ESRCH;
	line[n] = 0;
	return vg_parse_proc_stat(line, st);
}

static int result(struct vg_action_result *out, int ret, const char *fmt, const char *why)
{
	snprintf(out->what, sizeof(out->what), fmt, why);
	return ret;
}

/* Is this the process vigil saw? /proc's start time is in clock ticks. */
static bool same_process(const struct vg_stat_view *st, uint64_t start_ns)
{
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t tick = NSEC_PER_SEC / (uint64_t)(hz > 0 ? hz : 100);
	uint64_t proc_ns = st->starttime * tick;

	if (!start_ns)
		return true; /* not known: the pidfd is all we have */
	return proc_ns + tick >= start_ns && start_ns + tick >= proc_ns;
}

/* SIGKILL to process group pgrp, which the process behind victim_fd is in.
 * PIDFD_SIGNAL_PROCESS_GROUP takes a pidfd of the group's leader; without
 * one (the leader exited, or a kernel before 6.9) kill(-pgrp) does it. */
static int signal_group(int victim_fd, uint32_t pgrp)
{
	int fd = (int)syscall(SYS_pidfd_open, (pid_t)pgrp, 0), ret = -1;

	if (fd >= 0) {
		ret = (int)syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL,
				   PIDFD_SIGNAL_PROCESS_GROUP);
		close(fd);
	}
	if (ret && (fd < 0 || errno == EINVAL)) {
		/* the victim must still be there, or the group may be gone */
		if (syscall(SYS_pidfd_send_signal, victim_fd, 0, NULL, 0))
			return -errno;
		ret = kill(-(pid_t)pgrp, SIGKILL);
	}
	return ret ? -errno : 0;
}

int vg_killer_act(const struct vg_killer *k, enum vg_rule_action a, uint32_t pid,
		  uint64_t start_ns, uint64_t event_ns, struct vg_action_result *out)
{
	struct vg_stat_view st = { 0 };
	int pidfd, ret;

	out->latency_us = -1;
	if (a != VG_ACTION_KILL && a != VG_ACTION_KILL_PGROUP)
		return result(out, -EINVAL, "%s", "none");
	if (!k->enabled)
		return result(out, -ECANCELED, "%s", "disabled(not taken: run with --response)");
	if (pid == 0)
		return result(out, -EPERM, "refused(%s)", "no process");
	if (pid == 1)
		return result(out, -EPERM, "refused(%s)", "pid 1");
	if (pid == k->self)
		return result(out, -EPERM, "refused(%s)", "vigil itself");
	/* Pin the process first: from here on a signal reaches it or nothing. */
	pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (pidfd < 0)
		return result(out, -errno, "failed(%s)", strerror(errno));
	ret = read_stat(k, pid, &st);
	if (ret) {
		close(pidfd);
		return result(out, ret, "failed(%s)", strerror(-ret));
	}
	if (st.flags & PF_KTHREAD)
		ret = result(out, -EPERM, "refused(%s)", "kernel thread");
	else if (!same_process(&st, start_ns))
		ret = result(out, -EPERM, "refused(%s)", "pid reused");
	else if (a == VG_ACTION_KILL_PGROUP && st.pgrp <= 1)
		ret = result(out, -EPERM, "refused(%s)", "process group 0 or 1");
	else if (a == VG_ACTION_KILL_PGROUP && st.pgrp == k->self_pgrp)
		ret = result(out, -EPERM, "refused(%s)", "vigil's own process group");
	if (ret) {
		close(pidfd);
		return ret;
	}
	if (a == VG_ACTION_KILL_PGROUP)
		ret = signal_group(pidfd, st.pgrp);
	else
		ret = syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) ? -errno : 0;
	close(pidfd);
	if (ret)
		return result(out, ret, "failed(%s)", strerror(-ret));
	if (event_ns) {
		uint64_t now = vg_clock_ns(CLOCK_BOOTTIME);

		out->latency_us = now > event_ns ? (int64_t)((now - event_ns) / 1000) : 0;
	}
	return result(out, 0, "%s", a == VG_ACTION_KILL ? "killed" : "killed_pgroup");
}
