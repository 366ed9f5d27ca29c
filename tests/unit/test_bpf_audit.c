/* The eBPF audit's logic without a kernel: fdinfo parsing, owners and
 * link-to-program propagation in the inventory, verdicts, the bpf.* and
 * probe.* fields of decoded records. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fields/bpf.h"
#include "audit/fdinfo.h"
#include "audit/inventory.h"
#include "audit/verdict.h"
#include "check.h"
#include "sensor/event.h"

static void test_fdinfo(void)
{
	const char prog[] = "pos:\t0\nflags:\t02000002\nprog_type:\t2\nprog_id:\t9188\nrun_cnt:\t1\n";
	const char link[] = "pos:\t0\nlink_type:\tperf\nlink_id:\t2887\nprog_tag:\tab\n"
			    "prog_id:\t9188\nname:\t/lib/libpam.so.0\n";
	const char map[] = "map_type:\t2\nmap_id:\t7"; /* no final newline */
	const char none[] = "pos:\t0\nflags:\t0100000\n";
	const char big[] = "prog_id:\t4294967296\n";
	const char junk[] = "map_id:\t12x\n";
	struct vg_fdinfo fi;
	unsigned line = 0;

	CHECK_INT(vg_fdinfo_parse(prog, strlen(prog), &fi, NULL), 0);
	CHECK(fi.kind == VG_BPF_PROG && fi.id == 9188);
	CHECK_INT(vg_fdinfo_parse(link, strlen(link), &fi, NULL), 0);
	CHECK(fi.kind == VG_BPF_LINK && fi.id == 2887 && fi.prog_id == 9188);
	CHECK_INT(vg_fdinfo_parse(map, strlen(map), &fi, NULL), 0);
	CHECK(fi.kind == VG_BPF_MAP && fi.id == 7);
	CHECK_INT(vg_fdinfo_parse(none, strlen(none), &fi, NULL), -ENOENT);
	CHECK_INT(vg_fdinfo_parse(big, strlen(big), &fi, &line), -EINVAL);
	CHECK_INT(line, 1);
	CHECK_INT(vg_fdinfo_parse(junk, strlen(junk), &fi, &line), -EINVAL);
	/* a length that cuts the text: only what is inside counts */
	CHECK_INT(vg_fdinfo_parse(prog, 20, &fi, NULL), -ENOENT);
	CHECK_INT(vg_fdinfo_parse("", 0, &fi, NULL), -ENOENT);
}

static struct vg_bpf_obj obj(enum vg_bpf_kind kind, const char *type, const char *name,
			     int pid, const char *comm)
{
	struct vg_bpf_obj o;

	memset(&o, 0, sizeof(o));
	o.kind = kind;
	o.id = 1;
	snprintf(o.type, sizeof(o.type), "%s", type);
	snprintf(o.name, sizeof(o.name), "%s", name);
	o.owner_pid = pid;
	if (comm) {
		snprintf(o.owner_comm, sizeof(o.owner_comm), "%s", comm);
		snprintf(o.owner_exe, sizeof(o.owner_exe), "/usr/bin/%s", comm);
	}
	return o;
}

