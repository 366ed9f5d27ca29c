/* fd.* and fs.path.* fields (src/fields/fd.c), with the open, socket and
 * file-system records they come from; evt.is_open_*. */
#include "fields_fixture.h"

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

int main(void)
{
	fixture_setup();
	test_open();
	test_net();
	test_files();
	test_open_create();
	return fixture_done();
}
