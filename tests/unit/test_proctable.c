/* The process table: fork/exec/exit/reap, eviction, ancestry, rendering. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "proc/proctable.h"
#include "sensor/event.h"
#include "util/macros.h"

#define SEC NSEC_PER_SEC

static struct vg_event *ev_new(void)
{
	struct vg_event *ev = calloc(1, sizeof(*ev));
	for (int i = 0; i < VG_S_COUNT; i++)
		ev->s[i] = "";
	return ev;
}

static void ev_str(struct vg_event *ev, enum vg_slot slot, const char *s, size_t len)
{
	ev->s[slot] = s;
	ev->len[slot] = len;
}

/* An exec of `exe` with NUL-separated args (len includes the final NUL). */
static struct vg_event *exec_ev(uint32_t pid, uint32_t ppid, const char *comm, const char *exe,
				const char *args, size_t args_len, uint64_t ts)
{
	struct vg_event *ev = ev_new();
	struct vg_exec *x = &ev->u.exec;

	x->hdr.type = VG_EV_EXEC;
	x->hdr.pid = x->hdr.tid = pid;
	x->hdr.ppid = ppid;
	x->hdr.uid = 1000;
	x->hdr.gid = 1001;
	x->hdr.ts_ns = ts;
	x->hdr.syscall_nr = -1;
	snprintf(x->hdr.comm, sizeof(x->hdr.comm), "%s", comm);
	x->euid = 0;
	x->egid = 0;
	x->loginuid = 1000;
	x->pid_ns = 4026531836u;
	x->mnt_ns = 4026531840u;
	x->exe_ino = 1234;
	x->exe_dev = (8u << 20) | 1;
	x->tty_nr = (136u << 20) | 3;
	x->start_ns = ts - 1000;
	ev_str(ev, VG_S_EXE, exe, strlen(exe));
	ev_str(ev, VG_S_ARGS, args, args_len);
	ev_str(ev, VG_S_CWD, "/home/alice", 11);
	ev_str(ev, VG_S_TTY, "pts/3", 5);
	return ev;
}

static int exec_simple(struct vg_proctable *pt, uint32_t pid, uint32_t ppid, const char *comm,
		       const char *exe, const char *args, size_t args_len, uint64_t ts)
{
	struct vg_event *ev = exec_ev(pid, ppid, comm, exe, args, args_len, ts);
	int r = vg_pt_on_exec(pt, ev);
	free(ev);
	return r;
}

static struct vg_hdr hdr_of(uint32_t pid, uint32_t ppid, uint32_t uid, const char *comm)
{
	struct vg_hdr h = {0};
	h.type = VG_EV_OPEN;
	h.pid = h.tid = pid;
	h.ppid = ppid;
	h.uid = uid;
	h.gid = uid;
	snprintf(h.comm, sizeof(h.comm), "%s", comm);
	return h;
}

static void test_exec_fields(void)
{
	struct vg_proctable *pt;
	static const char args[] = "bash\0-c\0echo hi\0";
	char buf[128];

	CHECK_INT(vg_pt_new(&pt, 64, 5 * SEC), 0);
	CHECK(vg_pt_lookup(pt, 42) == NULL);
	CHECK_INT(exec_simple(pt, 42, 1, "bash", "/usr/bin/bash", args, sizeof(args) - 1, 10 * SEC),
		  0);
	struct vg_proc *p = vg_pt_lookup(pt, 42);
	CHECK(p != NULL);
	if (!p)
		goto out;
	CHECK_INT(p->pid, 42);
	CHECK_INT(p->ppid, 1);
	CHECK_INT(p->uid, 1000);
	CHECK_INT(p->gid, 1001);
	CHECK_INT(p->euid, 0);
	CHECK_INT(p->egid, 0);
	CHECK_INT(p->loginuid, 1000);
	CHECK_INT(p->pid_ns, 4026531836u);
	CHECK_INT(p->mnt_ns, 4026531840u);
	CHECK_INT(p->source, VG_SRC_EXEC);
	CHECK_INT(p->exec_ns, 10 * SEC);
	CHECK_INT(p->start_ns, 10 * SEC - 1000);
	CHECK_STR(p->comm, "bash");
	CHECK_STR(p->img->exe, "/usr/bin/bash");
	CHECK_INT(p->img->exe_len, 13);
	CHECK_STR(p->img->cwd, "/home/alice");
	CHECK_STR(p->img->tty, "pts/3");
	CHECK_INT(p->img->tty_nr, (136u << 20) | 3);
	CHECK_INT(p->img->exe_ino, 1234);
	CHECK_INT(p->img->exe_dev, (8u << 20) | 1);
	CHECK_INT(p->img->argc, 3);
	CHECK_INT(p->img->args_len, sizeof(args) - 1);
	CHECK(memcmp(p->img->args, args, sizeof(args) - 1) == 0);
	CHECK_STR(vg_proc_argv0(p), "bash");
	CHECK_INT(vg_proc_cmdline(p, buf, sizeof(buf)), 15);
	CHECK_STR(buf, "bash -c echo hi");
	CHECK_INT(vg_proc_args(p, buf, sizeof(buf)), 10);
	CHECK_STR(buf, "-c echo hi");
	CHECK(!(p->flags & VG_PROC_EXITED));

	/* truncation keeps the full length as the return, like snprintf */
	CHECK_INT(vg_proc_cmdline(p, buf, 6), 15);
	CHECK_STR(buf, "bash ");
	CHECK_INT(vg_proc_cmdline(p, buf, 1), 15);
	CHECK_STR(buf, "");
out:
	vg_pt_free(pt);
}

