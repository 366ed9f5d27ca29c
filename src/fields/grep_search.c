/* vigil.grep.credential_search: grep's arguments read as grep reads them
 * (GNU getopt: bundled short options, -e/-f and long options anywhere
 * before "--", the first operand as the pattern when no -e is given), and
 * each pattern compiled as grep would (-G basic, -E extended, -F fixed,
 * -i), then tried against credential words. So `grep -r 'pa[s]sword'`,
 * `grep -rE 'p(a|4)ssw'` and `grep -ri -e PASSWD` are credential searches
 * however the pattern is spelled, and a pattern that matches everything
 * (`.`) or only a piece of a word (`ss`) is not. -P is compiled as
 * extended (close to Perl for such needles).
 *
 * Patterns read from a file (-f FILE, --file=FILE) are read too, when the
 * event is evaluated: the first PATTERN_FILE_MAX bytes of a regular file,
 * at most PATTERN_LINES_MAX lines. That is racy (the file may be changed
 * or gone by then: a grep that deletes its pattern file at once is not
 * judged on it), and bounded so one exec costs at most a few milliseconds.
 *
 * ripgrep (rg) and the silver searcher (ag) have their own options: both
 * search recursively by default, rg's -r is --replace and -E --encoding
 * (both take a value), ag's -f is --follow; -S (rg) and ag by default fold
 * case when the pattern has no capital letter. Their patterns (Rust regex,
 * PCRE) are compiled as extended. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <regex.h>

#include "fields/grep_search.h"
#include "util/macros.h"

#define MAX_PATTERNS 16
#define MAX_FILES 4
#define PATTERN_FILE_MAX 4096
#define PATTERN_LINES_MAX 64
#define MIN_SPAN 5 /* a match must cover this much of a credential word */

enum syntax { BASIC, EXTENDED, FIXED };
enum dialect { GNU, RG, AG };

struct grep_args {
	const char *pattern[MAX_PATTERNS];
	int npattern;
	const char *file[MAX_FILES]; /* -f pattern files */
	int nfile;
	enum syntax syntax;
	enum dialect dialect;
	bool icase, smart, recursive;
};

/* Words searched for passwords and tokens (judged only in recursive
 * searches, as the rule's words were) and headers of private keys and
 * cloud keys (judged always). */
static const char *const password_words[] = { "password", "passwd", "secret", "api_key",
					      "apikey", "access_key", "credential", "token" };
static const char *const key_words[] = { "BEGIN OPENSSH PRIVATE KEY", "BEGIN RSA PRIVATE KEY",
					 "BEGIN PRIVATE KEY", "aws_secret_access_key",
					 "aws_access_key_id" };
static const char *const neutral[] = { "hello world", "the quick brown fox 12345" };

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* Long options of GNU grep that take a value in the next word when written
 * without "=" (by any unambiguous prefix; these are the common spellings). */
static bool long_takes_value(const char *name, size_t n)
{
	static const char *const with_value[] = {
		"regexp", "file", "after-context", "before-context", "context", "devices",
		"directories", "exclude", "exclude-dir", "exclude-from", "include", "label",
		"max-count", "binary-files", "group-separator",
	};

	for (size_t i = 0; i < ARRAY_SIZE(with_value); i++)
		if (n && !strncmp(with_value[i], name, n))
			return true;
	return false;
}

static void add_pattern(struct grep_args *g, const char *p)
{
	if (g->npattern < MAX_PATTERNS)
		g->pattern[g->npattern++] = p;
}

static void add_file(struct grep_args *g, const char *f)
{
	if (g->nfile < MAX_FILES && strcmp(f, "-")) /* "-": standard input, not read */
		g->file[g->nfile++] = f;
}

