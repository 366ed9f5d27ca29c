/* Recursive-descent parser for Falco conditions:
 *
 *   or    := and ( "or" and )*
 *   and   := not ( "and" not )*
 *   not   := "not" not | check
 *   check := "(" or ")" | field op value | identifier      (identifier = macro)
 *   field := name [ "[" arg "]" ] | xform "(" field ")"
 *   value := number | "quoted" | bare | "(" value, ... ")" | listname | val(field)
 */
#include "rules/ast.h"
#include "rules/lexer.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "util/macros.h"

struct parser {
	struct vg_lexer lx;
	struct vg_arena *a;
	struct vg_parse_error *err;
	unsigned depth;
	int rc; /* first error; parsing stops at it */
};

struct op_text {
	const char *text;
	enum vg_op op;
	bool needs_blank; /* a word operator must be followed by a blank */
};

static const struct op_text num_ops[] = {
	{ "<=", VG_OP_LE, false },
	{ "<", VG_OP_LT, false },
	{ ">=", VG_OP_GE, false },
	{ ">", VG_OP_GT, false },
};

static const struct op_text str_ops[] = {
	{ "==", VG_OP_EQ, false },
	{ "=", VG_OP_EQ, false },
	{ "!=", VG_OP_NE, false },
	{ "glob", VG_OP_GLOB, true },
	{ "iglob", VG_OP_IGLOB, true },
	{ "contains", VG_OP_CONTAINS, true },
	{ "icontains", VG_OP_ICONTAINS, true },
	{ "bcontains", VG_OP_BCONTAINS, true },
	{ "startswith", VG_OP_STARTSWITH, true },
	{ "bstartswith", VG_OP_BSTARTSWITH, true },
	{ "endswith", VG_OP_ENDSWITH, true },
	{ "regex", VG_OP_REGEX, true },
};

static const struct op_text list_ops[] = {
	{ "intersects", VG_OP_INTERSECTS, false },
	{ "in", VG_OP_IN, false },
	{ "pmatch", VG_OP_PMATCH, false },
};

static const struct {
	const char *text;
	enum vg_xform xf;
} xforms[] = {
	{ "tolower(", VG_XF_TOLOWER },	 { "toupper(", VG_XF_TOUPPER }, { "b64(", VG_XF_B64 },
	{ "basename(", VG_XF_BASENAME }, { "len(", VG_XF_LEN },
};

const char *vg_op_name(enum vg_op op)
{
	static const char *const names[] = {
		[VG_OP_EQ] = "=",
		[VG_OP_NE] = "!=",
		[VG_OP_LT] = "<",
		[VG_OP_LE] = "<=",
		[VG_OP_GT] = ">",
		[VG_OP_GE] = ">=",
		[VG_OP_CONTAINS] = "contains",
		[VG_OP_ICONTAINS] = "icontains",
		[VG_OP_BCONTAINS] = "bcontains",
		[VG_OP_STARTSWITH] = "startswith",
		[VG_OP_BSTARTSWITH] = "bstartswith",
		[VG_OP_ENDSWITH] = "endswith",
		[VG_OP_GLOB] = "glob",
		[VG_OP_IGLOB] = "iglob",
		[VG_OP_REGEX] = "regex",
		[VG_OP_IN] = "in",
		[VG_OP_INTERSECTS] = "intersects",
		[VG_OP_PMATCH] = "pmatch",
		[VG_OP_EXISTS] = "exists",
	};

	return (unsigned)op < ARRAY_SIZE(names) ? names[op] : "?";
}

int vg_op_from_text(const char *s, size_t len)
{
	if (len == 2 && memcmp(s, "==", 2) == 0)
		return VG_OP_EQ;
	for (int op = VG_OP_EQ; op <= VG_OP_EXISTS; op++) {
		const char *n = vg_op_name((enum vg_op)op);

		if (strlen(n) == len && memcmp(n, s, len) == 0)
			return op;
	}
	return -1;
}

const char *vg_xform_name(enum vg_xform xf)
{
	for (size_t i = 0; i < ARRAY_SIZE(xforms); i++)
		if (xforms[i].xf == xf)
			return xforms[i].text;
	return "?";
}

__attribute__((format(printf, 3, 4))) static void fail(struct parser *p, size_t pos,
						      const char *fmt, ...)
{
	va_list ap;

	if (p->rc)
		return;
	p->rc = -EINVAL;
	p->err->pos = (uint32_t)pos;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
}

