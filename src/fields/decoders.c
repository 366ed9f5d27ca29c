/* Does a command decode? Each decoder read the way it reads its own
 * options, so `base64 -id`, `base64 --dec`, `basenc --base64 --d`,
 * `xxd -rp`, `xxd --revert -p` and `openssl base64 --d` are decoders and
 * `xxd -pr` (xxd takes it for -p) is not. See decoders.h. */
#include <stdbool.h>
#include <string.h>

#include "fields/decoders.h"
#include "util/macros.h"

#define MAX_WORDS 64
#define WORD_MAX 256

struct words {
	int n;
	char w[MAX_WORDS][WORD_MAX];
};

/* Splits len bytes of text on blanks into words, quotes removed (the shell
 * would remove them: `base64 '-d'` decodes). Words past MAX_WORDS are
 * dropped; a word is cut at WORD_MAX - 1 bytes. */
static void split_words(const char *text, size_t len, struct words *out)
{
	size_t i = 0;

	out->n = 0;
	while (i < len && out->n < MAX_WORDS) {
		size_t k = 0;

		while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n'))
			i++;
		if (i >= len)
			break;
		while (i < len && text[i] != ' ' && text[i] != '\t' && text[i] != '\n') {
			if (text[i] != '\'' && text[i] != '"' && text[i] != '\\' && k < WORD_MAX - 1)
				out->w[out->n][k++] = text[i];
			i++;
		}
		out->w[out->n][k] = 0;
		if (k)
			out->n++;
	}
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* coreutils base64, base32, basenc: getopt_long with short options "diw:",
 * options anywhere before "--" (GNU permutes), long options by any
 * unambiguous prefix (only "decode" starts with "d"). */
static bool coreutils_decodes(const struct words *w)
{
	for (int i = 1; i < w->n; i++) {
		const char *a = w->w[i];

		if (!strcmp(a, "--"))
			return false;
		if (a[0] != '-' || !a[1])
			continue; /* an operand */
		if (a[1] == '-') {
			size_t n = strcspn(a + 2, "=");

			if (n && !strncmp("decode", a + 2, n) && n <= 6)
				return true;
			continue;
		}
		for (const char *c = a + 1; *c; c++) {
			if (*c == 'd')
				return true;
			if (*c == 'w') { /* takes the rest, or the next word */
				if (!c[1])
					i++;
				break;
			}
			if (*c != 'i')
				break; /* not an option of theirs: they refuse to run */
		}
	}
	return false;
}

/* xxd reads options up to the first operand or "--"; an option is known by
 * its first letter after '-' (or "--"): "-r", "-rp", "-revert" revert,
 * "-pr" is -p. -c -g -l -s -o -n take a value, attached or the next word. */
static bool xxd_decodes(const struct words *w)
{
	for (int i = 1; i < w->n; i++) {
		const char *a = w->w[i];

		if (!strcmp(a, "--") || a[0] != '-' || !a[1])
			return false;
		if (a[1] == '-' && a[2])
			a++;
		if (a[1] == 'r')
			return true;
		if (strchr("cglson", a[1]) && !a[2])
			i++;
	}
	return false;
}

/* openssl enc / base64 / a cipher command, with -d (or --d: OpenSSL takes
 * a double dash too). */
static bool openssl_decodes(const struct words *w)
{
	static const char *const ciphers[] = { "aes", "des", "bf", "camellia", "chacha", "rc2",
					       "rc4", "aria", "sm4", "cast", "seed", "idea" };
	const char *cmd = w->n > 1 ? w->w[1] : "";
	bool coder = !strcmp(cmd, "enc") || !strcmp(cmd, "base64");

	for (size_t k = 0; !coder && k < ARRAY_SIZE(ciphers); k++)
		coder = !strncmp(cmd, ciphers[k], strlen(ciphers[k]));
	if (!coder)
		return false;
	for (int i = 2; i < w->n; i++)
		if (!strcmp(w->w[i], "-d") || !strcmp(w->w[i], "--d"))
			return true;
	return false;
}

static bool words_decode(const struct words *w)
{
	const char *tool;

	if (!w->n)
		return false;
	tool = base_name(w->w[0]);
	if (!strcmp(tool, "base64") || !strcmp(tool, "base32") || !strcmp(tool, "basenc") ||
	    !strcmp(tool, "gbase64") || !strcmp(tool, "gbase32"))
		return coreutils_decodes(w);
	if (!strcmp(tool, "xxd"))
		return xxd_decodes(w);
	if (!strcmp(tool, "openssl"))
		return openssl_decodes(w);
	return !strcmp(tool, "uudecode") || !strcmp(tool, "uudeview");
}

bool vg_command_decodes(const char *cmd, size_t len)
{
	struct words w;

	split_words(cmd, len, &w);
	return words_decode(&w);
}

bool vg_argv_decodes(const char *name, const char *args, size_t args_len)
{
	char line[2048];
	size_t n = strlen(name), used;

	if (n + 1 >= sizeof(line))
		return false;
	memcpy(line, name, n);
	used = n;
	line[used++] = ' ';
	/* args: NUL after each argument, as /proc/PID/cmdline */
	for (size_t i = 0; i < args_len && used + 1 < sizeof(line); i++)
		line[used++] = args[i] ? args[i] : ' ';
	return vg_command_decodes(line, used);
}

static bool is_runner(const char *word)
{
	static const char *const runners[] = { "sh",  "bash", "dash", "zsh",    "ksh", "mksh",
					       "ash", "busybox", "perl", "ruby", "php", "node",
					       "python", "python2", "python3", "lua", "tclsh" };
	static const char *const versioned[] = { "python", "php", "perl", "ruby", "lua" };
	const char *b = base_name(word);

	for (size_t i = 0; i < ARRAY_SIZE(runners); i++)
		if (!strcmp(b, runners[i]))
			return true;
	/* python3.11, php8.2, perl5.36: the name, then only digits and dots */
	for (size_t i = 0; i < ARRAY_SIZE(versioned); i++) {
		size_t n = strlen(versioned[i]);

		if (!strncmp(b, versioned[i], n) && b[n] && strspn(b + n, "0123456789.") == strlen(b + n))
			return true;
	}
	return false;
}

/* One stage of a shell line: the text up to the next | ; & ( ) ` or
 * newline. *sep gets the character that ended it (0 at the end). */
static size_t next_stage(const char *s, size_t len, size_t at, size_t *end, char *sep)
{
	size_t i = at;

	while (i < len && !strchr("|;&()`\n", s[i]) && !(s[i] == '$' && i + 1 < len && s[i + 1] == '('))
		i++;
	*end = i;
	*sep = i < len ? s[i] : 0;
	return i < len ? i + 1 : len;
}

bool vg_shell_line_decodes_and_runs(const char *s, size_t len)
{
	bool decoded = false, substituted = false, eval = false;
	char prev_sep = 0;
	size_t at = 0;

	while (at < len) {
		size_t end;
		char sep;
		size_t next = next_stage(s, len, at, &end, &sep);
		struct words w;

		split_words(s + at, end - at, &w);
		if (w.n) {
			const char *first = base_name(w.w[0]);

			if (!strcmp(first, "eval") || !strcmp(first, "source") || !strcmp(first, "."))
				eval = true;
			/* a decoder's output piped straight into a shell or interpreter */
			if (decoded && prev_sep == '|' && is_runner(w.w[0]))
				return true;
			decoded = words_decode(&w);
			/* inside $( ) or backticks: what it prints becomes a command */
			if (decoded && (sep == ')' || sep == '`'))
				substituted = true;
		}
		if (sep == '|' && next < len && s[next] == '|')
			next++, sep = ';'; /* "||" is not a pipe */
		if (sep == '&' && next < len && s[next] == '&')
			next++;
		prev_sep = sep;
		at = next;
	}
	return substituted && eval;
}

bool vg_shell_args_decode_and_run(const char *args, size_t len)
{
	char line[4096];
	size_t n = len < sizeof(line) ? len : sizeof(line);

	for (size_t i = 0; i < n; i++)
		line[i] = args[i] ? args[i] : ' ';
	return vg_shell_line_decodes_and_runs(line, n);
}
