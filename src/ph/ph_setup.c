/* pH's kernel side before and after load: its parameters, map sizes and
 * response in the sensor's BPF object, and its own programs (ph_setup.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <vigil/ph_events.h> /* struct ph_exe_key */

#include "ph/ph_model.h" /* before the skeleton: it uses struct ph_params */
#include "ph/ph_setup.h"
#include "ph/ph_watch.h"
#include "sensor/syscalls.h"
#include "util/log.h"
#include "sensor.skel.h"
#include "util/macros.h"

/* Calls whose order depends on timing, not on what the program does: a
 * thread waiting on a lock, a poll that timed out after an idle gap. In a
 * sequence they make a threaded or idle server's n-grams new at random (a
 * threaded Python server never settled), so the kernel's model does not
 * see them. Replay keeps every call (`make eval` compares with earlier
 * figures, and the datasets are of another ABI). */
static const char *const timing_calls[] = {
	"futex",	 "futex_waitv",	 "sched_yield", "nanosleep",  "clock_nanosleep",
	"poll",		 "ppoll",	 "select",	"pselect6",   "epoll_wait",
	"epoll_pwait",	 "epoll_pwait2", "rt_sigprocmask", "restart_syscall",
};

/* Adds the named calls (this machine's numbers) to one of ph_params' sets. */
static void add_calls(__u64 *set, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int nr = vg_syscall_nr(names[i]);

		if (nr >= 0)
			ph_call_set_add(set, (__u32)nr);
	}
}

/* Calls that only move data on descriptors the program holds, or look at
 * a file's metadata: a loop's count decides how many come in a row (the
 * pages sqlite reads and writes as its database grows), so a known one
 * somewhere new is no episode's evidence on its own (ph_params.data_io).
 * Not the sends: sendto / sendmsg / sendmmsg with MSG_FASTOPEN connect. */
static const char *const data_io_calls[] = {
	"read",	   "write",	"pread64",   "pwrite64", "readv",	"writev",
	"preadv",  "pwritev",	"preadv2",   "pwritev2", "lseek",	"fsync",
	"fdatasync", "fstat",	"newfstatat", "statx",	  "recvfrom", "recvmsg",
	"recvmmsg",
};

int vg_ph_setup_configure(struct sensor_bpf *skel, const struct vg_ph_kernel_opts *o, const char **err)
{
	struct ph_params *p = &skel->data_ph->ph_params_cfg;
	int ret;

	if (o->plain)
		ph_params_plain(p);
	else
		ph_params_default(p);
	if (o->ngram_only && !o->plain) {
		/* the model before the fallback: its saved profiles load */
		p->model = PH_MODEL_NGRAM;
		p->window = PH_WINDOW_DEFAULT;
		p->episode_lfc = 1; /* as it was: one novel call makes n anomalies */
		p->known_lfc = 0;   /* the same for known calls */
	} else {
		add_calls(p->data_io, data_io_calls, ARRAY_SIZE(data_io_calls));
	}
	if (o->min_train)
		p->min_train = o->min_train;
	add_calls(p->ignore, timing_calls, ARRAY_SIZE(timing_calls));
	/* the kernel's clock is in ns; saturate, a huge wait means "never" */
	p->normal_wait = o->normal_wait_s > ~0ull / NSEC_PER_SEC ? ~0ull
								     : o->normal_wait_s * NSEC_PER_SEC;
	if (ph_params_check(p)) {
		*err = "invalid pH parameters";
		return -EINVAL;
	}
	skel->rodata->ph_on = 1;
	if (o->response_sig) {
		if (o->response_sig != SIGKILL && o->response_sig != SIGSTOP) {
			*err = "the pH response is kill or stop";
			return -EINVAL;
		}
		if (!o->nresponse_exes || o->nresponse_exes > VG_PH_RESPONSE_EXES_MAX) {
			*err = "the pH response needs 1 to 64 executables (--ph-response-exe)";
			return -EINVAL;
		}
		if (o->response_lfc > PH_LFC_BITS - 1) {
			*err = "the pH response LFC limit is 1 to 127";
			return -EINVAL;
		}
		skel->rodata->ph_response_sig = (uint32_t)o->response_sig;
		skel->rodata->ph_response_lfc = o->response_lfc ? o->response_lfc : p->tolerize_limit;
	}
	ret = bpf_map__set_max_entries(skel->maps.ph_items,
				       o->max_items ? o->max_items : VG_PH_MAX_ITEMS_DEFAULT);
	if (!ret)
		ret = bpf_map__set_max_entries(skel->maps.ph_profiles,
					       o->max_profiles ? o->max_profiles
							       : VG_PH_MAX_PROFILES_DEFAULT);
	if (ret)
		*err = "cannot size the pH maps";
	else
		ret = vg_ph_watch_configure(skel, o, err); /* per-program settings */
	return ret;
}

/* pH's own programs, with the tracepoint each needs. */
void vg_ph_setup_programs(struct sensor_bpf *skel, struct bpf_program *progs[PH_PROGS],
			const char *tps[PH_PROGS])
{
	static const char *const names[PH_PROGS] = { "signal_deliver", "io_uring_submit_req" };

	progs[0] = skel->progs.ph_signal_deliver;
	/* io_uring requests as symbols of their own (6.4 and later) */
	progs[1] = skel->progs.ph_uring_submit;
	for (int i = 0; i < PH_PROGS; i++)
		tps[i] = names[i];
}

/* A tracepoint this kernel lacks: its program is left out, with a warning
 * (without signal_deliver, signal handlers share the interrupted window). */
void vg_ph_setup_leave_out_missing(struct sensor_bpf *skel)
{
	struct bpf_program *progs[PH_PROGS];
	const char *tps[PH_PROGS];
	struct btf *vmlinux = btf__load_vmlinux_btf();
	char name[128];

	if (!vmlinux)
		return; /* the sensor says why */
	vg_ph_setup_programs(skel, progs, tps);
	for (int i = 0; i < PH_PROGS; i++) {
		snprintf(name, sizeof(name), "btf_trace_%s", tps[i]);
		if (btf__find_by_name_kind(vmlinux, name, BTF_KIND_TYPEDEF) >= 0)
			continue;
		vg_warn("this kernel has no %s tracepoint: %s disabled", tps[i],
			bpf_program__name(progs[i]));
		bpf_program__set_autoload(progs[i], false);
	}
	btf__free(vmlinux);
}

/* The executables the response may signal, by device and inode: a file
 * replaced later (new inode) is no longer covered. */
int vg_ph_setup_response_exes(struct sensor_bpf *skel, const struct vg_ph_kernel_opts *o,
			      const char **err)
{
	int fd = bpf_map__fd(skel->maps.ph_response_exes);
	struct ph_exe_key key;
	struct stat st;
	__u8 one = 1;

	for (unsigned i = 0; i < o->nresponse_exes; i++) {
		if (stat(o->response_exes[i], &st) || !S_ISREG(st.st_mode)) {
			vg_err("--ph-response-exe %s: not an executable file", o->response_exes[i]);
			*err = "bad --ph-response-exe";
			return -ENOENT;
		}
		key.dev = ((__u64)major(st.st_dev) << 20) | minor(st.st_dev);
		key.ino = st.st_ino;
		if (bpf_map_update_elem(fd, &key, &one, BPF_ANY)) {
			*err = "cannot fill the pH response map";
			return -errno;
		}
	}
	return 0;
}
