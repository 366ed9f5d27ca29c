/* Conditions rewritten for speed, once they are compiled. The evaluator
 * then runs, for an event of type T, a copy of each rule's tree made for T:
 *
 * - evt.type checks are decided (T is known), and what they decide is
 *   folded away: "vg_open_write" = (evt.type = creat or (evt.type in (open,
 *   openat) and evt.is_open_write = true)) is, for openat, the one check
 *   evt.is_open_write = true;
 * - nested "and"/"or" are merged into their parent, duplicates and
 *   constants dropped, "not not x" is x;
 * - identical checks (same field, operator and operands) are one node,
 *   remembered per event, so a check several rules share runs once;
 * - a glob pattern's literal ends are noted, tested before the pattern;
 * - the operands of every "and" and "or" are ordered by expected cost: for
 *   "and", cost / (1 - chance to pass) ascending, so cheap checks that
 *   usually fail come first; for "or", cost / chance to pass (a node
 *   remembered per event counts a quarter of its cost: another rule has
 *   often computed it already).
 *
 * Evaluation has no side effects, so none of this changes a result: only
 * how much work an event costs. Macros shared by rules stay shared (one copy
 * per type, still remembered per event). The chances are guesses from the
 * operator (a string equal to a constant rarely is; a "not" or a "!=" mostly
 * passes), not measurements. */
#include "rules/match.h"
#include "rules/optimize.h"
#include "rules/tree.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- a map of pointers (original node -> rewritten node) ---- */

struct ptrmap {
	const void **keys;
	const void **vals;
	uint32_t cap, n; /* cap is a power of two, or 0 */
};

static uint32_t ptr_hash(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return (uint32_t)x;
}

static const void *map_get(const struct ptrmap *m, const void *k)
{
	if (!m->cap)
		return NULL;
	for (uint32_t i = ptr_hash(k) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == k)
			return m->vals[i];
		if (!m->keys[i])
			return NULL;
	}
}

static int map_put(struct ptrmap *m, const void *k, const void *v);

static int map_grow(struct ptrmap *m)
{
	struct ptrmap bigger = { .cap = m->cap ? m->cap * 2 : 256 };

	bigger.keys = calloc(bigger.cap, sizeof(*bigger.keys));
	bigger.vals = calloc(bigger.cap, sizeof(*bigger.vals));
	if (!bigger.keys || !bigger.vals) {
		free(bigger.keys);
		free(bigger.vals);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < m->cap; i++)
		if (m->keys[i])
			map_put(&bigger, m->keys[i], m->vals[i]);
	free(m->keys);
	free(m->vals);
	*m = bigger;
	return 0;
}

static int map_put(struct ptrmap *m, const void *k, const void *v)
{
	uint32_t i;

	if ((m->n + 1) * 2 > m->cap && map_grow(m))
		return -ENOMEM;
	for (i = ptr_hash(k) & (m->cap - 1); m->keys[i] && m->keys[i] != k;
	     i = (i + 1) & (m->cap - 1))
		;
	if (!m->keys[i])
		m->n++;
	m->keys[i] = k;
	m->vals[i] = v;
	return 0;
}

static void map_clear(struct ptrmap *m)
{
	if (m->cap)
		memset(m->keys, 0, m->cap * sizeof(*m->keys));
	m->n = 0;
}

static void map_free(struct ptrmap *m)
{
	free(m->keys);
	free(m->vals);
}

/* ---- identical checks ---- */

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static size_t operand_size(const struct vg_check *c)
{
	switch (c->type) {
	case VG_FT_INT:
	case VG_FT_UINT:
		return sizeof(uint64_t);
	case VG_FT_BOOL:
		return sizeof(bool);
	case VG_FT_IPADDR:
	case VG_FT_IPNET:
		return sizeof(struct vg_operand_net);
	default:
		return 0;
	}
}

static bool has_operands(const struct vg_check *c)
{
	return c->op != VG_OP_EXISTS && !c->rhs && c->n;
}

static uint64_t check_hash(const struct vg_check *c)
{
	uint64_t h = 0xcbf29ce484222325ull;

	h = mix(h, &c->ref, sizeof(c->ref));
	h = mix(h, &c->op, sizeof(c->op));
	h = mix(h, &c->n, sizeof(c->n));
	h = mix(h, c->xform, c->nxform);
	h = mix(h, &c->rhs, sizeof(c->rhs));
	if (!has_operands(c))
		return h;
	if (c->type != VG_FT_STR)
		return mix(h, c->ints, c->n * operand_size(c));
	if (c->op == VG_OP_REGEX)
		return mix(h, &c->re, sizeof(c->re));
	for (uint32_t i = 0; i < c->n; i++)
		h = mix(h, c->strs[i].s, c->strs[i].len) ^ c->strs[i].len;
	return h;
}

