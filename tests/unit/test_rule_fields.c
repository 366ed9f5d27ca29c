/* Field extraction for rules: synthetic decoded records plus a process table
 * with a parent chain (systemd → sshd → bash → cat), checked field by field,
 * then through the rule engine (a small rule file, and Falco's stable rules). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "fields/extract.h"
#include "proc/proctable.h"
#include "proc/usercache.h"
#include "rules/rules.h"
#include "sensor/event.h"

#define SEC 1000000000ull
#define T0 (1000 * SEC)		       /* event time, CLOCK_BOOTTIME */
#define WALL (1700000000ull * SEC + 5) /* the same instant, since the epoch */

static struct vg_rule_ctx *ctx;

/* ---- a process table: 1 systemd, 100 sshd, 200 bash, 300 cat ---- */

static void seed(struct vg_proctable *pt, uint32_t pid, uint32_t ppid, const char *comm,
		 const char *exe, const char *args, size_t args_len, uint32_t uid, uint64_t start)
{
	static const struct vg_container host = {.id = "", .short_id = "", .runtime = VG_RT_NONE};
	struct vg_proc_info in = {
	    .pid = pid,
	    .ppid = ppid,
	    .uid = uid,
	    .gid = uid,
	    .euid = uid,
	    .egid = uid,
	    .loginuid = pid == 1 || pid == 100 ? VG_LOGINUID_UNSET : 1000,
	    .pid_ns = 0xEFFFFFFCu,
	    .tty_nr = pid >= 200 ? (136u << 20) | 3 : 0,
	    .exe_ino = 4242,
	    .start_ns = start,
	    .comm = comm,
	    .exe = exe,
	    .exe_len = strlen(exe),
	    .args = args,
	    .args_len = args_len,
	    .cwd = "/root",
	    .cwd_len = 5,
	    .tty = pid >= 200 ? "pts/3" : "",
	    .tty_len = pid >= 200 ? 5 : 0,
	    .container = &host,
	};

	CHECK_INT(vg_pt_seed(pt, &in), 0);
}

#define ARGS(lit) lit, sizeof(lit)

static struct vg_proctable *make_table(void)
{
	struct vg_proctable *pt;

	CHECK_INT(vg_pt_new(&pt, 0, 0), 0);
	seed(pt, 1, 0, "systemd", "/usr/lib/systemd/systemd", ARGS("/sbin/init\0splash"), 0, 1);
	seed(pt, 100, 1, "sshd", "/usr/sbin/sshd", ARGS("sshd: alice [priv]"), 0, 10 * SEC);
	seed(pt, 200, 100, "bash", "/usr/bin/bash", ARGS("-bash\0-i"), 0, 20 * SEC);
	seed(pt, 300, 200, "cat", "/usr/bin/cat", ARGS("cat\0/etc/shadow"), 0, T0 - 2 * SEC);
	seed(pt, 400, 1, "sshd", "/usr/sbin/sshd", ARGS("/usr/sbin/sshd\0-D"), 0, 30 * SEC);
	return pt;
}

/* ---- synthetic decoded records ---- */

static struct vg_event *ev_new(unsigned type, int nr, uint32_t pid, uint32_t ppid, const char *comm)
{
	struct vg_event *ev = calloc(1, sizeof(*ev));
	struct vg_hdr *h = &ev->u.hdr;

	for (int i = 0; i < VG_S_COUNT; i++)
		ev->s[i] = "";
	h->type = (uint16_t)type;
	h->syscall_nr = nr;
	h->pid = h->tid = pid;
	h->ppid = ppid;
	h->uid = h->gid = 0;
	h->ts_ns = T0;
	snprintf(h->comm, sizeof(h->comm), "%s", comm);
	return ev;
}

static void ev_str(struct vg_event *ev, enum vg_slot slot, const char *s, size_t len)
{
	ev->s[slot] = s;
	ev->len[slot] = len;
}

static struct vg_event *open_ev(uint32_t pid, uint32_t ppid, const char *comm, const char *path,
				uint32_t flags, int64_t res)
{
	struct vg_event *ev = ev_new(VG_EV_OPEN, 257, pid, ppid, comm);

	ev->u.file.res = res;
	ev->u.file.flags = flags;
	ev->u.file.mode = 0;
	ev->u.file.fd = -1;
	ev->u.file.ino = res >= 0 ? 777 : 0;
	ev_str(ev, VG_S_PATH, path, strlen(path));
	ev_str(ev, VG_S_PATH_RAW, path, strlen(path));
	return ev;
}

