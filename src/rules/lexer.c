#include "rules/lexer.h"

#include <string.h>

void vg_lex_init(struct vg_lexer *lx, const char *s, size_t len)
{
	lx->s = s;
	lx->len = len;
	lx->pos = 0;
}

bool vg_lex_eof(const struct vg_lexer *lx)
{
	return lx->pos >= lx->len;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\b' || c == '\f' ||
	       c == '\v';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_ident_char(char c)
{
	return is_alpha(c) || is_digit(c) || c == '_';
}

static int peek(const struct vg_lexer *lx, size_t ahead)
{
	return lx->pos + ahead < lx->len ? (unsigned char)lx->s[lx->pos + ahead] : -1;
}

bool vg_lex_blank(struct vg_lexer *lx)
{
	size_t start = lx->pos;

	while (lx->pos < lx->len && is_blank(lx->s[lx->pos]))
		lx->pos++;
	return lx->pos > start;
}

bool vg_lex_lit(struct vg_lexer *lx, const char *lit)
{
	size_t n = strlen(lit);

	if (lx->len - lx->pos < n || memcmp(lx->s + lx->pos, lit, n) != 0)
		return false;
	lx->pos += n;
	return true;
}

bool vg_lex_word(struct vg_lexer *lx, const char *word)
{
	size_t n = strlen(word);
	int next;

	if (lx->len - lx->pos < n || memcmp(lx->s + lx->pos, word, n) != 0)
		return false;
	next = peek(lx, n);
	if (next != -1 && !is_blank((char)next) && next != '(')
		return false;
	lx->pos += n;
	return true;
}

static size_t ident_len(const struct vg_lexer *lx, size_t at)
{
	size_t i = at;

	if (i >= lx->len || !is_alpha(lx->s[i]))
		return 0;
	while (i < lx->len && is_ident_char(lx->s[i]))
		i++;
	return i - at;
}

static void take(struct vg_lexer *lx, struct vg_token *t, size_t n)
{
	t->p = lx->s + lx->pos;
	t->len = n;
	t->pos = lx->pos;
	lx->pos += n;
}

bool vg_lex_identifier(struct vg_lexer *lx, struct vg_token *t)
{
	size_t n = ident_len(lx, lx->pos);

	if (!n)
		return false;
	take(lx, t, n);
	return true;
}

bool vg_lex_field_name(struct vg_lexer *lx, struct vg_token *t)
{
	size_t n = ident_len(lx, lx->pos), seg;
	unsigned segments = 0;

	if (!n)
		return false;
	while (lx->pos + n < lx->len && lx->s[lx->pos + n] == '.' &&
	       (seg = ident_len(lx, lx->pos + n + 1)) > 0) {
		n += 1 + seg;
		segments++;
	}
	if (!segments)
		return false;
	take(lx, t, n);
	return true;
}

bool vg_lex_field_arg(struct vg_lexer *lx, struct vg_token *t)
{
	size_t n = 0;

	while (lx->pos + n < lx->len) {
		char c = lx->s[lx->pos + n];

		if (c == '[' || c == ']' || c == '"' || c == '\'' || is_blank(c))
			break;
		n++;
	}
	if (!n)
		return false;
	take(lx, t, n);
	return true;
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool vg_lex_number(struct vg_lexer *lx, struct vg_token *t)
{
	size_t i = lx->pos, end = lx->len;

	if (end - i > 2 && lx->s[i] == '0' && (lx->s[i + 1] == 'x' || lx->s[i + 1] == 'X') &&
	    is_hex(lx->s[i + 2])) {
		i += 2;
		while (i < end && is_hex(lx->s[i]))
			i++;
		take(lx, t, i - lx->pos);
		return true;
	}
	if (i < end && (lx->s[i] == '+' || lx->s[i] == '-'))
		i++;
	if (i >= end || !is_digit(lx->s[i]))
		return false;
	while (i < end && is_digit(lx->s[i]))
		i++;
	if (i < end && lx->s[i] == '.') {
		i++;
		while (i < end && is_digit(lx->s[i]))
			i++;
	}
	if (i + 2 < end && (lx->s[i] == 'e' || lx->s[i] == 'E') &&
	    (lx->s[i + 1] == '+' || lx->s[i + 1] == '-') && is_digit(lx->s[i + 2])) {
		i += 2;
		while (i < end && is_digit(lx->s[i]))
			i++;
	}
	take(lx, t, i - lx->pos);
	return true;
}

bool vg_lex_bare(struct vg_lexer *lx, struct vg_token *t)
{
	size_t n = 0;

	while (lx->pos + n < lx->len) {
		char c = lx->s[lx->pos + n];

		if (is_blank(c) || c == '(' || c == ')' || c == ',' || c == '=' || c == '"' ||
		    c == '\'')
			break;
		n++;
	}
	if (!n)
		return false;
	take(lx, t, n);
	return true;
}

int vg_lex_quoted(struct vg_lexer *lx, struct vg_token *t)
{
	size_t i;
	char q;

	if (lx->pos >= lx->len || (lx->s[lx->pos] != '"' && lx->s[lx->pos] != '\''))
		return 0;
	q = lx->s[lx->pos];
	for (i = lx->pos + 1; i < lx->len; i++) {
		if (lx->s[i] == '\\') {
			i++; /* the escaped byte never closes the string */
			continue;
		}
		if (lx->s[i] == q) {
			t->p = lx->s + lx->pos + 1;
			t->len = i - lx->pos - 1;
			t->pos = lx->pos;
			lx->pos = i + 1;
			return 1;
		}
	}
	t->p = lx->s + lx->pos;
	t->len = 0;
	t->pos = lx->pos;
	return -1;
}

size_t vg_unescape(const char *raw, size_t len, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = raw[i];

		if (c != '\\' || i + 1 == len) {
			out[o++] = c;
			continue;
		}
		switch (raw[i + 1]) {
		case '"':
		case '\'':
		case '\\':
			out[o++] = raw[++i];
			break;
		case 'n':
			out[o++] = '\n';
			i++;
			break;
		case 't':
			out[o++] = '\t';
			i++;
			break;
		case 'r':
			out[o++] = '\r';
			i++;
			break;
		default:
			out[o++] = c; /* keep \d, \. ... for regexes */
			break;
		}
	}
	out[o] = '\0';
	return o;
}