static void nomem(struct parser *p)
{
	if (!p->rc) {
		p->rc = -ENOMEM;
		p->err->pos = (uint32_t)p->lx.pos;
		snprintf(p->err->msg, sizeof(p->err->msg), "out of memory");
	}
}

static void *alloc(struct parser *p, size_t size)
{
	void *m = vg_arena_alloc(p->a, size);

	if (!m)
		nomem(p);
	return m;
}

static bool enter(struct parser *p)
{
	if (++p->depth > VG_AST_MAX_DEPTH) {
		fail(p, p->lx.pos, "expression nested deeper than %d levels", VG_AST_MAX_DEPTH);
		return false;
	}
	return true;
}

/* a short excerpt of the input at pos, for messages */
static const char *near(struct parser *p, size_t pos, char *buf, size_t size)
{
	size_t n = 0;

	if (pos >= p->lx.len)
		return "end of condition";
	while (pos + n < p->lx.len && n + 1 < size && n < 20 && p->lx.s[pos + n] != '\n')
		n++;
	snprintf(buf, size, "'%.*s'", (int)n, p->lx.s + pos);
	return buf;
}

static struct vg_ast *new_node(struct parser *p, enum vg_ast_kind kind, size_t pos)
{
	struct vg_ast *n = alloc(p, sizeof(*n));

	if (n) {
		n->kind = kind;
		n->pos = (uint32_t)pos;
	}
	return n;
}

static char *decode_quoted(struct parser *p, const struct vg_token *t, uint32_t *len)
{
	char *s = alloc(p, t->len + 1);

	if (!s)
		return NULL;
	*len = (uint32_t)vg_unescape(t->p, t->len, s);
	return s;
}

static bool lex_xform(struct parser *p, enum vg_xform *xf)
{
	for (size_t i = 0; i < ARRAY_SIZE(xforms); i++) {
		if (vg_lex_lit(&p->lx, xforms[i].text)) {
			*xf = xforms[i].xf;
			return true;
		}
	}
	return false;
}

static bool parse_field_arg(struct parser *p, struct vg_ast_field *f)
{
	struct vg_token t;
	int q;

	if (!vg_lex_lit(&p->lx, "["))
		return true;
	q = vg_lex_quoted(&p->lx, &t);
	if (q < 0) {
		fail(p, t.pos, "unterminated string in field argument");
		return false;
	}
	if (q > 0) {
		f->arg = decode_quoted(p, &t, &f->arg_len);
	} else if (vg_lex_field_arg(&p->lx, &t)) {
		f->arg = vg_arena_strndup(p->a, t.p, t.len);
		f->arg_len = (uint32_t)t.len;
	} else {
		fail(p, p->lx.pos, "expected a field argument after '['");
		return false;
	}
	if (!f->arg) {
		nomem(p); /* records -ENOMEM */
		return false;
	}
	if (!vg_lex_lit(&p->lx, "]")) {
		fail(p, p->lx.pos, "expected ']' after the field argument");
		return false;
	}
	return true;
}

/* field, or transformer(field); returns false (with an error set) if neither */
static bool parse_field(struct parser *p, struct vg_ast_field *f)
{
	enum vg_xform stack[VG_AST_MAX_XFORMS];
	unsigned n = 0;
	struct vg_token t;
	char buf[32];

	memset(f, 0, sizeof(*f));
	f->pos = (uint32_t)p->lx.pos;
	for (;;) {
		enum vg_xform xf;
		size_t at = p->lx.pos;

		if (vg_lex_lit(&p->lx, "join(")) {
			fail(p, at, "transformer 'join' is not supported");
			return false;
		}
		if (!lex_xform(p, &xf))
			break;
		if (n == VG_AST_MAX_XFORMS) {
			fail(p, at, "more than %d nested transformers", VG_AST_MAX_XFORMS);
			return false;
		}
		stack[n++] = xf;
		vg_lex_blank(&p->lx);
	}
	if (!vg_lex_field_name(&p->lx, &t)) {
		fail(p, p->lx.pos, "expected a field name, found %s",
		     near(p, p->lx.pos, buf, sizeof(buf)));
		return false;
	}
	f->name = t.p;
	f->name_len = (uint32_t)t.len;
	if (!parse_field_arg(p, f))
		return false;
	/* the innermost transformer applies first */
	for (unsigned i = 0; i < n; i++) {
		vg_lex_blank(&p->lx);
		if (!vg_lex_lit(&p->lx, ")")) {
			fail(p, p->lx.pos, "expected ')' closing transformer '%.*s'",
			     (int)strlen(vg_xform_name(stack[n - 1 - i])) - 1,
			     vg_xform_name(stack[n - 1 - i]));
			return false;
		}
		f->xform[i] = (uint8_t)stack[n - 1 - i];
	}
	f->nxform = (uint8_t)n;
	return true;
}

