/* The io_uring programs of the sensor: what this kernel lets them see.
 *
 * Each program hooks a BTF tracepoint whose prototype changed over the
 * years (io_uring_submit_sqe became io_uring_submit_req in 6.4, and
 * io_uring_complete took a CQE pointer instead of its fields in 6.1), so a
 * program is kept only when the tracepoint exists AND its argument is the
 * type the program reads. Anything missing turns off what needs it, with a
 * message; vigil starts anyway. */
#include <errno.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "ph/ph_model.h"   /* before the skeleton: it uses struct ph_params */
#include "vigil/events.h"  /* and struct vg_route */
#include "sensor.skel.h"
#include "sensor/uring_ops.h"
#include "sensor/uring_setup.h"
#include "util/log.h"
#include "util/macros.h"

/* Skips typedefs and qualifiers. */
static const struct btf_type *plain(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_typedef(t) || btf_is_const(t) || btf_is_volatile(t) ||
		     btf_is_restrict(t) || btf_is_type_tag(t)))
		t = btf__type_by_id(btf, t->type);
	return t;
}

/* Whether tracepoint tp exists and its argument arg (0 = the first after
 * the hidden context) is a pointer to struct want (NULL: any type). */
static bool tp_takes(const struct btf *btf, const char *tp, unsigned arg, const char *want)
{
	char name[128];
	const struct btf_type *t, *target;
	const struct btf_param *p;
	__s32 id;

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id < 0)
		return false;
	if (!want)
		return true;
	t = plain(btf, id);
	if (!t || !btf_is_ptr(t))
		return false;
	t = plain(btf, t->type);
	if (!t || !btf_is_func_proto(t) || btf_vlen(t) < arg + 2)
		return false;
	p = btf_params(t) + arg + 1;
	t = plain(btf, p->type);
	if (!t || !btf_is_ptr(t))
		return false;
	target = plain(btf, t->type);
	return target && btf_is_struct(target) &&
	       !strcmp(btf__name_by_offset(btf, target->name_off), want);
}

/* The value of enumerator name in this kernel's BTF, or -1. */
static long long enum_value(const struct btf *btf, const char *name)
{
	__u32 n = btf__type_cnt(btf);

	for (__u32 id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_enum *e;

		if (!btf_is_enum(t))
			continue;
		e = btf_enum(t);
		for (unsigned i = 0; i < btf_vlen(t); i++)
			if (!strcmp(btf__name_by_offset(btf, e[i].name_off), name))
				return e[i].val;
	}
	return -1;
}

/* The request flags the programs test, as this kernel numbers them (an
 * unnamed enum: CO-RE cannot relocate it). */
static void request_flags(struct sensor_bpf *skel, const struct btf *btf)
{
	long long skip = enum_value(btf, "REQ_F_CQE_SKIP_BIT");
	long long fixed = enum_value(btf, "REQ_F_FIXED_FILE_BIT");

	if (skip >= 0 && skip < 64)
		skel->rodata->uring_req_cqe_skip = 1ull << skip;
	if (fixed >= 0 && fixed < 64)
		skel->rodata->uring_req_fixed_file = 1ull << fixed;
}

static void off(struct bpf_program *prog)
{
	bpf_program__set_autoload(prog, false);
}

/* No io_uring programs: their maps shrink to one element (the table of
 * requests in flight is 4 MiB preallocated). */
static int none(struct sensor_bpf *skel)
{
	off(skel->progs.vg_uring_create);
	off(skel->progs.vg_uring_complete);
	off(skel->progs.vg_uring_failed);
	bpf_map__set_max_entries(skel->maps.uring_pending, 1);
	bpf_map__set_max_entries(skel->maps.uring_rings, 1);
	return 0;
}

int vg_uring_prepare(struct sensor_bpf *skel, const struct btf *btf, bool want)
{
	struct bpf_program *submit = NULL;
	bool have_req;
	int n = 0;

	off(skel->progs.vg_uring_submit);
	off(skel->progs.vg_uring_submit_sqe);
	if (!want)
		return none(skel);
	/* The request itself, and the command layouts inside it. */
	have_req = btf__find_by_name_kind(btf, "io_kiocb", BTF_KIND_STRUCT) >= 0;
	if (have_req && tp_takes(btf, "io_uring_submit_req", 0, "io_kiocb"))
		submit = skel->progs.vg_uring_submit;
	else if (have_req && tp_takes(btf, "io_uring_submit_sqe", 0, "io_kiocb"))
		submit = skel->progs.vg_uring_submit_sqe;
	if (!submit || !tp_takes(btf, "io_uring_complete", 2, "io_uring_cqe")) {
		vg_warn("io_uring: this kernel has no io_uring_submit_req (or _sqe) and "
			"io_uring_complete tracepoints with BTF: io_uring requests are not seen");
		return none(skel);
	}
	bpf_program__set_autoload(submit, true);
	request_flags(skel, btf);
	n = 2;
	if (tp_takes(btf, "io_uring_req_failed", 1, "io_kiocb")) {
		n++;
	} else {
		vg_warn("io_uring: no io_uring_req_failed tracepoint: requests refused before "
			"submission are not reported");
		off(skel->progs.vg_uring_failed);
	}
	if (tp_takes(btf, "io_uring_create", 0, NULL)) {
		n++;
	} else {
		vg_warn("io_uring: no io_uring_create tracepoint: SQPOLL requests name the "
			"process's main thread, not the ring's creator");
		off(skel->progs.vg_uring_create);
	}
	static const char *const cmds[] = { "io_open",	 "io_rename", "io_unlink", "io_mkdir",
					    "io_link",	 "io_socket", "io_accept", "io_listen",
					    "io_connect" };
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		if (btf__find_by_name_kind(btf, cmds[i], BTF_KIND_STRUCT) < 0)
			vg_warn("io_uring: this kernel's BTF has no struct %s: its requests "
				"are not reported", cmds[i]);
	vg_info("io_uring: watching requests (%s, io_uring_complete%s%s)",
		submit == skel->progs.vg_uring_submit ? "io_uring_submit_req" : "io_uring_submit_sqe",
		bpf_program__autoload(skel->progs.vg_uring_failed) ? ", io_uring_req_failed" : "",
		bpf_program__autoload(skel->progs.vg_uring_create) ? ", io_uring_create" : "");
	return n;
}

void vg_uring_fill(struct sensor_bpf *skel)
{
	const unsigned room = ARRAY_SIZE(skel->bss->uring_nr);

	for (unsigned i = 0; i < vg_uring_watched_count; i++)
		if (vg_uring_watched[i].op < room)
			skel->bss->uring_nr[vg_uring_watched[i].op] = vg_uring_watched[i].nr;
}

int vg_uring_attach(struct sensor_bpf *skel, struct bpf_link **links, int *n, int max)
{
	struct bpf_program *progs[] = { skel->progs.vg_uring_create, skel->progs.vg_uring_submit,
					skel->progs.vg_uring_submit_sqe,
					skel->progs.vg_uring_complete, skel->progs.vg_uring_failed };

	for (size_t i = 0; i < ARRAY_SIZE(progs); i++) {
		if (!bpf_program__autoload(progs[i]))
			continue;
		if (*n == max)
			return -ENOSPC;
		links[*n] = bpf_program__attach(progs[i]);
		if (!links[*n])
			return -errno;
		(*n)++;
	}
	return 0;
}
