/* The extractors' kit, private to src/fields/: how a family lists its
 * extractors, the value setters, the per-event scratch area and what several
 * families share (the event's process, its ancestors, its socket's text).
 *
 * A family is a table of {field id, extractor}; extract.c gathers every
 * family's table into one array indexed by field id. A field of the registry
 * (src/rules/fields.h) has exactly one extractor, or is marked VG_FF_NODATA
 * and has none (tests/unit/test_fields_registry.c checks it). */
#ifndef VIGIL_FIELDS_FX_H
#define VIGIL_FIELDS_FX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fields/extract.h"
#include "util/macros.h"

struct vg_container;
struct vg_sockaddr;

/* Extracts the field of ref for the context's current event (see
 * vg_field_get in src/rules/fields.h; max >= 1). */
typedef int (*vg_fx_fn)(struct vg_rule_ctx *c, const struct vg_field_ref *ref,
			struct vg_value *out, unsigned max);

struct vg_fx {
	enum vg_field_id id;
	vg_fx_fn get;
};

struct vg_fx_family {
	const char *name;
	const struct vg_fx *fx;
	unsigned n;
};

/* Declares an extractor: FX(proc_pid) { ... } */
#define FX(fn)                                                                                     \
	static int fn(struct vg_rule_ctx *c, const struct vg_field_ref *ref, struct vg_value *out, \
		      unsigned max)

#define VG_FX_FAMILY(var, family_name, table)                                                      \
	const struct vg_fx_family var = { family_name, table, ARRAY_SIZE(table) }

extern const struct vg_fx_family vg_fx_evt, vg_fx_args, vg_fx_proc, vg_fx_lineage, vg_fx_thread,
	vg_fx_fd, vg_fx_user, vg_fx_bpf, vg_fx_facts, vg_fx_stdio, vg_fx_drops, vg_fx_uring, vg_fx_record,
	vg_fx_meaning;

/* Every family, for the dispatcher and the tests. */
const struct vg_fx_family *const *vg_fx_families(unsigned *n);

/* ---- setting a value ---- */

static inline int vg_put_str(struct vg_value *out, const char *s, size_t len)
{
	out->s.ptr = s;
	out->s.len = (uint32_t)len;
	return 1;
}

static inline int vg_put_cstr(struct vg_value *out, const char *s)
{
	return vg_put_str(out, s, strlen(s));
}

static inline int vg_put_int(struct vg_value *out, int64_t v)
{
	out->i = v;
	return 1;
}

static inline int vg_put_uint(struct vg_value *out, uint64_t v)
{
	out->u = v;
	return 1;
}

static inline int vg_put_bool(struct vg_value *out, bool v)
{
	out->b = v;
	return 1;
}

/* ---- the scratch area (scratch.c): values that live until the next event ---- */

/* Formats into the scratch area; NULL when it is full. Long values are cut. */
__attribute__((format(printf, 3, 4))) const char *vg_sc_printf(struct vg_rule_ctx *c,
							       uint32_t *len, const char *fmt, ...);
/* A copy of s (without printf: flags are rendered for every open). */
const char *vg_sc_copy(struct vg_rule_ctx *c, uint32_t *len, const char *s);
/* out = a copy of s, for strings a later call may overwrite. */
int vg_put_copy(struct vg_rule_ctx *c, struct vg_value *out, const char *s);
/* NUL-separated args (skipping the first `skip`) joined by spaces, after a
 * prefix and a space. */
int vg_put_joined(struct vg_rule_ctx *c, struct vg_value *out, const char *prefix,
		  size_t prefix_len, const char *args, size_t args_len, unsigned skip);

/* ---- the event's process (proc_view.c) ---- */

void vg_fx_view_of_proc(const struct vg_proc *p, struct vg_rule_pview *v);
const struct vg_proc *vg_fx_lookup(struct vg_rule_ctx *c, uint32_t pid);
/* The process of the event: the table's entry with the record on top (cached). */
const struct vg_rule_pview *vg_fx_self(struct vg_rule_ctx *c);
/* Ancestors, parent first (cached in c->anc); the n-th (1 = parent) or NULL. */
unsigned vg_fx_ancestors(struct vg_rule_ctx *c);
const struct vg_proc *vg_fx_ancestor(struct vg_rule_ctx *c, unsigned n);
/* proc.cmdline of a view, and of the event's process (cached). */
int vg_fx_put_cmdline(struct vg_rule_ctx *c, struct vg_value *out, const struct vg_rule_pview *v);
int vg_fx_self_cmdline(struct vg_rule_ctx *c, struct vg_value *out);
/* Known container (or host) of the event's process; NULL unknown. */
const struct vg_container *vg_fx_container(struct vg_rule_ctx *c);
bool vg_fx_on_host(const struct vg_container *ct);
/* The process's pid namespace is the host's: virtual ids are the real ones. */
bool vg_fx_in_host_pidns(struct vg_rule_ctx *c);
/* proc.is_exe_writable (judged from the file as it is now). */
int vg_fx_exe_writable(struct vg_rule_ctx *c, struct vg_value *out);
/* A CLOCK_BOOTTIME instant of the event's process as ns since the epoch. */
bool vg_fx_boot_to_epoch(const struct vg_rule_ctx *c, uint64_t boot_ns, uint64_t *epoch);

/* One field of a process given as a view (proc_lineage.c). */
enum vg_fx_pfield { PF_PID, PF_NAME, PF_EXE, PF_EXEPATH, PF_CMDLINE };
int vg_fx_proc_value(struct vg_rule_ctx *c, const struct vg_rule_pview *v, enum vg_fx_pfield f,
		     struct vg_value *out);

/* ---- shared renderings ---- */

/* "CAP_CHOWN CAP_KILL ..." into the scratch area (thread.c). */
int vg_fx_put_caps(struct vg_rule_ctx *c, struct vg_value *out, uint64_t caps);
/* fd.name of a socket event: client->server, or the known end (fd.c). */
int vg_fx_put_tuple(struct vg_rule_ctx *c, struct vg_value *out);
/* "ip:port", "[ip6]:port" (fd.c). */
size_t vg_fx_addr_text(char *buf, size_t size, const struct vg_sockaddr *a);
/* The return value as evt.rawres shows it; *known false when the record has none (evt.c). */
int64_t vg_fx_raw_res(const struct vg_event *ev, bool *known);

#endif
