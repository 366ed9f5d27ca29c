/* Reading processes from /proc into the process table.
 *
 * Each process directory is opened once and every file is read relative to
 * that handle, so a pid that is reused while we read cannot mix two
 * processes: the handle keeps referring to the first one, whose files then
 * fail with ESRCH/ENOENT. */
#include "proc/procfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "util/macros.h"

#define ENVIRON_READ_MAX (64 * 1024) /* we keep only the loader variables */

static bool gone(int err)
{
	return err == ENOENT || err == ESRCH;
}

/* Reads up to size bytes of a file under dfd. Returns the count or -errno. */
static ssize_t read_at(int dfd, const char *name, char *buf, size_t size)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (fd < 0)
		return -errno;
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			return -e;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	return (ssize_t)got;
}

/* Reads a text file into a NUL-terminated buffer. */
static ssize_t read_text(int dfd, const char *name, char *buf, size_t size)
{
	ssize_t n = read_at(dfd, name, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

/* readlink into a NUL-terminated buffer; returns the length (cut to fit,
 * *trunc set) or -errno. */
static ssize_t link_at(int dfd, const char *name, char *buf, size_t size, bool *trunc)
{
	ssize_t n = readlinkat(dfd, name, buf, size);
	if (n < 0) {
		buf[0] = '\0';
		return -errno;
	}
	if ((size_t)n >= size) {
		*trunc = true;
		n = (ssize_t)size - 1;
	}
	buf[n] = '\0';
	return n;
}

static uint32_t field_u32(const char *text, const char *key, unsigned nth, uint32_t dflt)
{
	const char *p = strstr(text, key);
	if (!p)
		return dflt;
	p += strlen(key);
	for (unsigned i = 0;; i++) {
		char *end;
		unsigned long v = strtoul(p, &end, 10);
		if (end == p)
			return dflt;
		if (i == nth)
			return (uint32_t)v;
		p = end;
	}
}

/* "CapEff:\t000001ffffffffff": true and *v set when the line is there */
static bool field_hex64(const char *text, const char *key, uint64_t *v)
{
	const char *p = strstr(text, key);
	char *end;

	if (!p)
		return false;
	p += strlen(key);
	errno = 0;
	*v = strtoull(p, &end, 16);
	return end != p && errno == 0;
}

static int parse_status(int dfd, struct vg_proc_info *in)
{
	char buf[4096];
	ssize_t n = read_text(dfd, "status", buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	in->ppid = field_u32(buf, "\nPPid:", 0, 0);
	in->uid = field_u32(buf, "\nUid:", 0, 0);
	in->euid = field_u32(buf, "\nUid:", 1, 0);
	in->gid = field_u32(buf, "\nGid:", 0, 0);
	in->egid = field_u32(buf, "\nGid:", 1, 0);
	in->caps_known = 0;
	if (field_hex64(buf, "\nCapEff:", &in->cap_eff))
		in->caps_known |= VG_CAPS_EFF;
	if (field_hex64(buf, "\nCapPrm:", &in->cap_prm))
		in->caps_known |= VG_CAPS_PRM;
	if (field_hex64(buf, "\nCapInh:", &in->cap_inh))
		in->caps_known |= VG_CAPS_INH;
	return 0;
}

/* stat: "pid (comm) state ppid pgrp session tty_nr ... starttime(22) ...".
 * comm may hold spaces and parentheses, so fields count from the last ')'. */
static int parse_stat(int dfd, struct vg_procfs_proc *o, long ticks_per_sec)
{
	char buf[1024];
	ssize_t n = read_text(dfd, "stat", buf, sizeof(buf));
	const char *open, *close;
	unsigned long long v[20] = {0};

	if (n < 0)
		return (int)n;
	open = strchr(buf, '(');
	close = strrchr(buf, ')');
	if (!open || !close || close < open)
		return -EINVAL;
	size_t clen = (size_t)(close - open - 1);
	if (clen >= sizeof(o->comm))
		clen = sizeof(o->comm) - 1;
	memcpy(o->comm, open + 1, clen);
	o->comm[clen] = '\0';

	const char *p = close + 1;
	unsigned got = 0; /* fields read after the name */
	for (unsigned i = 0; i < 20; i++, got++) {
		while (*p == ' ')
			p++;
		if (i == 0) { /* the state letter */
			if (*p)
				p++;
			continue;
		}
		char *end;
		v[i] = strtoull(p, &end, 10);
		if (end == p)
			break;
		p = end;
	}
	/* v[i] is field i + 3 */
	o->info.pgid = got > 2 ? (uint32_t)v[2] : VG_PGID_UNKNOWN;
	o->info.sid = got > 3 ? (uint32_t)v[3] : VG_SID_UNKNOWN;
	o->info.tty_nr = vg_tty_nr_to_kdev((uint32_t)v[4]);
	if (ticks_per_sec > 0)
		o->info.start_ns = v[19] * (NSEC_PER_SEC / (unsigned long long)ticks_per_sec);
	return 0;
}

static uint32_t ns_inode(int dfd, const char *name)
{
	char buf[64];
	bool trunc = false;

	if (link_at(dfd, name, buf, sizeof(buf), &trunc) < 0)
		return 0;
	const char *b = strchr(buf, '[');
	return b ? (uint32_t)strtoul(b + 1, NULL, 10) : 0;
}

static void read_exe(int dfd, struct vg_procfs_proc *o)
{
	static const char deleted[] = " (deleted)";
	const size_t dlen = sizeof(deleted) - 1;
	bool trunc = false;
	ssize_t n = link_at(dfd, "exe", o->exe, sizeof(o->exe), &trunc);
	struct stat st;

	if (n < 0)
		return; /* kernel thread, zombie, or not ours to read */
	if (trunc)
		o->info.img_flags |= VG_IMG_PATH_TRUNC;
	if ((size_t)n > dlen && memcmp(o->exe + n - dlen, deleted, dlen) == 0) {
		n -= (ssize_t)dlen;
		o->exe[n] = '\0';
		o->info.img_flags |= VG_IMG_EXE_DELETED;
	}
	if (strncmp(o->exe, "/memfd:", 7) == 0 || strncmp(o->exe, "memfd:", 6) == 0)
		o->info.img_flags |= VG_IMG_EXE_MEMFD;
	o->info.exe = o->exe;
	o->info.exe_len = (size_t)n;
	/* stat through the link reaches the file even when it was unlinked */
	if (fstatat(dfd, "exe", &st, 0) == 0) {
		o->info.exe_ino = (uint64_t)st.st_ino;
		o->info.exe_ctime_ns = (uint64_t)st.st_ctim.tv_sec * NSEC_PER_SEC +
				       (uint64_t)st.st_ctim.tv_nsec;
		o->info.exe_mtime_ns = (uint64_t)st.st_mtim.tv_sec * NSEC_PER_SEC +
				       (uint64_t)st.st_mtim.tv_nsec;
		o->info.exe_dev =
		    (uint32_t)((major(st.st_dev) << 20) | (minor(st.st_dev) & 0xfffff));
	}
}

static void read_cmdline(int dfd, struct vg_procfs_proc *o)
{
	/* one byte more than we keep tells whether there was more */
	ssize_t n = read_at(dfd, "cmdline", o->args, VG_ARGS_MAX + 1);

	if (n <= 0)
		return;
	if (n > VG_ARGS_MAX) {
		n = VG_ARGS_MAX;
		o->info.img_flags |= VG_IMG_ARGS_TRUNC;
	}
	o->info.args = o->args;
	o->info.args_len = (size_t)n;
}

/* Keeps the LD_* variables, as exec events do. */
static void read_environ(int dfd, struct vg_procfs_proc *o)
{
	char *buf = malloc(ENVIRON_READ_MAX);
	size_t used = 0;

	if (!buf)
		return;
	ssize_t n = read_at(dfd, "environ", buf, ENVIRON_READ_MAX);
	for (ssize_t i = 0; i < n;) {
		const char *var = buf + i;
		const char *nul = memchr(var, '\0', (size_t)(n - i));
		size_t len = nul ? (size_t)(nul - var) : (size_t)(n - i);
		if (len > 3 && memcmp(var, "LD_", 3) == 0 && used + len + 1 <= VG_ENV_MAX) {
			memcpy(o->env + used, var, len);
			o->env[used + len] = '\0';
			used += len + 1;
		}
		i += (ssize_t)len + 1;
	}
	free(buf);
	if (used) {
		o->info.env = o->env;
		o->info.env_len = used;
	}
}

static void read_cgroup(int dfd, struct vg_cgmap *cgmap, struct vg_procfs_proc *o)
{
	char buf[8192];
	ssize_t n = read_text(dfd, "cgroup", buf, sizeof(buf));
	uint64_t id;

	if (n <= 0)
		return;
	vg_container_from_cgroup_file(buf, (size_t)n, &o->container, o->cgroup_v2,
				      sizeof(o->cgroup_v2));
	o->info.container = &o->container;
	if (cgmap && o->cgroup_v2[0] && vg_cgmap_id_of(cgmap, o->cgroup_v2, &id) == 0)
		o->info.cgroup_id = id;
}

static int read_proc(int dfd, uint32_t pid, struct vg_cgmap *cgmap, struct vg_procfs_proc *o)
{
	char buf[32];
	bool trunc = false;
	int r;

	memset(&o->info, 0, sizeof(o->info));
	memset(&o->container, 0, sizeof(o->container));
	o->comm[0] = o->exe[0] = o->cwd[0] = o->tty[0] = o->cgroup_v2[0] = '\0';
	o->info.pid = pid;
	o->info.loginuid = VG_LOGINUID_UNSET;
	o->info.comm = o->comm;

	r = parse_stat(dfd, o, sysconf(_SC_CLK_TCK));
	if (r < 0)
		return r;
	r = parse_status(dfd, &o->info);
	if (r < 0)
		return r;
	if (read_text(dfd, "loginuid", buf, sizeof(buf)) > 0)
		o->info.loginuid = (uint32_t)strtoul(buf, NULL, 10);
	read_exe(dfd, o);
	read_cmdline(dfd, o);
	ssize_t n = link_at(dfd, "cwd", o->cwd, sizeof(o->cwd), &trunc);
	if (n > 0) {
		o->info.cwd = o->cwd;
		o->info.cwd_len = (size_t)n;
		if (trunc)
			o->info.img_flags |= VG_IMG_PATH_TRUNC;
	}
	size_t tlen = vg_tty_name(o->info.tty_nr, o->tty, sizeof(o->tty));
	o->info.tty = o->tty;
	o->info.tty_len = tlen < sizeof(o->tty) ? tlen : sizeof(o->tty) - 1;
	read_environ(dfd, o);
	read_cgroup(dfd, cgmap, o);
	o->info.pid_ns = ns_inode(dfd, "ns/pid");
	o->info.mnt_ns = ns_inode(dfd, "ns/mnt");
	/* a process that died while we read may have left half-empty files */
	if (faccessat(dfd, "stat", F_OK, 0) < 0 && gone(errno))
		return -ENOENT;
	return 0;
}

static int open_pid_dir(int rootfd, uint32_t pid)
{
	char name[16];

	snprintf(name, sizeof(name), "%u", pid);
	int fd = openat(rootfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int vg_procfs_read(const char *proc_root, uint32_t pid, struct vg_cgmap *cgmap,
		   struct vg_procfs_proc *out)
{
	int rootfd = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int dfd, r;

	if (rootfd < 0)
		return -errno;
	dfd = open_pid_dir(rootfd, pid);
	close(rootfd);
	if (dfd < 0)
		return gone(-dfd) ? -ENOENT : dfd;
	r = read_proc(dfd, pid, cgmap, out);
	close(dfd);
	return r < 0 && gone(-r) ? -ENOENT : r;
}

static bool all_digits(const char *s, uint32_t *pid)
{
	unsigned long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > UINT32_MAX)
			return false;
	}
	*pid = (uint32_t)v;
	return v != 0;
}

int vg_procfs_seed(struct vg_proctable *pt, const char *proc_root, struct vg_cgmap *cgmap,
		   struct vg_procfs_stats *stats)
{
	struct vg_procfs_stats local = {0};
	struct vg_procfs_stats *st = stats ? stats : &local;
	struct vg_procfs_proc *o;
	struct dirent *de;
	uint64_t host_init_start = 0;
	DIR *d;

	memset(st, 0, sizeof(*st));
	d = opendir(proc_root);
	if (!d)
		return -errno;
	o = malloc(sizeof(*o));
	if (!o) {
		closedir(d);
		return -ENOMEM;
	}
	/* the host's pid namespace started with its init: proc.pidns_init_start_ts
	 * of the host processes running before us */
	int initfd = open_pid_dir(dirfd(d), 1);
	if (initfd >= 0) {
		if (parse_stat(initfd, o, sysconf(_SC_CLK_TCK)) == 0)
			host_init_start = o->info.start_ns;
		close(initfd);
	}
	while ((de = readdir(d)) != NULL) {
		uint32_t pid;
		if (!all_digits(de->d_name, &pid))
			continue;
		st->seen++;
		int dfd = open_pid_dir(dirfd(d), pid);
		if (dfd < 0) {
			if (gone(-dfd))
				st->vanished++;
			else
				st->failed++;
			continue;
		}
		int r = read_proc(dfd, pid, cgmap, o);
		close(dfd);
		if (r < 0) {
			/* gone, or a file we could not parse: not worth stopping for */
			if (gone(-r))
				st->vanished++;
			else
				st->failed++;
			continue;
		}
		if (o->info.pid_ns == VG_PID_NS_HOST)
			o->info.pidns_start_ns = host_init_start;
		r = vg_pt_seed(pt, &o->info);
		if (r == 0)
			st->added++;
		else if (r == -EEXIST)
			st->existing++;
		else
			st->failed++;
	}
	free(o);
	closedir(d);
	return 0;
}

uint32_t vg_tty_nr_to_kdev(uint32_t v)
{
	uint32_t maj = (v >> 8) & 0xfff;
	uint32_t min = (v & 0xff) | ((v >> 12) & 0xfff00);
	return (maj << 20) | min;
}

size_t vg_tty_name(uint32_t kdev, char *buf, size_t size)
{
	uint32_t maj = kdev >> 20, min = kdev & 0xfffff;
	int n;

	if (kdev == 0)
		n = snprintf(buf, size, "%s", "");
	else if (maj >= 136 && maj <= 143) /* Unix98 pty slaves */
		n = snprintf(buf, size, "pts/%u", (maj - 136) * 256 + min);
	else if (maj == 4 && min < 64)
		n = snprintf(buf, size, "tty%u", min);
	else if (maj == 4)
		n = snprintf(buf, size, "ttyS%u", min - 64);
	else if (maj == 5 && min == 0)
		n = snprintf(buf, size, "tty");
	else if (maj == 5 && min == 1)
		n = snprintf(buf, size, "console");
	else if (maj == 188)
		n = snprintf(buf, size, "ttyUSB%u", min);
	else if (maj == 166)
		n = snprintf(buf, size, "ttyACM%u", min);
	else if (maj == 204 && min >= 64)
		n = snprintf(buf, size, "ttyAMA%u", min - 64);
	else
		n = snprintf(buf, size, "%s", "");
	return n < 0 ? 0 : (size_t)n;
}
