/* The extraction context's dispatcher: every family's table of
 * extractors (fields/fx.h) gathered into one array indexed by field id.
 * See extract.h. */
#include <pthread.h>
#include <string.h>

#include "fields/fx.h"
#include "util/macros.h"

static const struct vg_fx_family *const families[] = {
	&vg_fx_evt,   &vg_fx_args, &vg_fx_proc,  &vg_fx_lineage, &vg_fx_thread, &vg_fx_user,
	&vg_fx_fd,    &vg_fx_bpf,  &vg_fx_facts, &vg_fx_stdio,	 &vg_fx_drops,	&vg_fx_uring,
	&vg_fx_record, &vg_fx_meaning,
};

const struct vg_fx_family *const *vg_fx_families(unsigned *n)
{
	*n = ARRAY_SIZE(families);
	return families;
}

/* Built once: the extractor of each field. */
static vg_fx_fn fx_by_id[VG_F__COUNT];
static pthread_once_t fx_once = PTHREAD_ONCE_INIT;

static void fx_build(void)
{
	for (unsigned f = 0; f < ARRAY_SIZE(families); f++)
		for (unsigned i = 0; i < families[f]->n; i++)
			fx_by_id[families[f]->fx[i].id] = families[f]->fx[i].get;
}

int vg_rule_field_get(const void *ctx, const struct vg_field_ref *ref, struct vg_value *out,
		      unsigned max)
{
	struct vg_rule_ctx *c = (struct vg_rule_ctx *)ctx; /* ours: its caches change */
	vg_fx_fn get;

	if (!c->ev || !max || (unsigned)ref->field->id >= VG_F__COUNT)
		return 0;
	/* the maps were built by vg_rule_ctx_reset; a VG_FF_NODATA field has no
	 * extractor: vigil records nothing for it */
	get = fx_by_id[ref->field->id];
	return get ? get(c, ref, out, max) : 0;
}

void vg_rule_ctx_reset(struct vg_rule_ctx *c, const struct vg_event *ev, uint64_t wall_ns)
{
	pthread_once(&fx_once, fx_build);
	c->ev = ev;
	c->wall_ns = wall_ns;
	c->num++;
	c->have = 0;
	c->nanc = 0;
	c->schema_known = false;
	c->cmdline = NULL;
	c->cmdline_len = 0;
	c->used = 0;
}

const char *vg_field_family(enum vg_field_id id)
{
	for (unsigned f = 0; f < ARRAY_SIZE(families); f++)
		for (unsigned i = 0; i < families[f]->n; i++)
			if (families[f]->fx[i].id == id)
				return families[f]->name;
	return NULL;
}
