/* vigil bpf-audit: every BPF program, map and link on the machine, with
 * type, name, load time, the process holding it, its attach point and a
 * verdict (expected, or suspicious and why). A table, or --json. Exits 0
 * when nothing is suspicious, 1 when something is, 2 on bad usage or when
 * the objects cannot be read (root is needed). */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/inventory.h"
#include "audit/verdict.h"
#include "cli/commands.h"
#include "util/macros.h"

#define MAX_ALLOW 256

static void usage(FILE *f)
{
	fprintf(f, "usage: vigil bpf-audit [--json] [--suspicious] [--allow NAME]...\n"
		   "  -j, --json         one JSON array of objects\n"
		   "  -s, --suspicious   only the suspicious objects\n"
		   "  -a, --allow NAME   also allow programs named NAME (process name; NAME* is a\n"
		   "                     prefix); repeatable. Built in: vigil, systemd, systemd-*,\n"
		   "                     container runtimes and known agents (not bpftool)\n");
}

static void format_time(char *buf, size_t size, uint64_t wall_ns)
{
	time_t sec = (time_t)(wall_ns / NSEC_PER_SEC);
	struct tm tm;

	if (!wall_ns || !gmtime_r(&sec, &tm)) {
		snprintf(buf, size, "-");
		return;
	}
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_object *obj_json(const struct vg_bpf_obj *o)
{
	json_object *j = json_object_new_object();
	char t[32];

	json_object_object_add(j, "kind", json_object_new_string(vg_bpf_kind_name(o->kind)));
	json_object_object_add(j, "id", json_object_new_int64(o->id));
	json_object_object_add(j, "type", json_object_new_string(o->type));
	json_object_object_add(j, "name", json_object_new_string(o->name));
	if (o->kind == VG_BPF_PROG) {
		format_time(t, sizeof(t), o->load_wall_ns);
		json_object_object_add(j, "loaded_at", json_object_new_string(t));
		json_object_object_add(j, "uid", json_object_new_int64(o->uid));
	}
	if (o->kind == VG_BPF_LINK)
		json_object_object_add(j, "prog_id", json_object_new_int64(o->prog_id));
	json_object_object_add(j, "attach", json_object_new_string(o->attach));
	if (o->probe_file[0])
		json_object_object_add(j, "probe_file", json_object_new_string(o->probe_file));
	if (o->owner_pid) {
		json_object_object_add(j, "pid", json_object_new_int64(o->owner_pid));
		json_object_object_add(j, "comm", json_object_new_string(o->owner_comm));
		json_object_object_add(j, "exe", json_object_new_string(o->owner_exe));
		json_object_object_add(j, "holders", json_object_new_int64(o->owners));
	} else {
		json_object_object_add(j, "pid", NULL);
	}
	json_object_object_add(j, "verdict", json_object_new_string(o->verdict == VG_VERDICT_SUSPICIOUS
									  ? "suspicious"
									  : "expected"));
	json_object_object_add(j, "reason", json_object_new_string(o->reason));
	return j;
}

static void print_table(const struct vg_bpf_inventory *inv, bool only_suspicious)
{
	printf("%-4s %6s %-18s %-16s %-20s %-22s %-10s %s\n", "KIND", "ID", "TYPE", "NAME",
	       "LOADED", "HOLDER", "VERDICT", "ATTACH / REASON");
	for (size_t i = 0; i < inv->n; i++) {
		const struct vg_bpf_obj *o = &inv->objs[i];
		char t[32], holder[40];

		if (only_suspicious && o->verdict != VG_VERDICT_SUSPICIOUS)
			continue;
		format_time(t, sizeof(t), o->kind == VG_BPF_PROG ? o->load_wall_ns : 0);
		if (o->owner_pid)
			snprintf(holder, sizeof(holder), "%s(%d)", o->owner_comm, o->owner_pid);
		else
			snprintf(holder, sizeof(holder), "-");
		printf("%-4s %6u %-18s %-16s %-20s %-22s %-10s %s%s%s\n", vg_bpf_kind_name(o->kind),
		       o->id, o->type, o->name[0] ? o->name : "-", t, holder,
		       o->verdict == VG_VERDICT_SUSPICIOUS ? "SUSPICIOUS" : "expected", o->attach,
		       o->attach[0] ? "; " : "", o->reason);
	}
}

int cmd_bpf_audit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "suspicious", no_argument, NULL, 's' },
		{ "allow", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *allow[MAX_ALLOW];
	struct vg_audit_policy pol = { .allow = allow };
	struct vg_bpf_inventory inv;
	bool json = false, only_suspicious = false;
	size_t suspicious = 0;
	int c, ret;

	for (size_t i = 0; i < vg_audit_default_nallow; i++)
		allow[pol.nallow++] = vg_audit_default_allow[i];
	while ((c = getopt_long(argc, argv, "jsa:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 's':
			only_suspicious = true;
			break;
		case 'a':
			if (pol.nallow >= MAX_ALLOW) {
				fprintf(stderr, "vigil bpf-audit: more than %d --allow names\n",
					MAX_ALLOW - (int)vg_audit_default_nallow);
				return 2;
			}
			allow[pol.nallow++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	ret = vg_bpf_inventory_read(&inv);
	if (ret) {
		fprintf(stderr, "vigil bpf-audit: cannot list BPF objects: %s%s\n", strerror(-ret),
			ret == -EPERM ? " (run as root)" : "");
		return 2;
	}
	for (size_t i = 0; i < inv.n; i++) {
		vg_bpf_verdict(&inv.objs[i], &pol);
		suspicious += inv.objs[i].verdict == VG_VERDICT_SUSPICIOUS;
	}
	if (json) {
		json_object *arr = json_object_new_array();

		for (size_t i = 0; i < inv.n; i++)
			if (!only_suspicious || inv.objs[i].verdict == VG_VERDICT_SUSPICIOUS)
				json_object_array_add(arr, obj_json(&inv.objs[i]));
		printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN |
								   JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(arr);
	} else {
		print_table(&inv, only_suspicious);
		printf("%zu objects, %zu suspicious", inv.n, suspicious);
		if (inv.truncated)
			printf(", %zu more not listed (limit %d)", inv.truncated, VG_AUDIT_MAX_OBJS);
		printf("\n");
	}
	vg_bpf_inventory_free(&inv);
	return suspicious ? 1 : 0;
}
