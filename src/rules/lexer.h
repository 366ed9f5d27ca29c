/* Tokens of Falco's condition language. The grammar is context dependent
 * (after "=" a bare word such as runc:[1:CHILD] is a value, at the start of a
 * check it would be an error), so the parser asks for the token it expects
 * next, as libsinsp's parser does. Each vg_lex_* function either consumes one
 * token and returns true, or leaves the position unchanged. */
#ifndef VIGIL_RULES_LEXER_H
#define VIGIL_RULES_LEXER_H

#include <stdbool.h>
#include <stddef.h>

struct vg_lexer {
	const char *s;
	size_t len;
	size_t pos;
};

struct vg_token {
	const char *p; /* inside the input; for quoted strings, between the quotes */
	size_t len;
	size_t pos; /* offset of the token's first byte in the input */
};

void vg_lex_init(struct vg_lexer *lx, const char *s, size_t len);
bool vg_lex_eof(const struct vg_lexer *lx);
/* spaces, tabs, newlines; true if any */
bool vg_lex_blank(struct vg_lexer *lx);
/* the exact text lit */
bool vg_lex_lit(struct vg_lexer *lx, const char *lit);
/* a word (and, or, not ...) that must be followed by a blank, "(" or the end */
bool vg_lex_word(struct vg_lexer *lx, const char *word);
/* [a-zA-Z][a-zA-Z0-9_]* */
bool vg_lex_identifier(struct vg_lexer *lx, struct vg_token *t);
/* identifier ( "." identifier )+, e.g. proc.name, evt.arg.flags */
bool vg_lex_field_name(struct vg_lexer *lx, struct vg_token *t);
/* the bare argument inside [ ]: anything but brackets, quotes, blanks */
bool vg_lex_field_arg(struct vg_lexer *lx, struct vg_token *t);
/* decimal (with optional sign, fraction, exponent) or 0x hexadecimal */
bool vg_lex_number(struct vg_lexer *lx, struct vg_token *t);
/* a run of bytes other than blanks ( ) , = " ' */
bool vg_lex_bare(struct vg_lexer *lx, struct vg_token *t);
/* "..." or '...' with backslash escapes. Returns 1 and the raw text between
 * the quotes, 0 if no quote starts here, -1 if the string is unterminated
 * (t->pos is then the opening quote). */
int vg_lex_quoted(struct vg_lexer *lx, struct vg_token *t);
/* Decodes the escapes of a quoted string's raw text into out (room for len
 * bytes + NUL is enough: decoding never grows). Unknown escapes are kept as
 * they are (backslash included), so regexes read naturally. Returns the
 * decoded length. */
size_t vg_unescape(const char *raw, size_t len, char *out);

#endif
