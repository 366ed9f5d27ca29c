/* Lexer and parser of the condition language. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "rules/arena.h"
#include "rules/ast.h"
#include "rules/lexer.h"
#include "util/macros.h"

static struct vg_arena arena;

static void test_lexer(void)
{
	struct vg_lexer lx;
	struct vg_token t;
	char out[64];

	vg_lex_init(&lx, "  proc.aname[2]=foo", 19);
	CHECK(vg_lex_blank(&lx));
	CHECK(vg_lex_field_name(&lx, &t));
	CHECK_INT(t.len, 10);
	CHECK_INT(t.pos, 2);
	CHECK(vg_lex_lit(&lx, "["));
	CHECK(vg_lex_field_arg(&lx, &t));
	CHECK_INT(t.len, 1);
	CHECK(vg_lex_lit(&lx, "]"));
	CHECK(!vg_lex_lit(&lx, "!="));
	CHECK(vg_lex_lit(&lx, "="));
	CHECK(vg_lex_bare(&lx, &t));
	CHECK_INT(t.len, 3);
	CHECK(vg_lex_eof(&lx));

	/* an identifier without a dot is not a field name */
	vg_lex_init(&lx, "open_read and", 13);
	CHECK(!vg_lex_field_name(&lx, &t));
	CHECK_INT(lx.pos, 0);
	CHECK(vg_lex_identifier(&lx, &t));
	CHECK_INT(t.len, 9);

	/* words need a blank or '(' after them */
	vg_lex_init(&lx, "notx", 4);
	CHECK(!vg_lex_word(&lx, "not"));
	vg_lex_init(&lx, "not(", 4);
	CHECK(vg_lex_word(&lx, "not"));

	/* bare strings stop at blanks, parentheses, commas, '=' and quotes */
	vg_lex_init(&lx, "runc:[0:PARENT], x", 18);
	CHECK(vg_lex_bare(&lx, &t));
	CHECK_INT(t.len, 15);

	/* numbers */
	vg_lex_init(&lx, "-12)", 4);
	CHECK(vg_lex_number(&lx, &t));
	CHECK_INT(t.len, 3);
	vg_lex_init(&lx, "0x1F ", 5);
	CHECK(vg_lex_number(&lx, &t));
	CHECK_INT(t.len, 4);
	vg_lex_init(&lx, "abc", 3);
	CHECK(!vg_lex_number(&lx, &t));

	/* quoted strings, escapes, unterminated */
	vg_lex_init(&lx, "\"a \\\"b\\\" c\" rest", 17);
	CHECK_INT(vg_lex_quoted(&lx, &t), 1);
	CHECK_INT(vg_unescape(t.p, t.len, out), 7);
	CHECK_STR(out, "a \"b\" c");
	vg_lex_init(&lx, "'it''s", 6);
	CHECK_INT(vg_lex_quoted(&lx, &t), 1);
	CHECK_INT(t.len, 2);
	vg_lex_init(&lx, "\"never closed", 13);
	CHECK_INT(vg_lex_quoted(&lx, &t), -1);
	CHECK_INT(t.pos, 0);
	CHECK_INT(lx.pos, 0);
	vg_lex_init(&lx, "x", 1);
	CHECK_INT(vg_lex_quoted(&lx, &t), 0);
	/* unknown escapes stay, for regexes */
	CHECK_INT(vg_unescape("\\d+\\.", 5, out), 5);
	CHECK_STR(out, "\\d+\\.");
}

static struct vg_ast *parse(const char *s, struct vg_parse_error *err)
{
	struct vg_ast *a = NULL;

	if (vg_parse_condition(&arena, s, strlen(s), &a, err) < 0)
		return NULL;
	return a;
}

