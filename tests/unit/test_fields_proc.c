/* proc.*, thread.* and user.* fields (src/fields/proc.c, proc_lineage.c,
 * thread.c, user.c): the process, its ancestors, sessions and groups, its
 * executable, its capabilities. */
#include "fields_fixture.h"
#include "util/macros.h"

static void test_unknown_process(void)
{
	/* a pid the table never saw, whose parent it knows */
	struct vg_event *ev = open_ev(999, 200, "mystery", "/tmp/a", O_RDWR, 4);

	use(ev);
	CHECK_STR(F("proc.name"), "mystery");
	CHECK_STR(F("proc.pname"), "bash");
	CHECK_STR(S("proc.aname", 2, NULL), "sshd");
	CHECK_STR(F("proc.exepath"), "<absent>");
	CHECK_STR(F("proc.cmdline"), "mystery");
	CHECK_STR(F("user.loginuid"), "-1");
	CHECK_STR(F("user.loginname"), "<absent>");
	CHECK_STR(F("container.id"), "<absent>");
	CHECK_STR(F("evt.is_open_read"), "true");
	CHECK_STR(F("evt.is_open_write"), "true");
	free(ev);
}

static void test_exec(void)
{
	static const char args[] = "/tmp/x\0-c\0echo hi";
	static const char env[] = "LD_PRELOAD=/tmp/evil.so\0LD_LIBRARY_PATH=/tmp";
	struct vg_event *ev = ev_new(VG_EV_EXEC, -1, 300, 200, "x");
	struct vg_exec *x = &ev->u.exec;

	x->hdr.flags = VG_F_EXE_MEMFD;
	x->euid = 0;
	x->egid = 0;
	x->loginuid = 1000;
	x->argc = 3;
	x->pid_ns = 0xEFFFFFFCu;
	x->exe_ino = 99;
	x->start_ns = T0 - 500;
	x->cap_effective_lo = (1u << 0) | (1u << 5) | (1u << 21);
	x->cap_effective_hi = 1u << (39 - 32);
	ev_str(ev, VG_S_EXE, "/memfd:x (deleted)", 18);
	ev_str(ev, VG_S_FILENAME, "/proc/self/fd/3", 15);
	ev_str(ev, VG_S_ARGS, args, sizeof(args));
	ev_str(ev, VG_S_CWD, "/tmp/", 5);
	ev_str(ev, VG_S_ENV, env, sizeof(env));
	use(ev);
	CHECK_STR(F("evt.type"), "execve");
	CHECK_STR(F("evt.res"), "SUCCESS");
	CHECK_STR(F("evt.category"), "process");
	CHECK_STR(F("proc.name"), "x");
	CHECK_STR(F("proc.exe"), "/tmp/x");
	CHECK_STR(F("proc.exepath"), "/memfd:x (deleted)");
	CHECK_STR(F("proc.cmdline"), "x -c echo hi");
	CHECK_STR(F("proc.args"), "-c echo hi");
	CHECK_STR(F("proc.cwd"), "/tmp/");
	CHECK_STR(F("proc.pname"), "bash");
	CHECK_STR(F("proc.duration"), "500");
	CHECK_STR(F("proc.is_exe_from_memfd"), "true");
	CHECK_STR(F("proc.exe_ino"), "99");
	CHECK_STR(S("proc.env", -1, "LD_PRELOAD"), "/tmp/evil.so");
	CHECK_STR(S("proc.env", -1, "LD_LIBRARY_PATH"), "/tmp");
	CHECK_STR(S("proc.env", -1, "HOME"), "<absent>");
	CHECK_STR(F("proc.env"), "LD_PRELOAD=/tmp/evil.so LD_LIBRARY_PATH=/tmp");
	CHECK_STR(F("thread.cap_effective"), "CAP_CHOWN CAP_KILL CAP_SYS_ADMIN CAP_BPF");
	CHECK_STR(S("evt.arg", -1, "filename"), "/proc/self/fd/3");
	CHECK_STR(S("evt.arg", -1, "flags"), "EXE_FROM_MEMFD");
	CHECK_STR(F("fd.name"), "<absent>");
	free(ev);
}

