/*
 * PKCS#7 certs-only and PKCS#12 builders (see pkcs7.h): certs-only is
 * written as DER here (common/der.h), PKCS#12 through GnuTLS; callers see
 * project error codes.
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/pkcs12.h>

#include "common/error.h"
#include "common/base64.h"
#include "common/der.h"
#include "ca/issue/pkcs7.h"

#define PKCS7_OID_SIGNED_DATA "1.2.840.113549.1.7.2"
#define PKCS7_OID_DATA "1.2.840.113549.1.7.1"
#define PKCS7_CERTS_MAX 64	/* a chain, the CA certificates of a rollover */

/*
 * X.690 §11.6: a SET OF's elements in ascending order of their encodings,
 * the shorter one compared as if padded with zero octets.
 */
static int
der_set_order(const void *a, const void *b)
{
	const gnutls_datum_t *x = a, *y = b;
	size_t n = x->size < y->size ? x->size : y->size;
	int c = memcmp(x->data, y->data, n);

	if (c != 0)
		return c;
	for (size_t i = n; i < x->size; i++)
		if (x->data[i] != 0)
			return 1;
	for (size_t i = n; i < y->size; i++)
		if (y->data[i] != 0)
			return -1;
	return 0;
}

/*
 * ContentInfo { signedData, [0] SignedData { 1, {}, { id-data },
 * [0] certificates, {} } } written directly (RFC 5652 §5.1, "degenerate"
 * certs-only): GnuTLS's own writer puts digestedData as the inner type.
 */
int
pkcs7_certs_only(const gnutls_datum_t *certs, size_t n, unsigned char **out,
    size_t *out_len)
{
	static const unsigned char v1[] = { DER_INTEGER, 0x01, 0x01 };
	static const unsigned char empty_set[] = { DER_SET, 0x00 };
	gnutls_datum_t *sorted;
	unsigned char *buf;
	struct der_buf b;
	struct der_tlv t;
	size_t cap = 64, ci, sd, ctx, encap, set;

	if (n == 0 || n > PKCS7_CERTS_MAX)
		return CA_ECRYPTO;
	for (size_t i = 0; i < n; i++) {
		if (certs[i].data == NULL || der_read(certs[i].data,
		    certs[i].size, &t) != CA_OK || t.rawlen != certs[i].size ||
		    t.tag != DER_SEQUENCE)
			return CA_ECRYPTO;
		cap += certs[i].size;
	}
	if ((sorted = malloc(n * sizeof(*sorted))) == NULL)
		return CA_ENOMEM;
	memcpy(sorted, certs, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), der_set_order);
	cap += 6 * DER_HDR_MAX;
	if ((buf = gnutls_malloc(cap)) == NULL) {
		free(sorted);
		return CA_ENOMEM;
	}
	der_buf_init(&b, buf, cap);
	ci = der_begin(&b);
	der_put_oid(&b, PKCS7_OID_SIGNED_DATA);
	ctx = der_begin(&b);
	sd = der_begin(&b);
	der_put(&b, v1, sizeof(v1));
	der_put(&b, empty_set, sizeof(empty_set));	/* digestAlgorithms */
	encap = der_begin(&b);
	der_put_oid(&b, PKCS7_OID_DATA);
	der_end(&b, encap, DER_SEQUENCE);
	set = der_begin(&b);
	for (size_t i = 0; i < n; i++)
		der_put(&b, sorted[i].data, sorted[i].size);
	der_end(&b, set, DER_CTX0);
	der_put(&b, empty_set, sizeof(empty_set));	/* signerInfos */
	der_end(&b, sd, DER_SEQUENCE);
	der_end(&b, ctx, DER_CTX0);
	der_end(&b, ci, DER_SEQUENCE);
	free(sorted);
	if (der_buf_done(&b) != CA_OK) {
		gnutls_free(buf);
		return CA_ECRYPTO;
	}
	*out = buf;
	*out_len = b.len;
	return CA_OK;
}

