/* Dynamic symbol lookup with libelf. Everything read from the file is
 * checked: libelf bounds the section data and string reads, and an address
 * is only turned into a file offset inside a loadable segment's file bytes.
 * Any ELF file may be handed in, so a bad one yields an error, never a
 * crash or a wild offset. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/elf_symbols.h"

#define MAX_WANTED 64	     /* symbols per call */
#define VERSYM_HIDDEN 0x8000 /* a non-default version (name@VER, not @@VER) */

static int fail(char *err, size_t errlen, int ret, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int fail(char *err, size_t errlen, int ret, const char *name, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (errlen) {
		n = snprintf(err, errlen, "%s: ", name);
		if (n < 0 || (size_t)n >= errlen)
			n = 0;
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - n, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* The file offset of a virtual address, through the segment holding it. */
static int addr_to_offset(Elf *elf, uint64_t addr, uint64_t *off)
{
	size_t nph, i, size;
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &nph))
		return -ENOENT;
	for (i = 0; i < nph; i++) {
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (addr < ph.p_vaddr || addr - ph.p_vaddr >= ph.p_filesz)
			continue;
		if (ph.p_offset > UINT64_MAX - (addr - ph.p_vaddr))
			return -ERANGE;
		*off = ph.p_offset + (addr - ph.p_vaddr);
		/* a header may claim more than the file holds: a probe there
		 * would never hit */
		if (!elf_rawfile(elf, &size) || *off >= size)
			return -ERANGE;
		return 0;
	}
	return -ENOENT;
}

static Elf_Scn *find_section(Elf *elf, GElf_Word type, GElf_Shdr *out)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, out) && out->sh_type == type)
			return scn;
	return NULL;
}

static int lookup(Elf *elf, const char *name, struct vg_elf_sym *syms, size_t n, char *err,
		  size_t errlen)
{
	bool hidden[MAX_WANTED] = { false };
	Elf_Data *data, *vdata = NULL;
	Elf_Scn *scn, *vscn;
	GElf_Shdr sh, vsh;
	GElf_Ehdr eh;
	size_t nsyms, entsize, i, j;
	int found = 0;

	if (n > MAX_WANTED)
		return fail(err, errlen, -EINVAL, name, "more than %d symbols asked for", MAX_WANTED);
	for (j = 0; j < n; j++)
		syms[j].offset = 0;
	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh))
		return fail(err, errlen, -ENOEXEC, name, "not an ELF file");
	if (eh.e_type != ET_DYN && eh.e_type != ET_EXEC)
		return fail(err, errlen, -ENOEXEC, name, "not a shared library or executable");
	scn = find_section(elf, SHT_DYNSYM, &sh);
	if (!scn)
		return fail(err, errlen, -ENOENT, name, "no dynamic symbol table");
	data = elf_getdata(scn, NULL);
	entsize = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);
	if (!data || !entsize)
		return fail(err, errlen, -ENOEXEC, name, "unreadable dynamic symbol table: %s",
			    elf_errmsg(-1));
	nsyms = data->d_size / entsize;
	vscn = find_section(elf, SHT_GNU_versym, &vsh);
	if (vscn)
		vdata = elf_getdata(vscn, NULL);

	for (i = 1; i < nsyms; i++) {
		GElf_Sym s;
		GElf_Versym v = 0;
		const char *sname;
		int type;
		uint64_t off;

		if (!gelf_getsym(data, (int)i, &s))
			break;
		type = GELF_ST_TYPE(s.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || s.st_shndx == SHN_UNDEF ||
		    !s.st_value)
			continue;
		sname = elf_strptr(elf, sh.sh_link, s.st_name);
		if (!sname)
			continue;
		if (vdata && !gelf_getversym(vdata, (int)i, &v))
			v = 0;
		/* a name may be asked for more than once (entry and return) */
		for (j = 0; j < n; j++) {
			if (strcmp(sname, syms[j].name))
				continue;
			/* the default version wins over an older one of the same name */
			if (syms[j].offset && (!hidden[j] || (v & VERSYM_HIDDEN)))
				continue;
			if (addr_to_offset(elf, s.st_value, &off))
				break; /* not in any loadable segment: not attachable */
			if (!syms[j].offset)
				found++;
			syms[j].offset = off;
			hidden[j] = (v & VERSYM_HIDDEN) != 0;
		}
	}
	return found;
}

int vg_elf_symbols_mem(const void *image, size_t size, const char *name, struct vg_elf_sym *syms,
		       size_t n, char *err, size_t errlen)
{
	char *copy;
	Elf *elf;
	int ret;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return fail(err, errlen, -ENOSYS, name, "libelf: %s", elf_errmsg(-1));
	if (!size)
		return fail(err, errlen, -ENOEXEC, name, "empty file");
	/* libelf may write to the image it is given: work on a copy */
	copy = malloc(size);
	if (!copy)
		return fail(err, errlen, -ENOMEM, name, "out of memory");
	memcpy(copy, image, size);
	elf = elf_memory(copy, size);
	if (!elf) {
		free(copy);
		return fail(err, errlen, -ENOEXEC, name, "libelf: %s", elf_errmsg(-1));
	}
	ret = lookup(elf, name, syms, n, err, errlen);
	elf_end(elf);
	free(copy);
	return ret;
}

int vg_elf_symbols_file(const char *path, struct vg_elf_sym *syms, size_t n, char *err,
			size_t errlen)
{
	Elf *elf;
	int fd, ret;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return fail(err, errlen, -ENOSYS, path, "libelf: %s", elf_errmsg(-1));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		return fail(err, errlen, ret, path, "%s", strerror(-ret));
	}
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf) {
		close(fd);
		return fail(err, errlen, -ENOEXEC, path, "libelf: %s", elf_errmsg(-1));
	}
	ret = lookup(elf, path, syms, n, err, errlen);
	elf_end(elf);
	close(fd);
	return ret;
}
