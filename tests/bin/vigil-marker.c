/* vigil-marker MARKER: the first thing this program does, in a constructor
 * that runs before main(), is create MARKER. The deny-list test execs it
 * under a denied name: if the file appears, the program ran. */
#include <fcntl.h>
#include <unistd.h>

__attribute__((constructor(101))) static void mark(int argc, char **argv)
{
	int fd;

	if (argc < 2)
		return;
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		(void)!write(fd, "ran\n", 4);
		close(fd);
	}
}

int main(int argc, char **argv)
{
	return argc < 2 ? 2 : 0;
}