static void sockaddr4(struct vg_sockaddr *a, const char *ip, uint16_t port)
{
	a->family = AF_INET;
	a->port = port;
	CHECK_INT(inet_pton(AF_INET, ip, a->addr), 1);
}

static struct vg_event *net_ev(unsigned type, int nr, const char *lip, uint16_t lport,
			       const char *rip, uint16_t rport, int64_t res)
{
	struct vg_event *ev = ev_new(type, nr, 300, 200, "cat");

	ev->u.net.res = res;
	ev->u.net.fd = 5;
	ev->u.net.domain = AF_INET;
	ev->u.net.type = SOCK_STREAM;
	ev->u.net.protocol = IPPROTO_TCP;
	sockaddr4(&ev->u.net.local, lip, lport);
	sockaddr4(&ev->u.net.remote, rip, rport);
	return ev;
}

/* ---- extraction helpers ---- */

static struct vg_field_ref ref_of(const char *name, int index, const char *arg)
{
	struct vg_field_ref r = {0};

	r.field = vg_field_by_name(name, strlen(name));
	r.index = index;
	r.arg = arg;
	r.arg_len = arg ? (uint32_t)strlen(arg) : 0;
	if (!r.field)
		fprintf(stderr, "unknown field %s\n", name);
	return r;
}

static int get(const char *name, int index, const char *arg, struct vg_value *v, unsigned max)
{
	struct vg_field_ref r = ref_of(name, index, arg);

	if (!r.field)
		return -1;
	return vg_rule_field_get(ctx, &r, v, max);
}

/* A field as text: strings as they are, numbers in decimal, "<absent>". */
static const char *S(const char *name, int index, const char *arg)
{
	static char buf[8][4096];
	static int k;
	char *b = buf[k++ % 8];
	struct vg_value v[VG_FIELD_MAX_VALUES];
	int n = get(name, index, arg, v, index < 0 ? VG_FIELD_MAX_VALUES : 1);
	size_t used = 0;

	if (n <= 0)
		return "<absent>";
	b[0] = 0;
	for (int i = 0; i < n && used < 4000; i++) {
		const char *sep = i ? "," : "";

		switch (vg_field_by_name(name, strlen(name))->type) {
		case VG_FT_STR:
			used += (size_t)snprintf(b + used, 4096 - used, "%s%.*s", sep,
						 (int)v[i].s.len, v[i].s.ptr);
			break;
		case VG_FT_INT:
			used += (size_t)snprintf(b + used, 4096 - used, "%s%lld", sep,
						 (long long)v[i].i);
			break;
		case VG_FT_UINT:
			used += (size_t)snprintf(b + used, 4096 - used, "%s%llu", sep,
						 (unsigned long long)v[i].u);
			break;
		case VG_FT_BOOL:
			used += (size_t)snprintf(b + used, 4096 - used, "%s%s", sep,
						 v[i].b ? "true" : "false");
			break;
		case VG_FT_IPADDR:
		case VG_FT_IPNET: {
			char ip[64] = "?";

			inet_ntop(v[i].ip.family == 6 ? AF_INET6 : AF_INET, v[i].ip.addr, ip,
				  sizeof(ip));
			used += (size_t)snprintf(b + used, 4096 - used, "%s%s", sep, ip);
			break;
		}
		default:
			break;
		}
	}
	return b;
}

#define F(name) S(name, -1, NULL)

static void use(const struct vg_event *ev)
{
	vg_rule_ctx_reset(ctx, ev, WALL);
}

/* ---- field by field ---- */

