/* The rewritten per-type conditions (src/rules/optimize.c) must decide
 * exactly as the compiled ones. Differential test: random events whose field
 * values are drawn from the rules' own operands (so that checks do match
 * now and then) go through vg_rules_eval, which runs the rewritten trees,
 * and through each rule's compiled tree; the matches must be the same.
 * Plus direct tests of the string helpers the rewrite relies on. */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/eval.h"
#include "rules/match.h"
#include "rules/optimize.h"
#include "rules/program.h"
#include "rules/store.h"
#include "util/macros.h"

#define MAX_CANDS 4096
#define MAX_VALS 4

/* values a field may take in the random events */
struct cands {
	struct vg_value v[MAX_CANDS];
	unsigned n;
};

static struct cands cands[VG_F__COUNT];

/* the current random event: per field, 0..MAX_VALS values */
static struct vg_value cur[VG_F__COUNT][MAX_VALS];
static int ncur[VG_F__COUNT];
static char strbuf[VG_F__COUNT][MAX_VALS][512];

static int rand_get(const void *ctx, const struct vg_field_ref *ref, struct vg_value *out,
		    unsigned max)
{
	int id = ref->field->id, n = ncur[id] < (int)max ? ncur[id] : (int)max;

	(void)ctx;
	memcpy(out, cur[id], (size_t)n * sizeof(*out));
	return n;
}

static void add_cand(enum vg_field_id id, struct vg_value v)
{
	if (cands[id].n < MAX_CANDS)
		cands[id].v[cands[id].n++] = v;
}

static void harvest(const struct vg_node *n)
{
	const struct vg_check *c;

	switch (n->kind) {
	case VG_N_AND:
	case VG_N_OR:
		for (uint32_t i = 0; i < n->n; i++)
			harvest(n->kids[i]);
		return;
	case VG_N_NOT:
		harvest(n->kid);
		return;
	case VG_N_CHECK:
		break;
	default:
		return;
	}
	c = n->chk;
	if (c->op == VG_OP_EXISTS || c->rhs || c->op == VG_OP_REGEX || c->nxform) {
		add_cand(c->ref->field->id, (struct vg_value){ .s = { "x", 1 } });
		return;
	}
	for (uint32_t i = 0; i < c->n; i++) {
		struct vg_value v = { 0 };

		switch (c->type) {
		case VG_FT_STR:
			v.s.ptr = c->strs[i].s;
			v.s.len = c->strs[i].len;
			break;
		case VG_FT_INT:
			v.i = c->ints[i];
			break;
		case VG_FT_UINT:
			v.u = c->uints[i];
			break;
		case VG_FT_BOOL:
			v.b = c->bools[i];
			break;
		default: /* addresses: leave to the zero value */
			break;
		}
		add_cand(c->ref->field->id, v);
	}
}

static unsigned rnd(unsigned n)
{
	return n ? (unsigned)random() % n : 0;
}

/* a value near a candidate: itself, below it, above it, or mangled */
static struct vg_value pick(int id, int slot)
{
	struct vg_value v = cands[id].v[rnd(cands[id].n)];
	char *b = strbuf[id][slot];
	const char *s = v.s.ptr;
	unsigned len = v.s.len < 200 ? v.s.len : 200;

	if (vg_field_by_id(id)->type == VG_FT_BOOL) {
		v.b = rnd(2);
		return v;
	}
	if (vg_field_by_id(id)->type != VG_FT_STR) {
		if (rnd(4) == 0)
			v.u += rnd(3);
		return v;
	}
	switch (rnd(6)) {
	case 0:
		len = (unsigned)snprintf(b, 512, "%.*s/sub/file", (int)len, s);
		break;
	case 1:
		len = (unsigned)snprintf(b, 512, "/tmp/../%.*s", (int)len, s);
		break;
	case 2:
		len = (unsigned)snprintf(b, 512, "%.*s", (int)(len / 2), s);
		break;
	case 3:
		len = (unsigned)snprintf(b, 512, "O_WRONLY|O_CREAT|%.*s", (int)len, s);
		break;
	default:
		return v;
	}
	v.s.ptr = b;
	v.s.len = len;
	return v;
}

static void random_event(void)
{
	for (int id = 0; id < VG_F__COUNT; id++) {
		ncur[id] = 0;
		if (!cands[id].n || rnd(5) == 0)
			continue;
		ncur[id] = 1 + (int)rnd(rnd(3) == 0 ? MAX_VALS : 1);
		for (int k = 0; k < ncur[id]; k++)
			cur[id][k] = pick(id, k);
	}
}