static void long_option(struct grep_args *g, const char *a, const char *next, int *skip)
{
	size_t n = strcspn(a, "=");
	const char *val = a[n] == '=' ? a + n + 1 : NULL;

	if (!strncmp("recursive", a, n) || !strncmp("dereference-recursive", a, n))
		g->recursive = true;
	else if (!strncmp("extended-regexp", a, n))
		g->syntax = EXTENDED;
	else if (!strncmp("fixed-strings", a, n))
		g->syntax = FIXED;
	else if (!strncmp("basic-regexp", a, n))
		g->syntax = BASIC;
	else if (!strncmp("perl-regexp", a, n))
		g->syntax = EXTENDED;
	else if (!strncmp("ignore-case", a, n))
		g->icase = true;
	if (!val && long_takes_value(a, n)) {
		val = next;
		*skip = 1;
	}
	if (val && n >= 2 && !strncmp("regexp", a, n))
		add_pattern(g, val);
	else if (val && n >= 2 && !strncmp("file", a, n))
		add_file(g, val);
}

/* ripgrep's and ag's options: exact long names (neither takes
 * abbreviations), short options bundled as getopt does. */
static const char *const rg_long_values[] = {
	"regexp", "file", "replace", "encoding", "glob", "iglob", "type", "type-not", "type-add",
	"type-clear", "max-depth", "max-count", "threads", "max-columns", "context", "after-context",
	"before-context", "sort", "sortr", "color", "colors", "ignore-file", "path-separator", "pre",
	"pre-glob", "engine", "dfa-size-limit", "regex-size-limit", "max-filesize",
	"context-separator", "field-match-separator", "field-context-separator", "hyperlink-format",
	"hostname-bin",
};
static const char *const ag_long_values[] = {
	"after", "before", "context", "file-search-regex", "max-count", "path-to-ignore", "depth",
	"pager", "ignore", "ignore-dir", "width",
};

static bool in_list(const char *const *list, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(list[i]) == len && !strncmp(list[i], name, len))
			return true;
	return false;
}

static bool long_is(const char *a, size_t n, const char *name)
{
	return strlen(name) == n && !strncmp(a, name, n);
}

static void other_long_option(struct grep_args *g, const char *a, const char *next, int *skip)
{
	size_t n = strcspn(a, "=");
	const char *val = a[n] == '=' ? a + n + 1 : NULL;
	bool takes = g->dialect == RG ? in_list(rg_long_values, ARRAY_SIZE(rg_long_values), a, n)
				      : in_list(ag_long_values, ARRAY_SIZE(ag_long_values), a, n);

	if (long_is(a, n, "ignore-case"))
		g->icase = true, g->smart = false;
	else if (long_is(a, n, "case-sensitive"))
		g->icase = g->smart = false;
	else if (long_is(a, n, "smart-case"))
		g->smart = true, g->icase = false;
	else if (long_is(a, n, "fixed-strings") || long_is(a, n, "literal"))
		g->syntax = FIXED;
	if (!val && takes) {
		val = next;
		*skip = 1;
	}
	if (val && long_is(a, n, "regexp"))
		add_pattern(g, val);
	else if (val && long_is(a, n, "file"))
		add_file(g, val);
}

/* A short flag without a value, as GNU grep reads it. */
static void gnu_flag(struct grep_args *g, char c)
{
	if (c == 'r' || c == 'R')
		g->recursive = true;
	else if (c == 'E' || c == 'P')
		g->syntax = EXTENDED;
	else if (c == 'F')
		g->syntax = FIXED;
	else if (c == 'G')
		g->syntax = BASIC;
	else if (c == 'i' || c == 'y')
		g->icase = true;
}

/* A short flag without a value, as rg and ag read it. */
static void other_flag(struct grep_args *g, char c)
{
	if (c == 'i')
		g->icase = true, g->smart = false;
	else if (c == 's')
		g->icase = g->smart = false;
	else if (c == 'S')
		g->smart = true, g->icase = false;
	else if (c == 'F' || (g->dialect == AG && c == 'Q'))
		g->syntax = FIXED;
}

/* How one tool's command line reads: the short options that take a value
 * (the rest of the word, or the next word), its long options, its flags. */
struct option_syntax {
	const char *values;
	void (*long_opt)(struct grep_args *g, const char *a, const char *next, int *skip);
	void (*flag)(struct grep_args *g, char c);
};