/* Add one certificate as its own bag, with the key id linking it. */
static int
add_cert_bag(gnutls_pkcs12_t p12, const gnutls_datum_t *der,
    const gnutls_datum_t *key_id, const char *name)
{
	gnutls_pkcs12_bag_t bag = NULL;
	gnutls_x509_crt_t crt = NULL;
	int idx, rc = CA_ECRYPTO;

	if (gnutls_pkcs12_bag_init(&bag) < 0 || gnutls_x509_crt_init(&crt) < 0)
		goto out;
	if (gnutls_x509_crt_import(crt, der, GNUTLS_X509_FMT_DER) < 0)
		goto out;
	idx = gnutls_pkcs12_bag_set_crt(bag, crt);
	if (idx < 0)
		goto out;
	if (key_id != NULL && gnutls_pkcs12_bag_set_key_id(bag, idx, key_id) < 0)
		goto out;
	if (name != NULL && gnutls_pkcs12_bag_set_friendly_name(bag, idx, name) < 0)
		goto out;
	if (gnutls_pkcs12_set_bag(p12, bag) < 0)
		goto out;
	rc = CA_OK;
out:
	gnutls_x509_crt_deinit(crt);
	gnutls_pkcs12_bag_deinit(bag);
	return rc;
}

int
pkcs7_pkcs12(gnutls_x509_privkey_t key, const gnutls_datum_t *cert,
    const gnutls_datum_t *chain, size_t n_chain, const char *password,
    const char *friendly_name, unsigned char **out, size_t *out_len)
{
	gnutls_pkcs12_t p12 = NULL;
	gnutls_pkcs12_bag_t kbag = NULL;
	gnutls_datum_t d = { NULL, 0 };
	unsigned char idbuf[64];
	size_t idlen = sizeof(idbuf);
	gnutls_datum_t key_id;
	int idx, rc = CA_ECRYPTO;

	if (gnutls_x509_privkey_get_key_id(key, GNUTLS_KEYID_USE_SHA1, idbuf, &idlen) < 0)
		return CA_ECRYPTO;
	key_id.data = idbuf;
	key_id.size = (unsigned)idlen;
	if (gnutls_pkcs12_init(&p12) < 0 || gnutls_pkcs12_bag_init(&kbag) < 0)
		goto out;
	if (add_cert_bag(p12, cert, &key_id, friendly_name) != CA_OK)
		goto out;
	for (size_t i = 0; i < n_chain; i++)
		if (add_cert_bag(p12, &chain[i], NULL, NULL) != CA_OK)
			goto out;
	idx = gnutls_pkcs12_bag_set_privkey(kbag, key, password,
	    GNUTLS_PKCS_PBES2_AES_256);
	if (idx < 0)
		goto out;
	if (gnutls_pkcs12_bag_set_key_id(kbag, idx, &key_id) < 0)
		goto out;
	if (friendly_name != NULL &&
	    gnutls_pkcs12_bag_set_friendly_name(kbag, idx, friendly_name) < 0)
		goto out;
	if (gnutls_pkcs12_set_bag(p12, kbag) < 0)
		goto out;
	if (gnutls_pkcs12_generate_mac2(p12, GNUTLS_MAC_SHA256, password) < 0)
		goto out;
	if (gnutls_pkcs12_export2(p12, GNUTLS_X509_FMT_DER, &d) < 0)
		goto out;
	*out = d.data;
	*out_len = d.size;
	rc = CA_OK;
out:
	gnutls_pkcs12_bag_deinit(kbag);
	gnutls_pkcs12_deinit(p12);
	return rc;
}

int
pkcs7_base64(const void *der, size_t len, char **out, size_t *out_len)
{
	size_t n = 0, w = 0;
	char *s = NULL, *grown;
	int rc;

	rc = base64_encode(der, len, 64, &s, &n);
	if (rc != CA_OK)
		return rc;
	grown = realloc(s, n + 2);	/* room for a final LF and the NUL */
	if (grown == NULL) {
		free(s);
		return CA_ENOMEM;
	}
	s = grown;
	for (size_t r = 0; r < n; r++)
		if (s[r] != '\r')
			s[w++] = s[r];
	if (w > 0 && s[w - 1] != '\n')
		s[w++] = '\n';
	s[w] = '\0';
	*out = s;
	*out_len = w;
	return CA_OK;
}
