/*
 * libFuzzer target for the untrusted bytes a connector sends: a PKCS#10
 * request (policy_request_parse), its subject Name (dn_parse_der and the
 * round trip through dn_encode / dn_format / dn_parse_string), and the
 * subject hint. Any crash, leak or sanitizer report is a bug; a Name that
 * parses must re-encode and re-parse to an equal Name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "policy/dn.h"
#include "policy/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

/* Round-trip one DER Name: decode, encode, print, parse, compare. */
static void
name_round_trip(const uint8_t *data, size_t len)
{
	static struct dn a, b;
	static unsigned char der[DN_DER_MAX];
	static char text[DN_STRING_MAX];
	size_t n;

	if (dn_parse_der(data, len, &a, NULL, 0) != CA_OK)
		return;
	if (dn_encode(&a, der, sizeof(der), &n, NULL, 0) != CA_OK)
		return;
	if (dn_format(&a, text, sizeof(text)) != CA_OK)
		return;
	if (dn_parse_string(text, &b, NULL, 0) == CA_OK && !dn_equal(&a, &b))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct policy_request r;
	char value[PRINCIPAL_DN_MAX], why[CA_WHY_MAX];

	if (policy_request_parse(data, len, &r, why, sizeof(why)) == CA_OK ||
	    r.subject_len > 0) {
		(void)policy_subject_hint(&r, value, sizeof(value));
		name_round_trip(r.subject_der, r.subject_len);
	}
	policy_request_wipe(&r);
	name_round_trip(data, len);
	return 0;
}