static void test_open(void)
{
	struct vg_event *ev = open_ev(300, 200, "cat", "/etc/shadow", O_RDONLY | O_CLOEXEC, 3);

	use(ev);
	CHECK_STR(vg_evtype_name(vg_rule_evtype(ev)), "openat");
	CHECK_STR(F("evt.type"), "openat");
	CHECK_STR(F("evt.res"), "SUCCESS");
	CHECK_STR(F("evt.rawres"), "3");
	CHECK_STR(F("evt.failed"), "false");
	CHECK_STR(F("evt.is_open_read"), "true");
	CHECK_STR(F("evt.is_open_write"), "false");
	CHECK_STR(F("evt.is_open_exec"), "false");
	CHECK_STR(F("evt.is_open_create"), "false");
	CHECK_STR(F("evt.category"), "file");
	CHECK_STR(F("evt.source"), "syscall");
	CHECK_STR(F("evt.hostname"), "testhost");
	CHECK_STR(F("evt.rawtime"), "1700000000000000005");
	CHECK_STR(S("evt.arg", -1, "flags"), "O_RDONLY|O_CLOEXEC");
	CHECK_STR(S("evt.arg", -1, "name"), "/etc/shadow");
	CHECK_STR(S("evt.arg", -1, "fd"), "3");
	CHECK_STR(S("evt.arg", 2, NULL), "/etc/shadow"); /* fd, dirfd, name */
	CHECK_STR(S("evt.arg", -1, "res"), "3");
	CHECK_STR(S("evt.arg", -1, "nosuch"), "<absent>");
	CHECK_INT(strtoll(S("evt.rawarg", -1, "flags"), NULL, 10), O_RDONLY | O_CLOEXEC);
	CHECK_STR(S("evt.rawarg", -1, "name"), "<absent>");
	CHECK_STR(F("evt.args"), "fd=3 name=/etc/shadow flags=O_RDONLY|O_CLOEXEC mode=0 ino=777");

	CHECK_STR(F("proc.pid"), "300");
	CHECK_STR(F("proc.ppid"), "200");
	CHECK_STR(F("proc.vpid"), "300");
	CHECK_STR(F("proc.name"), "cat");
	CHECK_STR(F("proc.exe"), "cat");
	CHECK_STR(F("proc.exepath"), "/usr/bin/cat");
	CHECK_STR(F("proc.cmdline"), "cat /etc/shadow");
	CHECK_STR(F("proc.args"), "/etc/shadow");
	CHECK_STR(F("proc.exeline"), "cat /etc/shadow");
	CHECK_STR(F("proc.cmdnargs"), "1");
	CHECK_STR(F("proc.cmdlenargs"), "11");
	CHECK_STR(F("proc.cwd"), "/root/");
	CHECK_STR(F("proc.tty"), "34819"); /* pts/3: major 136, minor 3 */
	CHECK_STR(F("proc.pname"), "bash");
	CHECK_STR(F("proc.pexe"), "-bash");
	CHECK_STR(F("proc.pexepath"), "/usr/bin/bash");
	CHECK_STR(F("proc.pcmdline"), "bash -i");
	CHECK_STR(S("proc.aname", 0, NULL), "cat");
	CHECK_STR(S("proc.aname", 1, NULL), "bash");
	CHECK_STR(S("proc.aname", 2, NULL), "sshd");
	CHECK_STR(S("proc.aname", 3, NULL), "systemd");
	CHECK_STR(S("proc.aname", 4, NULL), "<absent>");
	CHECK_STR(F("proc.aname"), "bash,sshd,systemd");
	CHECK_STR(F("proc.apid"), "200,100,1");
	CHECK_STR(S("proc.apid", 2, NULL), "100");
	CHECK_STR(S("proc.aexepath", 2, NULL), "/usr/sbin/sshd");
	CHECK_STR(S("proc.acmdline", 3, NULL), "systemd splash");
	CHECK_STR(F("proc.duration"), "2000000000");
	CHECK_STR(F("proc.pid.ts"), "1699999998000000005");
	CHECK_STR(F("proc.loginshellid"), "200");
	CHECK_STR(F("proc.is_exe_upper_layer"), "false");
	CHECK_STR(F("proc.is_exe_from_memfd"), "false");
	CHECK_STR(F("proc.exe_ino"), "4242");
	/* seeded in session 0, as under an init that never called setsid():
	 * a real session, which no process leads */
	CHECK_STR(F("proc.sid"), "0");
	CHECK_STR(F("proc.sname"), "systemd");
	CHECK_STR(F("thread.tid"), "300");
	CHECK_STR(F("thread.ismain"), "true");
	CHECK_STR(F("thread.cap_effective"), "<absent>");

	CHECK_STR(F("user.uid"), "0");
	CHECK_STR(F("user.name"), "root");
	{
		const struct passwd *pw = getpwuid(0);

		CHECK(pw != NULL);
		if (pw) {
			char home[256], shell[128];

			snprintf(home, sizeof(home), "%s", pw->pw_dir);
			snprintf(shell, sizeof(shell), "%s", pw->pw_shell);
			CHECK_STR(F("user.homedir"), home);
			CHECK_STR(F("user.shell"), shell);
		}
	}
	CHECK_STR(F("user.loginuid"), "1000");
	CHECK_STR(F("group.gid"), "0");
	CHECK_STR(F("group.name"), "root");

	CHECK_STR(F("fd.name"), "/etc/shadow");
	CHECK_STR(F("fd.nameraw"), "/etc/shadow");
	CHECK_STR(F("fd.directory"), "/etc");
	CHECK_STR(F("fd.filename"), "shadow");
	CHECK_STR(F("fd.type"), "file");
	CHECK_STR(F("fd.typechar"), "f");
	CHECK_STR(F("fd.num"), "3");
	CHECK_STR(F("fd.ino"), "777");
	CHECK_STR(F("fd.sip"), "<absent>");
	CHECK_STR(F("fs.path.name"), "/etc/shadow");

	CHECK_STR(F("container.id"), "host");
	CHECK_STR(F("container.name"), "host");
	CHECK_STR(F("container.image.repository"), "<absent>");
	free(ev);

	/* a failed write open of a relative path, in the root directory */
	ev = open_ev(300, 200, "cat", "/x", O_WRONLY | O_CREAT | O_TRUNC, -ENOENT);
	ev->u.file.mode = 0755;
	ev_str(ev, VG_S_PATH_RAW, "x", 1);
	use(ev);
	CHECK_STR(F("evt.res"), "ENOENT");
	CHECK_STR(F("evt.rawres"), "-2");
	CHECK_STR(F("evt.failed"), "true");
	CHECK_STR(F("evt.is_open_read"), "false");
	CHECK_STR(F("evt.is_open_write"), "true");
	CHECK_STR(F("evt.is_open_exec"), "true");
	CHECK_STR(F("evt.is_open_create"), "false");
	CHECK_STR(S("evt.arg", -1, "flags"), "O_WRONLY|O_CREAT|O_TRUNC");
	CHECK_STR(S("evt.arg", -1, "mode"), "0755");
	CHECK_STR(F("fd.num"), "-1");
	CHECK_STR(F("fd.name"), "/x");
	CHECK_STR(F("fd.nameraw"), "x");
	CHECK_STR(F("fd.directory"), "/");
	CHECK_STR(F("fd.filename"), "x");
	free(ev);

	/* O_PATH: a descriptor that reads and writes nothing */
	ev = open_ev(300, 200, "vigil", "/etc/shadow", O_PATH | O_RDWR | O_CLOEXEC, 3);
	use(ev);
	CHECK_STR(F("evt.is_open_read"), "false");
	CHECK_STR(F("evt.is_open_write"), "false");
	free(ev);
}

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

