/* Shared by the field tests (tests/unit/test_fields_*.c): synthetic decoded
 * records plus a process table with a parent chain (systemd → sshd → bash →
 * cat), and helpers that extract a field through the rules' callback. */
#ifndef VIGIL_TEST_FIELDS_FIXTURE_H
#define VIGIL_TEST_FIELDS_FIXTURE_H
/* each test file uses some of the helpers */
#pragma GCC diagnostic ignored "-Wunused-function"
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
#include "util/macros.h"

#define SEC NSEC_PER_SEC
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

/* the context every test extracts through; its table and users */
static struct vg_proctable *fixture_pt;
static struct vg_usercache *fixture_uc;

static void fixture_setup(void)
{
	fixture_pt = make_table();
	CHECK_INT(vg_uc_new(&fixture_uc, 0, 0), 0);
	ctx = calloc(1, sizeof(*ctx));
	ctx->procs = fixture_pt;
	ctx->users = fixture_uc;
	ctx->hostname = "testhost";
}

static int fixture_done(void)
{
	free(ctx);
	vg_uc_free(fixture_uc);
	vg_pt_free(fixture_pt);
	return check_report();
}

#endif
