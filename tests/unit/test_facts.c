/* Kernel facts as rule fields (src/fields/facts.c): set*id ids before and
 * after ("became root"), the directory that holds an exec's or open's file,
 * the directory of a script given to a shell (looked up with stat()); and
 * output templates trimmed of the whitespace a folded YAML scalar keeps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "check.h"
#include "fields/drops.h"
#include "fields/facts.h"
#include "fields/stdio.h"
#include "proc/proctable.h"
#include "rules/evtypes.h"
#include "rules/rules.h"
#include "sensor/event.h"
#include "test_rules_fake.h"
#include "util/macros.h"

static struct vg_event *ev_new(unsigned type)
{
	struct vg_event *ev = calloc(1, sizeof(*ev));

	for (int i = 0; i < VG_S_COUNT; i++)
		ev->s[i] = "";
	ev->u.hdr.type = (uint16_t)type;
	return ev;
}

static void ev_str(struct vg_event *ev, enum vg_slot slot, const char *s, size_t len)
{
	ev->s[slot] = s;
	ev->len[slot] = len;
}

static int get(const struct vg_event *ev, enum vg_field_id id, struct vg_value *v, char *buf)
{
	memset(v, 0, sizeof(*v));
	return vg_fact_field_get(ev, id, v, buf, 96);
}

static void setid(struct vg_event *ev, const uint32_t before[4], const uint32_t after[4])
{
	memcpy(ev->u.sys.ids_before, before, sizeof(ev->u.sys.ids_before));
	memcpy(ev->u.sys.ids_after, after, sizeof(ev->u.sys.ids_after));
	ev->u.sys.ids_known = 1;
}

static void test_ids(void)
{
	static const uint32_t root[4] = { 0, 0, 0, 0 }, nobody[4] = { 65534, 65534, 65534, 65534 };
	static const uint32_t suid[4] = { 65534, 0, 0, 0 }; /* a setuid-root program */
	struct vg_event *ev = ev_new(VG_EV_SETUID);
	struct vg_value v;
	char buf[96];

	/* root setting the ids it holds: no change */
	setid(ev, root, root);
	CHECK_INT(get(ev, VG_F_VIGIL_BECAME_ROOT, &v, buf), 1);
	CHECK_INT(v.b, 0);
	/* a setuid-root program's setuid(0): the real uid goes to 0 */
	setid(ev, suid, root);
	CHECK_INT(get(ev, VG_F_VIGIL_BECAME_ROOT, &v, buf), 1);
	CHECK_INT(v.b, 1);
	CHECK_INT(get(ev, VG_F_VIGIL_IDS_BEFORE, &v, buf), 1);
	CHECK_STR(buf, "ruid=65534 euid=0 suid=0 fsuid=0");
	CHECK_INT(get(ev, VG_F_VIGIL_IDS_AFTER, &v, buf), 1);
	CHECK_STR(buf, "ruid=0 euid=0 suid=0 fsuid=0");
	/* a root process that dropped its effective id to a service user and
	 * takes it back (apt's _apt, daemons): its real id was root all along */
	{
		static const uint32_t dropped[4] = { 0, 42, 0, 42 };

		setid(ev, dropped, root);
		get(ev, VG_F_VIGIL_BECAME_ROOT, &v, buf);
		CHECK_INT(v.b, 0);
	}
	/* root dropping to nobody is not becoming root */
	setid(ev, root, nobody);
	get(ev, VG_F_VIGIL_BECAME_ROOT, &v, buf);
	CHECK_INT(v.b, 0);
	/* the gid forms */
	ev->u.hdr.type = VG_EV_SETGID;
	setid(ev, nobody, root);
	get(ev, VG_F_VIGIL_BECAME_ROOT, &v, buf);
	CHECK_INT(v.b, 1);
	get(ev, VG_F_VIGIL_IDS_BEFORE, &v, buf);
	CHECK_STR(buf, "rgid=65534 egid=65534 sgid=65534 fsgid=65534");
	/* ids before unknown: the fields are absent, not guessed */
	ev->u.sys.ids_known = 0;
	CHECK_INT(get(ev, VG_F_VIGIL_BECAME_ROOT, &v, buf), 0);
	CHECK_INT(get(ev, VG_F_VIGIL_IDS_BEFORE, &v, buf), 0);
	CHECK_INT(get(ev, VG_F_VIGIL_IDS_AFTER, &v, buf), 1);
	/* not a set*id record */
	ev->u.hdr.type = VG_EV_KILL;
	CHECK_INT(get(ev, VG_F_VIGIL_IDS_AFTER, &v, buf), 0);
	free(ev);
}

