/* A check's operands, parsed once to the field's type: strings sorted (and
 * hashed when many), numbers and addresses parsed and sorted, regexes
 * compiled with RE2 (operands.h). */
#include "rules/operands.h"
#include "rules/match.h"
#include "rules/regex.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int compile_regex(struct vg_cctx *cc, struct vg_check *chk, const struct vg_ast_value *v)
{
	struct vg_rules *rs = cc->rs;
	struct vg_regex *re = vg_cc_alloc(cc, sizeof(*re));
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
	struct vg_operand_str *s = vg_cc_alloc(cc, (n ? n : 1) * sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		char *d;
		uint32_t len = v[i].len;

		switch (chk->op) {
		case VG_OP_ICONTAINS:
		case VG_OP_IGLOB:
			d = vg_cc_alloc(cc, (size_t)len + 1);
			if (!d)
				return -ENOMEM;
			for (uint32_t k = 0; k < len; k++)
				d[k] = (char)tolower((unsigned char)v[i].s[k]);
			s[i].s = d;
			break;
		case VG_OP_BCONTAINS:
		case VG_OP_BSTARTSWITH:
			if (len % 2) {
				vg_cc_error(cc, v[i].pos,
					    "'%s' needs hex bytes, '%s' has an odd length",
					    vg_op_name(chk->op), v[i].s);
				return -EINVAL;
			}
			d = vg_cc_alloc(cc, len / 2 + 1);
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
			vg_cc_error(cc, v[i].pos,
				    "type mismatch: '%.*s' is not a valid %s for field '%s'%s",
				    (int)(v[i].len > 64 ? 64 : v[i].len), v[i].s,
				    chk->type == VG_FT_BOOL ? "bool (true or false)"
				    : chk->type == VG_FT_IPADDR || chk->type == VG_FT_IPNET
					? "address or network"
					: vg_ftype_name(chk->type),
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

int vg_compile_operands(struct vg_cctx *cc, struct vg_check *chk, const struct vg_ast_value *vals,
			uint32_t n, const char *fname)
{
	if (chk->type == VG_FT_STR) {
		if (chk->op == VG_OP_REGEX) {
			if (compile_regex(cc, chk, &vals[0]) < 0)
				return -EINVAL;
			chk->n = 1;
		} else if (string_operands(cc, chk, vals, n) < 0) {
			return -EINVAL;
		}
	} else {
		size_t esz = chk->type == VG_FT_BOOL ? sizeof(bool) :
			     chk->type == VG_FT_IPADDR || chk->type == VG_FT_IPNET ?
							 sizeof(struct vg_operand_net) :
							 sizeof(uint64_t);
		void *arr = vg_cc_alloc(cc, (n ? n : 1) * esz);

		if (!arr)
			return -EINVAL;
		chk->ints = arr; /* all members of the union share the pointer */
		if (chk->type == VG_FT_BOOL)
			chk->bools = arr;
		else if (chk->type == VG_FT_IPADDR || chk->type == VG_FT_IPNET)
			chk->nets = arr;
		else if (chk->type == VG_FT_UINT)
			chk->uints = arr;
		if (typed_operands(cc, chk, vals, n, fname) < 0)
			return -EINVAL;
	}
	return 0;
}
