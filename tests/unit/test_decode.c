/* vg_event_decode and friends: records are built in memory exactly as the
 * kernel lays them out (fixed part, then strings referenced by vg_str), then
 * decoded; malformed ones must be rejected without reading out of bounds. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sensor/event.h"
#include "sensor/syscalls.h"
#include "util/macros.h"

/* ---- a record builder ---- */

union record {
	struct vg_hdr hdr;
	struct vg_exec exec;
	struct vg_fork fork;
	struct vg_exit exit;
	struct vg_file file;
	struct vg_net net;
	struct vg_sys sys;
	unsigned char b[VG_EVENT_MAX + 64];
};

static size_t rec_used;

static void rec_init(union record *r, unsigned type, size_t fixed, int syscall_nr)
{
	memset(r, 0, sizeof(*r));
	r->hdr.type = type;
	r->hdr.ts_ns = 123456789;
	r->hdr.pid = 100;
	r->hdr.tid = 101;
	r->hdr.ppid = 1;
	r->hdr.uid = 1000;
	r->hdr.gid = 1001;
	r->hdr.syscall_nr = syscall_nr;
	r->hdr.cgroup_id = 0xabcdef;
	memcpy(r->hdr.comm, "bash", 4);
	rec_used = fixed;
}

/* Appends len bytes (plus a NUL the kernel writes after each string, not
 * counted in len) and returns their reference. */
static struct vg_str rec_str(union record *r, const void *bytes, size_t len)
{
	struct vg_str s = { .off = (__u16)rec_used, .len = (__u16)len };

	memcpy(r->b + rec_used, bytes, len);
	r->b[rec_used + len] = 0;
	rec_used += len + 1;
	return s;
}

#define STR(r, lit) rec_str(r, lit, sizeof(lit) - 1)

static size_t rec_done(union record *r)
{
	r->hdr.size = (__u16)rec_used;
	return rec_used;
}

/* The event is large: keep it off the stack. */
static struct vg_event *ev;

/* Every slot is a NUL-terminated string inside the event (or a constant ""),
 * and the arena never overflows. */
static int slots_sane(const struct vg_event *e)
{
	const char *lo = e->arena, *hi = e->arena + sizeof(e->arena);

	if (e->arena_used > sizeof(e->arena))
		return 0;
	for (int i = 0; i < VG_S_COUNT; i++) {
		if (!e->s[i])
			return 0;
		if (e->len[i] == 0 && e->s[i][0] == 0)
			continue;
		if (e->s[i] < lo || e->s[i] + e->len[i] >= hi)
			return 0;
		if (e->s[i][e->len[i]] != 0)
			return 0;
	}
	return 1;
}

/* ---- families and names ---- */