static void test_dirs(void)
{
	struct vg_event *ev = ev_new(VG_EV_EXEC);
	struct vg_value v;
	char buf[96], priv[] = "/tmp/vigil-facts-XXXXXX", script[64], ww[64];

	/* from the record: /tmp (1777, root) */
	ev->u.exec.dir_mode = 041777;
	ev->u.exec.dir_uid = 0;
	CHECK_INT(get(ev, VG_F_VIGIL_DIR_WORLD_WRITABLE, &v, buf), 1);
	CHECK_INT(v.b, 1);
	get(ev, VG_F_VIGIL_DIR_STICKY, &v, buf);
	CHECK_INT(v.b, 1);
	get(ev, VG_F_VIGIL_DIR_MODE, &v, buf);
	CHECK_INT(v.u, 01777);
	/* a private directory below /tmp */
	ev->u.exec.dir_mode = 040700;
	get(ev, VG_F_VIGIL_DIR_WORLD_WRITABLE, &v, buf);
	CHECK_INT(v.b, 0);
	/* unknown: absent */
	ev->u.exec.dir_mode = 0;
	CHECK_INT(get(ev, VG_F_VIGIL_DIR_WORLD_WRITABLE, &v, buf), 0);
	free(ev);

	ev = ev_new(VG_EV_OPEN);
	ev->u.file.dir_mode = 040777;
	get(ev, VG_F_VIGIL_DIR_WORLD_WRITABLE, &v, buf);
	CHECK_INT(v.b, 1);
	get(ev, VG_F_VIGIL_DIR_STICKY, &v, buf);
	CHECK_INT(v.b, 0);
	free(ev);

	/* a chmod by path: the directory is looked up */
	CHECK(mkdtemp(priv) != NULL);
	snprintf(ww, sizeof(ww), "%s/ww", priv);
	CHECK_INT(mkdir(ww, 0777), 0);
	CHECK_INT(chmod(ww, 0777), 0);
	snprintf(script, sizeof(script), "%s/x.sh", ww);
	ev = ev_new(VG_EV_CHMOD);
	ev_str(ev, VG_S_PATH, script, strlen(script));
	CHECK_INT(get(ev, VG_F_VIGIL_DIR_WORLD_WRITABLE, &v, buf), 1);
	CHECK_INT(v.b, 1);
	ev_str(ev, VG_S_PATH, "/tmp/vigil-facts-none/x", 23);
	CHECK_INT(get(ev, VG_F_VIGIL_DIR_WORLD_WRITABLE, &v, buf), 0);
	free(ev);

	/* the script of a shell, relative to its cwd; options skipped */
	ev = ev_new(VG_EV_EXEC);
	ev_str(ev, VG_S_EXE, "/usr/bin/dash", 13);
	ev_str(ev, VG_S_FILENAME, "/bin/sh", 7);
	ev_str(ev, VG_S_CWD, priv, strlen(priv));
	ev_str(ev, VG_S_ARGS, "sh\0-e\0ww/x.sh", 14);
	CHECK_INT(get(ev, VG_F_VIGIL_SCRIPT_DIR_WW, &v, buf), 1);
	CHECK_INT(v.b, 1);
	ev_str(ev, VG_S_ARGS, "sh\0-e\0x.sh", 11); /* no '/': not a path */
	CHECK_INT(get(ev, VG_F_VIGIL_SCRIPT_DIR_WW, &v, buf), 0);
	ev_str(ev, VG_S_ARGS, "sh\0-c\0./x.sh arg", 17); /* in the private dir */
	CHECK_INT(get(ev, VG_F_VIGIL_SCRIPT_DIR_WW, &v, buf), 1);
	CHECK_INT(v.b, 0);
	ev_str(ev, VG_S_ARGS, "sh\0-c\0ww/x.sh; id", 18);
	get(ev, VG_F_VIGIL_SCRIPT_DIR_WW, &v, buf);
	CHECK_INT(v.b, 1);
	/* the name given to execve */
	CHECK_INT(get(ev, VG_F_VIGIL_FILENAME_DIR_WW, &v, buf), 1);
	CHECK_INT(v.b, 0);
	ev_str(ev, VG_S_FILENAME, "./ww/x.sh", 9);
	get(ev, VG_F_VIGIL_FILENAME_DIR_WW, &v, buf);
	CHECK_INT(v.b, 1);
	ev_str(ev, VG_S_FILENAME, "/proc/self/fd/3", 15);
	CHECK_INT(get(ev, VG_F_VIGIL_FILENAME_DIR_WW, &v, buf), 0);
	/* a name beside the executable: the record's reading of that directory
	 * (here 0755, though the directory is 0777 now: no stat was made) */
	snprintf(script, sizeof(script), "%s/ww/python3", priv);
	ev_str(ev, VG_S_EXE, script, strlen(script));
	ev_str(ev, VG_S_FILENAME, "./ww/x.sh", 9);
	ev->u.exec.dir_mode = 040755;
	CHECK_INT(get(ev, VG_F_VIGIL_FILENAME_DIR_WW, &v, buf), 1);
	CHECK_INT(v.b, 0);
	ev->u.exec.dir_mode = 0; /* unknown: looked up */
	CHECK_INT(get(ev, VG_F_VIGIL_FILENAME_DIR_WW, &v, buf), 1);
	CHECK_INT(v.b, 1);
	free(ev);
	rmdir(ww);
	rmdir(priv);
}

