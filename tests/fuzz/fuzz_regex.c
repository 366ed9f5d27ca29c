/* Fuzz target for the regex interface (rules/re2_c.h): the input is a
 * pattern and a subject separated by the first NUL byte (no NUL: the input
 * is matched against itself as a pattern). Whatever the bytes, compiling
 * either succeeds or names a reason, and a match answers 1, 0 or a
 * negative errno without reading outside the subject. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/re2_c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t plen = nul ? (size_t)(nul - data) : size;
	const char *subj = nul ? (const char *)nul + 1 : (const char *)data;
	size_t slen = nul ? size - plen - 1 : size;
	char err[160];
	struct vg_re *re;
	char *copy;
	int r;

	/* an exact-size copy, so that ASan sees any read past the subject */
	copy = malloc(slen ? slen : 1);
	if (!copy)
		return 0;
	memcpy(copy, subj, slen);
	re = vg_re_compile((const char *)data, plen, err, sizeof(err));
	if (!re) {
		if (!err[0] || !memchr(err, 0, sizeof(err)))
			abort(); /* a refusal always says why */
		free(copy);
		return 0;
	}
	r = vg_re_full_match(re, copy, slen);
	if (r != 0 && r != 1)
		abort(); /* no error is possible for a subject this size */
	vg_re_free(re);
	free(copy);
	return 0;
}
