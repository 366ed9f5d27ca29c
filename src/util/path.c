#include <string.h>

#include "util/path.h"

/* Appends one component to out (which holds a normalised absolute path). */
static int push_component(char *out, size_t size, size_t *len, const char *c, size_t clen)
{
	if (clen == 0 || (clen == 1 && c[0] == '.'))
		return 0;
	if (clen == 2 && c[0] == '.' && c[1] == '.') {
		while (*len > 1 && out[*len - 1] != '/')
			(*len)--;
		if (*len > 1)
			(*len)--; /* drop the slash too, but never the root */
		out[*len] = 0;
		return 0;
	}
	if (*len + (*len > 1) + clen + 1 > size)
		return -1;
	if (*len > 1)
		out[(*len)++] = '/';
	memcpy(out + *len, c, clen);
	*len += clen;
	out[*len] = 0;
	return 0;
}

static int push_path(char *out, size_t size, size_t *len, const char *p)
{
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t clen = slash ? (size_t)(slash - p) : strlen(p);

		if (push_component(out, size, len, p, clen))
			return -1;
		p += clen;
		while (*p == '/')
			p++;
	}
	return 0;
}

int vg_path_join(char *out, size_t size, const char *base, const char *rel)
{
	size_t len = 1;

	if (size < 2) {
		if (size == 1)
			out[0] = 0;
		return -1;
	}
	out[0] = '/';
	out[1] = 0;
	if (!rel)
		rel = "";
	if (rel[0] != '/' && base && push_path(out, size, &len, base))
		return -1;
	if (push_path(out, size, &len, rel))
		return -1;
	return (int)len;
}

int vg_path_has_dotdot(const char *p)
{
	for (const char *s = p; (s = strstr(s, "..")); s += 2)
		if ((s == p || s[-1] == '/') && (s[2] == 0 || s[2] == '/'))
			return 1;
	return 0;
}
