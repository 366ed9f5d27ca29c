/* Verdicts, strongest reason first: a probe on libpam reads passwords;
 * vigil's names on someone else's objects hide an attacker among ours; a
 * holder off the allow list loaded something nobody vetted; a tracing
 * program or link that no process holds was pinned or leaked on purpose. */
#include <stdio.h>
#include <string.h>

#include "audit/verdict.h"
#include "util/macros.h"

const char *const vg_audit_default_allow[] = {
	"vigil",	"systemd",     "systemd-*",  "(sd-*",	    "runc",	 "crun",
	"youki",	"containerd*", "dockerd",    "podman",	    "conmon",	 "crio",
	"kubelet",	"cilium-agent", "calico-node", "falco",	    "tracee",	 "tetragon",
	"bpfman",	"irqbalance",  "sshd",	     "sshd-session", "Xorg",
};
const size_t vg_audit_default_nallow = ARRAY_SIZE(vg_audit_default_allow);

bool vg_audit_allowed(const struct vg_audit_policy *p, const char *comm)
{
	const char *const *list = p && p->allow ? p->allow : vg_audit_default_allow;
	size_t n = p && p->allow ? p->nallow : vg_audit_default_nallow;

	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(list[i]);

		if (len && list[i][len - 1] == '*') {
			if (!strncmp(comm, list[i], len - 1))
				return true;
		} else if (!strcmp(comm, list[i])) {
			return true;
		}
	}
	return false;
}

static bool is_vigil(const struct vg_bpf_obj *o)
{
	const char *base = strrchr(o->owner_exe, '/');

	return !strcmp(o->owner_comm, "vigil") && (!o->owner_exe[0] || !strcmp(base ? base + 1 : o->owner_exe, "vigil"));
}

/* Program types that read kernel or user memory at probes and tracepoints. */
static bool is_tracing_type(const char *type)
{
	static const char *const t[] = { "kprobe",  "tracepoint",		 "raw_tracepoint",
					 "perf_event", "tracing",		 "raw_tracepoint_writable",
					 "lsm",	    "perf_event" };

	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if (!strcmp(type, t[i]))
			return true;
	return false;
}

static void set(struct vg_bpf_obj *o, enum vg_verdict v, const char *fmt, const char *a, long b)
{
	o->verdict = v;
	snprintf(o->reason, sizeof(o->reason), fmt, a, b);
}

void vg_bpf_verdict(struct vg_bpf_obj *o, const struct vg_audit_policy *p)
{
	bool owned = o->owner_pid > 0;
	bool ours = owned && is_vigil(o);

	if (strstr(o->probe_file, "libpam") && !ours)
		return set(o, VG_VERDICT_SUSPICIOUS,
			   "probe on libpam (credential interception) held by %s (pid %ld)",
			   owned ? o->owner_comm : "no process", o->owner_pid);
	if (owned && !ours && !strncmp(o->name, "vg_", 3))
		return set(o, VG_VERDICT_SUSPICIOUS, "named like vigil's but held by %s (pid %ld)",
			   o->owner_comm, o->owner_pid);
	if (owned && !vg_audit_allowed(p, o->owner_comm))
		return set(o, VG_VERDICT_SUSPICIOUS,
			   "held by %s (pid %ld), a program not on the allow list", o->owner_comm,
			   o->owner_pid);
	if (!owned && o->kind == VG_BPF_LINK)
		return set(o, VG_VERDICT_SUSPICIOUS, "link held by no process (pinned or leaked)%s",
			   "", 0);
	if (!owned && o->kind == VG_BPF_PROG && is_tracing_type(o->type))
		return set(o, VG_VERDICT_SUSPICIOUS,
			   "%s program held by no process (pinned or attached and left)", o->type, 0);
	if (!owned)
		return set(o, VG_VERDICT_EXPECTED, "held by the kernel (attached or used, no process)%s",
			   "", 0);
	set(o, VG_VERDICT_EXPECTED, "held by %s (pid %ld), on the allow list", o->owner_comm,
	    o->owner_pid);
}