static void test_caps(struct vg_proctable *pt)
{
	struct vg_proc_info in = {
		.pid = 500, .ppid = 1, .comm = "daemon", .exe = "/usr/sbin/daemon", .exe_len = 16,
		.cap_eff = 1ull << 0 | 1ull << 12, .cap_prm = 1ull << 0 | 1ull << 12 | 1ull << 21,
		.cap_inh = 0, .caps_known = VG_CAPS_EFF | VG_CAPS_PRM | VG_CAPS_INH,
	};
	struct vg_event *ev, *x;

	CHECK_INT(vg_pt_seed(pt, &in), 0);
	ev = open_ev(500, 1, "daemon", "/etc/hostname", O_RDONLY, 3);
	use(ev);
	CHECK_STR(F("thread.cap_effective"), "CAP_CHOWN CAP_NET_ADMIN");
	CHECK_STR(F("thread.cap_permitted"), "CAP_CHOWN CAP_NET_ADMIN CAP_SYS_ADMIN");
	CHECK_STR(F("thread.cap_inheritable"), "");
	free(ev);

	/* seeded without capabilities: nothing is made up */
	ev = open_ev(300, 200, "cat", "/etc/hostname", O_RDONLY, 3);
	use(ev);
	CHECK_STR(F("thread.cap_effective"), "<absent>");
	CHECK_STR(F("thread.cap_permitted"), "<absent>");
	free(ev);

	/* exec: the new effective set; the permitted one is no longer known */
	x = ev_new(VG_EV_EXEC, -1, 500, 1, "daemon");
	x->u.exec.cap_effective_lo = 1u << 5;
	ev_str(x, VG_S_EXE, "/usr/sbin/daemon", 16);
	CHECK_INT(vg_pt_on_exec(pt, x), 0);
	free(x);
	ev = open_ev(500, 1, "daemon", "/etc/hostname", O_RDONLY, 3);
	use(ev);
	CHECK_STR(F("thread.cap_effective"), "CAP_KILL");
	CHECK_STR(F("thread.cap_permitted"), "<absent>");
	CHECK_STR(F("thread.cap_inheritable"), "");
	free(ev);
}

/* proc.is_exe_writable: the executable's mode and owner against the
 * process's effective ids */

static void test_exe_writable(struct vg_proctable *pt)
{
	static const struct vg_container host = {.id = "", .short_id = "", .runtime = VG_RT_NONE};
	char exe[] = "/tmp/vigil-exe-XXXXXX";
	int fd = mkstemp(exe);
	struct stat st;
	struct vg_event *ev;

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	CHECK_INT(chmod(exe, 0755), 0);
	CHECK_INT(stat(exe, &st), 0);
	for (uint32_t euid = 0; euid <= 1000; euid += 1000) {
		struct vg_proc_info in = {
			.pid = 600 + euid, .ppid = 1, .uid = euid, .euid = euid, .gid = euid,
			.egid = euid, .comm = "tool", .exe = exe, .exe_len = strlen(exe),
			.exe_ino = st.st_ino, .container = &host,
		};

		CHECK_INT(vg_pt_seed(pt, &in), 0);
	}
	/* root: any file of a writable filesystem */
	ev = open_ev(600, 1, "tool", "/etc/hostname", O_RDONLY, 3);
	use(ev);
	CHECK_STR(F("proc.is_exe_writable"), "true");
	free(ev);
	/* uid 1000, a root-owned 0755 file: no */
	ev = open_ev(1600, 1, "tool", "/etc/hostname", O_RDONLY, 3);
	use(ev);
	CHECK_STR(F("proc.is_exe_writable"), "false");
	free(ev);
	/* ... world-writable: yes */
	CHECK_INT(chmod(exe, 0757), 0);
	ev = open_ev(1600, 1, "tool", "/etc/hostname", O_RDONLY, 3);
	use(ev);
	CHECK_STR(F("proc.is_exe_writable"), "true");
	free(ev);
	/* the path leads to another file now (a new inode): not known */
	{
		char other[sizeof(exe) + 4];

		snprintf(other, sizeof(other), "%s.new", exe);
		fd = open(other, O_CREAT | O_WRONLY | O_EXCL, 0777);
		CHECK(fd >= 0);
		close(fd);
		CHECK_INT(rename(other, exe), 0);
	}
	ev = open_ev(1600, 1, "tool", "/etc/hostname", O_RDONLY, 3);
	use(ev);
	CHECK_STR(F("proc.is_exe_writable"), "<absent>");
	free(ev);
	unlink(exe);

	/* exe_flags of an exec names a writable executable as Falco does */
	ev = ev_new(VG_EV_EXEC, -1, 600, 1, "sh");
	ev->u.exec.euid = 0;
	ev_str(ev, VG_S_EXE, "/bin/sh", 7);
	CHECK_INT(vg_pt_on_exec(pt, ev), 0);
	use(ev);
	CHECK_STR(F("proc.is_exe_writable"), "true"); /* root, a read-write root filesystem */
	CHECK_STR(S("evt.arg", -1, "flags"), "EXE_WRITABLE");
	free(ev);
}

