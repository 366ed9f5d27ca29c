/* Convergence of pH profiles, sampled in user space; see ph_converge.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ph/ph_converge.h"
#include "ph/ph_slots.h"
#include "util/macros.h"

struct slot {
	uint64_t id; /* the profile's number; 0: free */
	struct vg_ph_sample old, recent;
};

struct vg_ph_converge {
	struct slot *s;
	uint32_t n; /* a power of two */
};

int vg_ph_converge_new(struct vg_ph_converge **out, uint32_t slots)
{
	struct vg_ph_converge *c = calloc(1, sizeof(*c));
	uint32_t n = 1024;

	while (n < slots && n < (1u << 24))
		n <<= 1;
	if (!c || !(c->s = calloc(n, sizeof(*c->s)))) {
		free(c);
		return -ENOMEM;
	}
	c->n = n;
	*out = c;
	return 0;
}

void vg_ph_converge_free(struct vg_ph_converge *c)
{
	if (!c)
		return;
	free(c->s);
	free(c);
}

_Static_assert(offsetof(struct slot, id) == 0, "ph_slots.h: the id comes first");

/* A full probe run replaces its first slot (a profile then shows no rate
 * for one window: display only); the caller starts a slot not its own. */
static struct slot *find(const struct vg_ph_converge *c, uint64_t id, int add)
{
	return vg_ph_slot_find(c->s, c->n, sizeof(*c->s), id, add);
}

void vg_ph_converge_note(struct vg_ph_converge *c, const struct ph_profile *p, uint64_t now_ns)
{
	struct vg_ph_sample now = { now_ns, p->train_count, p->adds };
	struct slot *s;

	if (!c || !p->id)
		return;
	s = find(c, p->id, 1);
	if (!s)
		return;
	if (s->id != p->id || now.train_count < s->recent.train_count ||
	    now.adds < s->recent.adds || now_ns < s->recent.t_ns) {
		/* new, or a reset restarted the counters */
		*s = (struct slot){ .id = p->id, .old = now, .recent = now };
		return;
	}
	if (now_ns - s->recent.t_ns >= VG_PH_CONVERGE_PERIOD_NS) {
		s->old = s->recent;
		s->recent = now;
	}
}

int vg_ph_converge_get(const struct vg_ph_converge *c, const struct ph_profile *p,
		       struct vg_ph_sample *then)
{
	const struct slot *s = c && p->id ? find(c, p->id, 0) : NULL;

	if (!s)
		return 0;
	*then = s->old;
	return 1;
}

void vg_ph_converge_estimate(const struct vg_ph_sample *then, const struct vg_ph_sample *now,
			     uint64_t gap, uint64_t calls_to_freeze, uint64_t normal_wait_s,
			     struct vg_ph_convergence *out)
{
	uint64_t calls, added, secs;

	memset(out, 0, sizeof(*out));
	if (now->t_ns <= then->t_ns || now->train_count < then->train_count ||
	    now->adds < then->adds)
		return;
	calls = now->train_count - then->train_count;
	added = now->adds - then->adds;
	secs = (now->t_ns - then->t_ns) / NSEC_PER_SEC;
	if (secs == 0 || calls == 0)
		return; /* too short, or no training traffic: nothing to say */
	out->known = 1;
	out->new_per_kcalls_x100 = added * 100000 / calls;
	out->calls_per_s = calls / secs ? calls / secs : 1;
	/* a new sequence every calls/added calls on average: it restarts the
	 * count the freeze needs */
	out->converging = added == 0 || calls / added > gap;
	if (out->converging)
		out->expected_normal_s = calls_to_freeze / out->calls_per_s + normal_wait_s;
}