static void test_net(void)
{
	struct vg_event *ev = net_ev(VG_EV_CONNECT, 42, "10.0.0.5", 40000, "93.184.216.34", 443, 0);

	use(ev);
	CHECK_STR(F("evt.type"), "connect");
	CHECK_STR(F("fd.name"), "10.0.0.5:40000->93.184.216.34:443");
	CHECK_STR(F("fd.sip"), "93.184.216.34");
	CHECK_STR(F("fd.dip"), "93.184.216.34");
	CHECK_STR(F("fd.sport"), "443");
	CHECK_STR(F("fd.cip"), "10.0.0.5");
	CHECK_STR(F("fd.cport"), "40000");
	CHECK_STR(F("fd.lip"), "10.0.0.5");
	CHECK_STR(F("fd.rip"), "93.184.216.34");
	CHECK_STR(F("fd.lport"), "40000");
	CHECK_STR(F("fd.rport"), "443");
	CHECK_STR(F("fd.ip"), "10.0.0.5,93.184.216.34");
	CHECK_STR(F("fd.port"), "40000,443");
	CHECK_STR(F("fd.l4proto"), "tcp");
	CHECK_STR(F("fd.type"), "ipv4");
	CHECK_STR(F("fd.typechar"), "4");
	CHECK_STR(F("fd.sockfamily"), "ip");
	CHECK_STR(F("fd.num"), "5");
	CHECK_STR(F("fd.is_server"), "false");
	CHECK_STR(F("fd.connected"), "true");
	CHECK_STR(F("fd.directory"), "<absent>");
	CHECK_STR(S("evt.arg", -1, "tuple"), "10.0.0.5:40000->93.184.216.34:443");
	CHECK_STR(S("evt.arg", -1, "addr"), "93.184.216.34:443");
	CHECK_STR(F("evt.category"), "net");
	free(ev);

	/* accept: the remote end is the client */
	ev = net_ev(VG_EV_ACCEPT, 288, "10.0.0.5", 22, "192.168.1.9", 50000, 7);
	use(ev);
	CHECK_STR(F("evt.type"), "accept4");
	CHECK_STR(F("fd.name"), "192.168.1.9:50000->10.0.0.5:22");
	CHECK_STR(F("fd.cip"), "192.168.1.9");
	CHECK_STR(F("fd.sip"), "10.0.0.5");
	CHECK_STR(F("fd.sport"), "22");
	CHECK_STR(F("fd.lport"), "22");
	CHECK_STR(F("fd.rport"), "50000");
	CHECK_STR(F("fd.num"), "7");
	CHECK_STR(F("fd.is_server"), "true");
	free(ev);

	/* socket(AF_PACKET): the domain is rendered, the type is unknown */
	ev = ev_new(VG_EV_SOCKET, 41, 300, 200, "cat");
	ev->u.net.domain = AF_PACKET;
	ev->u.net.type = SOCK_RAW;
	ev->u.net.res = 3;
	use(ev);
	CHECK_STR(S("evt.arg", -1, "domain"), "AF_PACKET");
	CHECK_STR(S("evt.arg", -1, "type"), "SOCK_RAW");
	CHECK_STR(F("fd.type"), "<absent>");
	CHECK_STR(F("fd.num"), "3");
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

static void test_sys(void)
{
	struct vg_event *ev = ev_new(VG_EV_PTRACE, 101, 300, 200, "cat");

	ev->u.sys.args[0] = 16; /* PTRACE_ATTACH */
	ev->u.sys.args[1] = 1234;
	ev->u.sys.target_pid = 1234;
	use(ev);
	CHECK_STR(F("evt.type"), "ptrace");
	CHECK_STR(S("evt.arg", -1, "request"), "PTRACE_ATTACH");
	CHECK_STR(S("evt.rawarg", -1, "request"), "16");
	CHECK_STR(S("evt.arg", -1, "pid"), "1234");
	free(ev);

	ev = ev_new(VG_EV_MPROTECT, 10, 300, 200, "cat");
	ev->u.sys.args[0] = 0x7f0000;
	ev->u.sys.args[1] = 4096;
	ev->u.sys.args[2] = 7;
	use(ev);
	CHECK_STR(S("evt.arg", -1, "prot"), "PROT_READ|PROT_WRITE|PROT_EXEC");
	CHECK_STR(S("evt.arg", -1, "addr"), "0x7f0000");
	CHECK_STR(F("evt.category"), "memory");
	free(ev);

	ev = ev_new(VG_EV_KILL, 62, 300, 200, "cat");
	ev->u.sys.target_pid = 1;
	ev->u.sys.aux = 9;
	ev->u.sys.res = -EPERM;
	use(ev);
	CHECK_STR(S("evt.arg", -1, "sig"), "SIGKILL");
	CHECK_STR(S("evt.arg", -1, "pid"), "1");
	CHECK_STR(F("evt.res"), "EPERM");
	free(ev);

	ev = ev_new(VG_EV_MEMFD_CREATE, 319, 300, 200, "cat");
	ev->u.sys.args[1] = 1 | 2;
	ev_str(ev, VG_S_STR, "payload", 7);
	use(ev);
	CHECK_STR(S("evt.arg", -1, "name"), "payload");
	CHECK_STR(S("evt.arg", -1, "flags"), "MFD_CLOEXEC|MFD_ALLOW_SEALING");
	free(ev);

	ev = ev_new(VG_EV_DUP, 33, 300, 200, "cat");
	ev->u.sys.args[0] = 5;
	ev->u.sys.args[1] = 1;
	ev->u.sys.res = 1;
	ev->u.sys.aux = 0010644; /* a pipe */
	use(ev);
	CHECK_STR(F("evt.type"), "dup2");
	CHECK_STR(S("evt.arg", -1, "oldfd"), "5");
	CHECK_STR(S("evt.arg", -1, "newfd"), "1");
	CHECK_STR(S("evt.arg", -1, "fd"), "5");
	CHECK_STR(F("evt.rawres"), "1");
	CHECK_STR(F("fd.type"), "pipe");
	CHECK_STR(F("fd.num"), "1");
	free(ev);

	/* pkey_mprotect is an event type of its own, as its syscall */
	ev = ev_new(VG_EV_MPROTECT, 329, 300, 200, "cat");
	CHECK_STR(vg_evtype_name(vg_rule_evtype(ev)), "pkey_mprotect");
	free(ev);
}

static void test_files(void)
{
	struct vg_event *ev = ev_new(VG_EV_SYMLINK, 266, 300, 200, "ln");

	ev_str(ev, VG_S_PATH_RAW, "/etc/shadow", 11);
	ev_str(ev, VG_S_PATH2_RAW, "s", 1);
	ev_str(ev, VG_S_PATH2, "/tmp/s", 6);
	use(ev);
	CHECK_STR(F("evt.type"), "symlinkat");
	CHECK_STR(S("evt.arg", -1, "target"), "/etc/shadow");
	CHECK_STR(S("evt.arg", -1, "linkpath"), "/tmp/s");
	CHECK_STR(F("fs.path.source"), "/etc/shadow");
	CHECK_STR(F("fs.path.target"), "/tmp/s");
	CHECK_STR(F("fs.path.targetraw"), "s");
	CHECK_STR(F("fd.name"), "<absent>");
	free(ev);

	ev = ev_new(VG_EV_RENAME, 82, 300, 200, "mv");
	ev_str(ev, VG_S_PATH, "/root/.bash_history", 19);
	ev_str(ev, VG_S_PATH_RAW, ".bash_history", 13);
	ev_str(ev, VG_S_PATH2, "/dev/null", 9);
	ev_str(ev, VG_S_PATH2_RAW, "/dev/null", 9);
	use(ev);
	CHECK_STR(S("evt.arg", -1, "oldpath"), "/root/.bash_history");
	CHECK_STR(S("evt.arg", -1, "newpath"), "/dev/null");
	CHECK_STR(S("evt.arg", 0, NULL), "/root/.bash_history");
	CHECK_STR(F("evt.args"), "oldpath=/root/.bash_history newpath=/dev/null");
	free(ev);

	ev = ev_new(VG_EV_CHMOD, 90, 300, 200, "chmod");
	ev->u.file.mode = 04755;
	ev->u.file.fd = -1;
	ev_str(ev, VG_S_PATH, "/tmp/sh", 7);
	use(ev);
	CHECK_STR(S("evt.arg", -1, "filename"), "/tmp/sh");
	CHECK_STR(S("evt.arg", -1, "mode"), "04755");
	CHECK_STR(F("fs.path.name"), "/tmp/sh");
	free(ev);

	/* an open with O_DIRECTORY: a directory is its own fd.directory */
	ev = open_ev(300, 200, "ls", "/etc/pam.d", O_RDONLY | O_DIRECTORY, 3);
	use(ev);
	CHECK_STR(F("fd.type"), "directory");
	CHECK_STR(F("fd.typechar"), "d");
	CHECK_STR(F("fd.directory"), "/etc/pam.d");
	CHECK_STR(F("fd.filename"), "<absent>");
	free(ev);

	/* O_TMPFILE shares the O_DIRECTORY bit but makes a file */
	ev = open_ev(300, 200, "x", "/tmp", O_RDWR | O_TMPFILE, 3);
	ev->u.file.mode = 0700;
	use(ev);
	CHECK_STR(F("fd.type"), "file");
	CHECK_STR(F("evt.is_open_exec"), "true");
	free(ev);
}

/* The scratch area never overflows: many long values in one event. */
static void test_scratch_limit(void)
{
	static char args[VG_ARGS_MAX];
	struct vg_event *ev = ev_new(VG_EV_EXEC, -1, 300, 200, "big");
	struct vg_value v;
	int ok = 0;

	memset(args, 'a', sizeof(args));
	for (size_t i = 100; i < sizeof(args); i += 100)
		args[i] = 0;
	args[sizeof(args) - 1] = 0;
	ev->u.exec.argc = 40;
	ev_str(ev, VG_S_ARGS, args, sizeof(args));
	use(ev);
	for (int i = 0; i < 40; i++)
		ok += get("proc.args", -1, NULL, &v, 1) == 1;
	CHECK(ok >= 10);
	CHECK(ctx->used <= sizeof(ctx->scratch));
	free(ev);
}

/* ---- through the rule engine ---- */

static const char rules_yaml[] =
    "- list: shell_binaries\n"
    "  items: [bash, sh, zsh]\n"
    "- macro: open_read\n"
    "  condition: (evt.type in (open,openat,openat2) and evt.is_open_read=true\n"
    "              and fd.typechar='f' and fd.num>=0)\n"
    "- rule: Shadow read from a login shell\n"
    "  desc: t\n"
    "  condition: >\n"
    "    open_read and fd.name=/etc/shadow and proc.pname in (shell_binaries)\n"
    "    and proc.aname[2]=sshd and proc.aname=systemd and not proc.name in (shell_binaries)\n"
    "  output: \"read %fd.name by %proc.name parent=%proc.pname gparent=%proc.aname[2]"
    " flags=%evt.arg.flags cmd=%proc.cmdline user=%user.name res=%evt.res"
    " container=%container.id image=%container.image.repository\"\n"
    "  priority: WARNING\n"
    "- rule: Outbound HTTPS\n"
    "  desc: t\n"
    "  condition: evt.type=connect and fd.sip=93.184.216.34 and fd.sport=443"
    " and fd.snet=93.184.216.0/24 and fd.l4proto=tcp\n"
    "  output: \"conn %fd.name lport=%fd.lport\"\n"
    "  priority: NOTICE\n"
    "- rule: Failed open\n"
    "  desc: t\n"
    "  condition: evt.type=openat and evt.res=ENOENT and evt.failed=true and evt.rawres<0\n"
    "  output: \"failed %fd.name %evt.res\"\n"
    "  priority: INFO\n";

static void test_engine(void)
{
	struct vg_rules *rs = vg_rules_new();
	const struct vg_rule *m[8];
	struct vg_alert_text *alert = calloc(1, sizeof(*alert));
	struct vg_event *ev;
	int n;

	CHECK_INT(vg_rules_load_buffer(rs, "t.yaml", rules_yaml, strlen(rules_yaml)), 0);
	CHECK_INT(vg_rules_compile(rs), 0);

	ev = open_ev(300, 200, "cat", "/etc/shadow", O_RDONLY, 3);
	use(ev);
	n = vg_rules_eval(rs, vg_rule_evtype(ev), vg_rule_field_get, ctx, m, 8);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(m[0]->name, "Shadow read from a login shell");
		CHECK_INT(vg_rules_format(rs, m[0], vg_rule_field_get, ctx, alert), 0);
		CHECK_STR(alert->output, "read /etc/shadow by cat parent=bash gparent=sshd"
					 " flags=O_RDONLY cmd=cat /etc/shadow user=root res=SUCCESS"
					 " container=host image=<NA>");
		CHECK_STR(alert->fields[0].name, "fd.name");
		CHECK_STR(alert->fields[0].value, "/etc/shadow");
	}
	free(ev);

	/* the same open by the login shell itself does not match */
	ev = open_ev(200, 100, "bash", "/etc/shadow", O_RDONLY, 3);
	use(ev);
	CHECK_INT(vg_rules_eval(rs, vg_rule_evtype(ev), vg_rule_field_get, ctx, m, 8), 0);
	free(ev);

	ev = open_ev(300, 200, "cat", "/nonexistent", O_RDONLY, -ENOENT);
	use(ev);
	n = vg_rules_eval(rs, vg_rule_evtype(ev), vg_rule_field_get, ctx, m, 8);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(m[0]->name, "Failed open");
		vg_rules_format(rs, m[0], vg_rule_field_get, ctx, alert);
		CHECK_STR(alert->output, "failed /nonexistent ENOENT");
	}
	free(ev);

	ev = net_ev(VG_EV_CONNECT, 42, "10.0.0.5", 40000, "93.184.216.34", 443, 0);
	use(ev);
	n = vg_rules_eval(rs, vg_rule_evtype(ev), vg_rule_field_get, ctx, m, 8);
	CHECK_INT(n, 1);
	if (n == 1) {
		vg_rules_format(rs, m[0], vg_rule_field_get, ctx, alert);
		CHECK_STR(alert->output, "conn 10.0.0.5:40000->93.184.216.34:443 lport=40000");
	}
	free(ev);
	ev = net_ev(VG_EV_CONNECT, 42, "10.0.0.5", 40000, "93.184.217.34", 443, 0);
	use(ev);
	CHECK_INT(vg_rules_eval(rs, vg_rule_evtype(ev), vg_rule_field_get, ctx, m, 8), 0);
	free(ev);

	free(alert);
	vg_rules_free(rs);
}