/* what the compiled trees say, rule by rule, in rule order */
static int reference(struct vg_rules *rs, unsigned t, const struct vg_rule **m, unsigned max)
{
	unsigned count = 0;

	for (unsigned i = 0; i < vg_rules_count(rs); i++) {
		const struct vg_rule *r = vg_rules_get(rs, i);

		if (r->state != VG_RULE_LOADED || !r->enabled || !vg_evtset_has(&r->evtypes, t))
			continue;
		rs->gen++; /* nothing remembered from the rewritten trees */
		rs->cur_evtype = t;
		rs->get = rand_get;
		rs->ctx = NULL;
		rs->xused = 0;
		if (vg_eval_node(rs, r->cond) && count < max)
			m[count++] = r;
	}
	return (int)count;
}

static void differential(const char *file, unsigned trials)
{
	struct vg_rules *rs = vg_rules_new();
	const struct vg_rule *a[64], *b[64];
	unsigned types[VG_EVTYPE_MAX], ntypes = 0, matched = 0, mismatches = 0;
	struct vg_evtset need;

	memset(cands, 0, sizeof(cands));
	CHECK_INT(vg_rules_load_file(rs, file), 0);
	CHECK_INT(vg_rules_compile(rs), 0);
	for (unsigned i = 0; i < vg_rules_count(rs); i++) {
		const struct vg_rule *r = vg_rules_get(rs, i);

		if (r->state == VG_RULE_LOADED)
			harvest(r->cond);
	}
	vg_rules_evtypes(rs, &need);
	for (unsigned t = 1; t < VG_EVTYPE_MAX; t++)
		if (vg_evtset_has(&need, t))
			types[ntypes++] = t;
	CHECK(ntypes > 0);
	for (unsigned k = 0; k < trials && ntypes; k++) {
		unsigned t = types[rnd(ntypes)];
		int na, nb;

		random_event();
		na = vg_rules_eval(rs, t, rand_get, NULL, a, 64);
		nb = reference(rs, t, b, 64);
		if (na != nb || memcmp(a, b, (size_t)(na < 64 ? na : 64) * sizeof(*a))) {
			if (mismatches++ < 5)
				printf("%s: %s: rewritten %d matches, compiled %d (first: %s / %s)\n",
				       file, vg_evtype_name(t), na, nb, na ? a[0]->name : "-",
				       nb ? b[0]->name : "-");
		}
		matched += na > 0;
	}
	printf("%s: %u random events, %u matched a rule, %u differ\n", file, trials, matched,
	       mismatches);
	CHECK_INT(mismatches, 0);
	/* the test means something only if rules do fire */
	CHECK(matched > trials / 100);
	vg_rules_free(rs);
}

static void test_contains(void)
{
	CHECK(vg_contains("O_RDONLY|O_CLOEXEC", 18, "O_CLOEXEC", 9));
	CHECK(!vg_contains("O_RDONLY|O_CLOEXEC", 18, "O_TRUNC", 7));
	CHECK(vg_contains("abc", 3, "", 0));
	CHECK(!vg_contains("", 0, "a", 1));
	CHECK(vg_contains("a", 1, "a", 1));
	CHECK(!vg_contains("ab", 2, "abc", 3));
	CHECK(vg_contains("/x/../y", 7, "../", 3));
	CHECK(vg_contains("aaab", 4, "ab", 2));
	CHECK(!vg_contains("aaaa", 4, "ab", 2));
	CHECK(vg_contains("xxO_TRUNC", 9, "O_TRUNC", 7)); /* at the very end */
	/* the memchr anchor is the last byte that is not punctuation */
	CHECK(vg_contains("/a/.ssh/b", 9, "/.ssh/", 6));
	CHECK(vg_contains("/.ssh/", 6, "/.ssh/", 6));
	CHECK(!vg_contains("h/.ssh", 6, "/.ssh/", 6));
	CHECK(!vg_contains("ssh/.ss", 7, "/.ssh/", 6));
	CHECK(vg_contains("x/../", 5, "/../", 4)); /* punctuation only */
	CHECK(!vg_contains("/./.", 4, "/../", 4));
	CHECK(vg_contains("ab_", 3, "b_", 2));
	CHECK(!vg_contains("b_a", 3, "a_", 2));
	CHECK(vg_contains("O_WRONLY|O_CREAT|O_TRUNC", 24, "O_TRUNC", 7));
	CHECK(!vg_contains("O_WRONLY|O_CREAT|O_CLOEXEC", 26, "O_TRUNC", 7));
}

