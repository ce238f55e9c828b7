/*
 * libFuzzer target for the RFC 4514 DN parser (dn_parse_string), as
 * templates, the [security] lists and the API meet DNs as text: a string
 * that parses must format and re-parse to an equal Name, and its DER
 * encoding must decode and re-encode to the same bytes.
 *
 * XXX: not asserted: dn_equal on the decoded DER. A value given in hex
 * form ("E=#160f...") stays hex in struct dn, the same value decoded from
 * DER becomes text, and dn_equal/dn_format tell them apart though RFC 4514
 * §2.4 makes them the same value (found by this target; reported to the
 * DN code's owners).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "policy/dn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct dn a, b, c;
	static unsigned char der[DN_DER_MAX], der2[DN_DER_MAX];
	static char text[DN_STRING_MAX];
	char why[CA_WHY_MAX], *s;
	size_t n, n2;

	if ((s = malloc(len + 1)) == NULL)
		return 0;
	memcpy(s, data, len);
	s[len] = '\0';
	if (dn_parse_string(s, &a, why, sizeof(why)) == CA_OK) {
		if (dn_format(&a, text, sizeof(text)) == CA_OK &&
		    (dn_parse_string(text, &b, why, sizeof(why)) != CA_OK ||
		    !dn_equal(&a, &b)))
			abort();
		if (dn_encode(&a, der, sizeof(der), &n, why, sizeof(why)) ==
		    CA_OK && (dn_parse_der(der, n, &c, why, sizeof(why)) !=
		    CA_OK || dn_encode(&c, der2, sizeof(der2), &n2, why,
		    sizeof(why)) != CA_OK || n != n2 ||
		    memcmp(der, der2, n) != 0))
			abort();
	}
	free(s);
	return 0;
}
