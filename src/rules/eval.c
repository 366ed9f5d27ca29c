/* Evaluation of compiled conditions. Nothing here allocates: extracted
 * values go to per-field cache slots sized at compile time (each field is
 * extracted at most once per event), transformed strings to a fixed scratch
 * buffer. */
#include "rules/eval.h"
#include "rules/evtindex.h"
#include "rules/match.h"
#include "rules/program.h"
#include "rules/regex.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

int vg_eval_setup(struct vg_rules *rs)
{
	rs->slots = vg_arena_alloc(&rs->arena, (rs->nrefs ? rs->nrefs : 1) * sizeof(*rs->slots));
	rs->xbuf = vg_arena_alloc(&rs->arena, VG_XFORM_BUF);
	rs->lbuf = vg_arena_alloc(&rs->arena, VG_XFORM_BUF);
	rs->match_failures = vg_arena_alloc(&rs->arena, (rs->nrules ? rs->nrules : 1) *
								sizeof(*rs->match_failures));
	if (!rs->slots || !rs->xbuf || !rs->lbuf || !rs->match_failures)
		return -ENOMEM;
	memset(rs->match_failures, 0, (rs->nrules ? rs->nrules : 1) * sizeof(*rs->match_failures));
	for (uint32_t i = 0; i < rs->nrefs; i++) {
		const struct vg_field_ref *r = rs->refs[i];
		struct vg_field_cache *s = &rs->slots[i];

		s->cap = (r->field->flags & (VG_FF_ANY | VG_FF_LIST)) && r->index < 0 ?
				 VG_FIELD_MAX_VALUES :
				 1;
		s->v = vg_arena_alloc(&rs->arena, s->cap * sizeof(*s->v));
		if (!s->v)
			return -ENOMEM;
	}
	return 0;
}

static inline int fetch(struct vg_rules *rs, const struct vg_field_ref *ref,
			const struct vg_value **vals)
{
	struct vg_field_cache *s = &rs->slots[ref->slot];

	*vals = s->v;
	if (s->gen == rs->gen)
		return s->n;
	s->gen = rs->gen;
	if (ref->field->id == VG_F_EVT_TYPE) {
		const char *name = vg_evtype_name(rs->cur_evtype);

		s->n = name ? 1 : 0;
		if (name) {
			s->v[0].s.ptr = name;
			s->v[0].s.len = (uint32_t)strlen(name);
		}
		return s->n;
	}
	s->n = rs->get ? rs->get(rs->ctx, ref, s->v, s->cap) : 0;
	if (s->n < 0)
		s->n = 0;
	if ((uint32_t)s->n > s->cap)
		s->n = (int)s->cap;
	return s->n;
}

int vg_fetch(struct vg_rules *rs, const struct vg_field_ref *ref, const struct vg_value **vals)
{
	return fetch(rs, ref, vals);
}