static bool check_equal(const struct vg_check *a, const struct vg_check *b)
{
	if (a->ref != b->ref || a->op != b->op || a->type != b->type || a->n != b->n ||
	    a->nxform != b->nxform || memcmp(a->xform, b->xform, a->nxform) ||
	    a->list_semantics != b->list_semantics || a->rhs != b->rhs ||
	    a->rhs_nxform != b->rhs_nxform || memcmp(a->rhs_xform, b->rhs_xform, a->rhs_nxform))
		return false;
	if (!has_operands(a))
		return true;
	if (a->type != VG_FT_STR)
		return !memcmp(a->ints, b->ints, a->n * operand_size(a));
	if (a->op == VG_OP_REGEX)
		return a->re == b->re;
	for (uint32_t i = 0; i < a->n; i++)
		if (vg_str_cmp(&a->strs[i], &b->strs[i]))
			return false;
	return true;
}

/* ---- glob ends ---- */

static bool glob_special(char c)
{
	return c == '*' || c == '?' || c == '[' || c == ']' || c == '\\';
}

/* The longest run of literal text between the pattern's ends: a value must
 * contain it between its own ends (a pattern for authorized_keys files
 * under any home needs "/.ssh/authorized_keys"), which memchr finds faster
 * than the matcher
 * fails. Bracket expressions and escapes end a run (their characters are
 * not literal text, or are left to the matcher): a shorter run is still a
 * condition the value must meet. */
static void glob_middle(struct vg_check *c)
{
	const struct vg_operand_str *p = c->strs;
	uint32_t end = p->len - c->glob_suf, run = 0;

	for (uint32_t i = c->glob_pre; i <= end; i++) {
		bool literal = i < end && !glob_special(p->s[i]);

		if (literal) {
			run++;
			continue;
		}
		if (run > c->glob_mid_len) {
			c->glob_mid_len = run;
			c->glob_mid = i - run;
		}
		run = 0;
		if (i < end && p->s[i] == '[') { /* skip a whole bracket expression */
			uint32_t q = i + 1;

			if (q < end && (p->s[q] == '!' || p->s[q] == '^'))
				q++;
			if (q < end)
				q++; /* a ']' first is one of the set */
			while (q < end && p->s[q] != ']')
				q++;
			if (q < end)
				i = q;
		} else if (i < end && p->s[i] == '\\') {
			i++; /* the escaped character: left to the matcher */
		}
	}
	if (c->glob_mid_len < 2)
		c->glob_mid_len = 0; /* one byte: not worth a search */
}

/* The text before the first and after the last special character of a glob
 * pattern is literal: a value that does not start and end with it cannot
 * match (a pattern without special characters is all prefix). */
static void glob_ends(struct vg_check *c)
{
	const struct vg_operand_str *p = c->strs;
	uint32_t pre = 0, suf = 0;

	if (c->op != VG_OP_GLOB || c->rhs || c->n != 1)
		return;
	while (pre < p->len && !glob_special(p->s[pre]))
		pre++;
	if (pre < p->len)
		while (suf < p->len - pre && !glob_special(p->s[p->len - 1 - suf]))
			suf++;
	c->glob_pre = pre;
	c->glob_suf = suf;
	glob_middle(c);
}

/* ---- estimates ---- */

/* What a check costs (about one unit per simple comparison) and how often
 * it passes, guessed from its operator and field. */
static void estimate_check(struct vg_node *n)
{
	const struct vg_check *c = n->chk;
	bool boolean = c->type == VG_FT_BOOL;
	float cost = 1, pass = 0.1f;

	switch (c->op) {
	case VG_OP_EQ:
		pass = boolean ? 0.5f : 0.1f;
		break;
	case VG_OP_NE:
		pass = boolean ? 0.5f : 0.9f;
		break;
	case VG_OP_LT:
	case VG_OP_LE:
	case VG_OP_GT:
	case VG_OP_GE:
		pass = 0.5f;
		break;
	case VG_OP_EXISTS:
		pass = 0.9f;
		break;
	case VG_OP_IN:
	case VG_OP_INTERSECTS:
		cost = 2;
		pass = boolean ? 0.5f : 0.1f;
		break;
	case VG_OP_PMATCH:
		cost = 1 + (float)c->n / 4;
		break;
	case VG_OP_CONTAINS:
	case VG_OP_BCONTAINS:
		cost = 3;
		break;
	case VG_OP_ICONTAINS:
	case VG_OP_GLOB:
	case VG_OP_IGLOB:
		cost = 4;
		break;
	case VG_OP_REGEX:
		cost = 10;
		break;
	default:
		break;
	}
	if (c->nxform)
		cost += 2;
	if (c->rhs)
		cost += 2;
	/* every ancestor, every address ... */
	if ((c->ref->field->flags & (VG_FF_ANY | VG_FF_LIST)) && c->ref->index < 0)
		cost *= 4;
	n->cost = cost + 1; /* + the field's extraction */
	n->pass = pass;
}

