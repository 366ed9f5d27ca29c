/* Function symbols of a shared library, from its ELF dynamic symbol table
 * (libelf), as file offsets: what a uprobe is attached at. */
#ifndef VIGIL_AUTH_ELF_SYMBOLS_H
#define VIGIL_AUTH_ELF_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

#define VG_ELF_ERR_LEN 256

/* One wanted symbol; offset is filled in (0 = not found). */
struct vg_elf_sym {
	const char *name;
	uint64_t offset;
};

/* Looks up each symbol in the dynamic symbol table of the ELF file at path:
 * a defined function (STT_FUNC or STT_GNU_IFUNC); of several versions of one
 * name, the default one. Returns the number found (>= 0), or a negative
 * errno with err naming the file and the problem. */
int vg_elf_symbols_file(const char *path, struct vg_elf_sym *syms, size_t n, char *err,
			size_t errlen);
/* The same on an ELF image in memory (size bytes; not modified); name is
 * used in messages. */
int vg_elf_symbols_mem(const void *image, size_t size, const char *name, struct vg_elf_sym *syms,
		       size_t n, char *err, size_t errlen);

#endif