static void test_output_trimmed(void)
{
	const char *yaml = "- rule: a\n  desc: d\n  priority: warning\n"
			   "  condition: proc.name = bash\n"
			   "  output: >\n    ran %proc.name\n    in a shell\n\n"
			   "- rule: b\n  desc: d\n  priority: notice\n"
			   "  condition: proc.name = bash\n"
			   "  output: \"  spaced %proc.name \\t \\n\"\n";
	struct vg_rules *rs = vg_rules_new();
	const struct vg_rule *m[4];
	static struct vg_alert_text alert;
	static struct fake_event fev;
	unsigned evt = vg_evtype_lookup("execve", 6);

	fake_set(&fev, VG_F_PROC_NAME, -1, NULL, "bash");
	CHECK_INT(vg_rules_load_buffer(rs, "t.yaml", yaml, strlen(yaml)), 0);
	CHECK_INT(vg_rules_compile(rs), 0);
	CHECK_INT(vg_rules_eval(rs, evt, fake_get, &fev, m, 4), 2);
	CHECK_INT(vg_rules_format(rs, m[0], fake_get, &fev, &alert), 0);
	CHECK_STR(alert.output, "ran bash in a shell");
	CHECK_INT(vg_rules_format(rs, m[1], fake_get, &fev, &alert), 0);
	CHECK_STR(alert.output, "spaced bash");
	vg_rules_free(rs);
}

static struct vg_event *file_ev(unsigned type, uint32_t uid, uint64_t ts, uint32_t dir_mode,
			       uint32_t flags, uint32_t mode)
{
	struct vg_event *ev = ev_new(type);

	ev->u.hdr.uid = uid;
	ev->u.hdr.pid = 77;
	ev->u.hdr.ts_ns = ts;
	memcpy(ev->u.hdr.comm, "curl", 5);
	ev->u.file.dir_mode = dir_mode;
	ev->u.file.flags = flags;
	ev->u.file.mode = mode;
	ev->u.file.dev = 0x800001;
	ev->u.file.ino = 4242;
	return ev;
}

