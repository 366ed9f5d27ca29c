/* An independent strict UTF-8 check (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF), written apart from src/output/utf8.c so the tests
 * and the decode fuzzer judge vigil's JSON by a second implementation. */
#ifndef VIGIL_TEST_UTF8_CHECK_H
#define VIGIL_TEST_UTF8_CHECK_H

#include <stddef.h>

static int valid_utf8(const void *p, size_t len)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < len;) {
		unsigned c = s[i], need, cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0)
			need = 1, cp = c & 0x1f;
		else if ((c & 0xf0) == 0xe0)
			need = 2, cp = c & 0x0f;
		else if ((c & 0xf8) == 0xf0)
			need = 3, cp = c & 0x07;
		else
			return 0;
		if (i + need >= len) /* cut short */
			return 0;
		for (unsigned k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((need == 1 && cp < 0x80) || (need == 2 && cp < 0x800) ||
		    (need == 3 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
}

#endif