static bool matched(const struct vg_rule *const *m, int n, const char *name)
{
	for (int i = 0; i < n && i < 32; i++)
		if (!strcmp(m[i]->name, name))
			return true;
	return false;
}

static void test_falco_rules(void)
{
	static const char *const paths[] = {"../shared/compat/falco_rules.yaml",
					    "/work/shared/compat/falco_rules.yaml"};
	const char *rule = "Read sensitive file untrusted";
	struct vg_rules *rs = vg_rules_new();
	struct vg_alert_text *alert = calloc(1, sizeof(*alert));
	const struct vg_rule *m[32];
	const struct vg_rule *r;
	struct vg_event *ev;
	int loaded = -1, n;

	for (size_t i = 0; i < 2 && loaded < 0; i++) {
		FILE *f = fopen(paths[i], "r");

		if (!f)
			continue;
		fclose(f);
		loaded = vg_rules_load_file(rs, paths[i]);
	}
	CHECK_INT(loaded, 0);
	vg_rules_compile(rs);
	r = vg_rules_find(rs, rule);
	CHECK(r && r->state == VG_RULE_LOADED && r->enabled);

	/* cat, child of an interactive bash, reads /etc/shadow */
	ev = open_ev(300, 200, "cat", "/etc/shadow", O_RDONLY | O_CLOEXEC, 3);
	use(ev);
	n = vg_rules_eval(rs, vg_rule_evtype(ev), vg_rule_field_get, ctx, m, 32);
	CHECK(matched(m, n, rule));
	for (int i = 0; i < n && i < 32; i++) {
		if (strcmp(m[i]->name, rule))
			continue;
		CHECK_INT(vg_rules_format(rs, m[i], vg_rule_field_get, ctx, alert), 0);
		CHECK_STR(
		    alert->output,
		    "Sensitive file opened for reading by non-trusted program | file=/etc/shadow"
		    " gparent=sshd ggparent=systemd gggparent=<NA> evt_type=openat user=root"
		    " user_uid=0 user_loginuid=1000 process=cat proc_exepath=/usr/bin/cat"
		    " parent=bash command=cat /etc/shadow terminal=34819");
	}
	free(ev);

	/* sshd reading it is trusted */
	ev = open_ev(400, 1, "sshd", "/etc/shadow", O_RDONLY | O_CLOEXEC, 3);
	use(ev);
	n = vg_rules_eval(rs, vg_rule_evtype(ev), vg_rule_field_get, ctx, m, 32);
	CHECK(n >= 0 && !matched(m, n, rule));
	free(ev);

	/* a write open is not a read */
	ev = open_ev(300, 200, "cat", "/etc/shadow", O_WRONLY, 3);
	use(ev);
	n = vg_rules_eval(rs, vg_rule_evtype(ev), vg_rule_field_get, ctx, m, 32);
	CHECK(n >= 0 && !matched(m, n, rule));
	free(ev);

	free(alert);
	vg_rules_free(rs);
}

