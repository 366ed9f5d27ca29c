/* What an executable is: its GNU build-id, else a hash of its content;
 * see exe_identity.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <elf.h>
#include <gelf.h>
#include <libelf.h>
#include <openssl/evp.h>

#include "util/exe_identity.h"

/* The build-id in one note section or segment's data; 0 when none. */
static int id_in_notes(Elf_Data *data, unsigned char *out, size_t cap)
{
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;

	while (data && off < data->d_size &&
	       (off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
		if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
		    memcmp((const char *)data->d_buf + name_off, "GNU", 4))
			continue;
		if (nh.n_descsz == 0 || nh.n_descsz > cap)
			return 0; /* not a size any linker writes: treat as none */
		memcpy(out, (const char *)data->d_buf + desc_off, nh.n_descsz);
		return (int)nh.n_descsz;
	}
	return 0;
}

/* Sections first (what ld writes); then PT_NOTE segments, for files whose
 * section headers were stripped. */
static int id_of_elf(Elf *elf, unsigned char *out, size_t cap)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	GElf_Phdr ph;
	size_t nph;
	int n;

	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		n = id_in_notes(elf_getdata(scn, NULL), out, cap);
		if (n > 0)
			return n;
	}
	if (elf_getphdrnum(elf, &nph))
		return 0;
	for (size_t i = 0; i < nph; i++) {
		Elf_Data *d;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_NOTE)
			continue;
		d = elf_getdata_rawchunk(elf, (int64_t)ph.p_offset, ph.p_filesz, ELF_T_NHDR);
		n = id_in_notes(d, out, cap);
		if (n > 0)
			return n;
	}
	return 0;
}

/* SHA-256 of the whole file behind fd, after the tag byte; 0 on a read
 * error (or a file that changes size while read: no identity then). */
static int content_id(int fd, const struct stat *st, unsigned char *out)
{
	unsigned char buf[65536];
	unsigned int len = 0;
	off_t at = 0;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL);

	while (ok && at < st->st_size) {
		ssize_t n = pread(fd, buf, sizeof(buf), at);

		if (n <= 0) {
			ok = 0;
			break;
		}
		ok = EVP_DigestUpdate(md, buf, (size_t)n);
		at += n;
	}
	if (ok)
		ok = EVP_DigestFinal_ex(md, out + 1, &len) && len == VG_EXE_CONTENT_ID_LEN - 1;
	EVP_MD_CTX_free(md);
	if (!ok || at != st->st_size)
		return 0;
	out[0] = VG_EXE_CONTENT_ID_TAG;
	return VG_EXE_CONTENT_ID_LEN;
}

/* kernel dev_t (major << 20 | minor) of a stat's st_dev */
static uint64_t kernel_dev(dev_t d)
{
	return ((uint64_t)major(d) << 20) | minor(d);
}

static int identity(const char *path, uint64_t kdev, uint64_t ino, unsigned char *out, size_t cap,
		    int hash)
{
	struct stat st;
	Elf *elf;
	int fd, n;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if (kernel_dev(st.st_dev) != kdev || st.st_ino != ino) {
		close(fd);
		return -ESTALE;
	}
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	n = elf && elf_kind(elf) == ELF_K_ELF ? id_of_elf(elf, out, cap) : 0;
	if (elf)
		elf_end(elf);
	if (!n && hash && cap >= VG_EXE_CONTENT_ID_LEN &&
	    (uint64_t)st.st_size <= VG_EXE_CONTENT_HASH_MAX)
		n = content_id(fd, &st, out);
	close(fd);
	return n;
}

int vg_exe_build_id(const char *path, uint64_t kdev, uint64_t ino, unsigned char *out, size_t cap)
{
	return identity(path, kdev, ino, out, cap, 0);
}

int vg_exe_identity(const char *path, uint64_t kdev, uint64_t ino, unsigned char *out,
		       size_t cap)
{
	return identity(path, kdev, ino, out, cap, 1);
}

void vg_exe_id_hex(const unsigned char *id, size_t len, char *buf, size_t size)
{
	size_t at = 0;

	if (size)
		buf[0] = 0;
	if (len == VG_EXE_CONTENT_ID_LEN && id[0] == VG_EXE_CONTENT_ID_TAG && size > 7) {
		at = (size_t)snprintf(buf, size, "sha256:");
		id++;
		len--;
	}
	for (size_t i = 0; i < len && at + 3 <= size; i++)
		at += (size_t)snprintf(buf + at, size - at, "%02x", id[i]);
}
