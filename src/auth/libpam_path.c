/* Finding libpam. The cache is asked through `ldconfig -p` (its binary
 * format is glibc's business); its text is parsed here, line by line. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth/libpam_path.h"
#include "util/macros.h"

#define LDCONFIG_OUTPUT_MAX (4u << 20) /* far more than any real cache */

extern char **environ;

/* One line: "\tNAME (FLAGS) => PATH". */
static int pick_line(const char *line, size_t len, const char *soname, const char *arch_tag,
		     char *out, size_t outlen)
{
	size_t nlen = strlen(soname), i = 0, open, close, at;

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (len - i <= nlen || memcmp(line + i, soname, nlen) || line[i + nlen] != ' ')
		return 0;
	i += nlen;
	while (i < len && line[i] == ' ')
		i++;
	if (i >= len || line[i] != '(')
		return 0;
	open = i;
	for (close = open; close < len && line[close] != ')'; close++)
		;
	if (close >= len)
		return 0;
	if (arch_tag && !memmem(line + open, close - open, arch_tag, strlen(arch_tag)))
		return 0;
	for (at = close; at + 3 < len && memcmp(line + at, "=> ", 3); at++)
		;
	if (at + 3 >= len)
		return 0;
	at += 3;
	if (line[at] != '/' || len - at >= outlen || memchr(line + at, 0, len - at))
		return 0;
	memcpy(out, line + at, len - at);
	out[len - at] = 0;
	return 1;
}

int vg_ldcache_pick(const char *text, size_t len, const char *soname, const char *arch_tag,
		    char *out, size_t outlen)
{
	size_t start = 0, end;

	if (!outlen)
		return 0;
	while (start < len) {
		const char *nl = memchr(text + start, '\n', len - start);

		end = nl ? (size_t)(nl - text) : len;
		if (pick_line(text + start, end - start, soname, arch_tag, out, outlen))
			return 1;
		start = end + 1;
	}
	out[0] = 0;
	return 0;
}

/* The flag ldconfig prints for this machine's native libraries. */
static const char *native_tag(void)
{
#if defined(__x86_64__)
	return "x86-64";
#elif defined(__aarch64__)
	return "AArch64";
#else
	return NULL;
#endif
}

/* Runs `ldconfig -p` (no shell) and returns its output, malloc'ed. */
static char *ldconfig_output(size_t *len)
{
	static const char *const paths[] = { "/sbin/ldconfig", "/usr/sbin/ldconfig" };
	posix_spawn_file_actions_t fa;
	char *buf = NULL;
	size_t cap = 0;
	int pfd[2], status;
	ssize_t n;
	pid_t pid = -1;

	*len = 0;
	if (pipe2(pfd, O_CLOEXEC))
		return NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	for (size_t i = 0; i < ARRAY_SIZE(paths) && pid < 0; i++) {
		char *argv[] = { (char *)paths[i], (char *)"-p", NULL };

		if (access(paths[i], X_OK) || posix_spawn(&pid, paths[i], &fa, NULL, argv, environ))
			pid = -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return NULL;
	}
	for (;;) {
		if (cap - *len < 4096) {
			char *more;

			if (cap >= LDCONFIG_OUTPUT_MAX)
				break;
			more = realloc(buf, cap + 65536);
			if (!more)
				break;
			buf = more;
			cap += 65536;
		}
		n = read(pfd[0], buf + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return buf;
}

int vg_libpam_find(char *out, size_t outlen)
{
	static const char *const dirs[] = { "/lib/%s", "/usr/lib/%s", "/lib64", "/usr/lib64",
					    "/lib", "/usr/lib" };
	struct utsname u;
	char triplet[64], dir[128];
	size_t len;
	char *text = ldconfig_output(&len);
	int found = text && vg_ldcache_pick(text, len, VG_LIBPAM_SONAME, native_tag(), out, outlen);

	free(text);
	if (found && access(out, R_OK) == 0)
		return 0;
	/* No cache entry: the multiarch directory of this machine, then the rest. */
	if (uname(&u))
		u.machine[0] = 0;
	snprintf(triplet, sizeof(triplet), "%s-linux-gnu", u.machine);
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(dir, sizeof(dir), dirs[i], triplet);
		if ((size_t)snprintf(out, outlen, "%s/%s", dir, VG_LIBPAM_SONAME) < outlen &&
		    access(out, R_OK) == 0)
			return 0;
	}
	if (outlen)
		out[0] = 0;
	return -ENOENT;
}
