/* vigil.grep.credential_search: a grep whose pattern, read and compiled as
 * grep does, finds credentials (see grep_search.c). */
#ifndef VIGIL_FIELDS_GREP_SEARCH_H
#define VIGIL_FIELDS_GREP_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

/* exe: the executable's path (grep, egrep, fgrep, zgrep... by its name);
 * args: argv[1...], each NUL-terminated, len counting the NULs. */
bool vg_grep_credential_search(const char *exe, const char *args, size_t len);

/* The same, with pattern files (-f FILE) read: relative names against cwd
 * (the process's working directory; NULL: only absolute names are read).
 * rg and ag (by exe's name) are read with their own options. */
bool vg_grep_credential_search_at(const char *exe, const char *args, size_t len, const char *cwd);

#endif