/* sort key of an operand: what it costs per outcome that ends the and/or */
static float rank(const struct vg_node *n, bool is_and)
{
	float ends = is_and ? 1 - n->pass : n->pass;
	/* a node remembered per event is often known already (another rule
	 * computed it): then it costs a load */
	float cost = n->memo ? n->cost / 4 : n->cost;

	return cost / (ends > 0.001f ? ends : 0.001f);
}

static void estimate_list(struct vg_node *n)
{
	bool is_and = n->kind == VG_N_AND;
	float reach = 1, cost = 0;

	for (uint32_t i = 0; i < n->n; i++) {
		cost += reach * n->kids[i]->cost;
		reach *= is_and ? n->kids[i]->pass : 1 - n->kids[i]->pass;
	}
	n->cost = cost;
	n->pass = is_and ? reach : 1 - reach;
}

/* ---- rewriting ---- */

struct opt {
	struct vg_rules *rs;
	unsigned type;		/* the event type the copies are made for */
	struct ptrmap done;	/* original and/or/not -> its copy for this type */
	struct vg_node **checks; /* distinct checks, open addressing */
	uint32_t checks_cap, nchecks;
	struct vg_node *yes, *no;
	int err;
};

static struct vg_node *new_node(struct opt *o, enum vg_node_kind kind)
{
	struct vg_node *n = vg_arena_alloc(&o->rs->arena, sizeof(*n));

	if (!n) {
		o->err = -ENOMEM;
		return NULL;
	}
	n->kind = kind;
	n->weight = 1;
	return n;
}