static void test_verdicts(void)
{
	struct vg_audit_policy def = { 0 };
	const char *mine[] = { "myagent" };
	struct vg_audit_policy custom = { .allow = mine, .nallow = 1 };
	struct vg_bpf_obj o;

	/* vigil's own objects */
	o = obj(VG_BPF_PROG, "tracing", "vg_sys_exit", 100, "vigil");
	vg_bpf_verdict(&o, &def);
	CHECK(o.verdict == VG_VERDICT_EXPECTED);
	/* a uprobe on libpam, whoever holds it (here an allowed name) */
	o = obj(VG_BPF_LINK, "perf_event", "", 200, "systemd");
	snprintf(o.probe_file, sizeof(o.probe_file), "/lib/x86_64-linux-gnu/libpam.so.0");
	vg_bpf_verdict(&o, &def);
	CHECK(o.verdict == VG_VERDICT_SUSPICIOUS && strstr(o.reason, "libpam"));
	/* ... but vigil may probe libpam */
	o = obj(VG_BPF_LINK, "perf_event", "", 100, "vigil");
	snprintf(o.probe_file, sizeof(o.probe_file), "/lib/x86_64-linux-gnu/libpam.so.0");
	vg_bpf_verdict(&o, &def);
	CHECK(o.verdict == VG_VERDICT_EXPECTED);
	/* a name like vigil's in another process */
	o = obj(VG_BPF_PROG, "tracing", "vg_sys_exit", 300, "systemd");
	vg_bpf_verdict(&o, &def);
	CHECK(o.verdict == VG_VERDICT_SUSPICIOUS && strstr(o.reason, "named like vigil"));
	/* "vigil" as comm but another executable is not vigil */
	o = obj(VG_BPF_PROG, "kprobe", "vg_x", 300, "vigil");
	snprintf(o.owner_exe, sizeof(o.owner_exe), "/tmp/evil");
	vg_bpf_verdict(&o, &def);
	CHECK(o.verdict == VG_VERDICT_SUSPICIOUS);
	/* bpftool is not on the default list; systemd-* is a prefix */
	o = obj(VG_BPF_PROG, "socket_filter", "x", 400, "bpftool");
	vg_bpf_verdict(&o, &def);
	CHECK(o.verdict == VG_VERDICT_SUSPICIOUS && strstr(o.reason, "allow list"));
	o = obj(VG_BPF_PROG, "cgroup_skb", "sd_fw_egress", 1, "systemd-network");
	vg_bpf_verdict(&o, &def);
	CHECK(o.verdict == VG_VERDICT_EXPECTED);
	/* a custom list replaces the default */
	o = obj(VG_BPF_PROG, "xdp", "x", 500, "myagent");
	vg_bpf_verdict(&o, &custom);
	CHECK(o.verdict == VG_VERDICT_EXPECTED);
	o = obj(VG_BPF_PROG, "xdp", "x", 500, "systemd");
	vg_bpf_verdict(&o, &custom);
	CHECK(o.verdict == VG_VERDICT_SUSPICIOUS);
	/* nobody holds it: a tracing program or a link is suspicious, a
	 * cgroup program attached by systemd is not */
	o = obj(VG_BPF_PROG, "kprobe", "hidden", 0, NULL);
	vg_bpf_verdict(&o, &def);
	CHECK(o.verdict == VG_VERDICT_SUSPICIOUS && strstr(o.reason, "no process"));
	o = obj(VG_BPF_LINK, "raw_tracepoint", "", 0, NULL);
	vg_bpf_verdict(&o, &def);
	CHECK(o.verdict == VG_VERDICT_SUSPICIOUS);
	o = obj(VG_BPF_PROG, "cgroup_device", "sd_devices", 0, NULL);
	vg_bpf_verdict(&o, &def);
	CHECK(o.verdict == VG_VERDICT_EXPECTED);
}

static void test_inventory_owners(void)
{
	struct vg_bpf_inventory inv = { 0 };
	struct vg_fdinfo fi = { .kind = VG_BPF_LINK, .id = 5, .prog_id = 3 };
	struct vg_bpf_obj *p, *l;

	inv.cap = 4;
	inv.objs = calloc(inv.cap, sizeof(*inv.objs));
	inv.objs[0] = obj(VG_BPF_PROG, "kprobe", "sniff", 0, NULL);
	inv.objs[0].id = 3;
	inv.objs[1] = obj(VG_BPF_MAP, "hash", "m", 0, NULL);
	inv.objs[1].id = 2;
	inv.objs[2] = obj(VG_BPF_LINK, "perf_event", "", 0, NULL);
	inv.objs[2].id = 5;
	inv.objs[2].prog_id = 3;
	snprintf(inv.objs[2].attach, sizeof(inv.objs[2].attach), "uprobe /lib/libpam.so.0+0x10");
	snprintf(inv.objs[2].probe_file, sizeof(inv.objs[2].probe_file), "/lib/libpam.so.0");
	inv.n = 3;
	CHECK(vg_bpf_inventory_find(&inv, VG_BPF_MAP, 2) == &inv.objs[1]);
	CHECK(vg_bpf_inventory_find(&inv, VG_BPF_MAP, 3) == NULL);
	vg_bpf_inventory_note_owner(&inv, &fi, 77, "sniffer", "/tmp/sniffer");
	vg_bpf_inventory_note_owner(&inv, &fi, 77, "sniffer", "/tmp/sniffer"); /* 2nd fd */
	vg_bpf_inventory_note_owner(&inv, &fi, 99, "child", "/tmp/sniffer");  /* inherited */
	l = vg_bpf_inventory_find(&inv, VG_BPF_LINK, 5);
	CHECK(l && l->owner_pid == 77 && l->owners == 2);
	vg_bpf_inventory_link_progs(&inv);
	p = vg_bpf_inventory_find(&inv, VG_BPF_PROG, 3);
	CHECK(p && p->owner_pid == 77);
	CHECK_STR(p->probe_file, "/lib/libpam.so.0");
	CHECK(p && strstr(p->attach, "link 5: uprobe"));
	vg_bpf_verdict(p, NULL);
	CHECK(p->verdict == VG_VERDICT_SUSPICIOUS);
	vg_bpf_inventory_free(&inv);
}