static int dropped(struct vg_drops *d, uint32_t uid, uint32_t pid, uint64_t ts, char *buf)
{
	struct vg_event *ev = ev_new(VG_EV_EXEC);
	struct vg_value v;
	int n;

	ev->u.hdr.uid = uid;
	ev->u.hdr.pid = pid;
	ev->u.hdr.ts_ns = ts;
	ev->u.exec.exe_dev = 0x800001;
	ev->u.exec.exe_ino = 4242;
	n = vg_drops_field_get(d, NULL, ev, VG_F_VIGIL_EXE_DROPPED, &v, buf, 128);
	CHECK_INT(n, 1);
	n = v.b ? vg_drops_field_get(d, NULL, ev, VG_F_VIGIL_EXE_DROPPER, &v, buf, 128) : 0;
	free(ev);
	return n;
}

static void test_drops(void)
{
	struct vg_drops *d = vg_drops_new();
	const uint64_t s = NSEC_PER_SEC;
	struct vg_event *ev;
	char buf[128];

	/* written in a private directory: not remembered */
	ev = file_ev(VG_EV_OPEN, 1000, 10 * s, 040700, 01 | 0100, 0755);
	vg_drops_note(d, ev);
	free(ev);
	CHECK_INT(dropped(d, 1000, 88, 11 * s, buf), 0);
	/* opened read-only in /tmp: not a write */
	ev = file_ev(VG_EV_OPEN, 1000, 10 * s, 041777, 0, 0);
	vg_drops_note(d, ev);
	free(ev);
	CHECK_INT(dropped(d, 1000, 88, 11 * s, buf), 0);
	/* written in /tmp, run by the same user within the window */
	ev = file_ev(VG_EV_OPEN, 1000, 10 * s, 041777, 01 | 0100, 0644);
	vg_drops_note(d, ev);
	free(ev);
	CHECK_INT(dropped(d, 1000, 88, 15 * s, buf), 1);
	CHECK_STR(buf, "open by curl pid=77 uid=1000 5s before");
	/* by another user who does not descend from the writer: no */
	CHECK_INT(dropped(d, 2000, 88, 15 * s, buf), 0);
	/* by the writer itself, whatever its uid now */
	CHECK_INT(dropped(d, 0, 77, 15 * s, buf), 1);
	/* after the window: no */
	CHECK_INT(dropped(d, 1000, 88, 10 * s + VG_DROPS_WINDOW_NS + s, buf), 0);
	/* fchmod +x in an o+w directory: remembered as a chmod */
	ev = file_ev(VG_EV_CHMOD, 1000, 700 * s, 040777, 0, 0755);
	vg_drops_note(d, ev);
	free(ev);
	CHECK_INT(dropped(d, 1000, 88, 701 * s, buf), 1);
	CHECK_STR(buf, "chmod by curl pid=77 uid=1000 1s before");
	/* chmod that sets no execute bit: not a drop (the old entry stays) */
	ev = file_ev(VG_EV_CHMOD, 1000, 900 * s, 040777, 0, 0644);
	vg_drops_note(d, ev);
	free(ev);
	CHECK_INT(dropped(d, 1000, 88, 901 * s, buf), 1);
	CHECK_STR(buf, "chmod by curl pid=77 uid=1000 201s before");
	vg_drops_free(d);
}

/* An exec looks up the drop table only while a drop can still be in its
 * window, and stats the name given to execve only when it is not the
 * executable: neither shortcut may hide a drop a later or earlier event
 * should find (the bound moves with every new drop). */
