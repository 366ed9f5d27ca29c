/* fdinfo parsing: "key:\tvalue" lines; only the BPF ids are looked at. The
 * text comes from the kernel but is treated as untrusted: bounded, never
 * assumed NUL-terminated, numbers checked for range. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "audit/fdinfo.h"

/* A decimal id that fits 32 bits, digits only (spaces/tabs before it). */
static int parse_id(const char *p, const char *end, uint32_t *out)
{
	uint64_t v = 0;
	int digits = 0;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > UINT32_MAX)
			return -EINVAL;
		digits++;
	}
	if (!digits || p != end)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static const char *const keys[] = { [VG_BPF_PROG] = "prog_id", [VG_BPF_MAP] = "map_id",
				    [VG_BPF_LINK] = "link_id" };

int vg_fdinfo_parse(const char *text, size_t len, struct vg_fdinfo *out, unsigned *line)
{
	const char *p = text, *end = text + len;
	uint32_t ids[VG_BPF_LINK + 1] = { 0 };
	bool seen[VG_BPF_LINK + 1] = { false };
	unsigned n = 0;

	memset(out, 0, sizeof(*out));
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *colon;

		if (!eol)
			eol = end;
		n++;
		colon = memchr(p, ':', (size_t)(eol - p));
		for (int k = VG_BPF_PROG; colon && k <= VG_BPF_LINK; k++) {
			size_t klen = (size_t)(colon - p);

			if (strlen(keys[k]) != klen || memcmp(p, keys[k], klen))
				continue;
			if (parse_id(colon + 1, eol, &ids[k])) {
				if (line)
					*line = n;
				return -EINVAL;
			}
			seen[k] = true;
		}
		p = eol < end ? eol + 1 : end;
	}
	/* A link's fdinfo also names its program. */
	if (seen[VG_BPF_LINK]) {
		out->kind = VG_BPF_LINK;
		out->id = ids[VG_BPF_LINK];
		out->prog_id = ids[VG_BPF_PROG];
	} else if (seen[VG_BPF_PROG]) {
		out->kind = VG_BPF_PROG;
		out->id = ids[VG_BPF_PROG];
	} else if (seen[VG_BPF_MAP]) {
		out->kind = VG_BPF_MAP;
		out->id = ids[VG_BPF_MAP];
	}
	return out->kind == VG_BPF_NONE ? -ENOENT : 0;
}