/* val(field) or a transformer on the right-hand side; false if none is there */
static bool try_rhs_field(struct parser *p, struct vg_ast *chk, bool *found)
{
	size_t at = p->lx.pos;

	*found = false;
	if (vg_lex_lit(&p->lx, "val(")) {
		vg_lex_blank(&p->lx);
		if (!parse_field(p, &chk->check.rhs))
			return false;
		vg_lex_blank(&p->lx);
		if (!vg_lex_lit(&p->lx, ")")) {
			fail(p, p->lx.pos, "expected ')' closing 'val'");
			return false;
		}
		chk->check.rhs.pos = (uint32_t)at;
		*found = chk->check.rhs_is_field = true;
		return true;
	}
	for (size_t i = 0; i < ARRAY_SIZE(xforms); i++) {
		size_t n = strlen(xforms[i].text);

		if (p->lx.len - p->lx.pos >= n && memcmp(p->lx.s + p->lx.pos, xforms[i].text, n) == 0) {
			if (!parse_field(p, &chk->check.rhs))
				return false;
			*found = chk->check.rhs_is_field = true;
			return true;
		}
	}
	return true;
}

static struct vg_ast_value *add_value(struct parser *p, struct vg_ast *chk)
{
	uint32_t n = chk->check.nvals;
	struct vg_ast_value *v;

	/* grow by doubling: sizes 1, 2, 4 ... */
	if ((n & (n - 1)) == 0) {
		v = vg_arena_grow(p->a, chk->check.vals, n, n ? 2 * n : 1, sizeof(*v));
		if (!v) {
			nomem(p);
			return NULL;
		}
		chk->check.vals = v;
	}
	chk->check.nvals++;
	return &chk->check.vals[n];
}

/* a quoted or bare string; numbers are bare strings too */
static bool parse_str_value(struct parser *p, struct vg_ast *chk)
{
	struct vg_ast_value *v;
	struct vg_token t;
	char buf[32];
	int q = vg_lex_quoted(&p->lx, &t);

	if (q < 0) {
		fail(p, t.pos, "unterminated string");
		return false;
	}
	if (q == 0 && !vg_lex_bare(&p->lx, &t)) {
		fail(p, p->lx.pos, "expected a value, found %s", near(p, p->lx.pos, buf, sizeof(buf)));
		return false;
	}
	v = add_value(p, chk);
	if (!v)
		return false;
	v->pos = (uint32_t)t.pos;
	v->quoted = q > 0;
	if (q > 0)
		v->s = decode_quoted(p, &t, &v->len);
	else {
		v->s = vg_arena_strndup(p->a, t.p, t.len);
		v->len = (uint32_t)t.len;
	}
	if (!v->s)
		nomem(p);
	return v->s != NULL;
}

static bool parse_list_value(struct parser *p, struct vg_ast *chk)
{
	struct vg_token t;
	char buf[32];

	if (vg_lex_lit(&p->lx, "(")) {
		vg_lex_blank(&p->lx);
		if (vg_lex_lit(&p->lx, ")"))
			return true; /* empty list */
		for (;;) {
			vg_lex_blank(&p->lx);
			if (!parse_str_value(p, chk))
				return false;
			vg_lex_blank(&p->lx);
			if (vg_lex_lit(&p->lx, ")"))
				return true;
			if (!vg_lex_lit(&p->lx, ",")) {
				fail(p, p->lx.pos, "expected ',' or ')' in the list, found %s",
				     near(p, p->lx.pos, buf, sizeof(buf)));
				return false;
			}
		}
	}
	if (vg_lex_identifier(&p->lx, &t)) {
		struct vg_ast_value *v = add_value(p, chk);

		if (!v)
			return false;
		v->s = vg_arena_strndup(p->a, t.p, t.len);
		v->len = (uint32_t)t.len;
		v->pos = (uint32_t)t.pos;
		chk->check.rhs_list_name = true;
		if (!v->s)
			nomem(p);
		return v->s != NULL;
	}
	fail(p, p->lx.pos, "expected a list '(...)' or a list name, found %s",
	     near(p, p->lx.pos, buf, sizeof(buf)));
	return false;
}