/* evt.is_open_create: the kernel's word that the open made the file, not
 * the O_CREAT flag */

static void test_exe_layers(struct vg_proctable *pt)
{
	static const struct {
		uint32_t hflags;
		const char *upper, *flags;
	} t[] = {
		{ VG_F_EXE_UPPER_LAYER, "true", "EXE_UPPER_LAYER" },
		{ VG_F_EXE_LOWER_LAYER, "false", "EXE_LOWER_LAYER" },
		{ VG_F_EXE_LOWER_LAYER | VG_F_EXE_MEMFD, "false", "EXE_FROM_MEMFD|EXE_LOWER_LAYER" },
		{ 0, "false", "<absent>" }, /* on no overlay */
	};
	struct vg_event *ev;

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		ev = ev_new(VG_EV_EXEC, -1, 700, 1, "dropped");
		ev->u.hdr.flags = t[i].hflags;
		ev_str(ev, VG_S_EXE, "/nonexistent/dropped", 20); /* not stat()able: not writable */
		CHECK_INT(vg_pt_on_exec(pt, ev), 0);
		use(ev);
		CHECK_STR(F("proc.is_exe_upper_layer"), t[i].upper);
		CHECK_STR(S("evt.arg", -1, "flags"), t[i].flags);
		free(ev);
		/* a later event of the process: from the table */
		ev = open_ev(700, 1, "dropped", "/etc/hostname", O_RDONLY, 3);
		use(ev);
		CHECK_STR(F("proc.is_exe_upper_layer"), t[i].upper);
		free(ev);
	}
	/* a host process read from /proc: its layer is not known, taken as not upper */
	ev = open_ev(300, 200, "cat", "/etc/hostname", O_RDONLY, 3);
	use(ev);
	CHECK_STR(F("proc.is_exe_upper_layer"), "false");
	free(ev);
}

static void seed_session(struct vg_proctable *pt, uint32_t pid, uint32_t ppid, uint32_t sid,
			 const char *comm)
{
	static const struct vg_container host = {.id = "", .short_id = "", .runtime = VG_RT_NONE};
	struct vg_proc_info in = {
		.pid = pid, .ppid = ppid, .sid = sid, .comm = comm, .exe = "/bin/x", .exe_len = 6,
		.pid_ns = 0xEFFFFFFCu, .container = &host,
	};

	CHECK_INT(vg_pt_seed(pt, &in), 0);
}

/* proc.sid and proc.sname: the leader from the table, else /proc, else the
 * highest ancestor in the same session */
