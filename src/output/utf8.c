/* Process names, paths and arguments are bytes, not text: a file can be
 * called "\xff\n\"". JSON must be UTF-8, so invalid sequences are replaced,
 * byte by byte, with U+FFFD (the text output escapes them as \\xNN
 * instead). */
#include "output/alert.h"

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0 if invalid. */
size_t vg_utf8_seq(const unsigned char *s, size_t left)
{
	unsigned c = s[0];
	size_t n;
	unsigned min;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, min = 0x80, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, min = 0x800, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, min = 0x10000, cp = c & 0x07;
	else
		return 0;
	if (left < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

size_t vg_utf8_sanitize(char *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;

	for (size_t i = 0; i < len;) {
		size_t n = vg_utf8_seq(p + i, len - i);

		if (n == 0) {
			out[o++] = (char)0xef;
			out[o++] = (char)0xbf;
			out[o++] = (char)0xbd;
			i++;
			continue;
		}
		for (size_t k = 0; k < n; k++)
			out[o++] = (char)p[i + k];
		i += n;
	}
	out[o] = 0;
	return o;
}
