/* Normal by coverage; see ph_coverage.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ph/ph_coverage.h"
#include "ph/ph_slots.h"

struct slot {
	uint64_t ino; /* the executable; 0: free */
	int sampled;  /* the fields below come from a sample of its profile */
	uint32_t train_gen;
	uint64_t changed_at; /* ph_profile_changed_at() */
	uint64_t train_count;
	uint64_t active_ns; /* the last sample that saw training calls */
	uint32_t runs;	    /* since the last change, the provisional ones too */
	uint32_t settled;   /* runs as of the last sample */
	uint32_t call_runs; /* of which blocks of calls */
	uint64_t since_ns;
	uint64_t block_count; /* train_count where the current block of calls began */
	uint64_t block_ns;    /* and when */
};

struct vg_ph_coverage {
	struct slot *s;
	uint32_t n; /* a power of two */
	uint32_t runs_needed;
	uint64_t idle_ns;
	uint64_t block_calls; /* coverage by calls; 0: off */
	uint64_t block_min_ns;
};

int vg_ph_coverage_new(struct vg_ph_coverage **out, uint32_t slots, uint32_t runs,
		       uint64_t idle_ns)
{
	struct vg_ph_coverage *c = calloc(1, sizeof(*c));
	uint32_t n = 1024;

	*out = NULL;
	while (n < slots && n < (1u << 24))
		n <<= 1;
	if (!c || !(c->s = calloc(n, sizeof(*c->s)))) {
		free(c);
		return -ENOMEM;
	}
	c->n = n;
	c->runs_needed = runs;
	c->idle_ns = idle_ns;
	*out = c;
	return 0;
}

void vg_ph_coverage_set_blocks(struct vg_ph_coverage *c, uint64_t calls, uint64_t min_ns)
{
	if (!c)
		return;
	c->block_calls = calls;
	c->block_min_ns = min_ns;
}

void vg_ph_coverage_free(struct vg_ph_coverage *c)
{
	if (!c)
		return;
	free(c->s);
	free(c);
}

_Static_assert(offsetof(struct slot, ino) == 0, "ph_slots.h: the id comes first");

/* A full probe run gives its first slot to the newcomer, whose evidence
 * then starts from nothing (the loser's too: losing evidence only delays
 * normal mode). */
static struct slot *find(const struct vg_ph_coverage *c, uint64_t ino, int add)
{
	struct slot *s = vg_ph_slot_find(c->s, c->n, sizeof(*c->s), ino, add);

	if (s && s->ino != ino) { /* a free slot, or another program's */
		memset(s, 0, sizeof(*s));
		s->ino = ino;
	}
	return s;
}

void vg_ph_coverage_run(struct vg_ph_coverage *c, uint64_t ino)
{
	struct slot *s = c ? find(c, ino, 1) : NULL;

	/* runs before the first sample are not counted: the last change is
	 * not known yet */
	if (s && s->sampled)
		s->runs++;
}

static int note(struct vg_ph_coverage *c, struct slot *s, const struct ph_profile *p,
		const struct ph_params *prm, uint64_t now_ns);

int vg_ph_coverage_note(struct vg_ph_coverage *c, uint64_t ino, const struct ph_profile *p,
			const struct ph_params *prm, uint64_t now_ns)
{
	struct slot *s = c ? find(c, ino, 1) : NULL;
	int due;

	if (!s)
		return 0;
	due = note(c, s, p, prm, now_ns);
	/* the runs this sample confirmed: no change since they began */
	s->settled = s->runs;
	return due;
}

static int note(struct vg_ph_coverage *c, struct slot *s, const struct ph_profile *p,
		const struct ph_params *prm, uint64_t now_ns)
{
	if (!s->sampled || s->train_gen != p->train_gen ||
	    s->changed_at != ph_profile_changed_at(p)) {
		/* something new (or a reset, or the first look): count again */
		s->sampled = 1;
		s->train_gen = p->train_gen;
		s->changed_at = ph_profile_changed_at(p);
		s->runs = 0;
		s->call_runs = 0;
		s->since_ns = now_ns;
		s->train_count = p->train_count;
		s->active_ns = now_ns;
		s->block_count = p->train_count;
		s->block_ns = now_ns;
		return 0;
	}
	/* coverage by calls: a long enough block without anything new (at
	 * most one a sample: a burst of calls is one stretch of time) */
	if (c->block_calls && p->train_count - s->block_count >= c->block_calls &&
	    now_ns - s->block_ns >= c->block_min_ns) {
		s->runs++;
		s->call_runs++;
		s->block_count = p->train_count;
		s->block_ns = now_ns;
	}
	if (p->train_count != s->train_count) {
		/* activity after a quiet spell: a run of its own */
		if (now_ns - s->active_ns > c->idle_ns)
			s->runs++;
		s->active_ns = now_ns;
		s->train_count = p->train_count;
	}
	if (!c->runs_needed || s->runs < c->runs_needed)
		return 0;
	if ((p->status & PH_PROFILE_NORMAL) || !(p->status & PH_PROFILE_FROZEN))
		return 0;
	return p->train_count >= prm->min_train && p->adds >= VG_PH_COVERAGE_MIN_ITEMS;
}

void vg_ph_coverage_get(const struct vg_ph_coverage *c, uint64_t ino,
			struct vg_ph_coverage_state *out)
{
	const struct slot *s = c ? find(c, ino, 0) : NULL;

	memset(out, 0, sizeof(*out));
	if (!s || !s->sampled)
		return;
	out->known = 1;
	out->runs = s->settled;
	out->provisional = s->runs - s->settled;
	out->call_runs = s->call_runs;
	out->since_ns = s->since_ns;
}

uint64_t vg_ph_coverage_blocks_eta_s(uint32_t runs, uint32_t needed, uint64_t calls_per_s,
				     uint64_t block_calls, uint64_t block_min_ns)
{
	uint64_t block_s;

	if (runs >= needed)
		return 0;
	if (!block_calls || !calls_per_s)
		return UINT64_MAX;
	block_s = (block_calls + calls_per_s - 1) / calls_per_s;
	if (block_s < block_min_ns / NSEC_PER_SEC)
		block_s = block_min_ns / NSEC_PER_SEC;
	return (uint64_t)(needed - runs) * block_s;
}

uint64_t vg_ph_coverage_eta_s(const struct vg_ph_coverage *c, uint32_t runs, uint32_t needed,
			      uint64_t calls_per_s)
{
	if (!c || !needed)
		return UINT64_MAX;
	return vg_ph_coverage_blocks_eta_s(runs, needed, calls_per_s, c->block_calls,
					   c->block_min_ns);
}

uint32_t vg_ph_coverage_runs_needed(const struct vg_ph_coverage *c)
{
	return c ? c->runs_needed : 0;
}