static void test_session(struct vg_proctable *pt)
{
	char comm[VG_COMM_LEN + 1] = "", path[64];
	uint32_t mysid = (uint32_t)getsid(0);
	struct vg_event *ev;
	FILE *f;

	seed_session(pt, 800, 1, 800, "tmux");	   /* a leader */
	seed_session(pt, 801, 800, 800, "bash");
	seed_session(pt, 802, 801, 800, "vim");
	ev = open_ev(802, 801, "vim", "/etc/hostname", O_RDONLY, 3);
	use(ev);
	CHECK_STR(F("proc.sid"), "800");
	CHECK_STR(F("proc.sname"), "tmux");
	free(ev);
	/* the leader itself */
	ev = open_ev(800, 1, "tmux", "/etc/hostname", O_RDONLY, 3);
	use(ev);
	CHECK_STR(F("proc.sname"), "tmux");
	free(ev);
	/* an exec record carries the session: it wins over the table */
	ev = ev_new(VG_EV_EXEC, -1, 802, 801, "vim");
	ev->u.exec.sid = 801;
	ev_str(ev, VG_S_EXE, "/usr/bin/vim", 12);
	use(ev);
	CHECK_STR(F("proc.sid"), "801");
	CHECK_STR(F("proc.sname"), "bash");
	CHECK_INT(vg_pt_on_exec(pt, ev), 0);
	CHECK_INT(vg_pt_lookup(pt, 802)->sid, 801);
	free(ev);

	/* a leader the table does not hold: read from /proc (our own session's) */
	snprintf(path, sizeof(path), "/proc/%u/comm", mysid);
	f = mysid && !vg_pt_lookup(pt, mysid) ? fopen(path, "r") : NULL;
	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
		seed_session(pt, 810, 1, mysid, "worker");
		ev = open_ev(810, 1, "worker", "/etc/hostname", O_RDONLY, 3);
		use(ev);
		CHECK_STR(F("proc.sname"), comm);
		free(ev);
	}

	/* the leader is gone (a pid that cannot exist): the highest ancestor
	 * in the session */
	seed_session(pt, 820, 1, 5000000, "sshd");
	seed_session(pt, 821, 820, 4999999, "bash");
	seed_session(pt, 822, 821, 4999999, "sh");
	seed_session(pt, 823, 822, 4999999, "sleep");
	ev = open_ev(823, 822, "sleep", "/etc/hostname", O_RDONLY, 3);
	use(ev);
	CHECK_STR(F("proc.sname"), "bash");
	free(ev);
	/* no session known: absent */
	seed_session(pt, 830, 1, VG_SID_UNKNOWN, "old");
	ev = open_ev(830, 1, "old", "/etc/hostname", O_RDONLY, 3);
	use(ev);
	CHECK_STR(F("proc.sid"), "<absent>");
	CHECK_STR(F("proc.sname"), "<absent>");
	free(ev);
	/* an exec in session 0 whose ancestors the table does not know: the
	 * process names its own session */
	ev = ev_new(VG_EV_EXEC, -1, 840, 839, "runner");
	ev->u.exec.sid = 0;
	ev->u.exec.pid_ns = 0xEFFFFFFCu; /* the host's: proc.sid is shown */
	ev_str(ev, VG_S_EXE, "/usr/bin/runner", 15);
	use(ev);
	CHECK_STR(F("proc.sid"), "0");
	CHECK_STR(F("proc.sname"), "runner");
	CHECK_INT(vg_pt_on_exec(pt, ev), 0);
	CHECK_INT(vg_pt_lookup(pt, 840)->sid, 0);
	free(ev);
	/* a forked child of it stays in session 0 and finds it as the highest
	 * ancestor there */
	CHECK(vg_pt_on_fork(pt, 840, 841, 1) != NULL);
	ev = open_ev(841, 840, "runner", "/etc/hostname", O_RDONLY, 3);
	use(ev);
	CHECK_STR(F("proc.sid"), "0");
	CHECK_STR(F("proc.sname"), "runner");
	free(ev);
}

static void seed_group(struct vg_proctable *pt, uint32_t pid, uint32_t ppid, uint32_t sid,
		       uint32_t pgid, const char *comm, const char *exe, const char *args,
		       size_t args_len)
{
	static const struct vg_container host = {.id = "", .short_id = "", .runtime = VG_RT_NONE};
	struct vg_proc_info in = {
		.pid = pid, .ppid = ppid, .sid = sid, .pgid = pgid, .comm = comm,
		.exe = exe, .exe_len = strlen(exe), .args = args, .args_len = args_len,
		.pid_ns = VG_PID_NS_HOST, .container = &host,
	};

	CHECK_INT(vg_pt_seed(pt, &in), 0);
}