static bool linear_in(const struct vg_operand_str *o, uint32_t n, const char *s, uint32_t len)
{
	for (uint32_t i = 0; i < n; i++)
		if (o[i].len == len && !memcmp(o[i].s, s, len))
			return true;
	return false;
}

/* The hash tables of operands (in, pmatch) decide as the plain searches: on
 * every operand, its prefixes and extensions, and paths below it. */
static void test_strsets(void)
{
	static const char *const ops[] = {
		"/etc", "/usr/bin", "/tmp", "/var/tmp", "/", "x",
		"/a/very/long/directory/name/that/goes/on/and/on/past/sixty/three/bytes/yes",
		"/a/very/long/directory/name/that/goes/on/and/on/past/sixty/three/bytes/no",
		"/ab", "/abc", "/abcd", "/abcdefg", "/abcdefgh", "/abcdefghi",
	};
	static const char *const tails[] = { "", "/", "/x", "x", "/y/z", "//" };
	enum { N = ARRAY_SIZE(ops) };
	struct vg_operand_str strs[N];
	struct vg_check in = { .op = VG_OP_IN, .type = VG_FT_STR, .strs = strs, .n = N };
	struct vg_check pm = { .op = VG_OP_PMATCH, .type = VG_FT_STR, .strs = strs, .n = N };
	struct vg_arena a;
	char buf[256];
	unsigned tried = 0;

	vg_arena_init(&a, 1 << 20);
	for (int i = 0; i < N; i++) {
		strs[i].s = ops[i];
		strs[i].len = (uint32_t)strlen(ops[i]);
	}
	CHECK_INT(vg_strset_build(&a, &in), 0);
	CHECK_INT(vg_strset_build(&a, &pm), 0);
	CHECK(in.set != NULL && pm.set != NULL && pm.pmatch_root);
	for (int i = 0; i < N; i++) {
		for (size_t cut = 0; cut <= strlen(ops[i]); cut++) {
			for (size_t t = 0; t < ARRAY_SIZE(tails); t++) {
				int len = snprintf(buf, sizeof(buf), "%.*s%s", (int)cut, ops[i], tails[t]);

				CHECK(vg_strset_has(&in, buf, (uint32_t)len) ==
				      linear_in(strs, N, buf, (uint32_t)len));
				CHECK(vg_pmatch_set(&pm, buf, (uint32_t)len) ==
				      vg_pmatch(strs, N, buf, (size_t)len));
				tried++;
			}
		}
	}
	/* without "/" among the paths, relative and absolute values differ */
	pm.strs = strs;
	pm.n = N - 1;
	strs[4] = strs[N - 1];
	CHECK_INT(vg_strset_build(&a, &pm), 0);
	CHECK(!pm.pmatch_root);
	CHECK(!vg_pmatch_set(&pm, "/nothere", 8) && vg_pmatch_set(&pm, "/etc/x", 6));
	CHECK(!vg_pmatch_set(&pm, "/etcx", 5) && vg_pmatch_set(&pm, "x", 1));
	CHECK(tried > 500);
	vg_arena_free(&a);
}

static void test_same_bytes(void)
{
	const char *a = "0123456789abcdefghij", *b = "0123456789abcdefghiX";

	for (size_t n = 0; n <= 20; n++)
		CHECK(vg_same_bytes(a, b, n) == (n < 20));
	CHECK(!vg_same_bytes("abcdefgh", "abcdefgX", 8));
	CHECK(!vg_same_bytes("Xbcdefghi", "abcdefghi", 9));
}