static char *scratch(struct vg_rules *rs, size_t len)
{
	char *p;

	if (len > VG_XFORM_BUF - rs->xused)
		return NULL;
	p = rs->xbuf + rs->xused;
	rs->xused += len;
	return p;
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Applies transformers to one value; false if the value does not survive
 * (bad base64, scratch space exhausted). */
static bool transform(struct vg_rules *rs, const uint8_t *xf, unsigned nxf, struct vg_value *v)
{
	for (unsigned i = 0; i < nxf; i++) {
		const char *s = v->s.ptr;
		uint32_t len = v->s.len;
		char *d;

		switch ((enum vg_xform)xf[i]) {
		case VG_XF_TOLOWER:
		case VG_XF_TOUPPER:
			d = scratch(rs, len);
			if (!d && len)
				return false;
			for (uint32_t k = 0; k < len; k++) {
				char c = s[k];

				if (xf[i] == VG_XF_TOLOWER && c >= 'A' && c <= 'Z')
					c = (char)(c - 'A' + 'a');
				else if (xf[i] == VG_XF_TOUPPER && c >= 'a' && c <= 'z')
					c = (char)(c - 'a' + 'A');
				d[k] = c;
			}
			v->s.ptr = d ? d : "";
			break;
		case VG_XF_BASENAME: {
			const char *slash = len ? memrchr(s, '/', len) : NULL;

			if (slash) {
				v->s.len = (uint32_t)(len - (uint32_t)(slash + 1 - s));
				v->s.ptr = slash + 1;
			}
			break;
		}
		case VG_XF_LEN:
			v->u = len;
			break;
		case VG_XF_B64: {
			uint32_t acc = 0, bits = 0, o = 0;

			d = scratch(rs, len);
			if (!d && len)
				return false;
			for (uint32_t k = 0; k < len; k++) {
				int x;

				if (s[k] == '=')
					break;
				x = b64_value(s[k]);
				if (x < 0)
					return false;
				acc = (acc << 6) | (uint32_t)x;
				bits += 6;
				if (bits >= 8) {
					bits -= 8;
					d[o++] = (char)((acc >> bits) & 0xff);
				}
			}
			v->s.ptr = d ? d : "";
			v->s.len = o;
			break;
		}
		}
	}
	return true;
}

/* Binary search of a sorted array, for signed and unsigned values alike:
 * one body, instantiated per type. */
#define DEFINE_BSEARCH(name, type)                                                                 \
	static bool name(const type *a, uint32_t n, type x)                                        \
	{                                                                                          \
		uint32_t lo = 0, hi = n;                                                           \
                                                                                                   \
		while (lo < hi) {                                                                  \
			uint32_t mid = lo + (hi - lo) / 2;                                         \
                                                                                                   \
			if (a[mid] == x)                                                           \
				return true;                                                       \
			if (a[mid] < x)                                                            \
				lo = mid + 1;                                                      \
			else                                                                       \
				hi = mid;                                                          \
		}                                                                                  \
		return false;                                                                      \
	}
DEFINE_BSEARCH(bsearch_i64, int64_t)
DEFINE_BSEARCH(bsearch_u64, uint64_t)

static int order(int c, enum vg_op op)
{
	switch (op) {
	case VG_OP_EQ:
		return c == 0;
	case VG_OP_NE:
		return c != 0;
	case VG_OP_LT:
		return c < 0;
	case VG_OP_LE:
		return c <= 0;
	case VG_OP_GT:
		return c > 0;
	case VG_OP_GE:
		return c >= 0;
	default:
		return -1;
	}
}

static inline __attribute__((always_inline)) bool match_str(const struct vg_check *c,
							     const char *s, uint32_t len)
{
	const struct vg_operand_str *o = c->strs;

	switch (c->op) {
	case VG_OP_EQ:
		return len == o->len && vg_same_bytes(s, o->s, len);
	case VG_OP_NE:
		return !(len == o->len && vg_same_bytes(s, o->s, len));
	case VG_OP_CONTAINS:
	case VG_OP_BCONTAINS:
		return vg_contains(s, len, o->s, o->len);
	case VG_OP_ICONTAINS:
		return vg_icontains(s, len, o->s, o->len);
	case VG_OP_STARTSWITH:
	case VG_OP_BSTARTSWITH:
		return len >= o->len && vg_same_bytes(s, o->s, o->len);
	case VG_OP_ENDSWITH:
		return len >= o->len && vg_same_bytes(s + len - o->len, o->s, o->len);
	case VG_OP_GLOB:
		/* the literal ends of the pattern first: most values fail there */
		if (len < c->glob_pre + c->glob_suf ||
		    !vg_same_bytes(s, o->s, c->glob_pre) ||
		    !vg_same_bytes(s + len - c->glob_suf, o->s + o->len - c->glob_suf,
				   c->glob_suf) ||
		    (c->glob_mid_len &&
		     !vg_contains(s + c->glob_pre, len - c->glob_pre - c->glob_suf,
				  o->s + c->glob_mid, c->glob_mid_len)))
			return false;
		return vg_glob_match(o->s, o->len, s, len, false);
	case VG_OP_IGLOB:
		return vg_glob_match(o->s, o->len, s, len, true);
	case VG_OP_REGEX: {
		int r = vg_re_full_match(c->re->re, s, len);

		if (r < 0)
			*c->re->failed = true; /* counted against the rule (vg_rules_eval) */
		return r > 0;
	}
	case VG_OP_IN:
	case VG_OP_INTERSECTS:
		if (!(c->lenmask >> (len < 63 ? len : 63) & 1))
			return false;
		return c->set ? vg_strset_has(c, s, len) : vg_str_in(o, c->n, s, len);
	case VG_OP_PMATCH:
		return c->set ? vg_pmatch_set(c, s, len) : vg_pmatch(o, c->n, s, len);
	default:
		return false;
	}
}

static bool match_value(const struct vg_check *c, const struct vg_value *v)
{
	int r;

	switch (c->type) {
	case VG_FT_STR:
		return match_str(c, v->s.ptr, v->s.len);
	case VG_FT_INT:
		if (c->op == VG_OP_IN || c->op == VG_OP_INTERSECTS)
			return bsearch_i64(c->ints, c->n, v->i);
		r = order(v->i < c->ints[0] ? -1 : v->i > c->ints[0], c->op);
		return r > 0;
	case VG_FT_UINT:
		if (c->op == VG_OP_IN || c->op == VG_OP_INTERSECTS)
			return bsearch_u64(c->uints, c->n, v->u);
		r = order(v->u < c->uints[0] ? -1 : v->u > c->uints[0], c->op);
		return r > 0;
	case VG_FT_BOOL:
		for (uint32_t i = 0; i < c->n; i++)
			if (c->bools[i] == v->b)
				return c->op != VG_OP_NE;
		return c->op == VG_OP_NE;
	case VG_FT_IPADDR:
	case VG_FT_IPNET:
		for (uint32_t i = 0; i < c->n; i++)
			if (vg_net_contains(&c->nets[i], &v->ip))
				return c->op != VG_OP_NE;
		return c->op == VG_OP_NE;
	case VG_FT_NONE:
		break;
	}
	return false;
}

/* lhs op rhs for two extracted values (val(field) on the right) */
static bool match_pair(const struct vg_check *c, const struct vg_value *a, const struct vg_value *b)
{
	enum vg_op op = c->op == VG_OP_IN || c->op == VG_OP_INTERSECTS ? VG_OP_EQ : c->op;
	int cmp;

	switch (c->type) {
	case VG_FT_STR: {
		uint32_t n = a->s.len < b->s.len ? a->s.len : b->s.len;

		switch (op) {
		case VG_OP_CONTAINS:
			return b->s.len == 0 || memmem(a->s.ptr, a->s.len, b->s.ptr, b->s.len);
		case VG_OP_ICONTAINS:
			for (size_t i = 0; i + b->s.len <= a->s.len; i++)
				if (strncasecmp(a->s.ptr + i, b->s.ptr, b->s.len) == 0)
					return true;
			return false;
		case VG_OP_STARTSWITH:
			return a->s.len >= b->s.len && memcmp(a->s.ptr, b->s.ptr, b->s.len) == 0;
		case VG_OP_ENDSWITH:
			return a->s.len >= b->s.len &&
			       memcmp(a->s.ptr + a->s.len - b->s.len, b->s.ptr, b->s.len) == 0;
		default:
			cmp = n ? memcmp(a->s.ptr, b->s.ptr, n) : 0;
			if (!cmp)
				cmp = a->s.len < b->s.len ? -1 : a->s.len > b->s.len;
			return order(cmp, op) > 0;
		}
	}
	case VG_FT_INT:
		return order(a->i < b->i ? -1 : a->i > b->i, op) > 0;
	case VG_FT_UINT:
		return order(a->u < b->u ? -1 : a->u > b->u, op) > 0;
	case VG_FT_BOOL:
		return order(a->b != b->b, op) > 0;
	case VG_FT_IPADDR:
	case VG_FT_IPNET:
		cmp = a->ip.family != b->ip.family || memcmp(a->ip.addr, b->ip.addr, 16) != 0;
		return order(cmp, op) > 0;
	case VG_FT_NONE:
		break;
	}
	return false;
}

static bool eval_rhs(struct vg_rules *rs, const struct vg_check *c, const struct vg_value *a)
{
	const struct vg_value *rv;
	int n = fetch(rs, c->rhs, &rv);

	for (int i = 0; i < n; i++) {
		struct vg_value b = rv[i];

		if (c->rhs_nxform && !transform(rs, c->rhs_xform, c->rhs_nxform, &b))
			continue;
		if (match_pair(c, a, &b))
			return true;
	}
	return false;
}

static bool eval_check(struct vg_rules *rs, const struct vg_check *c)
{
	const struct vg_value *vals;
	int n = fetch(rs, c->ref, &vals);

	if (c->op == VG_OP_EXISTS)
		return n > 0;
	if (n <= 0)
		return false;
	if (c->list_semantics) {
		/* a list field is "in" a set when all its values are */
		for (int i = 0; i < n; i++)
			if (!match_value(c, &vals[i]))
				return false;
		return true;
	}
	if (!c->nxform && !c->rhs) {
		for (int i = 0; i < n; i++)
			if (match_value(c, &vals[i]))
				return true;
		return false;
	}
	for (int i = 0; i < n; i++) {
		struct vg_value v = vals[i];

		if (c->nxform && !transform(rs, c->xform, c->nxform, &v))
			continue;
		if (c->rhs ? eval_rhs(rs, c, &v) : match_value(c, &v))
			return true;
	}
	return false;
}

/* The slot's single value in lower case (made once per event); NULL when
 * the buffer is full. */
static const char *lowered(struct vg_rules *rs, const struct vg_field_ref *ref,
			   const struct vg_value *v)
{
	struct vg_field_cache *s = &rs->slots[ref->slot];
	char *d;

	if (s->low_gen == rs->gen)
		return s->low;
	if (v->s.len > VG_XFORM_BUF - rs->lused)
		return NULL;
	d = rs->lbuf + rs->lused;
	rs->lused += v->s.len;
	for (uint32_t k = 0; k < v->s.len; k++) {
		char ch = v->s.ptr[k];

		d[k] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
	}
	s->low = d;
	s->low_gen = rs->gen;
	return d;
}

/* A check, with the common case inlined where it is called: one value
 * compared as it is (see mark_single in program.c). */
static inline __attribute__((always_inline)) bool check(struct vg_rules *rs,
							 const struct vg_check *c)
{
	const struct vg_value *v;

	if (!c->single)
		return eval_check(rs, c);
	if (fetch(rs, c->ref, &v) <= 0)
		return false;
	if (c->op == VG_OP_ICONTAINS && c->type == VG_FT_STR) {
		/* several icontains on one field (a command line against a
		 * dozen words) lower it once, then search as contains does */
		const char *low = lowered(rs, c->ref, v);

		if (low)
			return vg_contains(low, v->s.len, c->strs->s, c->strs->len);
	}
	return c->type == VG_FT_STR ? match_str(c, v->s.ptr, v->s.len) : match_value(c, v);
}

static bool eval_node(struct vg_rules *rs, const struct vg_node *n);
static bool run_prog(struct vg_rules *rs, const struct vg_prog *p);

/* A node through its memo: inlined into the loops below, so that a kid
 * already known for this event costs no call. */
static inline __attribute__((always_inline)) bool eval_memo(struct vg_rules *rs,
							      const struct vg_node *n)
{
	struct vg_node *m = (struct vg_node *)n; /* the memo is the only mutable part */

	if (!n->memo)
		return n->kind == VG_N_CHECK ? eval_check(rs, n->chk) : eval_node(rs, n);
	if (m->memo_gen != rs->gen) {
		m->memo_val = n->kind == VG_N_CHECK ? check(rs, n->chk) :
			      n->prog		      ? run_prog(rs, n->prog) :
							eval_node(rs, n);
		m->memo_gen = rs->gen;
	}
	return m->memo_val;
}

/* A program (program.c): the tests in order, each choosing the next.
 * Inlined into the loop over rules; remembered macros call run_prog. */
static inline __attribute__((always_inline)) bool run_prog_inline(struct vg_rules *rs,
								  const struct vg_prog *p)
{
	uint32_t pc = p->entry;

	while (pc < VG_PC_FALSE) {
		const struct vg_insn *in = &p->insn[pc];
		bool r;

		switch (in->kind) {
		case VG_I_CHECK:
			r = check(rs, in->chk);
			break;
		case VG_I_MEMO:
			r = eval_memo(rs, in->node);
			break;
		default:
			r = eval_node(rs, in->node);
			break;
		}
		pc = r ? in->on_true : in->on_false;
	}
	return pc == VG_PC_TRUE;
}

static bool run_prog(struct vg_rules *rs, const struct vg_prog *p)
{
	return run_prog_inline(rs, p);
}

bool vg_eval_node(struct vg_rules *rs, const struct vg_node *n)
{
	return eval_memo(rs, n);
}

static bool eval_node(struct vg_rules *rs, const struct vg_node *n)
{
	switch (n->kind) {
	case VG_N_AND:
		for (uint32_t i = 0; i < n->n; i++)
			if (!eval_memo(rs, n->kids[i]))
				return false;
		return true;
	case VG_N_OR:
		for (uint32_t i = 0; i < n->n; i++)
			if (eval_memo(rs, n->kids[i]))
				return true;
		return false;
	case VG_N_NOT:
		return !eval_memo(rs, n->kid);
	case VG_N_CHECK:
		return eval_check(rs, n->chk);
	case VG_N_EVTYPE:
		return vg_evtset_has(n->evts, rs->cur_evtype);
	case VG_N_TRUE:
		return true;
	case VG_N_FALSE:
		return false;
	}
	return false;
}

int vg_rules_eval(struct vg_rules *rs, unsigned evtype, vg_field_get get, const void *ctx,
		  const struct vg_rule **matches, unsigned max)
{
	unsigned count = 0;

	if (!rs->compiled || !rs->slots)
		return -EINVAL;
	rs->gen++;
	rs->lused = 0;
	rs->cur_evtype = evtype;
	rs->get = get;
	rs->ctx = ctx;
	if (evtype >= VG_EVTYPE_MAX)
		return 0;
	for (uint32_t i = 0; i < rs->nby_type[evtype]; i++) {
		const struct vg_indexed *x = &rs->by_type[evtype][i];
		const struct vg_node *cond = x->cond;

		if (x->guard && x->guard->memo_gen == rs->gen && !x->guard->memo_val) {
			/* what the group's programs would find first */
			i = x->group_end - 1;
			continue;
		}
		rs->xused = 0;
		if (cond->memo ? eval_memo(rs, cond) : run_prog_inline(rs, cond->prog))
			rs->hits[count++] = x->rule;
		if (rs->regex_failed) {
			rs->regex_failed = false;
			rs->match_failures[x->rule->index]++;
		}
	}
	/* back to rule order (the groups changed it); matches are few */
	for (unsigned i = 1; i < count; i++) {
		const struct vg_rule *r = rs->hits[i];
		unsigned j = i;

		for (; j > 0 && rs->hits[j - 1]->index > r->index; j--)
			rs->hits[j] = rs->hits[j - 1];
		rs->hits[j] = r;
	}
	for (unsigned i = 0; i < count && i < max; i++)
		matches[i] = rs->hits[i];
	return (int)count;
}

uint64_t vg_rules_match_failures(const struct vg_rules *rs, const struct vg_rule *r)
{
	if (!rs->match_failures || !r || r->index >= rs->nrules)
		return 0;
	return rs->match_failures[r->index];
}
