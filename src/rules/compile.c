/* Conditions -> compiled trees: lists and macros inlined (macro trees shared
 * between rules), fields resolved against the registry, values parsed to the
 * field's type once, regexes compiled once, "in" lists sorted. */
#include "rules/engine.h"
#include "rules/regex.h"
#include "rules/lexer.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vg_regex_free(struct vg_regex *re)
{
	if (!re)
		return;
	vg_re_free(re->re);
}

/* ---- diagnostics in context ---- */

void vg_cc_error(struct vg_cctx *cc, uint32_t pos, const char *fmt, ...)
{
	struct vg_loc loc = cc->loc;
	char msg[352];
	va_list ap;

	if (cc->rc)
		return; /* one error per item: later ones are usually consequences */
	cc->rc = -EINVAL;
	if (cc->text && cc->text->npieces)
		vg_text_loc(cc->rs, cc->text, pos, &loc);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vg_diag_add(cc->rs, cc->level, &loc, cc->item, "%s", msg);
}

void vg_cc_skip(struct vg_cctx *cc, const char *fmt, ...)
{
	char msg[352];
	va_list ap;

	if (cc->rc)
		return;
	cc->rc = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cc->skip_reason = vg_arena_strndup(&cc->rs->arena, msg, strlen(msg));
	if (!cc->skip_reason)
		cc->skip_reason = "needs a field vigil does not provide";
}

static void *cc_alloc(struct vg_cctx *cc, size_t size)
{
	void *p = vg_arena_alloc(&cc->rs->arena, size);

	if (!p)
		vg_cc_error(cc, 0, "out of memory");
	return p;
}

/* ---- lists ---- */

