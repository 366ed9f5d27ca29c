/* Symbol offsets from real libraries on this machine, checked against the
 * bytes at the offset (an x86-64 function starts with endbr64 on Debian's
 * hardened builds, or at least is not zeros), plus bad input: a missing
 * file, a file that is not ELF, a truncated library; and the ldconfig
 * output parser. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/elf_symbols.h"
#include "auth/libpam_path.h"
#include "check.h"
#include "util/macros.h"

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	struct stat st;

	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) || !(buf = malloc((size_t)st.st_size))) {
		fclose(f);
		return NULL;
	}
	*len = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	return buf;
}

static void test_libpam(void)
{
	struct vg_elf_sym syms[] = { { "pam_start", 0 },	     { "pam_authenticate", 0 },
				     { "pam_end", 0 },	     { "pam_set_item", 0 },
				     { "pam_start", 0 } /* asked twice */, { "no_such_function", 0 },
				     { "pam_get_authtok_x", 0 } };
	char path[4096], err[VG_ELF_ERR_LEN] = "", mem_err[VG_ELF_ERR_LEN];
	struct vg_elf_sym again[ARRAY_SIZE(syms)];
	unsigned char *image;
	size_t len = 0;
	int n;

	if (vg_libpam_find(path, sizeof(path))) {
		printf("SKIP: no libpam on this machine\n");
		return;
	}
	n = vg_elf_symbols_file(path, syms, ARRAY_SIZE(syms), err, sizeof(err));
	CHECK_INT(n, 5);
	CHECK(syms[0].offset != 0);
	CHECK(syms[1].offset != 0 && syms[1].offset != syms[0].offset);
	CHECK(syms[4].offset == syms[0].offset);
	CHECK(syms[5].offset == 0);
	CHECK(syms[6].offset == 0);
	image = slurp(path, &len);
	CHECK(image != NULL);
	if (!image)
		return;
	for (int i = 0; i < 4; i++) {
		CHECK(syms[i].offset + 4 <= len);
#if defined(__x86_64__) && defined(__CET__)
		/* endbr64: the first instruction of an indirect-branch target */
		CHECK(image[syms[i].offset] == 0xf3 && image[syms[i].offset + 1] == 0x0f &&
		      image[syms[i].offset + 2] == 0x1e && image[syms[i].offset + 3] == 0xfa);
#endif
	}
	/* the same from memory */
	memcpy(again, syms, sizeof(again));
	n = vg_elf_symbols_mem(image, len, path, again, ARRAY_SIZE(again), mem_err,
			       sizeof(mem_err));
	CHECK_INT(n, 5);
	for (size_t i = 0; i < ARRAY_SIZE(again); i++)
		CHECK(again[i].offset == syms[i].offset);
	/* truncated to its first 4 KiB: an error or nothing found, never a crash */
	n = vg_elf_symbols_mem(image, len < 4096 ? len : 4096, "head", again, 2, mem_err,
			       sizeof(mem_err));
	CHECK(n <= 0);
	free(image);
}

static void test_bad_files(void)
{
	struct vg_elf_sym s[] = { { "main", 0 } };
	char err[VG_ELF_ERR_LEN];
	char tmp[] = "/tmp/vigil-elf-XXXXXX";
	int fd;

	CHECK_INT(vg_elf_symbols_file("/nonexistent/libx.so", s, 1, err, sizeof(err)), -ENOENT);
	CHECK(strstr(err, "/nonexistent/libx.so: ") == err);
	fd = mkstemp(tmp);
	CHECK(fd >= 0);
	if (fd >= 0) {
		CHECK(write(fd, "#!/bin/sh\necho hi\n", 18) == 18);
		close(fd);
		CHECK(vg_elf_symbols_file(tmp, s, 1, err, sizeof(err)) < 0);
		CHECK(strstr(err, tmp) == err);
		CHECK(strstr(err, "not an ELF file") != NULL);
		unlink(tmp);
	}
	CHECK(vg_elf_symbols_mem("", 0, "empty", s, 1, err, sizeof(err)) < 0);
	CHECK(strstr(err, "empty: ") == err);
}

static void test_ldcache_parse(void)
{
	static const char text[] =
		"1234 libs found in cache `/etc/ld.so.cache'\n"
		"\tlibpamc.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libpamc.so.0\n"
		"\tlibpam.so.0 (libc6) => /lib/i386-linux-gnu/libpam.so.0\n"
		"\tlibpam.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libpam.so.0\n"
		"\tlibpam_misc.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libpam_misc.so.0\n";
	char out[256], tiny[8];

	CHECK_INT(vg_ldcache_pick(text, strlen(text), "libpam.so.0", "x86-64", out, sizeof(out)),
		  1);
	CHECK_STR(out, "/lib/x86_64-linux-gnu/libpam.so.0");
	CHECK_INT(vg_ldcache_pick(text, strlen(text), "libpam.so.0", NULL, out, sizeof(out)), 1);
	CHECK_STR(out, "/lib/i386-linux-gnu/libpam.so.0");
	CHECK_INT(vg_ldcache_pick(text, strlen(text), "libfoo.so.1", NULL, out, sizeof(out)), 0);
	CHECK_INT(vg_ldcache_pick(text, strlen(text), "libpam.so.0", "x86-64", tiny, sizeof(tiny)),
		  0);
	CHECK_INT(vg_ldcache_pick("\tlibpam.so.0 (libc6,x86-64) => relative/path\n", 44,
				  "libpam.so.0", NULL, out, sizeof(out)),
		  0);
	CHECK_INT(vg_ldcache_pick("\tlibpam.so.0 (libc6", 19, "libpam.so.0", NULL, out, sizeof(out)),
		  0);
	/* no trailing newline */
	CHECK_INT(vg_ldcache_pick("libpam.so.0 (x86-64) => /p", 26, "libpam.so.0", "x86-64", out,
				  sizeof(out)),
		  1);
	CHECK_STR(out, "/p");
}

int main(void)
{
	test_libpam();
	test_bad_files();
	test_ldcache_parse();
	return check_report();
}
