/*
 * libFuzzer target for crl/parse.c, the reader of CRLs entca published
 * earlier: at start-up a restored store takes CRL numbers and revocations
 * back from the CRL files in the state folder (and a CRL read back from
 * the directory is the same format). The signature is checked before
 * crl_parse() in production, but the reader must survive any bytes: a
 * CRL that parses reports as many entries as it called back for, and every
 * serial stays within the 21 octets RFC 5280 §4.1.2.2 allows (20 + sign).
 */
#include <stdint.h>
#include <stdlib.h>

#include "common/error.h"
#include "crl/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

/* Count entries and check what each one hands out. */
static int
count_entry(void *arg, const struct crl_entry *e)
{
	size_t *n = arg;

	if (e->serial_len == 0 || e->serial_len > CRL_SERIAL_MAX + 1)
		abort();
	(*n)++;
	return CA_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct crl_info info;
	char why[CA_WHY_MAX];
	size_t n = 0;

	if (crl_parse(data, len, &info, count_entry, &n, why,
	    sizeof(why)) == CA_OK && n != info.entries)
		abort();
	return 0;
}