static void test_parser_shapes(void)
{
	struct vg_parse_error err;
	struct vg_ast *a;

	/* precedence: not > and > or */
	a = parse("a or b and not c", &err);
	CHECK(a && a->kind == VG_AST_OR && a->list.n == 2);
	if (a && a->kind == VG_AST_OR) {
		CHECK(a->list.kids[0]->kind == VG_AST_MACRO);
		CHECK(a->list.kids[1]->kind == VG_AST_AND);
		CHECK(a->list.kids[1]->list.kids[1]->kind == VG_AST_NOT);
		CHECK_STR(a->list.kids[1]->list.kids[1]->kid->macro.name, "c");
	}

	a = parse("(evt.type in (open,openat, \"x y\") and fd.num>=0)", &err);
	CHECK(a && a->kind == VG_AST_AND);
	if (a && a->kind == VG_AST_AND) {
		struct vg_ast *c = a->list.kids[0];

		CHECK(c->kind == VG_AST_CHECK && c->check.op == VG_OP_IN);
		CHECK_INT(c->check.nvals, 3);
		CHECK_STR(c->check.vals[2].s, "x y");
		CHECK(c->check.vals[2].quoted);
		CHECK(!c->check.vals[0].quoted);
		CHECK_INT(c->check.vals[1].pos, 19);
		c = a->list.kids[1];
		CHECK(c->check.op == VG_OP_GE);
		CHECK_STR(c->check.vals[0].s, "0");
	}

	a = parse("proc.aname[2]=qualys-cloud-ag", &err);
	CHECK(a && a->kind == VG_AST_CHECK);
	if (a) {
		CHECK_STR(a->check.lhs.arg, "2");
		CHECK_STR(a->check.vals[0].s, "qualys-cloud-ag");
	}

	a = parse("evt.arg.flags contains O_TRUNC", &err);
	CHECK(a && a->check.op == VG_OP_CONTAINS && a->check.lhs.name_len == 13);

	a = parse("not proc.pname exists", &err);
	CHECK(a && a->kind == VG_AST_NOT && a->kid->check.op == VG_OP_EXISTS);

	a = parse("proc.pname in (runc:[0:PARENT], runc)", &err);
	CHECK(a && a->check.nvals == 2);
	if (a)
		CHECK_STR(a->check.vals[0].s, "runc:[0:PARENT]");

	a = parse("tolower(basename(proc.exe)) = bash", &err);
	CHECK(a && a->check.lhs.nxform == 2);
	if (a) {
		CHECK_INT(a->check.lhs.xform[0], VG_XF_BASENAME);
		CHECK_INT(a->check.lhs.xform[1], VG_XF_TOLOWER);
	}

	a = parse("proc.name = val(proc.pname)", &err);
	CHECK(a && a->check.rhs_is_field);

	a = parse("proc.name in shell_binaries", &err);
	CHECK(a && a->check.rhs_list_name && a->check.nvals == 1);

	a = parse("fd.name in ()", &err);
	CHECK(a && a->check.nvals == 0);

	a = parse("not not a", &err);
	CHECK(a && a->kind == VG_AST_NOT && a->kid->kind == VG_AST_NOT);

	a = parse("a and(b or c)", &err);
	CHECK(a && a->kind == VG_AST_AND);

	/* every operator */
	static const char *const ops[] = { "=",	     "==",	   "!=",       "<",	  "<=",
					   ">",	     ">=",	   "contains", "icontains", "bcontains",
					   "startswith", "bstartswith", "endswith", "glob",	  "iglob",
					   "regex",  "in",	   "intersects", "pmatch" };
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		char buf[128];
		bool list = !strcmp(ops[i], "in") || !strcmp(ops[i], "intersects") ||
			    !strcmp(ops[i], "pmatch");

		snprintf(buf, sizeof(buf), "fd.num %s %s", ops[i], list ? "(1, 2)" : "12");
		a = parse(buf, &err);
		CHECK(a && a->kind == VG_AST_CHECK);
		if (a)
			CHECK_INT(a->check.op, vg_op_from_text(ops[i], strlen(ops[i])));
	}
}

static void expect_error(const char *cond, unsigned pos, const char *needle)
{
	struct vg_parse_error err;
	struct vg_ast *a = parse(cond, &err);

	CHECK(a == NULL);
	CHECK_INT(err.pos, pos);
	if (!strstr(err.msg, needle))
		fprintf(stderr, "message for '%s' was '%s', expected '%s'\n", cond, err.msg, needle);
	CHECK(strstr(err.msg, needle) != NULL);
}

static void test_parser_errors(void)
{
	expect_error("", 0, "empty condition");
	expect_error("proc.name = \"abc", 12, "unterminated string");
	expect_error("(a and b", 0, "missing ')'");
	expect_error("a and b)", 7, "unbalanced ')'");
	expect_error("proc.name", 9, "expected an operator");
	expect_error("proc.name foo bar", 10, "expected an operator");
	expect_error("fd.num > abc", 9, "expected a number");
	expect_error("proc.name in", 12, "expected a list");
	expect_error("proc.name in (a b)", 16, "expected ',' or ')'");
	expect_error("a and", 5, "unexpected end");
	expect_error("a b", 2, "expected 'and', 'or'");
	expect_error("proc.aname[2 = x", 12, "expected ']'");
	expect_error("proc.name = ", 12, "expected a value");
	expect_error("tolower(proc.name = x", 18, "expected ')' closing transformer");
	expect_error("join(proc.name) = x", 0, "not supported");
	expect_error("= x", 0, "expected a check");
	{
		/* depth limit */
		char deep[512];
		size_t n = 0;

		for (int i = 0; i < 150; i++)
			deep[n++] = '(';
		deep[n++] = 'a';
		for (int i = 0; i < 150; i++)
			deep[n++] = ')';
		deep[n] = '\0';
		struct vg_parse_error err;

		CHECK(parse(deep, &err) == NULL);
		CHECK(strstr(err.msg, "nested deeper") != NULL);
	}
}

static void test_parse_field(void)
{
	struct vg_parse_error err;
	struct vg_ast_field f;
	size_t used;

	CHECK_INT(vg_parse_field(&arena, "proc.aname[3] rest", 18, &f, &used, &err), 0);
	CHECK_INT(used, 13);
	CHECK_STR(f.arg, "3");
	CHECK(vg_parse_field(&arena, "1abc", 4, &f, &used, &err) < 0);
	CHECK_INT(vg_op_from_text("startswith", 10), VG_OP_STARTSWITH);
	CHECK_INT(vg_op_from_text("nope", 4), -1);
	CHECK_STR(vg_op_name(VG_OP_PMATCH), "pmatch");
}

int main(void)
{
	vg_arena_init(&arena, 64 << 20);
	test_lexer();
	test_parser_shapes();
	test_parser_errors();
	test_parse_field();
	vg_arena_free(&arena);
	return check_report();
}