static const struct option_syntax gnu_syntax = { "ABCDXdefm", long_option, gnu_flag };
static const struct option_syntax rg_syntax = { "ABCEMTdefgjmrt", other_long_option, other_flag };
static const struct option_syntax ag_syntax = { "ABCGgmpW", other_long_option, other_flag };

/* Reads argv (words[0] is the program) the way getopt does: options until
 * "--", bundled short flags, -e/-f values; with neither, the first operand
 * is the pattern. */
static void parse(struct grep_args *g, const struct option_syntax *os, const char *const *w,
		  int n)
{
	const char *first_operand = NULL;
	bool options = true;

	for (int i = 1; i < n; i++) {
		const char *a = w[i];
		int skip = 0;

		if (options && !strcmp(a, "--")) {
			options = false;
			continue;
		}
		if (!options || a[0] != '-' || !a[1]) {
			if (!first_operand)
				first_operand = a;
			continue;
		}
		if (a[1] == '-') {
			os->long_opt(g, a + 2, i + 1 < n ? w[i + 1] : NULL, &skip);
			i += skip;
			continue;
		}
		for (const char *c = a + 1; *c; c++) {
			if (strchr(os->values, *c)) {
				const char *val = c[1] ? c + 1 : i + 1 < n ? w[++i] : NULL;

				if (*c == 'e' && val)
					add_pattern(g, val);
				if (*c == 'f' && val)
					add_file(g, val);
				break;
			}
			os->flag(g, *c);
		}
	}
	if (!g->npattern && !g->nfile && first_operand)
		add_pattern(g, first_operand);
}

/* The longest stretch of word that pattern p matches, 0 for none. */
static size_t match_span(const regex_t *re, const char *p, bool fixed, bool icase,
			 const char *word)
{
	regmatch_t m;

	if (fixed) {
		const char *at = icase ? strcasestr(word, p) : strstr(word, p);

		return at && *p ? strlen(p) : 0;
	}
	if (regexec(re, word, 1, &m, 0))
		return 0;
	return (size_t)(m.rm_eo - m.rm_so);
}

static bool finds_one_of(const regex_t *re, const char *p, const struct grep_args *g,
			 const char *const *words, size_t nwords)
{
	bool fixed = g->syntax == FIXED;

	for (size_t i = 0; i < ARRAY_SIZE(neutral); i++)
		if (match_span(re, p, fixed, g->icase, neutral[i]))
			return false; /* matches anything: no search for credentials */
	for (size_t i = 0; i < nwords; i++) {
		size_t len = strlen(words[i]), need = len < MIN_SPAN ? len : MIN_SPAN;

		if (match_span(re, p, fixed, g->icase, words[i]) >= need)
			return true;
	}
	return false;
}

/* glibc compiles repetitions of repetitions ("a+++++", "(a*)*{99}") into
 * automata that grow without bound: gigabytes for a 30-byte pattern. A
 * needle is short and plain; anything else is not compiled. */
#define PATTERN_MAX 96
#define REPEATS_MAX 8

static bool tame(const char *p)
{
	size_t n = strlen(p), repeats = 0;

	if (n > PATTERN_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (strchr("*+?{", p[i]))
			repeats++;
		if (p[i] == '{' && strspn(p + i + 1, "0123456789,") > 2)
			return false; /* {100} and beyond */
	}
	return repeats <= REPEATS_MAX;
}

