/* The build-id reader (src/ph/ph_buildid.c) on real files: this test's own
 * executable (linked with a build-id, as Debian's toolchains do), compared
 * with what readelf prints; a file that is not ELF has none; a path that
 * names another file than the executable seen is not read. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "ph/ph_buildid.h"
#include "ph/ph_paths.h"

/* readelf's view of the same file, the reference */
static int readelf_build_id(const char *path, char *hex, size_t size)
{
	char cmd[4200], line[512];
	FILE *f;
	int found = 0;

	snprintf(cmd, sizeof(cmd), "readelf -n '%s' 2>/dev/null", path);
	f = popen(cmd, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "Build ID: ");

		if (p && sscanf(p + 10, "%127s", hex) == 1 && strlen(hex) < size)
			found = 1;
	}
	pclose(f);
	return found;
}

int main(void)
{
	unsigned char bid[VG_PH_BUILD_ID_MAX];
	char self[4096], hex[2 * VG_PH_BUILD_ID_MAX + 1], want[128];
	char tmp[] = "/tmp/vigil-bid-XXXXXX";
	struct stat st;
	ssize_t n;
	int len, fd;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	CHECK(n > 0);
	self[n > 0 ? n : 0] = 0;
	CHECK_INT(stat(self, &st), 0);
	CHECK(readelf_build_id(self, want, sizeof(want)));
	len = vg_ph_build_id(self, vg_kernel_dev(st.st_dev), st.st_ino, bid, sizeof(bid));
	CHECK(len > 0);
	vg_ph_build_id_hex(bid, len > 0 ? (size_t)len : 0, hex, sizeof(hex));
	CHECK_STR(hex, want);

	/* the path now names another file than (dev, ino) */
	CHECK_INT(vg_ph_build_id(self, vg_kernel_dev(st.st_dev), st.st_ino + 1, bid, sizeof(bid)),
		  -ESTALE);
	CHECK_INT(vg_ph_build_id("/nonexistent/vigil", 0, 0, bid, sizeof(bid)), -ENOENT);

	/* a script, not ELF: no build-id */
	fd = mkstemp(tmp);
	CHECK(fd >= 0);
	CHECK_INT(write(fd, "#!/bin/sh\necho hi\n", 18), 18);
	CHECK_INT(fstat(fd, &st), 0);
	close(fd);
	CHECK_INT(vg_ph_build_id(tmp, vg_kernel_dev(st.st_dev), st.st_ino, bid, sizeof(bid)), 0);
	unlink(tmp);

	/* a field too small for the id: treated as none, never overflowed */
	CHECK_INT(stat(self, &st), 0);
	CHECK_INT(vg_ph_build_id(self, vg_kernel_dev(st.st_dev), st.st_ino, bid, 4), 0);
	vg_ph_build_id_hex(bid, 0, hex, sizeof(hex));
	CHECK_STR(hex, "");
	return check_report();
}