/* thread.cap_*: from the process table for processes that did not exec
 * while we watched (seeded from /proc/PID/status), the effective set from
 * the last exec, the inheritable set kept across it */
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
static void test_open_create(void)
{
	struct vg_event *ev = open_ev(300, 200, "cat", "/tmp/new", O_WRONLY | O_CREAT, 3);

	use(ev);
	CHECK_STR(F("evt.is_open_create"), "false"); /* O_CREAT on a file that existed */
	ev->u.hdr.flags |= VG_F_OPEN_CREATED;
	use(ev);
	CHECK_STR(F("evt.is_open_create"), "true");
	ev->u.file.res = -EACCES; /* a failed open created nothing */
	use(ev);
	CHECK_STR(F("evt.is_open_create"), "false");
	free(ev);
	ev = ev_new(VG_EV_EXEC, -1, 300, 200, "cat");
	ev->u.hdr.flags |= VG_F_OPEN_CREATED;
	use(ev);
	CHECK_STR(F("evt.is_open_create"), "<absent>"); /* not an open */
	free(ev);
}

/* proc.is_exe_upper_layer and the layer exe_flags: judged by the kernel at
 * exec, kept in the table for the process's later events */
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

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
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
	struct vg_proctable *pt = make_table();
	struct vg_usercache *uc;

	CHECK_INT(vg_uc_new(&uc, 0, 0), 0);
	ctx = calloc(1, sizeof(*ctx));
	ctx->procs = pt;
	ctx->users = uc;
	ctx->hostname = "testhost";

	test_open();
	test_unknown_process();
	test_net();
	test_exec();
	test_sys();
	test_files();
	test_scratch_limit();
	test_engine();
	test_falco_rules();
	test_caps(pt);
	test_exe_writable(pt);
	test_open_create();
	test_exe_layers(pt);
	test_session(pt);
	test_groups(pt);
	test_exe_times(pt);

	free(ctx);
	vg_uc_free(uc);
	vg_pt_free(pt);
	return check_report();
}
