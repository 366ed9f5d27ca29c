/* Shells relayed to the network: see relay.h. */
#include "fields/relay.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SOCKETS_MAX 64	    /* sockets of one process looked up */
#define FDS_MAX 1024	    /* descriptors of one process read */
#define TABLE_LINES_MAX 65536 /* lines of one socket table read */

/* The socket inodes pid holds (at most SOCKETS_MAX); *has_pipe when it
 * holds pipe_ino. -1 when its descriptors cannot be read. */
static int socket_inodes(uint32_t pid, uint64_t pipe_ino, uint64_t *out, bool *has_pipe)
{
	char dir[64], link[64 + 256], target[64];
	struct dirent *d;
	int n = 0, seen = 0;
	DIR *dp;

	snprintf(dir, sizeof(dir), "/proc/%" PRIu32 "/fd", pid);
	dp = opendir(dir);
	if (!dp)
		return -1;
	while ((d = readdir(dp)) && seen++ < FDS_MAX) {
		ssize_t len;
		uint64_t ino;

		if (d->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%s", dir, d->d_name);
		len = readlink(link, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = 0;
		if (sscanf(target, "socket:[%" SCNu64 "]", &ino) == 1 && n < SOCKETS_MAX)
			out[n++] = ino;
		else if (pipe_ino && sscanf(target, "pipe:[%" SCNu64 "]", &ino) == 1 && ino == pipe_ino)
			*has_pipe = true;
	}
	closedir(dp);
	return n;
}

/* Is one of the inodes in the socket table at path (its tenth column)? */
static bool in_table(const char *path, const uint64_t *inodes, int n)
{
	char line[512];
	bool found = false;
	FILE *f = fopen(path, "re");
	int lines = 0;

	if (!f)
		return false;
	while (!found && lines++ < TABLE_LINES_MAX && fgets(line, sizeof(line), f)) {
		unsigned long long ino;

		if (sscanf(line, "%*s %*s %*s %*s %*s %*s %*s %*s %*s %llu", &ino) != 1)
			continue; /* the header */
		for (int i = 0; i < n && !found; i++)
			found = inodes[i] == ino && ino;
	}
	fclose(f);
	return found;
}

bool vg_relay_holds_net(uint32_t pid, uint64_t pipe_ino)
{
	static const char *const tables[] = { "tcp", "tcp6", "udp", "udp6" };
	uint64_t inodes[SOCKETS_MAX];
	bool has_pipe = false;
	char path[64];
	int n;

	if (!pid)
		return false;
	n = socket_inodes(pid, pipe_ino, inodes, &has_pipe);
	if (n <= 0 || (pipe_ino && !has_pipe))
		return false;
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		snprintf(path, sizeof(path), "/proc/%" PRIu32 "/net/%s", pid, tables[i]);
		if (in_table(path, inodes, n))
			return true;
	}
	return false;
}

bool vg_shell_args_read_stdin(const char *args, size_t len)
{
	size_t i = 0;

	while (i < len) {
		const char *a = args + i;
		size_t n = strnlen(a, len - i);

		if (a[0] != '-')
			return false; /* a script operand */
		if (a[1] != '-' && strchr(a, 'c'))
			return false; /* -c: the commands are an argument */
		if (!strcmp(a, "--"))
			return i + n + 1 >= len; /* "--" then a script */
		i += n + 1;
	}
	return true;
}