static void test_drops_lookup_bounds(void)
{
	struct vg_drops *d = vg_drops_new();
	const uint64_t s = NSEC_PER_SEC;
	char dir[] = "/tmp/vigil-drops-XXXXXX", script[64], buf[128];
	struct vg_event *ev, *x;
	struct vg_value v;
	struct stat st;
	int fd;

	/* empty table: nothing, at any time */
	CHECK_INT(dropped(d, 1000, 88, 5 * s, buf), 0);
	/* a drop at 10 s; the window passes; a new drop at 2000 s moves the
	 * bound: the table is asked again and finds it */
	ev = file_ev(VG_EV_OPEN, 1000, 10 * s, 041777, 01 | 0100, 0644);
	vg_drops_note(d, ev);
	free(ev);
	CHECK_INT(dropped(d, 1000, 88, 10 * s + VG_DROPS_WINDOW_NS + s, buf), 0);
	ev = file_ev(VG_EV_OPEN, 1000, 2000 * s, 041777, 01 | 0100, 0644);
	ev->u.file.ino = 5151; /* another file */
	vg_drops_note(d, ev);
	free(ev);
	CHECK_INT(dropped(d, 1000, 88, 2001 * s, buf), 0); /* 4242 is stale */
	ev = file_ev(VG_EV_OPEN, 1000, 2100 * s, 041777, 01 | 0100, 0644);
	vg_drops_note(d, ev);
	free(ev);
	CHECK_INT(dropped(d, 1000, 88, 2101 * s, buf), 1); /* 4242 again */
	/* an exec older than the newest drop (records of two CPUs) still finds
	 * an older drop within its window */
	ev = file_ev(VG_EV_OPEN, 1000, 3000 * s, 041777, 01 | 0100, 0644);
	ev->u.file.ino = 6161;
	vg_drops_note(d, ev);
	free(ev);
	CHECK_INT(dropped(d, 1000, 88, 2200 * s, buf), 1);

	/* a script written in an o+w directory, run by its name through an
	 * interpreter: found by the stat of the name */
	CHECK(mkdtemp(dir) != NULL);
	snprintf(script, sizeof(script), "%s/x.sh", dir);
	fd = open(script, O_CREAT | O_WRONLY, 0755);
	CHECK(fd >= 0);
	CHECK_INT(fstat(fd, &st), 0);
	close(fd);
	ev = file_ev(VG_EV_OPEN, 1000, 4000 * s, 041777, 01 | 0100, 0755);
	ev->u.file.dev = (major(st.st_dev) << 20) | minor(st.st_dev);
	ev->u.file.ino = st.st_ino;
	vg_drops_note(d, ev);
	free(ev);
	x = ev_new(VG_EV_EXEC);
	x->u.hdr.uid = 1000;
	x->u.hdr.pid = 88;
	x->u.hdr.ts_ns = 4001 * s;
	x->u.exec.exe_dev = 0x800001;
	x->u.exec.exe_ino = 1; /* the interpreter */
	ev_str(x, VG_S_EXE, "/usr/bin/dash", 13);
	ev_str(x, VG_S_FILENAME, script, strlen(script));
	CHECK_INT(vg_drops_field_get(d, NULL, x, VG_F_VIGIL_EXE_DROPPED, &v, buf, 128), 1);
	CHECK_INT(v.b, 1);
	/* the name is the executable itself: the kernel's identity (not the
	 * dropped file) is the one that ran */
	ev_str(x, VG_S_EXE, script, strlen(script));
	CHECK_INT(vg_drops_field_get(d, NULL, x, VG_F_VIGIL_EXE_DROPPED, &v, buf, 128), 1);
	CHECK_INT(v.b, 0);
	free(x);
	unlink(script);
	rmdir(dir);
	vg_drops_free(d);
}

static void seed(struct vg_proctable *pt, uint32_t pid, const char *comm, const char *args,
		 size_t args_len)
{
	struct vg_proc_info in = { .pid = pid, .ppid = 1, .comm = comm, .exe = "/usr/bin/x",
				   .exe_len = 10, .args = args, .args_len = args_len };

	CHECK_INT(vg_pt_seed(pt, &in), 0);
}

static struct vg_event *exec_stdio(uint32_t pid, uint64_t in_ino, uint64_t out_ino)
{
	struct vg_event *ev = ev_new(VG_EV_EXEC);

