/* The build-id reader (src/ph/ph_buildid.c) on real files: this test's own
 * executable (linked with a build-id, as Debian's toolchains do), compared
 * with what readelf prints; a file that is not ELF has none; a path that
 * names another file than the executable seen is not read. The identity
 * (vg_ph_exe_identity()) is the build-id when there is one, else the
 * file's SHA-256 (compared with sha256sum), the same for a copy, another
 * for other content, none above the size limit. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "ph/ph_buildid.h"
#include "ph/ph_paths.h"

/* sha256sum's view of a file, the reference for the content hash */
static int sha256sum(const char *path, char *hex, size_t size)
{
	char cmd[4200];
	FILE *f;
	int ok;

	snprintf(cmd, sizeof(cmd), "sha256sum '%s' 2>/dev/null", path);
	f = popen(cmd, "r");
	if (!f)
		return 0;
	ok = fscanf(f, "%64s", hex) == 1 && strlen(hex) == 64 && size > 64;
	pclose(f);
	return ok;
}

static int write_file(char *tmpl, const char *content, size_t len, struct stat *st)
{
	int fd = mkstemp(tmpl);

	if (fd < 0)
		return -1;
	if (write(fd, content, len) != (ssize_t)len || fstat(fd, st)) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static void test_content_identity(const char *self)
{
	unsigned char id[VG_PH_BUILD_ID_MAX], id2[VG_PH_BUILD_ID_MAX], bid[VG_PH_BUILD_ID_MAX];
	char a[] = "/tmp/vigil-cid-XXXXXX", b[] = "/tmp/vigil-cid-XXXXXX";
	char c[] = "/tmp/vigil-cid-XXXXXX", big[] = "/tmp/vigil-cid-XXXXXX";
	char hex[2 * VG_PH_BUILD_ID_MAX + 1], want[80], ref[72];
	const char script[] = "#!/bin/sh\necho hi\n";
	struct stat sa, sb, sc, st;
	int n, m, fd;

	/* a file without a build-id: the tag, then SHA-256 of its content */
	CHECK_INT(write_file(a, script, sizeof(script) - 1, &sa), 0);
	n = vg_ph_exe_identity(a, vg_kernel_dev(sa.st_dev), sa.st_ino, id, sizeof(id));
	CHECK_INT(n, VG_PH_CONTENT_ID_LEN);
	CHECK_INT(id[0], VG_PH_CONTENT_ID_TAG);
	CHECK(sha256sum(a, ref, sizeof(ref)));
	snprintf(want, sizeof(want), "sha256:%s", ref);
	vg_ph_build_id_hex(id, n > 0 ? (size_t)n : 0, hex, sizeof(hex));
	CHECK_STR(hex, want);
	/* build-id only: none */
	CHECK_INT(vg_ph_build_id(a, vg_kernel_dev(sa.st_dev), sa.st_ino, bid, sizeof(bid)), 0);
	/* a copy (another inode): the same identity */
	CHECK_INT(write_file(b, script, sizeof(script) - 1, &sb), 0);
	m = vg_ph_exe_identity(b, vg_kernel_dev(sb.st_dev), sb.st_ino, id2, sizeof(id2));
	CHECK_INT(m, n);
	CHECK(n > 0 && m == n && !memcmp(id, id2, (size_t)n));
	/* one byte different: another */
	CHECK_INT(write_file(c, "#!/bin/sh\necho ho\n", sizeof(script) - 1, &sc), 0);
	m = vg_ph_exe_identity(c, vg_kernel_dev(sc.st_dev), sc.st_ino, id2, sizeof(id2));
	CHECK_INT(m, VG_PH_CONTENT_ID_LEN);
	CHECK(memcmp(id, id2, VG_PH_CONTENT_ID_LEN));
	/* the path names another file now: not read, not hashed */
	CHECK_INT(vg_ph_exe_identity(a, vg_kernel_dev(sa.st_dev), sa.st_ino + 1, id, sizeof(id)),
		  -ESTALE);
	/* too small a buffer for the hash: none, never overflowed */
	CHECK_INT(vg_ph_exe_identity(a, vg_kernel_dev(sa.st_dev), sa.st_ino, id, 32), 0);
	/* larger than the limit (sparse): not hashed */
	fd = mkstemp(big);
	CHECK(fd >= 0);
	CHECK_INT(ftruncate(fd, (off_t)VG_PH_CONTENT_HASH_MAX + 1), 0);
	CHECK_INT(fstat(fd, &st), 0);
	close(fd);
	CHECK_INT(vg_ph_exe_identity(big, vg_kernel_dev(st.st_dev), st.st_ino, id, sizeof(id)), 0);
	/* an ELF file with a build-id: the build-id, not a hash */
	CHECK_INT(stat(self, &st), 0);
	n = vg_ph_exe_identity(self, vg_kernel_dev(st.st_dev), st.st_ino, id, sizeof(id));
	m = vg_ph_build_id(self, vg_kernel_dev(st.st_dev), st.st_ino, bid, sizeof(bid));
	CHECK(n > 0 && n == m && !memcmp(id, bid, (size_t)n));
	unlink(a);
	unlink(b);
	unlink(c);
	unlink(big);
}

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
	test_content_identity(self);
	return check_report();
}
