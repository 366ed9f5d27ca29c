/* Seeding the process table from /proc: a fake tree built here, and the real
 * /proc with processes this test starts (a plain one, one running from a
 * memfd, one whose executable was deleted). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "proc/procfs.h"
#include "proc/proctable.h"
#include "util/macros.h"

#define H1 "3f4b1c2d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809"

static char **main_argv;
static int main_argc;

/* ---- fake /proc ---- */

static void put(const char *root, const char *rel, const char *data, size_t len)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(write(fd, data, len) == (ssize_t)len);
	close(fd);
}

#define PUT(root, rel, lit) put(root, rel, lit, sizeof(lit) - 1)

static void link_to(const char *root, const char *rel, const char *target)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	CHECK(symlink(target, path) == 0);
}

static void dir(const char *root, const char *rel)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	CHECK(mkdir(path, 0755) == 0);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void build_fake_proc(const char *root)
{
	/* a python web server in a docker container, on pts/3, exe deleted */
	dir(root, "4242");
	dir(root, "4242/ns");
	PUT(root, "4242/stat",
	    "4242 (my (weird) cmd) S 4000 4242 4100 34819 4242 4194560 0 0 0 0 1 2 0 0 20 0 1 0 "
	    "123456 10000000 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
	PUT(root, "4242/status",
	    "Name:\tmy (weird) cmd\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4242\n"
	    "Ngid:\t0\nPid:\t4242\nPPid:\t4000\nTracerPid:\t0\nUid:\t1000\t0\t0\t0\n"
	    "Gid:\t1001\t0\t0\t0\nFDSize:\t64\nCapInh:\t0000000000000000\n"
	    "CapPrm:\t000001ffffffffff\nCapEff:\t0000000000003000\nCapBnd:\t000001ffffffffff\n");
	PUT(root, "4242/cmdline", "python3\0-m\0http.server\0");
	PUT(root, "4242/loginuid", "1000");
	PUT(root, "4242/cgroup", "0::/system.slice/docker-" H1 ".scope\n");
	PUT(root, "4242/environ",
	    "HOME=/root\0LD_PRELOAD=/tmp/x.so\0PATH=/bin\0LD_LIBRARY_PATH=/opt\0OLDPWD=/\0");
	link_to(root, "4242/exe", "/usr/bin/python3.11 (deleted)");
	link_to(root, "4242/cwd", "/srv/www");
	link_to(root, "4242/ns/pid", "pid:[4026531836]");
	link_to(root, "4242/ns/mnt", "mnt:[4026531840]");

	/* fileless: running from a memfd; no loginuid, no cgroup file */
	dir(root, "4243");
	PUT(root, "4243/stat", "4243 (3) R 1 4243 4243 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 0 0\n");
	PUT(root, "4243/status", "Name:\t3\nPPid:\t1\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n");
	PUT(root, "4243/cmdline", "[kworker/u8:2]\0");
	link_to(root, "4243/exe", "/memfd:payload (deleted)");

	/* a kernel thread: no exe, no cmdline */
	dir(root, "4244");
	PUT(root, "4244/stat",
	    "4244 (kworker/0:1) I 2 0 0 0 -1 69238880 0 0 0 0 0 0 0 0 20 0 1 "
	    "0 5 0 0\n");
	PUT(root, "4244/status",
	    "Name:\tkworker/0:1\nPPid:\t2\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n");
	PUT(root, "4244/cmdline", "");

	/* gone while we listed the directory: no files left */
	dir(root, "4245");

	/* not processes */
	dir(root, "sys");
	dir(root, "0");
	dir(root, "99999999999");
	link_to(root, "self", "4242");
	PUT(root, "uptime", "1.0 1.0\n");
}

static void test_fake_proc(void)
{
	char root[] = "/tmp/vigil-proc-XXXXXX";
	struct vg_proctable *pt;
	struct vg_procfs_stats st;
	char buf[256];

	CHECK(mkdtemp(root) != NULL);
	build_fake_proc(root);
	CHECK_INT(vg_pt_new(&pt, 64, NSEC_PER_SEC), 0);
	CHECK_INT(vg_procfs_seed(pt, root, NULL, &st), 0);
	CHECK_INT(st.seen, 4);
	CHECK_INT(st.added, 3);
	CHECK_INT(st.vanished, 1);
	CHECK_INT(st.failed, 0);

	struct vg_proc *p = vg_pt_lookup(pt, 4242);
	CHECK(p != NULL);
	if (p) {
		CHECK_INT(p->source, VG_SRC_PROCFS);
		CHECK_INT(p->ppid, 4000);
		CHECK_INT(p->uid, 1000);
		CHECK_INT(p->euid, 0);
		CHECK_INT(p->gid, 1001);
		CHECK_INT(p->egid, 0);
		CHECK_INT(p->loginuid, 1000);
		CHECK_INT(p->caps_known, VG_CAPS_EFF | VG_CAPS_PRM | VG_CAPS_INH);
		CHECK(p->cap_eff == 0x3000);
		CHECK(p->cap_prm == 0x1ffffffffffull);
		CHECK(p->cap_inh == 0);
		CHECK_STR(p->comm, "my (weird) cmd");
		CHECK_STR(p->img->exe, "/usr/bin/python3.11");
		CHECK(p->img->flags & VG_IMG_EXE_DELETED);
		CHECK(!(p->img->flags & VG_IMG_EXE_MEMFD));
		CHECK_INT(p->img->argc, 3);
		vg_proc_cmdline(p, buf, sizeof(buf));
		CHECK_STR(buf, "my (weird) cmd -m http.server");
		vg_proc_args(p, buf, sizeof(buf));
		CHECK_STR(buf, "-m http.server");
		CHECK_STR(vg_proc_argv0(p), "python3");
		CHECK_STR(p->img->cwd, "/srv/www");
		CHECK_INT(p->img->tty_nr, (136u << 20) | 3);
		CHECK_STR(p->img->tty, "pts/3");
		CHECK_INT(p->img->env_len, sizeof("LD_PRELOAD=/tmp/x.so\0LD_LIBRARY_PATH=/opt"));
		CHECK_STR(p->img->env, "LD_PRELOAD=/tmp/x.so");
		CHECK_STR(p->img->env + strlen(p->img->env) + 1, "LD_LIBRARY_PATH=/opt");
		CHECK_INT(p->start_ns,
			  123456ull * (NSEC_PER_SEC / (uint64_t)sysconf(_SC_CLK_TCK)));
		CHECK_INT(p->pid_ns, 4026531836u);
		CHECK_INT(p->sid, 4100); /* the session, not the process group */
		CHECK_INT(p->pgid, 4242);
		CHECK_INT(p->mnt_ns, 4026531840u);
		CHECK_STR(p->container.id, H1);
		CHECK_STR(p->container.short_id, "3f4b1c2d5e6f");
		CHECK_INT(p->container.runtime, VG_RT_DOCKER);
		CHECK_INT(p->img->exe_ino, 0); /* the fake link leads nowhere */
	}

	p = vg_pt_lookup(pt, 4243);
	CHECK(p != NULL);
	if (p) {
		CHECK_STR(p->img->exe, "/memfd:payload");
		CHECK(p->img->flags & VG_IMG_EXE_MEMFD);
		CHECK(p->img->flags & VG_IMG_EXE_DELETED);
		CHECK_INT(p->loginuid, VG_LOGINUID_UNSET);
		CHECK_INT(p->caps_known, 0); /* no Cap lines: unknown, not empty */
		CHECK_STR(p->container.id, "");
		CHECK_STR(p->img->tty, "");
		CHECK_STR(p->comm, "3");
		vg_proc_cmdline(p, buf, sizeof(buf));
		CHECK_STR(buf, "3"); /* argv[0] is the disguise; the name is the truth */
	}

	p = vg_pt_lookup(pt, 4244);
	CHECK(p != NULL);
	if (p) {
		CHECK_INT(p->ppid, 2);
		CHECK_INT(p->sid, 0); /* the first task's session and group: real ids */
		CHECK_INT(p->pgid, 0);
		CHECK_STR(p->img->exe, "");
		CHECK_INT(p->img->argc, 0);
		CHECK_STR(p->comm, "kworker/0:1");
	}
	CHECK(vg_pt_lookup(pt, 4245) == NULL);
	CHECK(vg_pt_lookup(pt, 0) == NULL);

	/* seeding again: everything is already there */
	CHECK_INT(vg_procfs_seed(pt, root, NULL, &st), 0);
	CHECK_INT(st.added, 0);
	CHECK_INT(st.existing, 3);

	/* one process at a time */
	struct vg_procfs_proc *one = malloc(sizeof(*one));
	CHECK_INT(vg_procfs_read(root, 4242, NULL, one), 0);
	CHECK_STR(one->exe, "/usr/bin/python3.11");
	CHECK_STR(one->cgroup_v2, "/system.slice/docker-" H1 ".scope");
	CHECK_INT(vg_procfs_read(root, 4245, NULL, one), -ENOENT);
	CHECK_INT(vg_procfs_read(root, 777, NULL, one), -ENOENT);
	CHECK_INT(vg_procfs_read("/nonexistent/vigil/proc", 1, NULL, one), -ENOENT);
	free(one);

	CHECK_INT(vg_procfs_seed(pt, "/nonexistent/vigil/proc", NULL, NULL), -ENOENT);
	vg_pt_free(pt);
	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void test_tty(void)
{
	char buf[32];

	CHECK_INT(vg_tty_nr_to_kdev(34819), (136u << 20) | 3);
	CHECK_INT(vg_tty_nr_to_kdev(0x10882c), (136u << 20) | 300); /* pts/300 */
	CHECK_INT(vg_tty_nr_to_kdev(0), 0);
	CHECK_INT(vg_tty_name((136u << 20) | 300, buf, sizeof(buf)), 7);
	CHECK_STR(buf, "pts/300");
	vg_tty_name((4u << 20) | 1, buf, sizeof(buf));
	CHECK_STR(buf, "tty1");
	vg_tty_name((4u << 20) | 64, buf, sizeof(buf));
	CHECK_STR(buf, "ttyS0");
	vg_tty_name((5u << 20) | 1, buf, sizeof(buf));
	CHECK_STR(buf, "console");
	vg_tty_name(0, buf, sizeof(buf));
	CHECK_STR(buf, "");
	vg_tty_name((250u << 20) | 1, buf, sizeof(buf));
	CHECK_STR(buf, "");
}

/* ---- real /proc ---- */

static void read_link(const char *path, char *buf, size_t size)
{
	ssize_t n = readlink(path, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Waits until the child's exe is no longer ours (it has exec'd). A child
 * that exited instead is reaped here and *pid set to -1, so that we never
 * signal a pid that may belong to someone else by then. */
static int wait_exec(pid_t *pid)
{
	char path[64], mine[PATH_MAX], theirs[PATH_MAX];
	read_link("/proc/self/exe", mine, sizeof(mine));
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)*pid);
	for (int i = 0; i < 400 && *pid > 0; i++) {
		int status;
		if (waitpid(*pid, &status, WNOHANG) == *pid) {
			*pid = -1; /* exec failed and it exited */
			return -1;
		}
		read_link(path, theirs, sizeof(theirs));
		if (theirs[0] && strcmp(mine, theirs) != 0)
			return 0;
		sleep_ms(5);
	}
	return -1;
}

/* Only children of ours that were not reaped yet. */
static void stop_child(pid_t *pid)
{
	int status;
	if (*pid <= 0)
		return;
	kill(*pid, SIGKILL);
	waitpid(*pid, &status, 0);
	*pid = -1;
}

static char *child_argv[] = {"sleep", "123.25", NULL};
static char *child_envp[] = {"PATH=/usr/bin:/bin", "LD_VIGIL_MARK=1", NULL};

static pid_t spawn_path(const char *path)
{
	pid_t pid = fork();
	if (pid == 0) {
		execve(path, child_argv, child_envp);
		_exit(127);
	}
	return pid;
}

static pid_t spawn_fd(int fd)
{
	pid_t pid = fork();
	if (pid == 0) {
		fexecve(fd, child_argv, child_envp);
		_exit(127);
	}
	return pid;
}

static int copy_file(const char *from, int to)
{
	char buf[65536];
	int in = open(from, O_RDONLY);
	ssize_t n;
	if (in < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(to, buf, (size_t)n) != n) {
			close(in);
			return -1;
		}
	close(in);
	return 0;
}

static void check_sleep_entry(struct vg_proctable *pt, pid_t pid, const char *exe)
{
	char buf[256];
	struct vg_proc *p = vg_pt_lookup(pt, (uint32_t)pid);

	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_STR(p->img->exe, exe);
	CHECK_INT(p->ppid, getpid());
	CHECK_INT(p->img->argc, 2);
	CHECK_STR(vg_proc_argv0(p), "sleep");
	vg_proc_args(p, buf, sizeof(buf));
	CHECK_STR(buf, "123.25");
	CHECK_STR(p->img->env, "LD_VIGIL_MARK=1");
	CHECK(p->img->exe_ino != 0);
	CHECK(p->start_ns > 0);
}

static void test_real_proc(void)
{
	struct vg_proctable *pt;
	struct vg_procfs_stats st;
	char exe[PATH_MAX], cwd[PATH_MAX], buf[8192], want[8192];
	char sleep_path[PATH_MAX];

	CHECK(realpath("/bin/sleep", sleep_path) != NULL);
	pid_t plain = spawn_path("/bin/sleep");
	CHECK_INT(wait_exec(&plain), 0);

	/* a memfd copy of sleep */
	pid_t fileless = -1;
	int mfd = memfd_create("vigil-test", 0);
	if (mfd >= 0 && copy_file("/bin/sleep", mfd) == 0) {
		fileless = spawn_fd(mfd);
		if (wait_exec(&fileless) < 0) {
			printf(
			    "memfd exec refused here (vm.memfd_noexec?): memfd checks skipped\n");
			stop_child(&fileless);
		}
	}
	if (mfd >= 0)
		close(mfd);

	/* a copy of sleep, deleted once running */
	char tmp[] = "/tmp/vigil-deleted-XXXXXX";
	int tfd = mkstemp(tmp);
	CHECK(tfd >= 0 && copy_file("/bin/sleep", tfd) == 0);
	fchmod(tfd, 0755);
	close(tfd);
	pid_t deleted = spawn_path(tmp);
	CHECK_INT(wait_exec(&deleted), 0);
	unlink(tmp);

	CHECK_INT(vg_pt_new(&pt, 0, NSEC_PER_SEC), 0);
	CHECK_INT(vg_procfs_seed(pt, "/proc", NULL, &st), 0);
	CHECK(st.added >= 4);
	CHECK_INT(st.failed, 0);

	/* ourselves */
	struct vg_proc *me = vg_pt_lookup(pt, (uint32_t)getpid());
	CHECK(me != NULL);
	if (me) {
		read_link("/proc/self/exe", exe, sizeof(exe));
		read_link("/proc/self/cwd", cwd, sizeof(cwd));
		CHECK_STR(me->img->exe, exe);
		CHECK_STR(me->img->cwd, cwd);
		CHECK_INT(me->ppid, getppid());
		CHECK_INT(me->uid, getuid());
		CHECK_INT(me->euid, geteuid());
		CHECK_INT(me->gid, getgid());
		CHECK_INT(me->source, VG_SRC_PROCFS);
		CHECK_INT(me->img->argc, main_argc);
		CHECK_STR(vg_proc_argv0(me), main_argv[0]);
		size_t off = 0;
		want[0] = '\0';
		for (int i = 1; i < main_argc && off < sizeof(want); i++)
			off += (size_t)snprintf(want + off, sizeof(want) - off, "%s%s",
						i > 1 ? " " : "", main_argv[i]);
		vg_proc_args(me, buf, sizeof(buf));
		CHECK_STR(buf, want);
		CHECK(!(me->img->flags & (VG_IMG_EXE_DELETED | VG_IMG_EXE_MEMFD)));
		struct stat sb;
		CHECK(stat("/proc/self/exe", &sb) == 0 && me->img->exe_ino == (uint64_t)sb.st_ino);
		CHECK_INT(me->img->exe_ctime_ns,
			  (uint64_t)sb.st_ctim.tv_sec * NSEC_PER_SEC + (uint64_t)sb.st_ctim.tv_nsec);
		CHECK_INT(me->img->exe_mtime_ns,
			  (uint64_t)sb.st_mtim.tv_sec * NSEC_PER_SEC + (uint64_t)sb.st_mtim.tv_nsec);
		CHECK(me->pid_ns != 0 && me->mnt_ns != 0);
		/* the host's namespace began with its init, before us */
		if (me->pid_ns == VG_PID_NS_HOST)
			CHECK(me->pidns_start_ns > 0 && me->pidns_start_ns <= me->start_ns);
		/* we started after boot and before now */
		struct timespec now;
		clock_gettime(CLOCK_BOOTTIME, &now);
		uint64_t now_ns = (uint64_t)now.tv_sec * NSEC_PER_SEC + (uint64_t)now.tv_nsec;
		CHECK(me->start_ns <= now_ns);
	}
	/* pid 1 is always there */
	CHECK(vg_pt_lookup(pt, 1) != NULL);

	check_sleep_entry(pt, plain, sleep_path);
	struct vg_proc *p = vg_pt_lookup(pt, (uint32_t)plain);
	if (p) {
		CHECK_STR(p->comm, "sleep");
		vg_proc_cmdline(p, buf, sizeof(buf));
		CHECK_STR(buf, "sleep 123.25");
	}

	if (fileless > 0) {
		check_sleep_entry(pt, fileless, "/memfd:vigil-test");
		p = vg_pt_lookup(pt, (uint32_t)fileless);
		CHECK(p && (p->img->flags & VG_IMG_EXE_MEMFD));
	}

	check_sleep_entry(pt, deleted, tmp);
	p = vg_pt_lookup(pt, (uint32_t)deleted);
	CHECK(p && (p->img->flags & VG_IMG_EXE_DELETED));
	CHECK(p && !(p->img->flags & VG_IMG_EXE_MEMFD));

	/* a process that exited is reported gone */
	pid_t was_plain = plain;
	stop_child(&plain);
	struct vg_procfs_proc *one = malloc(sizeof(*one));
	CHECK_INT(vg_procfs_read("/proc", (uint32_t)was_plain, NULL, one), -ENOENT);
	CHECK_INT(vg_procfs_read("/proc", (uint32_t)getpid(), NULL, one), 0);
	free(one);

	stop_child(&fileless);
	stop_child(&deleted);
	vg_pt_free(pt);
}

int main(int argc, char **argv)
{
	main_argc = argc;
	main_argv = argv;
	test_tty();
	test_fake_proc();
	test_real_proc();
	return check_report();
}