static void test_family(void)
{
	static const struct {
		unsigned type;
		enum vg_family fam;
	} t[] = {
		{ VG_EV_NONE, VG_FAM_NONE },	 { VG_EV_EXEC, VG_FAM_EXEC },
		{ VG_EV_FORK, VG_FAM_FORK },	 { VG_EV_EXIT, VG_FAM_EXIT },
		{ 4, VG_FAM_NONE },		 { 9, VG_FAM_NONE },
		{ VG_EV_OPEN, VG_FAM_FILE },	 { VG_EV_RENAME, VG_FAM_FILE },
		{ VG_EV_TRUNCATE, VG_FAM_FILE }, { 19, VG_FAM_NONE },
		{ 29, VG_FAM_NONE },		 { VG_EV_SOCKET, VG_FAM_NET },
		{ VG_EV_LISTEN, VG_FAM_NET },	 { 35, VG_FAM_NONE },
		{ 49, VG_FAM_NONE },		 { VG_EV_SETUID, VG_FAM_SYS },
		{ VG_EV_PRCTL, VG_FAM_SYS },	 { VG_EV_SETSID, VG_FAM_SYS },
		{ VG_EV_SETPGID, VG_FAM_SYS },	 { 63, VG_FAM_NONE },
		{ 69, VG_FAM_NONE },		 { VG_EV_MODULE_LOAD, VG_FAM_SYS },
		{ VG_EV_PERF_EVENT_OPEN, VG_FAM_SYS }, { 73, VG_FAM_NONE },
		{ VG_EV_TYPE_MAX, VG_FAM_NONE }, { 65535, VG_FAM_NONE },
		{ 0xffffffffu, VG_FAM_NONE },
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		CHECK_INT(vg_event_family(t[i].type), t[i].fam);
	/* every type of a family has a name, and only those */
	for (unsigned type = 0; type < VG_EV_TYPE_MAX + 5; type++)
		CHECK_INT(!!vg_event_type_name(type), vg_event_family(type) != VG_FAM_NONE);
	CHECK_STR(vg_event_type_name(VG_EV_OPEN), "open");
	CHECK(vg_event_type_name(100000) == NULL);
}

static void test_syscalls(void)
{
	const struct vg_syscall_def *d;

	CHECK_STR(vg_syscall_name(0), "read");
	CHECK_STR(vg_syscall_name(59), "execve");
	CHECK_STR(vg_syscall_name(257), "openat");
	CHECK_STR(vg_syscall_name(452), "fchmodat2"); /* newer than the header */
	CHECK_STR(vg_syscall_name(462), "mseal");
	CHECK(vg_syscall_name(-1) == NULL);
	CHECK(vg_syscall_name(VG_NR_SYSCALLS) == NULL);
	CHECK(vg_syscall_name(511) == NULL);
	CHECK_INT(vg_syscall_nr("openat"), 257);
	CHECK_INT(vg_syscall_nr("fchmodat2"), 452);
	CHECK_INT(vg_syscall_nr("no_such_call"), -1);
	d = vg_syscall_def(257);
	CHECK(d && d->route.type == VG_EV_OPEN && d->route.dirfd == 1 && d->route.path == 2 &&
	      d->route.flags == 3 && d->route.mode == 4);
	CHECK(vg_syscall_def(0) == NULL); /* read is not watched */
	CHECK(vg_syscall_def(-1) == NULL);

	/* The watch table agrees with the name table, has each number once,
	 * routes to a real record type and names arguments 1..6 only. */
	CHECK(vg_syscalls_count > 40);
	for (unsigned i = 0; i < vg_syscalls_count; i++) {
		const struct vg_syscall_def *s = &vg_syscalls[i];
		const struct vg_route *r = &s->route;

		CHECK(s->nr >= 0 && s->nr < VG_NR_SYSCALLS);
		CHECK_STR(vg_syscall_name(s->nr), s->name);
		CHECK(vg_syscall_def(s->nr) == s);
		CHECK(vg_event_family(r->type) != VG_FAM_NONE);
		CHECK(r->path <= 6 && r->dirfd <= 6 && r->path2 <= 6 && r->dirfd2 <= 6 &&
		      r->fd <= 6 && r->flags <= 6 && r->mode <= 6 && r->uid <= 6 && r->gid <= 6);
	}
}

static void test_event_name(void)
{
	static union record r;

	rec_init(&r, VG_EV_OPEN, sizeof(struct vg_file), 257);
	CHECK_INT(vg_event_decode(ev, &r, rec_done(&r)), 0);
	CHECK_STR(vg_event_name(ev), "openat");

	rec_init(&r, VG_EV_DUP, sizeof(struct vg_sys), 292);
	CHECK_INT(vg_event_decode(ev, &r, rec_done(&r)), 0);
	CHECK_STR(vg_event_name(ev), "dup3");

	rec_init(&r, VG_EV_EXEC, sizeof(struct vg_exec), 59);
	CHECK_INT(vg_event_decode(ev, &r, rec_done(&r)), 0);
	CHECK_STR(vg_event_name(ev), "execve");

	/* scheduler records: named by their kind */
	rec_init(&r, VG_EV_EXEC, sizeof(struct vg_exec), -1);
	CHECK_INT(vg_event_decode(ev, &r, rec_done(&r)), 0);
	CHECK_STR(vg_event_name(ev), "execve");
	rec_init(&r, VG_EV_FORK, sizeof(struct vg_fork), -1);
	CHECK_INT(vg_event_decode(ev, &r, rec_done(&r)), 0);
	CHECK_STR(vg_event_name(ev), "clone");
	rec_init(&r, VG_EV_EXIT, sizeof(struct vg_exit), -1);
	CHECK_INT(vg_event_decode(ev, &r, rec_done(&r)), 0);
	CHECK_STR(vg_event_name(ev), "procexit");

	/* a syscall number we cannot name falls back to the type */
	rec_init(&r, VG_EV_KILL, sizeof(struct vg_sys), 100000);
	CHECK_INT(vg_event_decode(ev, &r, rec_done(&r)), 0);
	CHECK_STR(vg_event_name(ev), "kill");
}

/* ---- well-formed records ---- */

static void test_exec(void)
{
	static union record r;
	static const char args[] = "ls\0-l\0/tmp\0"; /* 11 bytes, NULs counted */
	static const char env[] = "LD_PRELOAD=/x.so\0LD_LIBRARY_PATH=/y";

	rec_init(&r, VG_EV_EXEC, sizeof(struct vg_exec), 59);
	r.hdr.flags = VG_F_EXE_MEMFD;
	r.exec.euid = 0;
	r.exec.egid = 5;
	r.exec.loginuid = 1000;
	r.exec.argc = 3;
	r.exec.pid_ns = 4026531836u;
	r.exec.exe_ino = 0x1122334455667788ull;
	r.exec.exe_dev = 0x800001;
	r.exec.tty_nr = 34816;
	r.exec.start_ns = 99;
	r.exec.cap_effective_lo = 0xffffffff;
	r.exec.cap_effective_hi = 0x1ff;
	r.exec.exe = STR(&r, "/usr/bin/ls");
	r.exec.filename = STR(&r, "ls");
	r.exec.args = rec_str(&r, args, sizeof(args) - 1);
	r.exec.cwd = STR(&r, "/home/u");
	r.exec.tty = STR(&r, "pts/3");
	r.exec.env = rec_str(&r, env, sizeof(env) - 1);

	CHECK_INT(vg_event_decode(ev, &r, rec_done(&r)), 0);
	CHECK(slots_sane(ev));
	CHECK_INT(ev->u.hdr.type, VG_EV_EXEC);
	CHECK_INT(ev->u.hdr.pid, 100);
	CHECK_INT(ev->u.hdr.tid, 101);
	CHECK_INT(ev->u.hdr.uid, 1000);
	CHECK(ev->u.hdr.cgroup_id == 0xabcdef);
	CHECK(ev->u.hdr.ts_ns == 123456789);
	CHECK_STR(ev->u.hdr.comm, "bash");
	CHECK_INT(ev->u.hdr.flags, VG_F_EXE_MEMFD);
	CHECK_INT(ev->u.exec.argc, 3);
	CHECK_INT(ev->u.exec.egid, 5);
	CHECK(ev->u.exec.exe_ino == 0x1122334455667788ull);
	CHECK_INT(ev->u.exec.tty_nr, 34816);
	CHECK_INT(ev->u.exec.cap_effective_hi, 0x1ff);

	CHECK_STR(ev->s[VG_S_EXE], "/usr/bin/ls");
	CHECK_INT(ev->len[VG_S_EXE], 11);
	CHECK_STR(ev->s[VG_S_FILENAME], "ls");
	CHECK_STR(ev->s[VG_S_CWD], "/home/u");
	CHECK_STR(ev->s[VG_S_TTY], "pts/3");
	/* lists keep their NULs; len counts them */
	CHECK_INT(ev->len[VG_S_ARGS], sizeof(args) - 1);
	CHECK(memcmp(ev->s[VG_S_ARGS], args, sizeof(args) - 1) == 0);
	CHECK_INT(ev->len[VG_S_ENV], sizeof(env) - 1);
	CHECK(memcmp(ev->s[VG_S_ENV], env, sizeof(env)) == 0);
	CHECK_STR(ev->s[VG_S_ENV] + 17, "LD_LIBRARY_PATH=/y");
	/* file slots are absent */
	CHECK_STR(ev->s[VG_S_PATH], "");
	CHECK_INT(ev->len[VG_S_PATH], 0);
	CHECK_STR(ev->s[VG_S_STR], "");

	/* a string (not a list) ends at its first NUL */
	rec_init(&r, VG_EV_EXEC, sizeof(struct vg_exec), 59);
	r.exec.exe = rec_str(&r, "/bin/sh\0junk", 12);
	r.exec.args = rec_str(&r, "sh", 2);
	CHECK_INT(vg_event_decode(ev, &r, rec_done(&r)), 0);
	CHECK_STR(ev->s[VG_S_EXE], "/bin/sh");
	CHECK_INT(ev->len[VG_S_EXE], 7);
	CHECK_STR(ev->s[VG_S_ARGS], "sh");
	CHECK_INT(ev->len[VG_S_ARGS], 2);
	/* slots of the previous record do not leak into this one */
	CHECK_STR(ev->s[VG_S_CWD], "");
	CHECK_INT(ev->len[VG_S_ENV], 0);

	/* bytes that are not text come through as they are */
	rec_init(&r, VG_EV_EXEC, sizeof(struct vg_exec), 59);
	r.exec.exe = STR(&r, "/tmp/\xff\n\"x");
	CHECK_INT(vg_event_decode(ev, &r, rec_done(&r)), 0);
	CHECK_STR(ev->s[VG_S_EXE], "/tmp/\xff\n\"x");
}

static void test_file(void)
{
	static union record r;

	/* relative path + base directory: the joined, normalised path */
	rec_init(&r, VG_EV_OPEN, sizeof(struct vg_file), 257);
	r.file.res = 3;
	r.file.flags = 0101; /* O_WRONLY|O_CREAT */
	r.file.mode = 0644;
	r.file.fd = -1;
	r.file.ino = 77;
	r.file.path_raw = STR(&r, "x/../passwd");
	r.file.dir = STR(&r, "/etc");
	CHECK_INT(vg_event_decode(ev, &r, rec_done(&r)), 0);
	CHECK(slots_sane(ev));
	CHECK_STR(ev->s[VG_S_PATH], "/etc/passwd");
	CHECK_INT(ev->len[VG_S_PATH], 11);
	CHECK_STR(ev->s[VG_S_PATH_RAW], "x/../passwd");
	CHECK_STR(ev->s[VG_S_DIR], "/etc");
	CHECK_STR(ev->s[VG_S_PATH2], "");
	CHECK(ev->u.file.res == 3);
	CHECK_INT(ev->u.file.flags, 0101);
	CHECK_INT(ev->u.file.mode, 0644);
	CHECK_INT(ev->u.file.fd, -1);
	CHECK(ev->u.file.ino == 77);
	CHECK_INT(ev->u.hdr.flags & (VG_F_PATH_UNRESOLVED | VG_F_PATH_TRUNC), 0);

	/* the kernel's resolved path wins */
	rec_init(&r, VG_EV_OPEN, sizeof(struct vg_file), 257);
	r.file.path = STR(&r, "/real/passwd");
	r.file.path_raw = STR(&r, "passwd");
	r.file.dir = STR(&r, "/etc");
	CHECK_INT(vg_event_decode(ev, &r, rec_done(&r)), 0);
	CHECK_STR(ev->s[VG_S_PATH], "/real/passwd");
	CHECK_STR(ev->s[VG_S_PATH_RAW], "passwd");

	/* an absolute raw path needs no base and is normalised */
	rec_init(&r, VG_EV_UNLINK, sizeof(struct vg_file), 87);
	r.file.path_raw = STR(&r, "//tmp/./a//b/");
	CHECK_INT(vg_event_decode(ev, &r, rec_done(&r)), 0);
	CHECK_STR(ev->s[VG_S_PATH], "/tmp/a/b");
	CHECK_INT(ev->u.hdr.flags & VG_F_PATH_UNRESOLVED, 0);

	/* relative with no base: anchored at / and flagged */
	rec_init(&r, VG_EV_UNLINK, sizeof(struct vg_file), 87);
	r.file.path_raw = STR(&r, "a/b");
	CHECK_INT(vg_event_decode(ev, &r, rec_done(&r)), 0);
	CHECK_STR(ev->s[VG_S_PATH], "/a/b");
	CHECK(ev->u.hdr.flags & VG_F_PATH_UNRESOLVED);

	/* rename: both paths joined with their own base */
	rec_init(&r, VG_EV_RENAME, sizeof(struct vg_file), 264);
	r.file.path_raw = STR(&r, "old");
	r.file.dir = STR(&r, "/home/u");
	r.file.path2_raw = STR(&r, "../new");
	r.file.dir2 = STR(&r, "/var/tmp");
	CHECK_INT(vg_event_decode(ev, &r, rec_done(&r)), 0);
	CHECK(slots_sane(ev));
	CHECK_STR(ev->s[VG_S_PATH], "/home/u/old");
	CHECK_STR(ev->s[VG_S_PATH2], "/var/new");
	CHECK_STR(ev->s[VG_S_PATH2_RAW], "../new");
	CHECK_STR(ev->s[VG_S_DIR2], "/var/tmp");

	/* a join longer than VG_PATH_MAX is truncated and flagged */
	{
		static char dir[4000], raw[300];

		memset(dir, 'd', sizeof(dir));
		dir[0] = '/';
		memset(raw, 'r', sizeof(raw));
		rec_init(&r, VG_EV_OPEN, sizeof(struct vg_file), 257);
		r.file.dir = rec_str(&r, dir, sizeof(dir));
		r.file.path_raw = rec_str(&r, raw, sizeof(raw));
		CHECK_INT(vg_event_decode(ev, &r, rec_done(&r)), 0);
		CHECK(slots_sane(ev));
		CHECK(ev->u.hdr.flags & VG_F_PATH_TRUNC);
		CHECK(ev->len[VG_S_PATH] <= VG_PATH_MAX);
		CHECK_INT(ev->len[VG_S_PATH], strlen(ev->s[VG_S_PATH]));
		CHECK_INT(ev->len[VG_S_PATH_RAW], sizeof(raw));
	}
}

static void test_net_sys_fork_exit(void)
{
	static union record r;

	rec_init(&r, VG_EV_CONNECT, sizeof(struct vg_net), 42);
	r.net.res = 0;
	r.net.fd = 3;
	r.net.domain = 1; /* AF_UNIX */
	r.net.type = 1;
	r.net.unix_path = STR(&r, "/run/docker.sock");
	CHECK_INT(vg_event_decode(ev, &r, rec_done(&r)), 0);
	CHECK(slots_sane(ev));
	CHECK_STR(ev->s[VG_S_UNIX_PATH], "/run/docker.sock");
	CHECK_INT(ev->u.net.fd, 3);
	CHECK_INT(ev->u.net.domain, 1);

	rec_init(&r, VG_EV_CONNECT, sizeof(struct vg_net), 42);
	r.net.local.family = 2;
	r.net.local.port = 5;
	r.net.remote.family = 2;
	r.net.remote.port = 80;
	memcpy(r.net.remote.addr, "\x0a\x00\x00\x01", 4);
	CHECK_INT(vg_event_decode(ev, &r, rec_done(&r)), 0);
	CHECK_INT(ev->u.net.remote.port, 80);
	CHECK(memcmp(ev->u.net.remote.addr, "\x0a\x00\x00\x01", 4) == 0);
	CHECK_STR(ev->s[VG_S_UNIX_PATH], "");

	rec_init(&r, VG_EV_MODULE_LOAD, sizeof(struct vg_sys), 313);
	r.sys.res = 0;
	r.sys.args[0] = 4;
	r.sys.args[5] = ~0ull;
	r.sys.target_pid = 9;
	r.sys.aux64 = 1ull << 40;
	r.sys.str = STR(&r, "/lib/modules/evil.ko");
	r.sys.str2 = STR(&r, "debug=1");
	CHECK_INT(vg_event_decode(ev, &r, rec_done(&r)), 0);
	CHECK(slots_sane(ev));
	CHECK_STR(ev->s[VG_S_STR], "/lib/modules/evil.ko");
	CHECK_STR(ev->s[VG_S_STR2], "debug=1");
	CHECK(ev->u.sys.args[0] == 4 && ev->u.sys.args[5] == ~0ull);
	CHECK_INT(ev->u.sys.target_pid, 9);
	CHECK(ev->u.sys.aux64 == 1ull << 40);

	rec_init(&r, VG_EV_FORK, sizeof(struct vg_fork), -1);
	r.fork.child_pid = 555;
	r.fork.child_tid = 556;
	CHECK_INT(vg_event_decode(ev, &r, rec_done(&r)), 0);
	CHECK_INT(ev->u.fork.child_pid, 555);
	CHECK_INT(ev->u.fork.child_tid, 556);

	rec_init(&r, VG_EV_EXIT, sizeof(struct vg_exit), -1);
	r.exit.exit_code = 9;
	CHECK_INT(vg_event_decode(ev, &r, rec_done(&r)), 0);
	CHECK_INT(ev->u.exit.exit_code, 9);

	/* a record at an odd address decodes the same (no aligned loads) */
	{
		static unsigned char odd[sizeof(struct vg_exit) + 1];

		memcpy(odd + 1, &r, sizeof(struct vg_exit));
		CHECK_INT(vg_event_decode(ev, odd + 1, sizeof(struct vg_exit)), 0);
		CHECK_INT(ev->u.exit.exit_code, 9);
	}
}

/* A 32-bit call is named by its x86-64 equivalent: the direct i386 number
 * is mapped; one decoded from socketcall() already carries the x86-64
 * number (accept has no i386 number of its own). */
static void test_compat_numbers(void)
{
	static union record r;

	rec_init(&r, VG_EV_CONNECT, sizeof(struct vg_net), 362); /* i386 connect */
	r.hdr.flags = VG_F_COMPAT;
	CHECK_INT(vg_event_decode(ev, &r, rec_done(&r)), 0);
	CHECK_INT(ev->u.hdr.syscall_nr, 42);
	CHECK(ev->u.hdr.flags & VG_F_COMPAT);

	rec_init(&r, VG_EV_ACCEPT, sizeof(struct vg_net), 43); /* socketcall(SYS_ACCEPT) */
	r.hdr.flags = VG_F_COMPAT | VG_F_SOCKETCALL;
	CHECK_INT(vg_event_decode(ev, &r, rec_done(&r)), 0);
	CHECK_INT(ev->u.hdr.syscall_nr, 43);
	CHECK((ev->u.hdr.flags & (VG_F_COMPAT | VG_F_SOCKETCALL)) == (VG_F_COMPAT | VG_F_SOCKETCALL));

	/* the direct i386 socket calls map to their x86-64 ones */
	CHECK_INT(vg_syscall_from_compat(359), 41);
	CHECK_INT(vg_syscall_from_compat(361), 49);
	CHECK_INT(vg_syscall_from_compat(363), 50);
	CHECK_INT(vg_syscall_from_compat(364), 288);
	CHECK_INT(vg_syscall_from_compat(369), 44);
	CHECK_INT(vg_syscall_from_compat(370), 46);
	CHECK_INT(vg_syscall_from_compat(345), 307); /* sendmmsg */
	/* sendmmsg is a connect with MSG_FASTOPEN, its address in the first msghdr */
	CHECK(vg_syscall_def(307) != NULL);
	CHECK_INT(vg_syscall_def(307)->route.type, VG_EV_CONNECT);
	CHECK_INT(vg_syscall_def(307)->route.variant, VG_V_FASTOPEN_MMSG);
	CHECK_INT(vg_syscall_from_compat(VG_I386_SOCKETCALL), -1); /* never named itself */
	CHECK_INT(vg_syscall_from_compat(VG_I386_OLD_MMAP), -1);

	/* their route types take handler slots no record type may use */
	CHECK(VG_ROUTE_SOCKETCALL < VG_EV_TYPE_MAX && VG_ROUTE_OLD_MMAP < VG_EV_TYPE_MAX);
	CHECK(vg_event_family(VG_ROUTE_SOCKETCALL) == VG_FAM_NONE);
	CHECK(vg_event_family(VG_ROUTE_OLD_MMAP) == VG_FAM_NONE);
	for (unsigned i = 0; i < vg_syscalls_count; i++)
		CHECK(vg_syscalls[i].route.type != VG_ROUTE_SOCKETCALL &&
		      vg_syscalls[i].route.type != VG_ROUTE_OLD_MMAP);
}

/* An older, shorter record: what it has is kept, the rest reads as zero,
 * and its strings are absent. */
static void test_short_record(void)
{
	static union record r;
	size_t n;

	rec_init(&r, VG_EV_EXEC, sizeof(struct vg_exec), 59);
	r.exec.euid = 7;
	r.exec.argc = 2;
	/* past the short size: must not be read */
	r.exec.start_ns = 1234;
	r.exec.cap_effective_lo = 0xdead;
	r.exec.exe = (struct vg_str){ .off = 20, .len = 4 };
	r.hdr.size = (__u16)offsetof(struct vg_exec, exe_ino);
	n = sizeof(struct vg_exec); /* the buffer is longer than the record */
	CHECK_INT(vg_event_decode(ev, &r, n), 0);
	CHECK_INT(ev->u.exec.euid, 7);
	CHECK_INT(ev->u.exec.argc, 2);
	CHECK(ev->u.exec.exe_ino == 0);
	CHECK(ev->u.exec.start_ns == 0);
	CHECK_INT(ev->u.exec.cap_effective_lo, 0);
	CHECK_INT(ev->u.exec.exe.off, 0);
	for (int i = 0; i < VG_S_COUNT; i++) {
		CHECK_STR(ev->s[i], "");
		CHECK_INT(ev->len[i], 0);
	}

	/* only the header */
	rec_init(&r, VG_EV_OPEN, sizeof(struct vg_file), 257);
	r.file.res = 5;
	r.hdr.size = sizeof(struct vg_hdr);
	CHECK_INT(vg_event_decode(ev, &r, sizeof(struct vg_hdr)), 0);
	CHECK_INT(ev->u.hdr.pid, 100);
	CHECK(ev->u.file.res == 0);
	CHECK_STR(ev->s[VG_S_PATH], "");
}

/* ---- malformed records ---- */

static void test_malformed(void)
{
	static union record r;
	static const unsigned bad_types[] = { 0, 4, 9, 19, 29, 35, 49, 63, 69, 73, 79, 80, 65535 };
	size_t n;

	/* shorter than a header */
	rec_init(&r, VG_EV_EXIT, sizeof(struct vg_exit), -1);
	n = rec_done(&r);
	CHECK_INT(vg_event_decode(ev, &r, 0), -EINVAL);
	CHECK_INT(vg_event_decode(ev, &r, sizeof(struct vg_hdr) - 1), -EINVAL);
	CHECK_INT(vg_event_decode(ev, &r, n), 0);

	/* hdr.size smaller than a header, or larger than what was received */
	r.hdr.size = sizeof(struct vg_hdr) - 1;
	CHECK_INT(vg_event_decode(ev, &r, n), -EINVAL);
	r.hdr.size = 0;
	CHECK_INT(vg_event_decode(ev, &r, n), -EINVAL);
	r.hdr.size = (__u16)(n + 1);
	CHECK_INT(vg_event_decode(ev, &r, n), -EINVAL);
	/* larger than any record may be, even when that many bytes are there */
	r.hdr.size = VG_EVENT_MAX + 8;
	CHECK_INT(vg_event_decode(ev, &r, sizeof(r)), -EINVAL);
	r.hdr.size = (__u16)n;

	for (size_t i = 0; i < ARRAY_SIZE(bad_types); i++) {
		r.hdr.type = bad_types[i];
		CHECK_INT(vg_event_decode(ev, &r, n), -EINVAL);
	}

	/* a string offset inside the fixed part */
	rec_init(&r, VG_EV_OPEN, sizeof(struct vg_file), 257);
	r.file.path_raw = STR(&r, "/etc/passwd");
	n = rec_done(&r);
	CHECK_INT(vg_event_decode(ev, &r, n), 0);
	r.file.path_raw.off = 1;
	CHECK_INT(vg_event_decode(ev, &r, n), -EINVAL);
	r.file.path_raw.off = sizeof(struct vg_file) - 1;
	CHECK_INT(vg_event_decode(ev, &r, n), -EINVAL);
	r.file.path_raw.off = sizeof(struct vg_file);
	CHECK_INT(vg_event_decode(ev, &r, n), 0);

	/* a string running past the end of the record */
	r.file.path_raw.len = (__u16)(n - sizeof(struct vg_file) + 1);
	CHECK_INT(vg_event_decode(ev, &r, n), -EINVAL);
	r.file.path_raw.len = 0xffff;
	CHECK_INT(vg_event_decode(ev, &r, n), -EINVAL);
	/* ending exactly at the end is fine */
	r.file.path_raw.len = (__u16)(n - sizeof(struct vg_file));
	CHECK_INT(vg_event_decode(ev, &r, n), 0);
	CHECK_STR(ev->s[VG_S_PATH_RAW], "/etc/passwd");
	/* starting past the end */
	r.file.path_raw = (struct vg_str){ .off = (__u16)(n + 10), .len = 0 };
	CHECK_INT(vg_event_decode(ev, &r, n), -EINVAL);

	/* bounds are those of hdr.size, not of the buffer handed in */
	rec_init(&r, VG_EV_OPEN, sizeof(struct vg_file), 257);
	r.file.path_raw = STR(&r, "/etc/passwd");
	n = rec_done(&r);
	r.hdr.size = (__u16)(n - 2);
	CHECK_INT(vg_event_decode(ev, &r, n), -EINVAL);

	/* each family checks each of its strings */
	rec_init(&r, VG_EV_EXEC, sizeof(struct vg_exec), 59);
	r.exec.env = (struct vg_str){ .off = 3, .len = 1 };
	CHECK_INT(vg_event_decode(ev, &r, rec_done(&r)), -EINVAL);
	rec_init(&r, VG_EV_RENAME, sizeof(struct vg_file), 82);
	r.file.dir2 = (struct vg_str){ .off = sizeof(struct vg_file), .len = 1 };
	CHECK_INT(vg_event_decode(ev, &r, rec_done(&r)), -EINVAL);
	rec_init(&r, VG_EV_BIND, sizeof(struct vg_net), 49);
	r.net.unix_path = (struct vg_str){ .off = 8, .len = 1 };
	CHECK_INT(vg_event_decode(ev, &r, rec_done(&r)), -EINVAL);
	rec_init(&r, VG_EV_BPF, sizeof(struct vg_sys), 321);
	r.sys.str2 = (struct vg_str){ .off = sizeof(struct vg_sys), .len = 1 };
	CHECK_INT(vg_event_decode(ev, &r, rec_done(&r)), -EINVAL);
}

/* Strings may overlap: a record whose every string covers the whole string
 * area holds more string bytes than the arena is sized for. The decoder must
 * then reject the record or keep every slot inside the arena. */
static void test_overlapping_strings(void)
{
	static union record r;
	size_t fixed = sizeof(struct vg_exec), area = VG_EVENT_MAX - fixed;
	int ret;

	rec_init(&r, VG_EV_EXEC, fixed, 59);
	memset(r.b + fixed, 'A', area);
	r.exec.exe = (struct vg_str){ .off = (__u16)fixed, .len = (__u16)area };
	/* fills the arena to the last byte */
	r.exec.filename = (struct vg_str){ .off = (__u16)fixed,
					   .len = (__u16)(sizeof(ev->arena) - area - 2) };
	r.exec.args = r.exec.exe;
	r.exec.cwd = r.exec.exe;
	r.exec.tty = r.exec.exe;
	r.exec.env = r.exec.exe;
	r.hdr.size = VG_EVENT_MAX;
	ret = vg_event_decode(ev, &r, VG_EVENT_MAX);
	CHECK(ret == 0 || ret == -EINVAL);
	CHECK(ev->arena_used <= sizeof(ev->arena));
	if (ret == 0) {
		CHECK(slots_sane(ev));
		CHECK_INT(ev->len[VG_S_EXE], area);
	}

	/* the same for a file record, whose joined paths also use the arena */
	rec_init(&r, VG_EV_RENAME, sizeof(struct vg_file), 82);
	fixed = sizeof(struct vg_file);
	area = VG_EVENT_MAX - fixed;
	memset(r.b + fixed, 'B', area);
	r.file.path_raw = (struct vg_str){ .off = (__u16)fixed, .len = (__u16)area };
	r.file.dir = r.file.path_raw;
	r.file.path2_raw = r.file.path_raw;
	r.file.dir2 = r.file.path_raw;
	r.hdr.size = VG_EVENT_MAX;
	ret = vg_event_decode(ev, &r, VG_EVENT_MAX);
	CHECK(ret == 0 || ret == -EINVAL);
	CHECK(ev->arena_used <= sizeof(ev->arena));
	if (ret == 0)
		CHECK(slots_sane(ev));
}

int main(void)
{
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return 1;
	test_family();
	test_syscalls();
	test_event_name();
	test_exec();
	test_file();
	test_net_sys_fork_exit();
	test_compat_numbers();
	test_short_record();
	test_malformed();
	test_overlapping_strings();
	free(ev);
	return check_report();
}
