/*
 * RFC 3629 UTF-8 validation (utf8.h); the lead byte's range already rules
 * out overlong two-byte forms and code points above U+10FFFF's lead.
 */
#include <stdint.h>

#include "common/error.h"
#include "common/utf8.h"

/* Walk sequences; decode each to reject overlongs and surrogates. */
int
utf8_check(const void *buf, size_t len, size_t *bad)
{
	const unsigned char *s = buf;
	size_t i = 0, n, k;
	uint32_t cp;

	while (i < len) {
		unsigned char c = s[i];

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			goto fail;
		}
		if (n > len - i - 1)
			goto fail;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				goto fail;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			goto fail;
		i += n + 1;
	}
	return CA_OK;
fail:
	if (bad != NULL)
		*bad = i;
	return CA_EPARSE;
}

/* The yes/no form of utf8_check. */
bool
utf8_valid(const void *s, size_t len)
{
	return utf8_check(s, len, NULL) == CA_OK;
}