static bool is_identifier(const char *s, size_t len)
{
	if (!len || !isalpha((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

/* A list item written '"sh -c x"' in YAML is a quoted string of the
 * condition language: drop the quotes and decode its escapes. */
static int unquote_item(struct vg_cctx *cc, const char *s, struct vg_ast_value *out)
{
	size_t len = strlen(s);

	out->quoted = true;
	if (len >= 2 && (s[0] == '"' || s[0] == '\'') && s[len - 1] == s[0]) {
		char *d = cc_alloc(cc, len);

		if (!d)
			return -ENOMEM;
		out->len = (uint32_t)vg_unescape(s + 1, len - 2, d);
		out->s = d;
		return 0;
	}
	out->s = s;
	out->len = (uint32_t)len;
	return 0;
}

static int resolve_list(struct vg_cctx *cc, struct vg_list_def *l, uint32_t pos, unsigned depth)
{
	uint64_t total = 0;
	uint32_t k = 0;

	if (l->state == VG_DEF_OK)
		return 0;
	if (l->state == VG_DEF_BUSY) {
		vg_cc_error(cc, pos, "list '%s' contains itself", l->name);
		return -EINVAL;
	}
	if (l->state == VG_DEF_FAILED || depth > VG_MAX_LIST_DEPTH) {
		vg_cc_error(cc, pos, "list '%s' cannot be expanded (nested too deep or invalid)",
			    l->name);
		return -EINVAL;
	}
	l->state = VG_DEF_BUSY;
	for (uint32_t i = 0; i < l->nitems; i++) {
		const char *it = l->items[i];
		struct vg_list_def *sub = is_identifier(it, strlen(it)) ?
						  vg_find_list(cc->rs, it, strlen(it)) :
						  NULL;

		if (sub) {
			if (resolve_list(cc, sub, pos, depth + 1) < 0) {
				l->state = VG_DEF_FAILED;
				return -EINVAL;
			}
			total += sub->nflat;
		} else {
			total++;
		}
		if (total > VG_MAX_LIST_ITEMS) {
			vg_cc_error(cc, pos, "list '%s' expands to more than %d items", l->name,
				    VG_MAX_LIST_ITEMS);
			l->state = VG_DEF_FAILED;
			return -E2BIG;
		}
	}
	l->flat = cc_alloc(cc, (total ? total : 1) * sizeof(*l->flat));
	if (!l->flat)
		return -ENOMEM;
	for (uint32_t i = 0; i < l->nitems; i++) {
		const char *it = l->items[i];
		struct vg_list_def *sub = is_identifier(it, strlen(it)) ?
						  vg_find_list(cc->rs, it, strlen(it)) :
						  NULL;

		if (sub) {
			sub->used = true;
			memcpy(l->flat + k, sub->flat, sub->nflat * sizeof(*l->flat));
			k += sub->nflat;
		} else if (unquote_item(cc, it, &l->flat[k++]) < 0) {
			return -ENOMEM;
		}
	}
	l->nflat = k;
	l->state = VG_DEF_OK;
	return 0;
}

/* The values of a list operator with list names replaced by their items. */
static int expand_values(struct vg_cctx *cc, const struct vg_ast *a, struct vg_ast_value **out,
			 uint32_t *count)
{
	uint64_t total = 0;
	uint32_t k = 0;

	for (uint32_t pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < a->check.nvals; i++) {
			const struct vg_ast_value *v = &a->check.vals[i];
			struct vg_list_def *l = NULL;

			if (!v->quoted && is_identifier(v->s, v->len))
				l = vg_find_list(cc->rs, v->s, v->len);
			if (!l && a->check.rhs_list_name) {
				vg_cc_error(cc, v->pos, "undefined list '%s'", v->s);
				return -EINVAL;
			}
			if (pass == 0) {
				if (l && resolve_list(cc, l, v->pos, 0) < 0)
					return -EINVAL;
				total += l ? l->nflat : 1;
				continue;
			}
			if (l) {
				l->used = true;
				memcpy(*out + k, l->flat, l->nflat * sizeof(**out));
				k += l->nflat;
			} else {
				(*out)[k++] = *v;
			}
		}
		if (pass == 0) {
			if (total > VG_MAX_LIST_ITEMS) {
				vg_cc_error(cc, a->pos, "list of values has more than %d items",
					    VG_MAX_LIST_ITEMS);
				return -E2BIG;
			}
			*out = cc_alloc(cc, (total ? total : 1) * sizeof(**out));
			if (!*out)
				return -ENOMEM;
		}
	}
	*count = k;
	return 0;
}

/* ---- fields ---- */

static bool all_digits(const char *s, size_t len)
{
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static const struct vg_field_ref *intern_ref(struct vg_cctx *cc, const struct vg_field *f,
					     int32_t index, const char *arg, size_t arg_len)
{
	struct vg_rules *rs = cc->rs;
	struct vg_field_ref *r;

	for (uint32_t i = 0; i < rs->nrefs; i++) {
		r = rs->refs[i];
		if (r->field == f && r->index == index && (r->arg != NULL) == (arg != NULL) &&
		    (!arg || (r->arg_len == arg_len && memcmp(r->arg, arg, arg_len) == 0)))
			return r;
	}
	if (rs->nrefs == rs->refs_cap) {
		uint32_t ncap = rs->refs_cap ? rs->refs_cap * 2 : 64;
		struct vg_field_ref **nr = vg_arena_grow(&rs->arena, rs->refs, rs->nrefs, ncap,
							 sizeof(*nr));
		if (!nr) {
			vg_cc_error(cc, 0, "out of memory");
			return NULL;
		}
		rs->refs = nr;
		rs->refs_cap = ncap;
	}
	r = cc_alloc(cc, sizeof(*r));
	if (!r)
		return NULL;
	r->field = f;
	r->index = index;
	if (arg) {
		r->arg = vg_arena_strndup(&rs->arena, arg, arg_len);
		if (!r->arg) {
			vg_cc_error(cc, 0, "out of memory");
			return NULL;
		}
		r->arg_len = (uint32_t)arg_len;
	}
	r->slot = rs->nrefs;
	rs->refs[rs->nrefs++] = r;
	return r;
}

const struct vg_field_ref *vg_resolve_field(struct vg_cctx *cc, const struct vg_ast_field *af)
{
	const char *dot_arg, *arg, *provider;
	size_t dot_len, arg_len;
	const struct vg_field *f = vg_field_lookup(af->name, af->name_len, &dot_arg, &dot_len);
	int32_t index = -1;

	if (!f) {
		provider = vg_field_unavailable(af->name, af->name_len);
		if (provider)
			vg_cc_skip(cc, "field '%.*s' comes from %s, which vigil does not provide",
				   (int)af->name_len, af->name, provider);
		else if (cc->unknown_is_skip)
			vg_cc_skip(cc, "unknown field '%.*s' (skip-if-unknown-filter)",
				   (int)af->name_len, af->name);
		else
			vg_cc_error(cc, af->pos, "unknown field '%.*s'", (int)af->name_len, af->name);
		return NULL;
	}
	if (dot_arg && af->arg) {
		vg_cc_error(cc, af->pos, "field '%s' has two arguments", f->name);
		return NULL;
	}
	arg = dot_arg ? dot_arg : af->arg;
	arg_len = dot_arg ? dot_len : af->arg_len;
	if (!arg) {
		if (f->flags & VG_FA_REQ) {
			vg_cc_error(cc, af->pos, "field '%s' needs an argument (%s.NAME or %s[N])",
				    f->name, f->name, f->name);
			return NULL;
		}
		return intern_ref(cc, f, -1, NULL, 0);
	}
	if (!(f->flags & (VG_FA_INDEX | VG_FA_NAME))) {
		vg_cc_error(cc, af->pos, "field '%s' takes no argument", f->name);
		return NULL;
	}
	if (all_digits(arg, arg_len) && (f->flags & VG_FA_INDEX)) {
		long v = strtol(arg, NULL, 10);

		if (arg_len > 6 || v > 65535) {
			vg_cc_error(cc, af->pos, "index of '%s' is too large", f->name);
			return NULL;
		}
		index = (int32_t)v;
		return intern_ref(cc, f, index, NULL, 0);
	}
	if (!(f->flags & VG_FA_NAME)) {
		vg_cc_error(cc, af->pos, "field '%s' takes a numeric index, not '%.*s'", f->name,
			    (int)arg_len, arg);
		return NULL;
	}
	if (memchr(arg, '\0', arg_len) || arg_len > 256) {
		vg_cc_error(cc, af->pos, "invalid argument for field '%s'", f->name);
		return NULL;
	}
	return intern_ref(cc, f, -1, arg, arg_len);
}

/* type of a field after its transformers; VG_FT_NONE (and an error) if a
 * transformer does not apply */
static enum vg_ftype xform_type(struct vg_cctx *cc, const struct vg_ast_field *af,
				enum vg_ftype t)
{
	for (unsigned i = 0; i < af->nxform; i++) {
		enum vg_xform xf = (enum vg_xform)af->xform[i];
		const char *nm = vg_xform_name(xf);

		if (t != VG_FT_STR) {
			vg_cc_error(cc, af->pos, "transformer '%.*s' needs a string, '%.*s' is %s",
				    (int)strlen(nm) - 1, nm, (int)af->name_len, af->name,
				    vg_ftype_name(t));
			return VG_FT_NONE;
		}
		if (xf == VG_XF_LEN)
			t = VG_FT_UINT;
	}
	return t;
}

/* ---- values ---- */

static int parse_int(const char *s, uint32_t len, bool is_signed, int64_t *i, uint64_t *u)
{
	char *end;
	int base = 10;
	const char *p = s;

	if (!len || len > 30 || memchr(s, '\0', len) != NULL)
		return -EINVAL;
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16;
	errno = 0;
	if (is_signed) {
		*i = strtoll(p, &end, base);
	} else {
		if (s[0] == '-')
			return -ERANGE;
		*u = strtoull(p, &end, base);
	}
	if (errno)
		return -ERANGE;
	if (end != s + len)
		return -EINVAL;
	return 0;
}

static int parse_net(const char *s, uint32_t len, struct vg_operand_net *n)
{
	char buf[64];
	const char *slash;
	long prefix = -1;

	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	slash = strchr(buf, '/');
	if (slash) {
		char *end;

		prefix = strtol(slash + 1, &end, 10);
		if (*end || end == slash + 1 || prefix < 0)
			return -EINVAL;
		buf[slash - buf] = '\0';
	}
	memset(n, 0, sizeof(*n));
	if (inet_pton(AF_INET, buf, n->addr) == 1) {
		n->family = 4;
		if (prefix > 32)
			return -EINVAL;
		n->prefix = (uint8_t)(prefix < 0 ? 32 : prefix);
	} else if (inet_pton(AF_INET6, buf, n->addr) == 1) {
		n->family = 6;
		if (prefix > 128)
			return -EINVAL;
		n->prefix = (uint8_t)(prefix < 0 ? 128 : prefix);
	} else {
		return -EINVAL;
	}
	return 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int cmp_str(const void *a, const void *b)
{
	return vg_str_cmp(a, b);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool is_list_op(enum vg_op op)
{
	return op == VG_OP_IN || op == VG_OP_INTERSECTS || op == VG_OP_PMATCH;
}

static int compile_regex(struct vg_cctx *cc, struct vg_check *chk, const struct vg_ast_value *v)
{
	struct vg_rules *rs = cc->rs;
	struct vg_regex *re = cc_alloc(cc, sizeof(*re));
	char why[160];

	if (!re)
		return -ENOMEM;
	/* Falco's regex is RE2's, and must match the whole value */
	re->re = vg_re_compile(v->s, v->len, why, sizeof(why));
	re->failed = &rs->regex_failed;
	if (!re->re) {
		vg_cc_error(cc, v->pos, "bad regex '%s' (the RE2 engine refuses it): %s", v->s,
			    why);
		return -EINVAL;
	}
	if (rs->nregexes == rs->regexes_cap) {
		uint32_t ncap = rs->regexes_cap ? rs->regexes_cap * 2 : 16;
		struct vg_regex **nr = vg_arena_grow(&rs->arena, rs->regexes, rs->nregexes, ncap,
						     sizeof(*nr));
		if (!nr) {
			vg_regex_free(re);
			vg_cc_error(cc, v->pos, "out of memory");
			return -ENOMEM;
		}
		rs->regexes = nr;
		rs->regexes_cap = ncap;
	}
	rs->regexes[rs->nregexes++] = re;
	chk->re = re;
	return 0;
}

static int string_operands(struct vg_cctx *cc, struct vg_check *chk,
			   const struct vg_ast_value *v, uint32_t n)
{
	struct vg_operand_str *s = cc_alloc(cc, (n ? n : 1) * sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		char *d;
		uint32_t len = v[i].len;

		switch (chk->op) {
		case VG_OP_ICONTAINS:
		case VG_OP_IGLOB:
			d = cc_alloc(cc, (size_t)len + 1);
			if (!d)
				return -ENOMEM;
			for (uint32_t k = 0; k < len; k++)
				d[k] = (char)tolower((unsigned char)v[i].s[k]);
			s[i].s = d;
			break;
		case VG_OP_BCONTAINS:
		case VG_OP_BSTARTSWITH:
			if (len % 2) {
				vg_cc_error(cc, v[i].pos, "'%s' needs hex bytes, '%s' has an odd length",
					    vg_op_name(chk->op), v[i].s);
				return -EINVAL;
			}
			d = cc_alloc(cc, len / 2 + 1);
			if (!d)
				return -ENOMEM;
			for (uint32_t k = 0; k < len; k += 2) {
				int hi = hex_value(v[i].s[k]), lo = hex_value(v[i].s[k + 1]);

				if (hi < 0 || lo < 0) {
					vg_cc_error(cc, v[i].pos, "'%s' needs hex bytes, not '%s'",
						    vg_op_name(chk->op), v[i].s);
					return -EINVAL;
				}
				d[k / 2] = (char)(hi << 4 | lo);
			}
			len /= 2;
			s[i].s = d;
			break;
		case VG_OP_PMATCH:
			/* "/etc/" and "/etc" are the same prefix */
			while (len > 1 && v[i].s[len - 1] == '/')
				len--;
			s[i].s = v[i].s;
			break;
		default:
			s[i].s = v[i].s;
			break;
		}
		s[i].len = len;
	}
	if (chk->op == VG_OP_IN || chk->op == VG_OP_INTERSECTS) {
		qsort(s, n, sizeof(*s), cmp_str);
		for (uint32_t i = 0; i < n; i++)
			chk->lenmask |= 1ull << (s[i].len < 63 ? s[i].len : 63);
	}
	chk->strs = s;
	chk->n = n;
	return vg_strset_build(&cc->rs->arena, chk);
}

static int typed_operands(struct vg_cctx *cc, struct vg_check *chk, const struct vg_ast_value *v,
			  uint32_t n, const char *fname)
{
	for (uint32_t i = 0; i < n; i++) {
		int rc = 0;

		switch (chk->type) {
		case VG_FT_INT:
			rc = parse_int(v[i].s, v[i].len, true, &chk->ints[i], NULL);
			break;
		case VG_FT_UINT:
			rc = parse_int(v[i].s, v[i].len, false, NULL, &chk->uints[i]);
			break;
		case VG_FT_BOOL:
			if (v[i].len == 4 && memcmp(v[i].s, "true", 4) == 0)
				chk->bools[i] = true;
			else if (v[i].len == 5 && memcmp(v[i].s, "false", 5) == 0)
				chk->bools[i] = false;
			else
				rc = -EINVAL;
			break;
		case VG_FT_IPADDR:
		case VG_FT_IPNET:
			rc = parse_net(v[i].s, v[i].len, &chk->nets[i]);
			break;
		default:
			rc = -EINVAL;
			break;
		}
		if (rc) {
			vg_cc_error(cc, v[i].pos, "type mismatch: '%.*s' is not a valid %s for field '%s'%s",
				    (int)(v[i].len > 64 ? 64 : v[i].len), v[i].s,
				    chk->type == VG_FT_BOOL ? "bool (true or false)" :
				    chk->type == VG_FT_IPADDR || chk->type == VG_FT_IPNET ?
							      "address or network" :
							      vg_ftype_name(chk->type),
				    fname, rc == -ERANGE ? " (out of range)" : "");
			return -EINVAL;
		}
	}
	if (chk->type == VG_FT_INT)
		qsort(chk->ints, n, sizeof(int64_t), cmp_i64);
	else if (chk->type == VG_FT_UINT)
		qsort(chk->uints, n, sizeof(uint64_t), cmp_u64);
	chk->n = n;
	return 0;
}

/* Is op defined for a value of this type? */
static bool op_allowed(enum vg_ftype t, enum vg_op op)
{
	if (op == VG_OP_EXISTS)
		return true;
	switch (t) {
	case VG_FT_STR:
		return op != VG_OP_LT && op != VG_OP_LE && op != VG_OP_GT && op != VG_OP_GE;
	case VG_FT_INT:
	case VG_FT_UINT:
		return op <= VG_OP_GE || op == VG_OP_IN || op == VG_OP_INTERSECTS;
	case VG_FT_BOOL:
	case VG_FT_IPADDR:
	case VG_FT_IPNET:
		return op == VG_OP_EQ || op == VG_OP_NE || op == VG_OP_IN ||
		       op == VG_OP_INTERSECTS;
	case VG_FT_NONE:
		break;
	}
	return false;
}

static const struct vg_node *new_node(struct vg_cctx *cc, enum vg_node_kind kind)
{
	struct vg_node *n = cc_alloc(cc, sizeof(*n));

	if (n) {
		n->kind = kind;
		n->weight = 1;
	}
	return n;
}

static const struct vg_node *wrap_not(struct vg_cctx *cc, const struct vg_node *kid)
{
	struct vg_node *n;

	if (!kid)
		return NULL;
	n = (struct vg_node *)new_node(cc, VG_N_NOT);
	if (!n)
		return NULL;
	n->kid = kid;
	n->weight = kid->weight;
	return n;
}

/* evt.type = x / in (...) -> a bit set tested without extraction */
static const struct vg_node *compile_evtype(struct vg_cctx *cc, const struct vg_ast *a,
					    const struct vg_ast_value *v, uint32_t n)
{
	struct vg_node *node = (struct vg_node *)new_node(cc, VG_N_EVTYPE);

	if (!node)
		return NULL;
	node->evts = cc_alloc(cc, sizeof(*node->evts));
	if (!node->evts)
		return NULL;
	for (uint32_t i = 0; i < n; i++) {
		unsigned id = vg_evtype_lookup(v[i].s, v[i].len);

		if (id) {
			vg_evtset_add(node->evts, id);
		} else {
			struct vg_loc loc = cc->loc;

			if (cc->text && cc->text->npieces)
				vg_text_loc(cc->rs, cc->text, v[i].pos, &loc);
			vg_diag_add(cc->rs, VG_DIAG_WARNING, &loc, cc->item,
				    "unknown event type '%.*s' never matches", (int)v[i].len, v[i].s);
		}
	}
	return a->check.op == VG_OP_NE ? wrap_not(cc, node) : node;
}

/* A field of a condition. One vigil records nothing for is absent on every
 * event: its comparisons are never true, so "not (container.image in
 * (...))" always is. Said once per rule or macro, as a warning: the rule
 * still loads, as Falco's own rules file must. */
static const struct vg_field_ref *condition_field(struct vg_cctx *cc, const struct vg_ast_field *af)
{
	const struct vg_field_ref *ref = vg_resolve_field(cc, af);
	struct vg_loc loc = cc->loc;

	if (!ref || !(ref->field->flags & VG_FF_NODATA) || cc->nodata_said == ref->field)
		return ref;
	cc->nodata_said = ref->field; /* not again for the next line of a list of them */
	if (cc->text && cc->text->npieces)
		vg_text_loc(cc->rs, cc->text, af->pos, &loc);
	vg_diag_add(cc->rs, VG_DIAG_WARNING, &loc, cc->item,
		    "vigil records nothing for field '%s': it is always absent, so comparisons "
		    "with it are false",
		    ref->field->name);
	return ref;
}

static const struct vg_node *compile_check(struct vg_cctx *cc, const struct vg_ast *a)
{
	const struct vg_ast_field *lf = &a->check.lhs;
	const struct vg_field_ref *ref = condition_field(cc, lf);
	struct vg_ast_value *vals = NULL;
	struct vg_check *chk;
	struct vg_node *node;
	uint32_t n = 0;
	char fname[160];

	if (!ref)
		return NULL;
	snprintf(fname, sizeof(fname), "%.*s", (int)lf->name_len, lf->name);
	chk = cc_alloc(cc, sizeof(*chk));
	if (!chk)
		return NULL;
	chk->ref = ref;
	chk->op = a->check.op;
	chk->type = xform_type(cc, lf, ref->field->type);
	if (chk->type == VG_FT_NONE)
		return NULL;
	memcpy(chk->xform, lf->xform, sizeof(chk->xform));
	chk->nxform = lf->nxform;
	if (!op_allowed(chk->type, chk->op)) {
		vg_cc_error(cc, a->pos, "operator '%s' cannot be used on field '%s' (%s)",
			    vg_op_name(chk->op), fname, vg_ftype_name(chk->type));
		return NULL;
	}
	if (chk->op == VG_OP_EXISTS)
		goto done;
	if (a->check.rhs_is_field) {
		const struct vg_ast_field *rf = &a->check.rhs;
		enum vg_ftype rt;

		chk->rhs = condition_field(cc, rf);
		if (!chk->rhs)
			return NULL;
		rt = xform_type(cc, rf, chk->rhs->field->type);
		if (rt == VG_FT_NONE)
			return NULL;
		if (rt != chk->type && !((rt == VG_FT_IPADDR || rt == VG_FT_IPNET) &&
					 (chk->type == VG_FT_IPADDR || chk->type == VG_FT_IPNET))) {
			vg_cc_error(cc, rf->pos, "type mismatch: '%s' is %s, '%.*s' is %s", fname,
				    vg_ftype_name(chk->type), (int)rf->name_len, rf->name,
				    vg_ftype_name(rt));
			return NULL;
		}
		if (chk->op == VG_OP_GLOB || chk->op == VG_OP_IGLOB || chk->op == VG_OP_REGEX ||
		    chk->op == VG_OP_PMATCH || chk->op == VG_OP_BCONTAINS ||
		    chk->op == VG_OP_BSTARTSWITH) {
			vg_cc_error(cc, rf->pos, "operator '%s' needs a constant on its right",
				    vg_op_name(chk->op));
			return NULL;
		}
		memcpy(chk->rhs_xform, rf->xform, sizeof(chk->rhs_xform));
		chk->rhs_nxform = rf->nxform;
		goto done;
	}
	if (is_list_op(chk->op)) {
		if (expand_values(cc, a, &vals, &n) < 0)
			return NULL;
	} else {
		vals = a->check.vals;
		n = a->check.nvals;
	}
	if (ref->field->id == VG_F_EVT_TYPE && !lf->nxform &&
	    (chk->op == VG_OP_EQ || chk->op == VG_OP_NE || chk->op == VG_OP_IN ||
	     chk->op == VG_OP_INTERSECTS))
		return compile_evtype(cc, a, vals, n);
	chk->list_semantics = (ref->field->flags & VG_FF_LIST) && ref->index < 0 &&
			      chk->op == VG_OP_IN;
	if (chk->type == VG_FT_STR) {
		if (chk->op == VG_OP_REGEX) {
			if (compile_regex(cc, chk, &vals[0]) < 0)
				return NULL;
			chk->n = 1;
		} else if (string_operands(cc, chk, vals, n) < 0) {
			return NULL;
		}
	} else {
		size_t esz = chk->type == VG_FT_BOOL ? sizeof(bool) :
			     chk->type == VG_FT_IPADDR || chk->type == VG_FT_IPNET ?
							 sizeof(struct vg_operand_net) :
							 sizeof(uint64_t);
		void *arr = cc_alloc(cc, (n ? n : 1) * esz);

		if (!arr)
			return NULL;
		chk->ints = arr; /* all members of the union share the pointer */
		if (chk->type == VG_FT_BOOL)
			chk->bools = arr;
		else if (chk->type == VG_FT_IPADDR || chk->type == VG_FT_IPNET)
			chk->nets = arr;
		else if (chk->type == VG_FT_UINT)
			chk->uints = arr;
		if (typed_operands(cc, chk, vals, n, fname) < 0)
			return NULL;
	}
done:
	node = (struct vg_node *)new_node(cc, VG_N_CHECK);
	if (!node)
		return NULL;
	node->chk = chk;
	return node;
}

/* ---- macros ---- */

/* Parses and compiles a macro's own condition once; the outcome (tree,
 * failure or skip) is kept in the macro. */
static void compile_macro_body(struct vg_rules *rs, struct vg_macro_def *m,
			       enum vg_diag_level level, unsigned depth, const char *label)
{
	struct vg_cctx mc = { .rs = rs, .text = &m->cond, .loc = m->loc, .level = level,
			      .depth = depth };
	struct vg_parse_error perr;
	const struct vg_node *node = NULL;
	struct vg_ast *ast;

	snprintf(mc.item, sizeof(mc.item), "%s '%.120s'", label, m->name);
	m->state = VG_DEF_BUSY;
	if (vg_parse_condition(&rs->arena, m->cond.s, m->cond.len, &ast, &perr) < 0)
		vg_cc_error(&mc, perr.pos, "%s", perr.msg);
	else
		node = vg_compile_ast(&mc, ast);
	if (mc.rc == 1) {
		m->state = VG_DEF_SKIPPED;
		m->skip_reason = mc.skip_reason;
	} else if (!node || mc.rc) {
		m->state = VG_DEF_FAILED;
	} else {
		m->state = VG_DEF_OK;
		/* rules share this tree: remember its value per event */
		((struct vg_node *)node)->memo = node->kind != VG_N_EVTYPE;
		m->node = node;
	}
}

static const struct vg_node *compile_macro(struct vg_cctx *cc, struct vg_macro_def *m,
					   uint32_t pos)
{
	if (m->state == VG_DEF_NEW) {
		if (cc->depth >= VG_MAX_MACRO_DEPTH) {
			vg_cc_error(cc, pos, "macros nested deeper than %d levels",
				    VG_MAX_MACRO_DEPTH);
			return NULL;
		}
		compile_macro_body(cc->rs, m, cc->level, cc->depth + 1, "macro");
	}
	m->used = true;
	switch (m->state) {
	case VG_DEF_OK:
		return m->node;
	case VG_DEF_BUSY:
		vg_cc_error(cc, pos, "macro '%s' uses itself (a cycle through macros)", m->name);
		return NULL;
	case VG_DEF_SKIPPED:
		vg_cc_skip(cc, "%s (via macro '%s')", m->skip_reason, m->name);
		return NULL;
	default:
		vg_cc_error(cc, pos, "uses macro '%s', which has errors", m->name);
		return NULL;
	}
}

/* ---- tree ---- */

static uint32_t add_weight(uint32_t a, uint32_t b)
{
	return a > UINT32_MAX / 2 - b ? UINT32_MAX / 2 : a + b;
}

const struct vg_node *vg_compile_ast(struct vg_cctx *cc, const struct vg_ast *a)
{
	struct vg_node *n;

	if (cc->rc)
		return NULL;
	switch (a->kind) {
	case VG_AST_AND:
	case VG_AST_OR:
		n = (struct vg_node *)new_node(cc, a->kind == VG_AST_AND ? VG_N_AND : VG_N_OR);
		if (!n)
			return NULL;
		n->kids = cc_alloc(cc, a->list.n * sizeof(*n->kids));
		if (!n->kids)
			return NULL;
		n->n = a->list.n;
		n->weight = 0;
		for (uint32_t i = 0; i < a->list.n; i++) {
			n->kids[i] = vg_compile_ast(cc, a->list.kids[i]);
			if (!n->kids[i])
				return NULL;
			n->weight = add_weight(n->weight, n->kids[i]->weight);
		}
		return n;
	case VG_AST_NOT:
		return wrap_not(cc, vg_compile_ast(cc, a->kid));
	case VG_AST_MACRO: {
		struct vg_macro_def *m = vg_find_macro(cc->rs, a->macro.name, a->macro.len);

		if (!m) {
			if (vg_find_list(cc->rs, a->macro.name, a->macro.len))
				vg_cc_error(cc, a->pos, "'%s' is a list, not a macro: use it after 'in'",
					    a->macro.name);
			else
				vg_cc_error(cc, a->pos, "undefined macro '%s'", a->macro.name);
			return NULL;
		}
		return compile_macro(cc, m, a->pos);
	}
	case VG_AST_CHECK:
		return compile_check(cc, a);
	}
	return NULL;
}

/* ---- exceptions ---- */

static struct vg_ast *exc_check(struct vg_cctx *cc, const struct vg_exception *e, uint32_t f,
				const struct vg_exc_cell *cells, uint32_t ncells)
{
	struct vg_parse_error perr;
	struct vg_ast *a = cc_alloc(cc, sizeof(*a));
	const char *fs = e->fields[f];
	const char *comp = e->comps ? e->comps[f] : (e->fields_is_seq ? "=" : "in");
	int op = vg_op_from_text(comp, strlen(comp));
	uint32_t nv = 0;
	size_t used;

	if (!a)
		return NULL;
	a->kind = VG_AST_CHECK;
	a->check.op = (enum vg_op)op;
	if (vg_parse_field(&cc->rs->arena, fs, strlen(fs), &a->check.lhs, &used, &perr) < 0 ||
	    used != strlen(fs)) {
		vg_cc_error(cc, 0, "exception '%s': invalid field '%s'", e->name, fs);
		return NULL;
	}
	for (uint32_t c = 0; c < ncells; c++)
		nv += cells[c].n;
	if (!is_list_op(a->check.op) && (ncells != 1 || cells[0].n != 1 || cells[0].is_seq)) {
		vg_cc_error(cc, 0, "exception '%s': '%s' needs a single value for field '%s'",
			    e->name, comp, fs);
		return NULL;
	}
	a->check.vals = cc_alloc(cc, (nv ? nv : 1) * sizeof(*a->check.vals));
	if (!a->check.vals)
		return NULL;
	for (uint32_t c = 0; c < ncells; c++) {
		for (uint32_t k = 0; k < cells[c].n; k++) {
			struct vg_ast_value *v = &a->check.vals[a->check.nvals++];
			const char *s = cells[c].v[k];

			v->s = s;
			v->len = (uint32_t)strlen(s);
			/* a bare list name in a list comparison stands for its items */
			v->quoted = !(is_list_op(a->check.op) && !cells[c].is_seq &&
				      vg_find_list(cc->rs, s, v->len));
		}
	}
	return a;
}

static struct vg_ast *new_list_ast(struct vg_cctx *cc, enum vg_ast_kind kind, uint32_t n)
{
	struct vg_ast *a = cc_alloc(cc, sizeof(*a));

	if (!a)
		return NULL;
	a->kind = kind;
	a->list.kids = cc_alloc(cc, (n ? n : 1) * sizeof(*a->list.kids));
	return a->list.kids ? a : NULL;
}

/* OR of every exception row, as a syntax tree; NULL with rc == 0 if the rule
 * has no values at all */
static struct vg_ast *exceptions_ast(struct vg_cctx *cc, const struct vg_rule_def *r)
{
	uint32_t total = 0;
	struct vg_ast *any;

	for (uint32_t i = 0; i < r->nexcs; i++)
		total += r->excs[i].nrows;
	if (!total)
		return NULL;
	any = new_list_ast(cc, VG_AST_OR, total);
	if (!any)
		return NULL;
	for (uint32_t i = 0; i < r->nexcs; i++) {
		const struct vg_exception *e = &r->excs[i];
		bool one_list = !e->fields_is_seq;

		if (!e->nrows)
			continue;
		cc->loc = e->loc;
		if (one_list) {
			/* fields: x, comps: in, values: [a, b] -> x in (a, b) */
			const char *comp = e->comps ? e->comps[0] : "in";
			int op = vg_op_from_text(comp, strlen(comp));

			if (is_list_op((enum vg_op)op)) {
				struct vg_exc_cell *cells = cc_alloc(cc, e->nrows * sizeof(*cells));
				struct vg_ast *chk;

				if (!cells)
					return NULL;
				for (uint32_t k = 0; k < e->nrows; k++)
					cells[k] = e->rows[k].cells[0];
				chk = exc_check(cc, e, 0, cells, e->nrows);
				if (!chk)
					return NULL;
				any->list.kids[any->list.n++] = chk;
				continue;
			}
		}
		for (uint32_t k = 0; k < e->nrows; k++) {
			const struct vg_exc_row *row = &e->rows[k];
			uint32_t nf = e->fields_is_seq ? e->nfields : 1;
			struct vg_ast *all = new_list_ast(cc, VG_AST_AND, nf);

			cc->loc = row->loc;
			if (!all)
				return NULL;
			if (!row->cells) {
				vg_cc_error(cc, 0, "exception '%s': empty value", e->name);
				return NULL;
			}
			for (uint32_t f = 0; f < nf; f++) {
				struct vg_ast *chk = exc_check(cc, e, f, &row->cells[f], 1);

				if (!chk)
					return NULL;
				all->list.kids[all->list.n++] = chk;
			}
			any->list.kids[any->list.n++] = all->list.n == 1 ? all->list.kids[0] : all;
		}
	}
	return any;
}

/* rows appended later must still have one value per field */
static bool check_exception_shapes(struct vg_cctx *cc, const struct vg_rule_def *r)
{
	for (uint32_t i = 0; i < r->nexcs; i++) {
		const struct vg_exception *e = &r->excs[i];

		cc->loc = e->loc;
		if (!e->nfields) {
			vg_cc_error(cc, 0, "exception '%s' has no fields", e->name);
			return false;
		}
		for (uint32_t k = 0; k < e->nrows; k++) {
			const struct vg_exc_row *row = &e->rows[k];
			uint32_t want = e->fields_is_seq ? e->nfields : 1;

			if (row->ncells != want) {
				cc->loc = row->loc;
				vg_cc_error(cc, 0, "exception '%s': %u values for %u fields", e->name,
					    row->ncells, want);
				return false;
			}
		}
	}
	return true;
}

/* ---- rules ---- */

static void compile_rule(struct vg_rules *rs, struct vg_rule_def *r)
{
	struct vg_cctx cc = { .rs = rs, .text = &r->cond, .loc = r->loc, .level = VG_DIAG_ERROR };
	struct vg_parse_error perr;
	const struct vg_node *node = NULL;
	struct vg_ast *ast, *exc;
	int rc;

	if (r->pub.state == VG_RULE_FAILED)
		return;
	snprintf(cc.item, sizeof(cc.item), "rule '%.120s'", r->pub.name);
	cc.unknown_is_skip = r->skip_if_unknown_filter;
	if (strcmp(r->pub.source, "syscall") != 0) {
		r->pub.state = VG_RULE_SKIPPED;
		vg_diag_add(rs, VG_DIAG_SKIPPED, &r->loc, cc.item,
			    "source '%s' needs a Falco plugin, which vigil does not load",
			    r->pub.source);
		return;
	}
	rc = vg_parse_condition(&rs->arena, r->cond.s ? r->cond.s : "", r->cond.len, &ast, &perr);
	if (rc < 0)
		vg_cc_error(&cc, perr.pos, "%s", perr.msg);
	else
		node = vg_compile_ast(&cc, ast);
	if (!cc.rc && r->nexcs && check_exception_shapes(&cc, r)) {
		cc.text = NULL;
		exc = exceptions_ast(&cc, r);
		if (exc && !cc.rc) {
			const struct vg_node *ex = vg_compile_ast(&cc, exc);
			struct vg_node *both;

			if (ex) {
				both = (struct vg_node *)new_node(&cc, VG_N_AND);
				if (both) {
					both->kids = cc_alloc(&cc, 2 * sizeof(*both->kids));
					if (both->kids) {
						both->n = 2;
						both->kids[0] = node;
						both->kids[1] = wrap_not(&cc, ex);
						both->weight = add_weight(node->weight, ex->weight);
						node = both->kids[1] ? both : NULL;
					}
				}
			}
		}
	}
	if (!cc.rc) {
		cc.text = &r->out;
		cc.loc = r->loc;
		r->pub.tmpl = vg_compile_output(&cc);
	}
	if (!cc.rc && node && node->weight > VG_MAX_RULE_WEIGHT) {
		cc.text = NULL;
		vg_cc_error(&cc, 0, "condition has %u checks once macros are expanded (limit %d)",
			    node->weight, VG_MAX_RULE_WEIGHT);
	}
	if (cc.rc == 1) {
		r->pub.state = VG_RULE_SKIPPED;
		r->skip_reason = cc.skip_reason;
		vg_diag_add(rs, VG_DIAG_SKIPPED, &r->loc, cc.item, "%s", cc.skip_reason);
		return;
	}
	if (cc.rc || !node) {
		r->pub.state = VG_RULE_FAILED;
		return;
	}
	r->pub.cond = node;
	r->pub.state = VG_RULE_LOADED;
	vg_node_evtypes(node, false, &r->pub.evtypes);
	{
		struct vg_evtset all;

		vg_evtset_fill(&all);
		r->pub.all_evtypes = vg_evtset_equal(&all, &r->pub.evtypes);
	}
	if (r->pub.all_evtypes)
		vg_diag_add(rs, VG_DIAG_WARNING, &r->loc, cc.item,
			    "condition does not restrict evt.type: the rule runs on every event");
}

int vg_compile_rules(struct vg_rules *rs)
{
	for (uint32_t i = 0; i < rs->nrules; i++)
		compile_rule(rs, rs->rules[i]);
	/* check the macros no rule uses too, but only warn about them */
	for (uint32_t i = 0; i < rs->nmacros; i++)
		if (rs->macros[i]->state == VG_DEF_NEW)
			compile_macro_body(rs, rs->macros[i], VG_DIAG_WARNING, 0, "unused macro");
	return 0;
}