	ev->u.hdr.pid = pid;
	ev->u.hdr.ts_ns = pid;
	ev->u.exec.stdio[0] = (struct vg_stdio){ .mode = in_ino ? S_IFIFO | 0600 : S_IFCHR | 0620,
						 .aux = in_ino ? 0 : (136u << 20) | 3,
						 .ino = in_ino };
	ev->u.exec.stdio[1] = (struct vg_stdio){ .mode = out_ino ? S_IFIFO | 0600 : S_IFSOCK | 0777,
						 .aux = out_ino ? 0 : 1, .ino = out_ino ? out_ino : 99 };
	ev->u.exec.stdio[2] = (struct vg_stdio){ .mode = S_IFREG | 0644, .ino = 5 };
	return ev;
}

static const char *sget(struct vg_stdio_table *t, struct vg_proctable *pt, struct vg_event *ev,
			enum vg_field_id id, char *buf)
{
	struct vg_value v;

	if (!vg_stdio_field_get(t, pt, ev, id, &v, buf, 128))
		return "(absent)";
	if (v.s.ptr != buf)
		snprintf(buf, 128, "%.*s", (int)v.s.len, v.s.ptr);
	return buf;
}

/* echo X | base64 -d | sh, built by a shell: the sh (pid 30) execs before
 * the decoder (pid 20); each sees the other once both have exec'd. */
static void test_stdio(void)
{
	struct vg_stdio_table *t = vg_stdio_new();
	struct vg_proctable *pt;
	struct vg_event *sh, *dec, *other;
	char buf[128];

	CHECK_INT(vg_pt_new(&pt, 0, 0), 0);
	seed(pt, 20, "base64", "base64\0-d", 10);
	seed(pt, 30, "sh", "sh", 3);
	sh = exec_stdio(30, 1002, 0);
	dec = exec_stdio(20, 1001, 1002);
	vg_stdio_note(t, sh);
	CHECK_STR(sget(t, pt, sh, VG_F_VIGIL_STDIN_WRITER, buf), "(absent)");
	vg_stdio_note(t, dec);
	CHECK_STR(sget(t, pt, dec, VG_F_VIGIL_STDOUT_READER, buf), "sh");
	CHECK_STR(sget(t, pt, sh, VG_F_VIGIL_STDIN_WRITER, buf), "base64 -d");
	CHECK_STR(sget(t, pt, sh, VG_F_PROC_STDIN_TYPE, buf), "pipe");
	CHECK_STR(sget(t, pt, sh, VG_F_PROC_STDIN_NAME, buf), "pipe:[1002]");
	CHECK_STR(sget(t, pt, sh, VG_F_PROC_STDOUT_TYPE, buf), "unix");
	CHECK_STR(sget(t, pt, sh, VG_F_PROC_STDOUT_NAME, buf), "socket:[99]");
	CHECK_STR(sget(t, pt, sh, VG_F_PROC_STDERR_TYPE, buf), "file");
	CHECK_STR(sget(t, pt, sh, VG_F_PROC_STDERR_NAME, buf), "(absent)");
	CHECK_STR(sget(t, pt, dec, VG_F_PROC_STDIN_TYPE, buf), "pipe");
	/* a later event of the shell: its descriptors as at its exec */
	other = ev_new(VG_EV_OPEN);
	other->u.hdr.pid = 30;
	CHECK_STR(sget(t, pt, other, VG_F_PROC_STDIN_NAME, buf), "pipe:[1002]");
	other->u.hdr.pid = 31; /* never exec'd: unknown */
	CHECK_STR(sget(t, pt, other, VG_F_PROC_STDIN_TYPE, buf), "(absent)");
	free(other);
	/* a tty on standard input */
	other = exec_stdio(40, 0, 0);
	CHECK_STR(sget(t, pt, other, VG_F_PROC_STDIN_NAME, buf), "/dev/pts/3");
	CHECK_STR(sget(t, pt, other, VG_F_PROC_STDIN_TYPE, buf), "file");
	CHECK_STR(sget(t, pt, other, VG_F_VIGIL_STDIN_WRITER, buf), "(absent)");
	free(other);
	free(sh);
	free(dec);
	vg_pt_free(pt);
	vg_stdio_free(t);
}

int main(void)
{
	test_stdio();
	test_drops();
	test_drops_lookup_bounds();
	test_ids();
	test_dirs();
	test_output_trimmed();
	return check_report();
}