/* proc.vpgid and its leader (Falco's fields for "run from a terminal" vs
 * "run by a script"), proc.sid.exe/exepath, proc.is_sid_leader, and the
 * table following setpgid() */
static void test_groups(struct vg_proctable *pt)
{
	struct vg_event *ev;
	struct vg_proc *p;

	/* a shell runs a pipeline: its first command leads the job's group */
	seed_group(pt, 900, 1, 900, 900, "bash", "/usr/bin/bash", ARGS("-bash"));
	seed_group(pt, 901, 900, 900, 901, "make", "/usr/bin/make", ARGS("make\0all"));
	seed_group(pt, 902, 901, 900, 901, "cc", "/usr/bin/gcc-12", ARGS("cc\0-c\0x.c"));
	ev = open_ev(902, 901, "cc", "/etc/hostname", O_RDONLY, 3);
	use(ev);
	CHECK_STR(F("proc.vpgid"), "901");
	CHECK_STR(F("proc.vpgid.name"), "make");
	CHECK_STR(F("proc.vpgid.exe"), "make");
	CHECK_STR(F("proc.vpgid.exepath"), "/usr/bin/make");
	CHECK_STR(F("proc.is_vpgid_leader"), "false");
	CHECK_STR(F("proc.sid"), "900");
	CHECK_STR(F("proc.sid.exe"), "-bash");
	CHECK_STR(F("proc.sid.exepath"), "/usr/bin/bash");
	CHECK_STR(F("proc.is_sid_leader"), "false");
	free(ev);
	ev = open_ev(901, 900, "make", "/etc/hostname", O_RDONLY, 3);
	use(ev);
	CHECK_STR(F("proc.is_vpgid_leader"), "true");
	CHECK_STR(F("proc.vpgid.name"), "make");
	free(ev);
	ev = open_ev(900, 1, "bash", "/etc/hostname", O_RDONLY, 3);
	use(ev);
	CHECK_STR(F("proc.is_sid_leader"), "true");
	CHECK_STR(F("proc.sid.exepath"), "/usr/bin/bash");
	free(ev);

	/* the group's leader is gone (a pid that cannot exist): the highest
	 * ancestor in the group */
	seed_group(pt, 910, 900, 900, 4999990, "python3", "/usr/bin/python3.11", ARGS("python3"));
	seed_group(pt, 911, 910, 900, 4999990, "sh", "/usr/bin/dash", ARGS("sh\0-c"));
	ev = open_ev(911, 910, "sh", "/etc/hostname", O_RDONLY, 3);
	use(ev);
	CHECK_STR(F("proc.vpgid.name"), "python3");
	CHECK_STR(F("proc.vpgid.exepath"), "/usr/bin/python3.11");
	free(ev);

	/* setpgid(0, 0) by the process itself: a group of its own */
	p = vg_pt_lookup(pt, 902);
	vg_pt_on_setpgid(pt, p, 0, 0);
	CHECK_INT(p->pgid, 902);
	/* the shell puts it back into make's group: setpgid(902, 901) */
	vg_pt_on_setpgid(pt, vg_pt_lookup(pt, 900), 902, 901);
	CHECK_INT(p->pgid, 901);
	/* a process in a container names others by its own numbers: a group
	 * number it gives is not the host's */
	p->pid_ns = 4026532000u;
	vg_pt_on_setpgid(pt, p, 0, 7);
	CHECK_INT(p->pgid, VG_PGID_UNKNOWN);
	vg_pt_on_setpgid(pt, p, 1234, 0); /* another process: nothing known changes */
	CHECK_INT(p->pgid, VG_PGID_UNKNOWN);
	vg_pt_on_setpgid(pt, p, 0, 0);
	CHECK_INT(p->pgid, 902);
	p->pid_ns = VG_PID_NS_HOST;
	p->pgid = VG_PGID_UNKNOWN;
	ev = open_ev(902, 901, "cc", "/etc/hostname", O_RDONLY, 3);
	use(ev);
	CHECK_STR(F("proc.vpgid"), "<absent>");
	CHECK_STR(F("proc.vpgid.name"), "<absent>");
	CHECK_STR(F("proc.is_vpgid_leader"), "<absent>");
	free(ev);

	/* an exec record says the group again */
	ev = ev_new(VG_EV_EXEC, -1, 902, 901, "ld");
	ev->u.exec.sid = 900;
	ev->u.exec.pgid = 901;
	ev->u.exec.pid_ns = VG_PID_NS_HOST;
	ev_str(ev, VG_S_EXE, "/usr/bin/ld", 11);
	use(ev);
	CHECK_STR(F("proc.vpgid"), "901");
	CHECK_STR(F("proc.vpgid.name"), "make");
	CHECK_INT(vg_pt_on_exec(pt, ev), 0);
	CHECK_INT(vg_pt_lookup(pt, 902)->pgid, 901);
	free(ev);
	/* a child inherits the group through the table's fork */
	CHECK(vg_pt_on_fork(pt, 902, 903, 1) != NULL);
	CHECK_INT(vg_pt_lookup(pt, 903)->pgid, 901);
}

