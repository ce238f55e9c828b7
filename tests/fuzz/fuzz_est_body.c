/*
 * libFuzzer target for an EST request body as entcad's enrollment reads
 * it (ca/est/est.c enroll_parse_csr): base64 (RFC 7030 §4.2.1 sends the
 * PKCS#10 base64-encoded, line breaks allowed) decoded with base64_decode,
 * then policy_request_parse. Headers and framing are fuzz_http_parse's.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/base64.h"
#include "policy/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct policy_request r;
	unsigned char *der = NULL;
	size_t der_len = 0;
	char why[CA_WHY_MAX];

	if (base64_decode((const char *)data, len, &der, &der_len, why,
	    sizeof(why)) != CA_OK)
		return 0;
	(void)policy_request_parse(der, der_len, &r, why, sizeof(why));
	policy_request_wipe(&r);
	free(der);
	return 0;
}
