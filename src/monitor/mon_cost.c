/* What vigil's BPF programs cost, as the kernel measures them.
 *
 * With run-time statistics on (sensor.bpf_stats; the sensor holds a
 * BPF_ENABLE_STATS descriptor), the kernel adds each program's run time and
 * run count up; /proc/self/fdinfo of a program descriptor shows both. Our
 * programs are the ones we hold descriptors of: the sensor (pH's step runs
 * inside its vg_sys_exit), pH's own exec/fork/exit/signal programs, the PAM
 * probes, the deny list. Programs only reached by tail calls (the sensor's
 * handlers) are counted in the program that called them.
 *
 * "ns per system call" spreads the time of all our programs over the
 * system calls (the runs of vg_sys_exit, which runs at the end of every
 * call): what vigil's own code adds to an average call. It does not hold
 * what the kernel pays to call any program on every system call (the
 * tracepoint's slow path, the floor `make bench` measures). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "monitor/mon_cost.h"
#include "sensor/sensor.h"

#define SYSCALL_PROG "vg_sys_exit" /* runs once per system call */
#define MAX_PROGS 256

struct prog_cost {
	unsigned long long id, run_ns, runs;
	char name[BPF_OBJ_NAME_LEN];
};

/* The program behind one of our descriptors, or 0 if it is not one. */
static int read_prog(const char *fd_name, struct prog_cost *p)
{
	char path[300], line[256];
	int is_prog = 0;
	FILE *f;

	memset(p, 0, sizeof(*p));
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%s", fd_name);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		/* a link's fdinfo names its program too, without prog_type */
		if (!strncmp(line, "prog_type:", 10))
			is_prog = 1;
		sscanf(line, "prog_id: %llu", &p->id);
		sscanf(line, "run_time_ns: %llu", &p->run_ns);
		sscanf(line, "run_cnt: %llu", &p->runs);
	}
	fclose(f);
	return is_prog && p->id;
}

static void prog_name(const char *fd_name, struct prog_cost *p)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (!bpf_obj_get_info_by_fd(atoi(fd_name), &info, &len))
		snprintf(p->name, sizeof(p->name), "%s", info.name);
	else
		snprintf(p->name, sizeof(p->name), "prog%llu", p->id);
}

/* Our programs, once each (a program may be held by several descriptors). */
static unsigned our_programs(struct prog_cost *progs, unsigned max)
{
	DIR *d = opendir("/proc/self/fdinfo");
	struct dirent *de;
	unsigned n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		unsigned i;

		if (de->d_name[0] == '.' || !read_prog(de->d_name, &progs[n]))
			continue;
		for (i = 0; i < n && progs[i].id != progs[n].id; i++)
			;
		if (i < n)
			continue;
		prog_name(de->d_name, &progs[n]);
		n++;
	}
	closedir(d);
	return n;
}

static void add_u64(struct json_object *o, const char *k, unsigned long long v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

int vg_mon_cost_section(void *ctx, struct json_object *sec)
{
	struct vg_sensor *s = ctx;
	struct prog_cost *progs = calloc(MAX_PROGS, sizeof(*progs));
	struct json_object *calls = json_object_new_object(), *ns = json_object_new_object();
	unsigned long long syscalls = 0, total_ns = 0;
	bool stats = vg_sensor_bpf_stats(s);
	unsigned n;

	if (!progs || !calls || !ns) {
		free(progs);
		json_object_put(calls);
		json_object_put(ns);
		return -ENOMEM;
	}
	n = our_programs(progs, MAX_PROGS);
	for (unsigned i = 0; i < n; i++) {
		char key[BPF_OBJ_NAME_LEN + 24];

		if (!progs[i].runs)
			continue; /* not run since statistics were on (or never) */
		snprintf(key, sizeof(key), "%s", progs[i].name);
		if (json_object_object_get_ex(calls, key, NULL)) /* two programs, one name */
			snprintf(key, sizeof(key), "%s#%llu", progs[i].name, progs[i].id);
		add_u64(calls, key, progs[i].runs);
		add_u64(ns, key, progs[i].run_ns / progs[i].runs);
		total_ns += progs[i].run_ns;
		if (!strcmp(progs[i].name, SYSCALL_PROG))
			syscalls += progs[i].runs;
	}
	free(progs);
	json_object_object_add(sec, "bpf_stats",
			       json_object_new_string(stats ? "on" : "off (sensor.bpf_stats: false)"));
	add_u64(sec, "syscalls", syscalls);
	/* every program's time over the system calls: what vigil's own code
	 * adds to an average one (without the tracepoint's fixed cost) */
	add_u64(sec, "ns_per_syscall", syscalls ? total_ns / syscalls : 0);
	json_object_object_add(sec, "calls_by_program", calls);
	json_object_object_add(sec, "ns_per_call_by_program", ns);
	return 0;
}