/* proc.exe_ino.ctime/mtime and the durations from them, proc.pidns_init_start_ts:
 * times in the exec record (epoch ns for the file, CLOCK_BOOTTIME for tasks) */

static void test_exe_times(struct vg_proctable *pt)
{
	struct vg_event *ev = ev_new(VG_EV_EXEC, -1, 950, 1, "dropped");

	ev->u.exec.start_ns = T0 - 2 * SEC;	      /* started 2 s before the event */
	ev->u.exec.exe_ctime_ns = WALL - 5 * SEC;     /* changed 3 s before that */
	ev->u.exec.exe_mtime_ns = WALL - 9 * SEC;
	ev->u.exec.pidns_start_ns = T0 - 100 * SEC;   /* the namespace is 100 s old */
	ev->u.exec.pid_ns = VG_PID_NS_HOST;
	ev_str(ev, VG_S_EXE, "/tmp/dropped", 12);
	use(ev);
	CHECK_STR(F("proc.exe_ino.ctime"), "1699999995000000005");
	CHECK_STR(F("proc.exe_ino.mtime"), "1699999991000000005");
	CHECK_STR(F("proc.exe_ino.ctime_duration_proc_start"), "3000000000");
	CHECK_STR(F("proc.pidns_init_start_ts"), "1699999900000000005");
	CHECK_STR(F("proc.exe_ino.ctime_duration_pidns_start"), "95000000000");
	/* the table keeps them for the process's later events */
	CHECK_INT(vg_pt_on_exec(pt, ev), 0);
	free(ev);
	ev = open_ev(950, 1, "dropped", "/etc/hostname", O_RDONLY, 3);
	use(ev);
	CHECK_STR(F("proc.exe_ino.ctime"), "1699999995000000005");
	CHECK_STR(F("proc.exe_ino.ctime_duration_proc_start"), "3000000000");
	CHECK_STR(F("proc.pidns_init_start_ts"), "1699999900000000005");
	free(ev);
	/* changed after the process started, or before its namespace did:
	 * those durations are absent; unknown times are absent */
	ev = ev_new(VG_EV_EXEC, -1, 951, 1, "x");
	ev->u.exec.start_ns = T0 - 2 * SEC;
	ev->u.exec.exe_ctime_ns = WALL - 1 * SEC;
	ev->u.exec.pidns_start_ns = T0 - 1 * SEC / 2;
	ev_str(ev, VG_S_EXE, "/tmp/x", 6);
	use(ev);
	CHECK_STR(F("proc.exe_ino.ctime_duration_proc_start"), "<absent>");
	CHECK_STR(F("proc.exe_ino.ctime_duration_pidns_start"), "<absent>");
	CHECK_STR(F("proc.exe_ino.mtime"), "<absent>");
	free(ev);
}

int main(void)
{
	fixture_setup();
	test_unknown_process();
	test_exec();
	test_caps(fixture_pt);
	test_exe_writable(fixture_pt);
	test_exe_layers(fixture_pt);
	test_session(fixture_pt);
	test_groups(fixture_pt);
	test_exe_times(fixture_pt);
	return fixture_done();
}