static void test_render(void)
{
	struct vg_proctable *pt;
	char buf[64];

	CHECK_INT(vg_pt_new(&pt, 16, SEC), 0);
	/* no arguments but argv[0]: just the name */
	CHECK_INT(exec_simple(pt, 7, 1, "sleep", "/usr/bin/sleep", "sleep\0", 6, SEC), 0);
	struct vg_proc *p = vg_pt_lookup(pt, 7);
	vg_proc_cmdline(p, buf, sizeof(buf));
	CHECK_STR(buf, "sleep");
	vg_proc_args(p, buf, sizeof(buf));
	CHECK_STR(buf, "");

	/* a missing final NUL (kernel copy cut short) is tolerated */
	CHECK_INT(exec_simple(pt, 8, 1, "ls", "/usr/bin/ls", "ls\0-la\0/tmp", 11, SEC), 0);
	p = vg_pt_lookup(pt, 8);
	CHECK_INT(p->img->argc, 3);
	CHECK_INT(p->img->args_len, 12);
	vg_proc_cmdline(p, buf, sizeof(buf));
	CHECK_STR(buf, "ls -la /tmp");

	/* cmdline uses the name (comm), not argv[0], as Falco does */
	CHECK_INT(exec_simple(pt, 9, 1, "python3", "/usr/bin/python3.11",
			      "/usr/bin/python3\0script.py\0--x\0", 31, SEC),
		  0);
	p = vg_pt_lookup(pt, 9);
	vg_proc_cmdline(p, buf, sizeof(buf));
	CHECK_STR(buf, "python3 script.py --x");
	CHECK_STR(vg_proc_argv0(p), "/usr/bin/python3");

	/* no args at all */
	CHECK_INT(exec_simple(pt, 10, 1, "kthreadd", "", "", 0, SEC), 0);
	p = vg_pt_lookup(pt, 10);
	CHECK_INT(p->img->argc, 0);
	vg_proc_cmdline(p, buf, sizeof(buf));
	CHECK_STR(buf, "kthreadd");
	CHECK_STR(vg_proc_argv0(p), "");

	/* the raw joiner works on event args too */
	CHECK_INT(vg_args_join("a\0b\0c\0", 6, 0, buf, sizeof(buf)), 5);
	CHECK_STR(buf, "a b c");
	CHECK_INT(vg_args_join("a\0b\0c\0", 6, 2, buf, sizeof(buf)), 1);
	CHECK_STR(buf, "c");
	CHECK_INT(vg_args_join(NULL, 0, 0, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "");
	vg_pt_free(pt);
}

static void test_exec_flags(void)
{
	struct vg_proctable *pt;
	struct vg_event *ev;

	CHECK_INT(vg_pt_new(&pt, 16, SEC), 0);
	ev = exec_ev(20, 1, "x", "/tmp/x (deleted)", "x\0", 2, SEC);
	ev->u.hdr.flags = VG_F_EXE_DELETED;
	CHECK_INT(vg_pt_on_exec(pt, ev), 0);
	struct vg_proc *p = vg_pt_lookup(pt, 20);
	CHECK_STR(p->img->exe, "/tmp/x");
	CHECK(p->img->flags & VG_IMG_EXE_DELETED);
	CHECK(!(p->img->flags & VG_IMG_EXE_MEMFD));
	free(ev);

	/* without the flag the name is taken as it is */
	CHECK_INT(exec_simple(pt, 21, 1, "y", "/tmp/y (deleted)", "y\0", 2, SEC), 0);
	CHECK_STR(vg_pt_lookup(pt, 21)->img->exe, "/tmp/y (deleted)");

	ev = exec_ev(22, 1, "3", "/memfd:payload", "3\0", 2, SEC);
	ev->u.hdr.flags = VG_F_EXE_MEMFD | VG_F_ARGS_TRUNC;
	CHECK_INT(vg_pt_on_exec(pt, ev), 0);
	p = vg_pt_lookup(pt, 22);
	CHECK(p->img->flags & VG_IMG_EXE_MEMFD);
	CHECK(p->img->flags & VG_IMG_ARGS_TRUNC);
	free(ev);

	/* over-long args are cut at VG_ARGS_MAX and flagged */
	char *big = malloc(VG_ARGS_MAX + 100);
	memset(big, 'a', VG_ARGS_MAX + 100);
	big[VG_ARGS_MAX + 99] = '\0';
	CHECK_INT(exec_simple(pt, 23, 1, "a", "/a", big, VG_ARGS_MAX + 100, SEC), 0);
	p = vg_pt_lookup(pt, 23);
	CHECK(p->img->flags & VG_IMG_ARGS_TRUNC);
	CHECK_INT(p->img->args_len, VG_ARGS_MAX + 1);
	CHECK_INT(strlen(p->img->args), VG_ARGS_MAX);
	free(big);

	/* not an exec, or pid 0 */
	ev = exec_ev(24, 1, "z", "/z", "z\0", 2, SEC);
	ev->u.hdr.type = VG_EV_OPEN;
	CHECK_INT(vg_pt_on_exec(pt, ev), -EINVAL);
	ev->u.hdr.type = VG_EV_EXEC;
	ev->u.hdr.pid = 0;
	CHECK_INT(vg_pt_on_exec(pt, ev), -EINVAL);
	free(ev);
	CHECK(vg_pt_lookup(pt, 24) == NULL);
	vg_pt_free(pt);
}

static void test_fork_exec_exit_reap(void)
{
	struct vg_proctable *pt;
	static const char args[] = "sshd\0-D\0";
	char buf[64];

	CHECK_INT(vg_pt_new(&pt, 64, 5 * SEC), 0);
	CHECK_INT(exec_simple(pt, 100, 1, "sshd", "/usr/sbin/sshd", args, sizeof(args) - 1, SEC),
		  0);
	struct vg_proc *par = vg_pt_lookup(pt, 100);
	const struct vg_proc_image *par_img = par->img;
	CHECK_INT(par_img->refs, 1);

	struct vg_proc *c = vg_pt_on_fork(pt, 100, 101, 2 * SEC);
	CHECK(c != NULL);
	CHECK(c == vg_pt_lookup(pt, 101));
	CHECK_INT(c->pid, 101);
	CHECK_INT(c->ppid, 100);
	CHECK_INT(c->source, VG_SRC_FORK);
	CHECK_INT(c->start_ns, 2 * SEC);
	CHECK_INT(c->uid, 1000);
	CHECK_INT(c->euid, 0);
	CHECK_INT(c->loginuid, 1000);
	CHECK_STR(c->comm, "sshd");
	CHECK_STR(c->img->exe, "/usr/sbin/sshd");
	CHECK_STR(c->img->cwd, "/home/alice");
	/* shared, not copied */
	CHECK(c->img == par_img);
	CHECK_INT(par_img->refs, 2);
	vg_proc_cmdline(c, buf, sizeof(buf));
	CHECK_STR(buf, "sshd -D");

	/* the child execs: its own program data; the parent's is untouched */
	CHECK_INT(exec_simple(pt, 101, 100, "bash", "/usr/bin/bash", "-bash\0", 6, 3 * SEC), 0);
	par = vg_pt_lookup(pt, 100);
	c = vg_pt_lookup(pt, 101);
	CHECK_STR(c->img->exe, "/usr/bin/bash");
	CHECK_STR(c->comm, "bash");
	CHECK_INT(c->source, VG_SRC_EXEC);
	CHECK_INT(c->start_ns, 3 * SEC - 1000); /* the task start the event carries */
	CHECK_INT(c->exec_ns, 3 * SEC);
	CHECK(par->img == par_img);
	CHECK_INT(par_img->refs, 1);
	CHECK_STR(par->img->exe, "/usr/sbin/sshd");
	vg_proc_cmdline(par, buf, sizeof(buf));
	CHECK_STR(buf, "sshd -D");

	/* threads are not processes */
	CHECK(vg_pt_on_fork(pt, 100, 100, 4 * SEC) == NULL);
	CHECK(vg_pt_on_fork(pt, 100, 0, 4 * SEC) == NULL);

	/* exit: still resolvable during the grace period */
	CHECK_INT(vg_pt_on_exit(pt, 101, 10 * SEC, 256), 0);
	c = vg_pt_lookup(pt, 101);
	CHECK(c != NULL && (c->flags & VG_PROC_EXITED));
	CHECK_INT(c->exit_ns, 10 * SEC);
	CHECK_INT(c->exit_code, 256);
	CHECK_INT(vg_pt_on_exit(pt, 101, 11 * SEC, 0), 0); /* twice: no harm */
	CHECK_INT(vg_pt_lookup(pt, 101)->exit_ns, 10 * SEC);
	CHECK_INT(vg_pt_on_exit(pt, 9999, 10 * SEC, 0), -ENOENT);

	struct vg_hdr late = hdr_of(101, 100, 1000, "bash");
	CHECK(vg_pt_resolve(pt, &late) == vg_pt_lookup(pt, 101));

	CHECK_INT(vg_pt_reap(pt, 12 * SEC), 0);
	CHECK(vg_pt_lookup(pt, 101) != NULL);
	CHECK_INT(vg_pt_reap(pt, 15 * SEC), 1);
	CHECK(vg_pt_lookup(pt, 101) == NULL);
	CHECK(vg_pt_lookup(pt, 100) != NULL);

	struct vg_pt_stats st;
	vg_pt_get_stats(pt, &st);
	CHECK_INT(st.live, 1);
	CHECK_INT(st.exited, 0);
	CHECK_INT(st.reaped, 1);
	vg_pt_free(pt);
}

static void test_reap_order(void)
{
	struct vg_proctable *pt;

	CHECK_INT(vg_pt_new(&pt, 64, 5 * SEC), 0);
	for (uint32_t pid = 2; pid < 12; pid++)
		vg_pt_on_fork(pt, 1, pid, SEC);
	for (uint32_t pid = 2; pid < 12; pid++)
		CHECK_INT(vg_pt_on_exit(pt, pid, pid * SEC, 0), 0);
	CHECK_INT(vg_pt_reap(pt, 4 * SEC), 0); /* grace longer than now */
	CHECK_INT(vg_pt_reap(pt, 9 * SEC), 3); /* pids 2, 3, 4 */
	CHECK(vg_pt_lookup(pt, 4) == NULL);
	CHECK(vg_pt_lookup(pt, 5) != NULL);
	CHECK_INT(vg_pt_reap(pt, 100 * SEC), 7);
	for (uint32_t pid = 2; pid < 12; pid++)
		CHECK(vg_pt_lookup(pt, pid) == NULL);
	vg_pt_free(pt);
}

static void test_unknown_parent_and_reuse(void)
{
	struct vg_proctable *pt;

	CHECK_INT(vg_pt_new(&pt, 64, 5 * SEC), 0);
	struct vg_proc *c = vg_pt_on_fork(pt, 500, 501, SEC);
	CHECK(c != NULL);
	CHECK_INT(c->source, VG_SRC_MINIMAL);
	CHECK_INT(c->ppid, 500);
	CHECK_STR(c->img->exe, "");
	CHECK_STR(c->img->args, "");
	CHECK_INT(c->loginuid, VG_LOGINUID_UNSET);
	CHECK(vg_pt_lookup(pt, 500) == NULL);

	/* a pid reused while its old entry is in the grace period */
	CHECK_INT(exec_simple(pt, 600, 1, "old", "/old", "old\0", 4, SEC), 0);
	CHECK_INT(vg_pt_on_exit(pt, 600, 2 * SEC, 0), 0);
	CHECK_INT(exec_simple(pt, 700, 1, "new", "/new", "new\0", 4, SEC), 0);
	c = vg_pt_on_fork(pt, 700, 600, 3 * SEC);
	CHECK(c != NULL && !(c->flags & VG_PROC_EXITED));
	CHECK_STR(c->img->exe, "/new");
	CHECK_INT(c->ppid, 700);
	CHECK_INT(vg_pt_reap(pt, 100 * SEC), 0); /* no longer on the exited list */
	CHECK(vg_pt_lookup(pt, 600) != NULL);

	/* exec on an exited entry (its fork was lost): a new live process */
	CHECK_INT(vg_pt_on_exit(pt, 600, 4 * SEC, 0), 0);
	CHECK_INT(exec_simple(pt, 600, 1, "again", "/again", "again\0", 6, 5 * SEC), 0);
	c = vg_pt_lookup(pt, 600);
	CHECK(!(c->flags & VG_PROC_EXITED));
	CHECK_STR(c->img->exe, "/again");
	CHECK_INT(vg_pt_reap(pt, 100 * SEC), 0);
	struct vg_pt_stats st;
	vg_pt_get_stats(pt, &st);
	CHECK_INT(st.exited, 0);
	CHECK_INT(st.live, 3);
	vg_pt_free(pt);
}

static void test_resolve(void)
{
	struct vg_proctable *pt;

	CHECK_INT(vg_pt_new(&pt, 64, 5 * SEC), 0);
	struct vg_hdr h = hdr_of(300, 299, 1000, "curl");
	struct vg_proc *p = vg_pt_resolve(pt, &h);
	CHECK(p != NULL);
	CHECK_INT(p->source, VG_SRC_MINIMAL);
	CHECK_STR(p->comm, "curl");
	CHECK_INT(p->uid, 1000);
	CHECK_INT(p->euid, 1000);
	CHECK_INT(p->ppid, 299);

	/* setuid and reparenting show up in later headers */
	h.uid = 0;
	h.ppid = 1;
	CHECK(vg_pt_resolve(pt, &h) == p);
	CHECK_INT(p->uid, 0);
	CHECK_INT(p->ppid, 1);
	CHECK_STR(p->comm, "curl");

	h.pid = 0;
	CHECK(vg_pt_resolve(pt, &h) == NULL);

	/* the 16-byte comm of the kernel need not be terminated */
	struct vg_hdr h2 = hdr_of(301, 1, 0, "");
	memset(h2.comm, 'x', sizeof(h2.comm));
	p = vg_pt_resolve(pt, &h2);
	CHECK_INT(strlen(p->comm), VG_COMM_LEN - 1);
	vg_pt_free(pt);
}

static void test_seed(void)
{
	struct vg_proctable *pt;
	struct vg_container ctr;
	static const char cg[] =
	    "/system.slice/docker-"
	    "3f4b1c2d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809.scope";

	CHECK_INT(vg_pt_new(&pt, 64, 5 * SEC), 0);
	vg_container_parse(cg, sizeof(cg) - 1, &ctr);
	struct vg_proc_info in = {
	    .pid = 50,
	    .ppid = 1,
	    .uid = 33,
	    .gid = 33,
	    .euid = 33,
	    .egid = 33,
	    .loginuid = VG_LOGINUID_UNSET,
	    .comm = "nginx",
	    .exe = "/usr/sbin/nginx",
	    .exe_len = 15,
	    .args = "nginx: worker process\0",
	    .args_len = 22,
	    .cwd = "/",
	    .cwd_len = 1,
	    .start_ns = 7 * SEC,
	    .container = &ctr,
	    .cgroup_id = 77,
	};
	CHECK_INT(vg_pt_seed(pt, &in), 0);
	struct vg_proc *p = vg_pt_lookup(pt, 50);
	CHECK(p != NULL);
	CHECK_INT(p->source, VG_SRC_PROCFS);
	CHECK_STR(p->comm, "nginx");
	CHECK_STR(p->img->exe, "/usr/sbin/nginx");
	CHECK_INT(p->img->argc, 1);
	CHECK_STR(p->container.short_id, "3f4b1c2d5e6f");
	CHECK_INT(p->container.runtime, VG_RT_DOCKER);
	CHECK_INT(p->cgroup_id, 77);
	CHECK_INT(p->start_ns, 7 * SEC);
	/* seeding twice leaves the first alone */
	CHECK_INT(vg_pt_seed(pt, &in), -EEXIST);

	/* events are newer than /proc: an exec'd entry is not overwritten */
	CHECK_INT(exec_simple(pt, 51, 1, "vim", "/usr/bin/vim", "vim\0", 4, SEC), 0);
	in.pid = 51;
	CHECK_INT(vg_pt_seed(pt, &in), -EEXIST);
	CHECK_STR(vg_pt_lookup(pt, 51)->img->exe, "/usr/bin/vim");

	/* a minimal entry (only a header seen) is completed */
	struct vg_hdr h = hdr_of(52, 1, 33, "nginx");
	vg_pt_resolve(pt, &h);
	in.pid = 52;
	CHECK_INT(vg_pt_seed(pt, &in), 0);
	CHECK_STR(vg_pt_lookup(pt, 52)->img->exe, "/usr/sbin/nginx");

	in.pid = 0;
	CHECK_INT(vg_pt_seed(pt, &in), -EINVAL);
	vg_pt_free(pt);
}

static void test_ancestry(void)
{
	struct vg_proctable *pt;
	struct vg_proc *chain[VG_PT_ANCESTORS_MAX];

	CHECK_INT(vg_pt_new(&pt, 64, 5 * SEC), 0);
	/* 1 <- 1001 <- 1002 <- ... <- 1012 */
	CHECK_INT(exec_simple(pt, 1, 0, "systemd", "/sbin/init", "init\0", 5, SEC), 0);
	uint32_t parent = 1;
	for (uint32_t pid = 1001; pid <= 1012; pid++) {
		CHECK(vg_pt_on_fork(pt, parent, pid, SEC) != NULL);
		parent = pid;
	}
	struct vg_proc *leaf = vg_pt_lookup(pt, 1012);
	CHECK(vg_pt_ancestor(pt, leaf, 0) == leaf);
	for (unsigned n = 1; n <= 11; n++) {
		struct vg_proc *a = vg_pt_ancestor(pt, leaf, n);
		CHECK(a != NULL && a->pid == 1012 - n);
	}
	struct vg_proc *top = vg_pt_ancestor(pt, leaf, 12);
	CHECK(top != NULL && top->pid == 1);
	CHECK(vg_pt_ancestor(pt, leaf, 13) == NULL); /* pid 1's parent is 0 */
	CHECK(vg_pt_ancestor(pt, leaf, VG_PT_ANCESTORS_MAX + 1) == NULL);
	CHECK(vg_pt_ancestor(pt, NULL, 1) == NULL);
	CHECK_INT(vg_pt_ancestors(pt, leaf, chain, VG_PT_ANCESTORS_MAX), 12);
	CHECK_INT(chain[0]->pid, 1011);
	CHECK_INT(chain[11]->pid, 1);
	CHECK_INT(vg_pt_ancestors(pt, leaf, chain, 3), 3);
	CHECK_STR(vg_pt_ancestor(pt, leaf, 12)->img->exe, "/sbin/init");

	/* a hole in the chain ends it */
	CHECK_INT(vg_pt_on_exit(pt, 1006, 2 * SEC, 0), 0);
	CHECK_INT(vg_pt_reap(pt, 100 * SEC), 1);
	CHECK(vg_pt_ancestor(pt, leaf, 5) != NULL);
	CHECK(vg_pt_ancestor(pt, leaf, 6) == NULL);
	CHECK_INT(vg_pt_ancestors(pt, leaf, chain, VG_PT_ANCESTORS_MAX), 5);

	/* loops (lost events, pid reuse): 2001 <-> 2002, and 2003 its own parent */
	struct vg_hdr a = hdr_of(2001, 2002, 0, "a"), b = hdr_of(2002, 2001, 0, "b");
	struct vg_hdr self = hdr_of(2003, 2003, 0, "s");
	struct vg_proc *pa = vg_pt_resolve(pt, &a);
	vg_pt_resolve(pt, &b);
	CHECK(vg_pt_ancestor(pt, pa, 1) != NULL && vg_pt_ancestor(pt, pa, 1)->pid == 2002);
	CHECK(vg_pt_ancestor(pt, pa, 2) == NULL);
	CHECK(vg_pt_ancestor(pt, pa, 8) == NULL);
	CHECK_INT(vg_pt_ancestors(pt, pa, chain, VG_PT_ANCESTORS_MAX), 1);
	struct vg_proc *ps = vg_pt_resolve(pt, &self);
	CHECK(vg_pt_ancestor(pt, ps, 1) == NULL);
	CHECK_INT(vg_pt_ancestors(pt, ps, chain, VG_PT_ANCESTORS_MAX), 0);

	/* a longer loop: 3001 <- 3002 <- 3003 <- 3001 */
	struct vg_hdr l1 = hdr_of(3001, 3003, 0, "l"), l2 = hdr_of(3002, 3001, 0, "l"),
		      l3 = hdr_of(3003, 3002, 0, "l");
	vg_pt_resolve(pt, &l1);
	vg_pt_resolve(pt, &l2);
	struct vg_proc *p3 = vg_pt_resolve(pt, &l3);
	CHECK_INT(vg_pt_ancestors(pt, p3, chain, VG_PT_ANCESTORS_MAX), 2);
	CHECK(vg_pt_ancestor(pt, p3, 2) != NULL && vg_pt_ancestor(pt, p3, 2)->pid == 3001);
	CHECK(vg_pt_ancestor(pt, p3, 3) == NULL);
	vg_pt_free(pt);
}

static void test_evict_exited_first(void)
{
	struct vg_proctable *pt;
	struct vg_pt_stats st;

	CHECK_INT(vg_pt_new(&pt, 16, 100 * SEC), 0);
	for (uint32_t pid = 1; pid <= 16; pid++)
		CHECK(vg_pt_on_fork(pt, 0, pid, SEC) != NULL);
	vg_pt_get_stats(pt, &st);
	CHECK_INT(st.max, 16);
	CHECK_INT(st.live, 16);
	CHECK_INT(vg_pt_on_exit(pt, 9, 2 * SEC, 0), 0);
	CHECK_INT(vg_pt_on_exit(pt, 5, 3 * SEC, 0), 0);

	/* full: the oldest exit goes first, then the next */
	CHECK(vg_pt_on_fork(pt, 0, 100, SEC) != NULL);
	CHECK(vg_pt_lookup(pt, 9) == NULL);
	CHECK(vg_pt_lookup(pt, 5) != NULL);
	CHECK(vg_pt_on_fork(pt, 0, 101, SEC) != NULL);
	CHECK(vg_pt_lookup(pt, 5) == NULL);
	for (uint32_t pid = 1; pid <= 16; pid++)
		if (pid != 5 && pid != 9)
			CHECK(vg_pt_lookup(pt, pid) != NULL);
	vg_pt_get_stats(pt, &st);
	CHECK_INT(st.evicted_exited, 2);
	CHECK_INT(st.evicted_live, 0);
	CHECK_INT(st.live, 16);
	vg_pt_free(pt);
}

static void test_evict_lru(void)
{
	struct vg_proctable *pt;
	struct vg_pt_stats st;

	CHECK_INT(vg_pt_new(&pt, 16, SEC), 0);
	for (uint32_t pid = 1; pid <= 16; pid++)
		vg_pt_on_fork(pt, 0, pid, SEC);
	/* an entry in use survives any number of newcomers */
	int survived = 1;
	for (uint32_t pid = 100; pid < 300; pid++) {
		if (!vg_pt_lookup(pt, 1))
			survived = 0;
		struct vg_hdr h = hdr_of(pid, 1, 0, "new");
		CHECK(vg_pt_resolve(pt, &h) != NULL);
		CHECK(vg_pt_lookup(pt, pid) != NULL);
	}
	CHECK(survived);
	CHECK(vg_pt_lookup(pt, 1) != NULL);
	vg_pt_get_stats(pt, &st);
	CHECK_INT(st.live, 16);
	CHECK_INT(st.evicted_live, 200);
	/* and the unused old ones went */
	int old_left = 0;
	for (uint32_t pid = 2; pid <= 16; pid++)
		old_left += vg_pt_lookup(pt, pid) != NULL;
	CHECK_INT(old_left, 0);

	/* the order is least recently used first */
	vg_pt_free(pt);
	CHECK_INT(vg_pt_new(&pt, 16, SEC), 0);
	for (uint32_t pid = 1; pid <= 16; pid++)
		vg_pt_on_fork(pt, 0, pid, SEC);
	CHECK(vg_pt_lookup(pt, 1) != NULL);
	CHECK(vg_pt_lookup(pt, 3) != NULL);
	vg_pt_on_fork(pt, 0, 17, SEC);
	CHECK(vg_pt_lookup(pt, 2) == NULL);
	vg_pt_on_fork(pt, 0, 18, SEC);
	CHECK(vg_pt_lookup(pt, 4) == NULL);
	CHECK(vg_pt_lookup(pt, 1) != NULL && vg_pt_lookup(pt, 3) != NULL);

	/* a fork into a full table never evicts the parent, even when the
	 * clock hand points at it */
	vg_pt_free(pt);
	CHECK_INT(vg_pt_new(&pt, 16, SEC), 0);
	CHECK_INT(exec_simple(pt, 1, 0, "init", "/sbin/init", "init\0", 5, SEC), 0);
	for (uint32_t pid = 2; pid <= 16; pid++)
		vg_pt_on_fork(pt, 0, pid, SEC);
	struct vg_proc *c = vg_pt_on_fork(pt, 1, 17, SEC);
	CHECK(c != NULL);
	CHECK(vg_pt_lookup(pt, 1) != NULL);
	CHECK(vg_pt_lookup(pt, 2) == NULL); /* the next one in the sweep went */
	CHECK_STR(c->img->exe, "/sbin/init");
	CHECK_INT(c->source, VG_SRC_FORK);
	vg_pt_free(pt);
}

/* Random fork/exit/reap against a model, with the table big enough that
 * nothing is evicted: catches hash deletion bugs (broken probe chains). */
static void test_random_against_model(void)
{
	enum { PIDS = 6000 };
	struct vg_proctable *pt;
	static unsigned char model[PIDS]; /* 0 absent, 1 live, 2 exited */
	unsigned seed = 12345;
	int mismatches = 0;
	uint64_t now = SEC;

	CHECK_INT(vg_pt_new(&pt, 8192, 0), 0);
	for (int i = 0; i < 300000; i++) {
		seed = seed * 1103515245u + 12345u;
		uint32_t pid = 1 + (seed >> 8) % (PIDS - 1);
		unsigned op = (seed >> 24) % 10;
		now += 1000;
		if (op < 5) {
			uint32_t parent = 1 + (pid * 7) % (PIDS - 1);
			struct vg_proc *c = vg_pt_on_fork(pt, parent, pid, now);
			if (parent == pid)
				mismatches += c != NULL; /* a thread, not a process */
			else
				model[pid] = 1;
		} else if (op < 9) {
			int r = vg_pt_on_exit(pt, pid, now, 0);
			if (model[pid] == 0)
				mismatches += r != -ENOENT;
			else
				model[pid] = 2;
		} else if ((i & 0xff) == 0) {
			vg_pt_reap(pt, now);
			for (int p = 0; p < PIDS; p++)
				if (model[p] == 2)
					model[p] = 0;
		}
		uint32_t q = 1 + (seed >> 4) % (PIDS - 1);
		struct vg_proc *p = vg_pt_lookup(pt, q);
		if ((p != NULL) != (model[q] != 0))
			mismatches++;
		else if (p && ((p->flags & VG_PROC_EXITED) != 0) != (model[q] == 2))
			mismatches++;
	}
	for (uint32_t q = 1; q < PIDS; q++)
		if ((vg_pt_lookup(pt, q) != NULL) != (model[q] != 0))
			mismatches++;
	CHECK_INT(mismatches, 0);
	vg_pt_free(pt);
}

static int count_entry(const struct vg_proc *p, void *ctx)
{
	(*(int *)ctx)++;
	return p->pid == 3 ? 42 : 0;
}

static void test_foreach(void)
{
	struct vg_proctable *pt;
	int n = 0;

	CHECK_INT(vg_pt_new(&pt, 16, SEC), 0);
	vg_pt_on_fork(pt, 0, 1, SEC);
	vg_pt_on_fork(pt, 0, 2, SEC);
	vg_pt_on_exit(pt, 2, SEC, 0);
	CHECK_INT(vg_pt_foreach(pt, count_entry, &n), 0);
	CHECK_INT(n, 2);
	vg_pt_on_fork(pt, 0, 3, SEC);
	n = 0;
	CHECK_INT(vg_pt_foreach(pt, count_entry, &n), 42);
	vg_pt_free(pt);
	vg_pt_free(NULL);
}

/* vg_pt_track: the state changes the monitor used to make by hand. */
static void test_track(void)
{
	struct vg_proctable *pt;
	struct vg_event *ev = ev_new();
	const struct vg_proc *p;

	CHECK_INT(vg_pt_new(&pt, 64, SEC), 0);
	/* a fork from a parent never seen: both get the parent's session */
	ev->u.fork.hdr = hdr_of(100, 1, 1000, "sh");
	ev->u.fork.hdr.type = VG_EV_FORK;
	ev->u.fork.child_pid = 101;
	ev->u.fork.child_start_ns = 5 * SEC;
	ev->u.fork.sid = 90;
	ev->u.fork.pgid = 95;
	vg_pt_track(pt, ev);
	p = vg_pt_lookup(pt, 100);
	CHECK(p && p->sid == 90 && p->pgid == 95);
	p = vg_pt_lookup(pt, 101);
	CHECK(p && p->ppid == 100 && p->sid == 90 && p->pgid == 95);
	/* setsid: a new session and group led by the caller */
	memset(&ev->u, 0, sizeof(ev->u));
	ev->u.sys.hdr = hdr_of(101, 100, 1000, "sh");
	ev->u.sys.hdr.type = VG_EV_SETSID;
	ev->u.sys.res = 101;
	vg_pt_track(pt, ev);
	p = vg_pt_lookup(pt, 101);
	CHECK(p && p->sid == 101 && p->pgid == 101);
	/* setuid: the new euid when it succeeded, nothing when it failed */
	ev->u.sys.hdr.type = VG_EV_SETUID;
	ev->u.sys.res = -1;
	ev->u.sys.new_euid = 0;
	vg_pt_track(pt, ev);
	CHECK_INT(vg_pt_lookup(pt, 101)->euid, 1000);
	ev->u.sys.res = 0;
	vg_pt_track(pt, ev);
	CHECK_INT(vg_pt_lookup(pt, 101)->euid, 0);
	/* an exit: nothing until vg_pt_track_exit, then exited */
	memset(&ev->u, 0, sizeof(ev->u));
	ev->u.exit.hdr = hdr_of(101, 100, 1000, "sh");
	ev->u.exit.hdr.type = VG_EV_EXIT;
	ev->u.exit.hdr.ts_ns = 6 * SEC;
	ev->u.exit.exit_code = 256;
	vg_pt_track(pt, ev);
	CHECK(!(vg_pt_lookup(pt, 101)->flags & VG_PROC_EXITED));
	vg_pt_track_exit(pt, ev);
	p = vg_pt_lookup(pt, 101);
	CHECK(p && (p->flags & VG_PROC_EXITED) && p->exit_code == 256);
	/* any other event names its process */
	memset(&ev->u, 0, sizeof(ev->u));
	ev->u.sys.hdr = hdr_of(200, 1, 0, "cat");
	vg_pt_track(pt, ev);
	CHECK(vg_pt_lookup(pt, 200) != NULL);
	free(ev);
	vg_pt_free(pt);
}

int main(void)
{
	test_exec_fields();
	test_render();
	test_exec_flags();
	test_fork_exec_exit_reap();
	test_reap_order();
	test_unknown_parent_and_reuse();
	test_resolve();
	test_seed();
	test_ancestry();
	test_evict_exited_first();
	test_evict_lru();
	test_random_against_model();
	test_foreach();
	test_track();
	return check_report();
}