static bool has_capital(const char *p)
{
	for (; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			return true;
	return false;
}

static bool pattern_finds(const struct grep_args *args, const char *p)
{
	struct grep_args gc = *args, *g = &gc;
	regex_t re;
	bool found;
	int flags;

	if (g->smart && !has_capital(p))
		g->icase = true;
	flags = (g->icase ? REG_ICASE : 0) | (g->syntax == EXTENDED ? REG_EXTENDED : 0);

	if (g->syntax != FIXED && (!tame(p) || regcomp(&re, p, flags)))
		return false; /* too wild to compile, or grep would refuse it too */
	found = finds_one_of(&re, p, g, key_words, ARRAY_SIZE(key_words)) ||
		(g->recursive && finds_one_of(&re, p, g, password_words,
					      ARRAY_SIZE(password_words)));
	if (g->syntax != FIXED)
		regfree(&re);
	return found;
}

/* Each line of text a pattern, as grep takes a pattern with newlines (or
 * a pattern file); at most max_lines of them. */
static bool lines_find(const struct grep_args *g, const char *p, int max_lines)
{
	char one[512];

	for (int line = 0; *p && line < max_lines; line++) {
		size_t k = strcspn(p, "\n");

		if (k < sizeof(one)) {
			memcpy(one, p, k);
			one[k] = 0;
			if (pattern_finds(g, one))
				return true;
		}
		p += k + (p[k] == '\n');
	}
	return false;
}

/* The start of a pattern file (a regular file; relative to cwd) into buf,
 * NUL bytes read as line ends; false when it cannot be read. */
static bool read_pattern_file(const char *name, const char *cwd, char *buf, size_t size)
{
	char path[4096];
	struct stat st;
	ssize_t n;
	int fd;

	if (name[0] != '/' && (!cwd || cwd[0] != '/'))
		return false;
	if (name[0] == '/')
		snprintf(path, sizeof(path), "%s", name);
	else if ((size_t)snprintf(path, sizeof(path), "%s/%s", cwd, name) >= sizeof(path))
		return false;
	/* O_NONBLOCK: a FIFO named as the pattern file must not hold the monitor */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return false;
	}
	n = pread(fd, buf, size - 1, 0);
	close(fd);
	if (n <= 0)
		return false;
	for (ssize_t i = 0; i < n; i++)
		if (!buf[i])
			buf[i] = '\n';
	buf[n] = 0;
	return true;
}

bool vg_grep_credential_search_at(const char *exe, const char *args, size_t len, const char *cwd)
{
	static const char *const greps[] = { "grep", "egrep", "fgrep", "zgrep", "zegrep", "zfgrep",
					     "rgrep" };
	const char *w[64], *tool = base_name(exe);
	struct grep_args g = { .syntax = BASIC };
	char buf[4096];
	int n = 0;
	bool is_grep = false;

	for (size_t i = 0; i < ARRAY_SIZE(greps); i++)
		is_grep |= !strcmp(tool, greps[i]);
	if (!strcmp(tool, "rg"))
		g.dialect = RG;
	else if (!strcmp(tool, "ag"))
		g.dialect = AG;
	else if (!is_grep)
		return false;
	if (len >= sizeof(buf))
		return false;
	if (g.dialect != GNU) {
		g.syntax = EXTENDED;
		g.recursive = true;
		g.smart = g.dialect == AG; /* ag folds case by default, rg with -S */
	} else if (tool[0] == 'e' || tool[1] == 'e') {
		g.syntax = EXTENDED;
	} else if (tool[0] == 'f' || tool[1] == 'f') {
		g.syntax = FIXED;
	}
	if (g.dialect == GNU)
		g.recursive = tool[0] == 'r';
	/* args: NUL after each argument; a pattern with newlines is several */
	memcpy(buf, args, len);
	buf[len] = 0;
	w[n++] = tool;
	for (size_t i = 0; i < len && n < 64; i += strlen(buf + i) + 1)
		w[n++] = buf + i;
	parse(&g, g.dialect == GNU ? &gnu_syntax : g.dialect == RG ? &rg_syntax : &ag_syntax, w, n);
	for (int i = 0; i < g.npattern; i++)
		if (lines_find(&g, g.pattern[i], PATTERN_LINES_MAX))
			return true;
	for (int i = 0; i < g.nfile; i++) {
		char text[PATTERN_FILE_MAX];

		if (read_pattern_file(g.file[i], cwd, text, sizeof(text)) &&
		    lines_find(&g, text, PATTERN_LINES_MAX))
			return true;
	}
	return false;
}

bool vg_grep_credential_search(const char *exe, const char *args, size_t len)
{
	return vg_grep_credential_search_at(exe, args, len, NULL);
}