static bool lex_op(struct parser *p, const struct op_text *ops, size_t n, enum vg_op *op)
{
	for (size_t i = 0; i < n; i++) {
		size_t at = p->lx.pos;

		if (!vg_lex_lit(&p->lx, ops[i].text))
			continue;
		if (ops[i].needs_blank && !vg_lex_blank(&p->lx)) {
			p->lx.pos = at;
			continue;
		}
		*op = ops[i].op;
		return true;
	}
	return false;
}


static struct vg_ast *parse_check_rest(struct parser *p, size_t pos, const struct vg_ast_field *f)
{
	struct vg_ast *n = new_node(p, VG_AST_CHECK, pos);
	struct vg_token t;
	bool rhs_field;
	char buf[32];

	if (!n)
		return NULL;
	n->check.lhs = *f;
	vg_lex_blank(&p->lx);
	if (vg_lex_lit(&p->lx, "exists")) {
		n->check.op = VG_OP_EXISTS;
		return n;
	}
	if (lex_op(p, num_ops, ARRAY_SIZE(num_ops), &n->check.op)) {
		vg_lex_blank(&p->lx);
		if (!try_rhs_field(p, n, &rhs_field))
			return NULL;
		if (rhs_field)
			return n;
		if (!vg_lex_number(&p->lx, &t)) {
			fail(p, p->lx.pos, "expected a number after '%s', found %s",
			     vg_op_name(n->check.op), near(p, p->lx.pos, buf, sizeof(buf)));
			return NULL;
		}
		p->lx.pos = t.pos; /* re-read it as a string value */
		return parse_str_value(p, n) ? n : NULL;
	}
	if (lex_op(p, str_ops, ARRAY_SIZE(str_ops), &n->check.op)) {
		vg_lex_blank(&p->lx);
		if (!try_rhs_field(p, n, &rhs_field))
			return NULL;
		if (rhs_field)
			return n;
		return parse_str_value(p, n) ? n : NULL;
	}
	if (lex_op(p, list_ops, ARRAY_SIZE(list_ops), &n->check.op)) {
		vg_lex_blank(&p->lx);
		if (!try_rhs_field(p, n, &rhs_field))
			return NULL;
		if (rhs_field)
			return n;
		return parse_list_value(p, n) ? n : NULL;
	}
	fail(p, p->lx.pos, "expected an operator after field '%.*s', found %s", (int)f->name_len,
	     f->name, near(p, p->lx.pos, buf, sizeof(buf)));
	return NULL;
}

static struct vg_ast *parse_or(struct parser *p);

static struct vg_ast *parse_paren(struct parser *p, size_t open_pos)
{
	struct vg_ast *n;
	char buf[32];

	n = parse_or(p);
	if (!n)
		return NULL;
	vg_lex_blank(&p->lx);
	if (!vg_lex_lit(&p->lx, ")")) {
		if (vg_lex_eof(&p->lx))
			fail(p, open_pos, "unbalanced '(': missing ')'");
		else
			fail(p, p->lx.pos, "expected ')', 'and' or 'or', found %s",
			     near(p, p->lx.pos, buf, sizeof(buf)));
		return NULL;
	}
	return n;
}

static struct vg_ast *parse_check(struct parser *p)
{
	size_t pos = p->lx.pos;
	struct vg_ast_field f;
	struct vg_token t;
	char buf[32];