/* globs whose literal ends are checked first decide as before */
static void test_glob_ends(void)
{
	static const char *const yaml =
		"- rule: g\n"
		"  desc: d\n"
		"  condition: evt.type = open and (fd.name glob \"/etc/ssh/ssh_host_*_key\" or\n"
		"             fd.name glob \"*.conf\" or fd.name glob \"/srv/[ab]x\\\\*\" or\n"
		"             fd.name glob \"/exact\")\n"
		"  output: o\n"
		"  priority: WARNING\n";
	static const struct {
		const char *path;
		bool match;
	} cases[] = {
		{ "/etc/ssh/ssh_host_rsa_key", true },
		{ "/etc/ssh/ssh_host__key", true },
		{ "/etc/ssh/ssh_host_key", false }, /* prefix and suffix would overlap */
		{ "/etc/ssh/ssh_host_rsa_key.pub", false },
		{ "/a.conf", true },
		{ ".conf", true },
		{ "/a.conf2", false },
		{ "/srv/ax*", true },
		{ "/srv/bx*", true },
		{ "/srv/ax", false },
		{ "/exact", true },
		{ "/exact/", false },
		{ "/exac", false },
	};
	struct vg_rules *rs = vg_rules_new();
	const struct vg_rule *m[2];
	unsigned open_t = vg_evtype_lookup("open", 4);

	CHECK_INT(vg_rules_load_buffer(rs, "glob.yaml", yaml, strlen(yaml)), 0);
	CHECK_INT(vg_rules_compile(rs), 0);
	memset(cands, 0, sizeof(cands));
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(ncur, 0, sizeof(ncur));
		ncur[VG_F_FD_NAME] = 1;
		cur[VG_F_FD_NAME][0].s.ptr = cases[i].path;
		cur[VG_F_FD_NAME][0].s.len = (uint32_t)strlen(cases[i].path);
		if (vg_rules_eval(rs, open_t, rand_get, NULL, m, 2) != (cases[i].match ? 1 : 0))
			printf("glob: %s should %smatch\n", cases[i].path, cases[i].match ? "" : "not ");
		CHECK_INT(vg_rules_eval(rs, open_t, rand_get, NULL, m, 2), cases[i].match ? 1 : 0);
	}
	vg_rules_free(rs);
}

/* The literal run a glob's value must contain (glob_middle) never rejects
 * what the matcher accepts: every pattern against every value, through the
 * engine and through vg_glob_match alone. */
static void test_glob_middle(void)
{
	static const char *const pats[] = {
		"*/.ssh/authorized_keys*", "*../*../*", "/a*[bc]de*f", "*[]x]yz*", "*[!a]bc*",
		"x*[a-]]cd*", "*[ab*", "?abc?", "*abc*abcd*", "*[ab]*c?d*",
	};
	static const char *const vals[] = {
		"/root/.ssh/authorized_keys", "/root/.ssh/authorized_keys2", "/x/.ssh/id",
		"../../etc", "a/../b/../c", "/abde f", "/abdef", "/acdexf", "]yz", "xyz", "qyz",
		"abc", "zbc", "*ab", "\\ab", "ab\\", "x-cd", "x]cd", "xacd", "[ab", "[abcd",
		"xabcx", "abcabcd", "abcdabc", "", "a",
	};
	char yaml[512];

	for (size_t p = 0; p < ARRAY_SIZE(pats); p++) {
		struct vg_rules *rs = vg_rules_new();
		const struct vg_rule *m[1];
		unsigned open_t = vg_evtype_lookup("open", 4);

		snprintf(yaml, sizeof(yaml),
			 "- rule: g\n  desc: d\n  condition: evt.type = open and fd.name glob '%s'\n"
			 "  output: o\n  priority: WARNING\n", pats[p]);
		CHECK_INT(vg_rules_load_buffer(rs, "mid.yaml", yaml, strlen(yaml)), 0);
		CHECK_INT(vg_rules_compile(rs), 0);
		for (size_t v = 0; v < ARRAY_SIZE(vals); v++) {
			bool want = vg_glob_match(pats[p], strlen(pats[p]), vals[v], strlen(vals[v]),
						  false);

			memset(ncur, 0, sizeof(ncur));
			ncur[VG_F_FD_NAME] = 1;
			cur[VG_F_FD_NAME][0].s.ptr = vals[v];
			cur[VG_F_FD_NAME][0].s.len = (uint32_t)strlen(vals[v]);
			if (vg_rules_eval(rs, open_t, rand_get, NULL, m, 1) != want)
				printf("glob middle: '%s' on '%s' should be %d\n", pats[p], vals[v],
				       want);
			CHECK_INT(vg_rules_eval(rs, open_t, rand_get, NULL, m, 1), want);
		}
		vg_rules_free(rs);
	}
}

int main(void)
{
	srandom(4);
	test_contains();
	test_strsets();
	test_same_bytes();
	test_glob_ends();
	test_glob_middle();
	differential("rules/vigil_rules.yaml", 30000);
	differential("../shared/compat/falco_rules.yaml", 30000);
	return check_report();
}