static void test_fields(void)
{
	struct vg_event *ev = calloc(1, sizeof(*ev));
	struct vg_value v;
	char b[64];

	for (int i = 0; i < VG_S_COUNT; i++)
		ev->s[i] = "";
	ev->u.hdr.type = VG_EV_PERF_EVENT_OPEN;
	ev->u.sys.probe = VG_PROBE_URETPROBE;
	ev->u.sys.aux64 = 0x56c0;
	ev->s[VG_S_STR] = "/lib/libpam.so.0";
	ev->len[VG_S_STR] = strlen(ev->s[VG_S_STR]);
	CHECK_INT(vg_bpf_field_get(ev, VG_F_PROBE_TYPE, &v, b, sizeof(b)), 1);
	CHECK(v.s.len == 9 && !memcmp(v.s.ptr, "uretprobe", 9));
	CHECK_INT(vg_bpf_field_get(ev, VG_F_PROBE_PATH, &v, b, sizeof(b)), 1);
	CHECK_INT(vg_bpf_field_get(ev, VG_F_PROBE_FUNC, &v, b, sizeof(b)), 0);
	CHECK_INT(vg_bpf_field_get(ev, VG_F_PROBE_OFFSET, &v, b, sizeof(b)), 1);
	CHECK(v.u == 0x56c0);
	CHECK_INT(vg_bpf_field_get(ev, VG_F_BPF_PROG_NAME, &v, b, sizeof(b)), 0);

	ev->u.hdr.type = VG_EV_BPF;
	ev->u.sys.args[0] = 28; /* BPF_LINK_CREATE */
	ev->u.sys.aux = 2;	/* kprobe */
	ev->u.sys.aux64 = 41;	/* BPF_PERF_EVENT */
	ev->u.sys.target = 4;
	ev->u.sys.obj_id = 12;
	ev->s[VG_S_STR] = "sniff";
	ev->len[VG_S_STR] = 5;
	CHECK_INT(vg_bpf_field_get(ev, VG_F_BPF_PROG_TYPE, &v, b, sizeof(b)), 1);
	CHECK(v.s.len == 6 && !memcmp(v.s.ptr, "kprobe", 6));
	CHECK_INT(vg_bpf_field_get(ev, VG_F_BPF_ATTACH_TYPE, &v, b, sizeof(b)), 1);
	CHECK(v.s.len == 10 && !memcmp(v.s.ptr, "perf_event", 10));
	CHECK_INT(vg_bpf_field_get(ev, VG_F_BPF_ATTACH_TARGET, &v, b, sizeof(b)), 1);
	CHECK(v.s.ptr == b && !strcmp(b, "fd 4"));
	CHECK_INT(vg_bpf_field_get(ev, VG_F_BPF_LINK_ID, &v, b, sizeof(b)), 1);
	CHECK(v.u == 12);
	CHECK_INT(vg_bpf_field_get(ev, VG_F_BPF_PROG_ID, &v, b, sizeof(b)), 0);
	CHECK_INT(vg_bpf_field_get(ev, VG_F_PROBE_TYPE, &v, b, sizeof(b)), 0);
	free(ev);
}

int main(void)
{
	test_fdinfo();
	test_verdicts();
	test_inventory_owners();
	test_fields();
	return check_report();
}
