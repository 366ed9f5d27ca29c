/* vigil dashboard: prints the running monitor's dashboard URL (with its
 * access token) again, from the root-only file `vigil run` wrote. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/config_load.h"

static const char usage[] =
	"Usage: vigil dashboard [--config PATH] [--token-file PATH]\n\n"
	"Prints the URL of the running monitor's web dashboard, with its access\n"
	"token, from web.token_file (default /run/vigil/dashboard.url; root only).\n"
	"The dashboard runs when web.listen is set (docs/dashboard.md).\n";

int cmd_dashboard(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, 0, 'c' },
		{ "token-file", required_argument, 0, 't' },
		{ "help", no_argument, 0, 'h' },
		{ 0 },
	};
	const char *config = NULL, *file = NULL;
	struct vg_config *cfg = NULL;
	char buf[1024];
	ssize_t n;
	int c, fd;

	while ((c = getopt_long(argc, argv, "c:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 't':
			file = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fputs(usage, stderr);
		return 2;
	}
	if (!file) {
		if (vg_cli_config_build(&cfg, config, NULL, 0))
			return 2;
		file = cfg->web.token_file;
	}
	fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		fprintf(stderr, "vigil: %s: %s%s\n", file, strerror(e),
			e == ENOENT ? " (no dashboard running: is `vigil run` running with web.listen set?)"
			: e == EACCES ? " (root only)" : "");
		vg_config_free(cfg);
		return 1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	vg_config_free(cfg);
	if (n <= 0 || strncmp(buf, "http", 4)) {
		fprintf(stderr, "vigil: %s holds no dashboard URL\n", file);
		return 1;
	}
	buf[n] = 0;
	fputs(buf, stdout);
	return 0;
}