static int checks_grow(struct opt *o)
{
	uint32_t cap = o->checks_cap ? o->checks_cap * 2 : 1024;
	struct vg_node **t = calloc(cap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (uint32_t i = 0; i < o->checks_cap; i++) {
		struct vg_node *c = o->checks[i];
		uint32_t k;

		if (!c)
			continue;
		for (k = (uint32_t)check_hash(c->chk) & (cap - 1); t[k]; k = (k + 1) & (cap - 1))
			;
		t[k] = c;
	}
	free(o->checks);
	o->checks = t;
	o->checks_cap = cap;
	return 0;
}

/* The one node for all checks equal to n's. A check met a second time is
 * remembered per event. */
static const struct vg_node *intern_check(struct opt *o, const struct vg_node *n)
{
	uint32_t k;

	if ((o->nchecks + 1) * 2 > o->checks_cap && checks_grow(o)) {
		o->err = -ENOMEM;
		return n;
	}
	for (k = (uint32_t)check_hash(n->chk) & (o->checks_cap - 1); o->checks[k];
	     k = (k + 1) & (o->checks_cap - 1)) {
		struct vg_node *c = o->checks[k];

		if (c == n || check_equal(c->chk, n->chk)) {
			if (c != n)
				c->memo = true;
			return c;
		}
	}
	o->checks[k] = (struct vg_node *)n; /* the nodes live in the rules' arena */
	o->nchecks++;
	estimate_check(o->checks[k]);
	glob_ends(n->chk);
	return n;
}

static const struct vg_node *rewrite(struct opt *o, const struct vg_node *n);

static const struct vg_node *rewrite_not(struct opt *o, const struct vg_node *n)
{
	const struct vg_node *k = rewrite(o, n->kid);
	struct vg_node *r;

	if (k == o->yes)
		return o->no;
	if (k == o->no)
		return o->yes;
	if (k->kind == VG_N_NOT)
		return k->kid;
	r = new_node(o, VG_N_NOT);
	if (!r)
		return n;
	r->kid = k;
	r->cost = k->cost;
	r->pass = 1 - k->pass;
	return r;
}

/* kids of an and/or, rewritten, flattened and without duplicates; returns
 * the count, or -1 when one of them decides the whole (*decided set) */
static int collect(struct opt *o, const struct vg_node *n, const struct vg_node ***out,
		   uint32_t *cap, const struct vg_node **decided)
{
	const struct vg_node *identity = n->kind == VG_N_AND ? o->yes : o->no;
	const struct vg_node *absorbing = n->kind == VG_N_AND ? o->no : o->yes;
	uint32_t count = 0;

	for (uint32_t i = 0; i < n->n; i++) {
		const struct vg_node *k = rewrite(o, n->kids[i]);
		const struct vg_node *const *add = &k;
		uint32_t nadd = 1;

		if (k == identity)
			continue;
		if (k == absorbing) {
			*decided = absorbing;
			return -1;
		}
		if (k->kind == n->kind && !k->memo) {
			add = k->kids;
			nadd = k->n;
		}
		for (uint32_t a = 0; a < nadd; a++) {
			bool dup = false;

			for (uint32_t j = 0; j < count && !dup; j++)
				dup = (*out)[j] == add[a];
			if (dup)
				continue;
			if (count == *cap) {
				uint32_t bigger = *cap ? *cap * 2 : 16;
				const struct vg_node **p = realloc(*out, bigger * sizeof(*p));

				if (!p) {
					o->err = -ENOMEM;
					return -1;
				}
				*out = p;
				*cap = bigger;
			}
			(*out)[count++] = add[a];
		}
	}
	return (int)count;
}

static const struct vg_node *rewrite_list(struct opt *o, const struct vg_node *n)
{
	bool is_and = n->kind == VG_N_AND;
	const struct vg_node **kids = NULL, *decided = NULL;
	uint32_t cap = 0;
	int count = collect(o, n, &kids, &cap, &decided);
	struct vg_node *r;

	if (count < 0) {
		free(kids);
		return decided ? decided : n;
	}
	if (count == 0) {
		free(kids);
		return is_and ? o->yes : o->no;
	}
	if (count == 1) {
		const struct vg_node *only = kids[0];

		free(kids);
		return only;
	}
	/* stable insertion sort: equal ranks keep the order they were written in */
	for (int i = 1; i < count; i++) {
		const struct vg_node *k = kids[i];
		float key = rank(k, is_and);
		int j = i - 1;

		for (; j >= 0 && rank(kids[j], is_and) > key; j--)
			kids[j + 1] = kids[j];
		kids[j + 1] = k;
	}
	r = new_node(o, n->kind);
	if (r)
		r->kids = vg_arena_alloc(&o->rs->arena, (size_t)count * sizeof(*r->kids));
	if (!r || !r->kids) {
		free(kids);
		o->err = -ENOMEM;
		return n;
	}
	memcpy(r->kids, kids, (size_t)count * sizeof(*kids));
	free(kids);
	r->n = (uint32_t)count;
	estimate_list(r);
	return r;
}

static const struct vg_node *rewrite(struct opt *o, const struct vg_node *n)
{
	const struct vg_node *r;

	switch (n->kind) {
	case VG_N_TRUE:
		return o->yes;
	case VG_N_FALSE:
		return o->no;
	case VG_N_EVTYPE:
		return vg_evtset_has(n->evts, o->type) ? o->yes : o->no;
	case VG_N_CHECK:
		return intern_check(o, n);
	case VG_N_NOT:
	case VG_N_AND:
	case VG_N_OR:
		break;
	}
	r = map_get(&o->done, n);
	if (r)
		return r;
	r = n->kind == VG_N_NOT ? rewrite_not(o, n) : rewrite_list(o, n);
	if (o->err)
		return n;
	/* a macro's value is remembered per event: its copy's too */
	if (n->memo && r->kind != VG_N_TRUE && r->kind != VG_N_FALSE)
		((struct vg_node *)r)->memo = true;
	if (map_put(&o->done, n, r))
		o->err = -ENOMEM;
	return r;
}

/* The per-type trees of every loaded rule (vg_rule_def.by_type). On failure
 * (memory) the rules keep their compiled trees: slower, never wrong. */
int vg_optimize_rules(struct vg_rules *rs)
{
	struct opt o = { .rs = rs };
	unsigned ntypes = vg_evtype_count();

	o.yes = new_node(&o, VG_N_TRUE);
	o.no = new_node(&o, VG_N_FALSE);
	if (o.err)
		return o.err;
	o.yes->pass = 1;
	for (uint32_t i = 0; i < rs->nrules && !o.err; i++) {
		struct vg_rule_def *r = rs->rules[i];

		if (r->pub.state != VG_RULE_LOADED)
			continue;
		r->by_type = vg_arena_alloc(&rs->arena, VG_EVTYPE_MAX * sizeof(*r->by_type));
		if (!r->by_type)
			o.err = -ENOMEM;
	}
	for (unsigned t = 1; t < ntypes && t < VG_EVTYPE_MAX && !o.err; t++) {
		o.type = t;
		map_clear(&o.done);
		for (uint32_t i = 0; i < rs->nrules && !o.err; i++) {
			struct vg_rule_def *r = rs->rules[i];

			if (r->pub.state == VG_RULE_LOADED && vg_evtset_has(&r->pub.evtypes, t))
				r->by_type[t] = rewrite(&o, r->pub.cond);
		}
	}
	if (o.err) {
		for (uint32_t i = 0; i < rs->nrules; i++)
			rs->rules[i]->by_type = NULL;
	}
	map_free(&o.done);
	free(o.checks);
	return o.err;
}