	if (vg_lex_lit(&p->lx, "("))
		return parse_paren(p, pos);
	/* a field (with a dot) or a transformer, else an identifier = macro */
	{
		struct vg_lexer save = p->lx;
		enum vg_xform xf;

		if (vg_lex_field_name(&p->lx, &t) || lex_xform(p, &xf) ||
		    vg_lex_lit(&p->lx, "join(")) {
			p->lx = save;
			if (!parse_field(p, &f))
				return NULL;
			return parse_check_rest(p, pos, &f);
		}
	}
	if (vg_lex_identifier(&p->lx, &t)) {
		struct vg_ast *n = new_node(p, VG_AST_MACRO, pos);

		if (!n)
			return NULL;
		n->macro.name = vg_arena_strndup(p->a, t.p, t.len);
		n->macro.len = (uint32_t)t.len;
		if (!n->macro.name)
			nomem(p);
		return n->macro.name ? n : NULL;
	}
	if (vg_lex_eof(&p->lx))
		fail(p, pos, "unexpected end of condition: expected a check, a macro or '('");
	else
		fail(p, pos, "expected a check, a macro or '(', found %s",
		     near(p, pos, buf, sizeof(buf)));
	return NULL;
}

static struct vg_ast *parse_not(struct parser *p)
{
	size_t pos;
	struct vg_ast *kid, *n;

	if (!enter(p))
		return NULL;
	vg_lex_blank(&p->lx);
	pos = p->lx.pos;
	if (vg_lex_word(&p->lx, "not")) {
		kid = parse_not(p);
		if (!kid)
			return NULL;
		n = new_node(p, VG_AST_NOT, pos);
		if (n)
			n->kid = kid;
	} else {
		n = parse_check(p);
	}
	p->depth--;
	return n;
}

static struct vg_ast *parse_chain(struct parser *p, enum vg_ast_kind kind)
{
	const char *word = kind == VG_AST_OR ? "or" : "and";
	struct vg_ast *first, *n;
	size_t pos;

	if (!enter(p))
		return NULL;
	vg_lex_blank(&p->lx);
	pos = p->lx.pos;
	first = kind == VG_AST_OR ? parse_chain(p, VG_AST_AND) : parse_not(p);
	if (!first)
		return NULL;
	vg_lex_blank(&p->lx);
	if (!vg_lex_word(&p->lx, word)) {
		p->depth--;
		return first;
	}
	n = new_node(p, kind, pos);
	if (!n)
		return NULL;
	n->list.kids = alloc(p, sizeof(*n->list.kids));
	if (!n->list.kids)
		return NULL;
	n->list.kids[0] = first;
	n->list.n = 1;
	do {
		struct vg_ast *kid = kind == VG_AST_OR ? parse_chain(p, VG_AST_AND) : parse_not(p);
		uint32_t k = n->list.n;

		if (!kid)
			return NULL;
		if ((k & (k - 1)) == 0) {
			n->list.kids = vg_arena_grow(p->a, n->list.kids, k, 2 * k, sizeof(kid));
			if (!n->list.kids) {
				nomem(p);
				return NULL;
			}
		}
		n->list.kids[n->list.n++] = kid;
		vg_lex_blank(&p->lx);
	} while (vg_lex_word(&p->lx, word));
	p->depth--;
	return n;
}

static struct vg_ast *parse_or(struct parser *p)
{
	return parse_chain(p, VG_AST_OR);
}

int vg_parse_condition(struct vg_arena *a, const char *text, size_t len, struct vg_ast **out,
		       struct vg_parse_error *err)
{
	struct parser p = { .a = a, .err = err };
	struct vg_ast *n;
	char buf[32];

	memset(err, 0, sizeof(*err));
	vg_lex_init(&p.lx, text, len);
	vg_lex_blank(&p.lx);
	if (vg_lex_eof(&p.lx)) {
		fail(&p, 0, "empty condition");
		return p.rc;
	}
	n = parse_or(&p);
	if (n) {
		vg_lex_blank(&p.lx);
		if (!vg_lex_eof(&p.lx)) {
			if (p.lx.s[p.lx.pos] == ')')
				fail(&p, p.lx.pos, "unbalanced ')'");
			else
				fail(&p, p.lx.pos, "expected 'and', 'or' or the end, found %s",
				     near(&p, p.lx.pos, buf, sizeof(buf)));
		}
	}
	if (p.rc)
		return p.rc;
	*out = n;
	return 0;
}

int vg_parse_field(struct vg_arena *a, const char *text, size_t len, struct vg_ast_field *out,
		   size_t *used, struct vg_parse_error *err)
{
	struct parser p = { .a = a, .err = err };

	memset(err, 0, sizeof(*err));
	vg_lex_init(&p.lx, text, len);
	if (!parse_field(&p, out))
		return p.rc ? p.rc : -EINVAL;
	*used = p.lx.pos;
	return 0;
}
