/* A process's command line and arguments as text (proctable.h). */
#include <stdbool.h>
#include <string.h>

#include "proc/proctable.h"

struct out {
	char *buf;
	size_t size, len;
};

static void out_put(struct out *o, const char *s, size_t n)
{
	if (o->len + 1 < o->size) {
		size_t room = o->size - 1 - o->len;
		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static size_t out_end(struct out *o)
{
	if (o->size)
		o->buf[o->len < o->size ? o->len : o->size - 1] = '\0';
	return o->len;
}

static void join_args(struct out *o, const char *args, size_t len, unsigned skip)
{
	unsigned idx = 0;
	bool first = true;
	size_t i = 0;

	while (i < len) {
		const char *a = args + i;
		const char *nul = memchr(a, '\0', len - i);
		size_t n = nul ? (size_t)(nul - a) : len - i;
		if (idx++ >= skip) {
			if (!first)
				out_put(o, " ", 1);
			out_put(o, a, n);
			first = false;
		}
		i += n + 1;
	}
}

size_t vg_args_join(const char *args, size_t len, unsigned skip, char *buf, size_t size)
{
	struct out o = {buf, size, 0};

	if (args)
		join_args(&o, args, len, skip);
	return out_end(&o);
}

size_t vg_proc_cmdline(const struct vg_proc *p, char *buf, size_t size)
{
	struct out o = {buf, size, 0};

	out_put(&o, p->comm, strnlen(p->comm, VG_COMM_LEN));
	if (p->img->argc > 1) {
		out_put(&o, " ", 1);
		join_args(&o, p->img->args, p->img->args_len, 1);
	}
	return out_end(&o);
}

size_t vg_proc_args(const struct vg_proc *p, char *buf, size_t size)
{
	return vg_args_join(p->img->args, p->img->args_len, 1, buf, size);
}

const char *vg_proc_argv0(const struct vg_proc *p)
{
	return p->img->args;
}
