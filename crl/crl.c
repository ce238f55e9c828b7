/*
 * The streaming CRL encoder (RFC 5280 §5). Pass one walks the entries,
 * checks each and adds up its exact DER size; the fixed parts (issuer,
 * times, extensions) are sized by arithmetic. One buffer of the final size
 * is allocated, pass two writes every entry straight into it, GnuTLS signs
 * the TBSCertList through the caller's key, and the signature algorithm and
 * BIT STRING are appended. Nothing is allocated per entry.
 *
 * No global state; runs on the caller's thread (see crl/crl.h).
 */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "crl/crl.h"
#include "crl/der.h"
#include "crl/sigalg.h"

/* Extension OIDs under id-ce (2.5.29), as full OID TLVs. */
#define CRL_OID_CE_LEN 5
static const unsigned char oid_reason[CRL_OID_CE_LEN] = { 0x06, 0x03, 0x55, 0x1d, 0x15 };
static const unsigned char oid_invalidity[CRL_OID_CE_LEN] = { 0x06, 0x03, 0x55, 0x1d, 0x18 };
static const unsigned char oid_crl_number[CRL_OID_CE_LEN] = { 0x06, 0x03, 0x55, 0x1d, 0x14 };
static const unsigned char oid_aki[CRL_OID_CE_LEN] = { 0x06, 0x03, 0x55, 0x1d, 0x23 };
static const unsigned char oid_delta[CRL_OID_CE_LEN] = { 0x06, 0x03, 0x55, 0x1d, 0x1b };
static const unsigned char oid_freshest[CRL_OID_CE_LEN] = { 0x06, 0x03, 0x55, 0x1d, 0x2e };
/* Microsoft CRL Next Publish, 1.3.6.1.4.1.311.21.4 (MS-CSRA §3.1.4.1.6). */
#define CRL_OID_MS_LEN 11
static const unsigned char oid_next_publish[CRL_OID_MS_LEN] = { 0x06, 0x09,
	0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x15, 0x04 };

/* reasonCode extension: SEQ { OID, OCTET STRING { ENUMERATED r } } = 12. */
#define CRL_EXT_REASON_SIZE 12
/* invalidityDate: SEQ { OID, OCTET STRING { GeneralizedTime } } = 26. */
#define CRL_EXT_INVALIDITY_SIZE 26
/* Signature size assumed before signing (RSA-4096) to place the TBS. */
#define CRL_SIG_GUESS 512

/* State of one build, kept on the stack. */
struct crl_build_state {
	const struct crl_params *p;
	struct crl_sigalg sig;
	size_t n_entries;
	size_t entries_len;	/* sum of entry TLV sizes */
	size_t exts_len;	/* crlExtensions content (the inner SEQUENCE) */
	size_t fresh_len;	/* freshestCRL GeneralNames content */
	size_t tbs_content;
	size_t tbs_len;
};

/* Serial magnitude without leading zeros; NULL-safe length return. */
static size_t
crl_serial_mag(const struct crl_entry *e, const unsigned char **mag)
{
	size_t n = e->serial_len;

	*mag = e->serial;
	while (n > 0 && (*mag)[0] == 0) {
		(*mag)++;
		n--;
	}
	return n;
}

/* Check one entry against RFC 5280 §5.1.2.6 and §5.3; CA_OK or CA_EINVAL. */
static int
crl_entry_check(const struct crl_entry *e, bool delta, size_t idx,
    char *why, size_t whylen)
{
	const unsigned char *mag;
	size_t n;

	if (e->serial_len == 0 || e->serial_len > sizeof(e->serial))
		return ca_why(why, whylen, CA_EINVAL,
		    "CRL entry %zu: serial length %zu outside 1..%zu", idx,
		    e->serial_len, sizeof(e->serial));
	n = crl_serial_mag(e, &mag);
	if (n == 0)
		return ca_why(why, whylen, CA_EINVAL,
		    "CRL entry %zu: RFC 5280 §4.1.2.2: serial is zero", idx);
	if (n > CRL_SERIAL_MAX)
		return ca_why(why, whylen, CA_EINVAL,
		    "CRL entry %zu: RFC 5280 §4.1.2.2: serial longer than %d octets",
		    idx, CRL_SERIAL_MAX);
	if (!crl_der_time_ok(e->revoked_at))
		return ca_why(why, whylen, CA_EINVAL,
		    "CRL entry %zu: revocation date %lld outside years 1950..9999",
		    idx, (long long)e->revoked_at);
	if (e->invalidity_date != 0 && !crl_der_time_ok(e->invalidity_date))
		return ca_why(why, whylen, CA_EINVAL,
		    "CRL entry %zu: invalidity date %lld outside years 1950..9999",
		    idx, (long long)e->invalidity_date);
	if (!crl_reason_valid(e->reason))
		return ca_why(why, whylen, CA_EINVAL,
		    "CRL entry %zu: RFC 5280 §5.3.1: reason code %d undefined",
		    idx, e->reason);
	if (e->reason == CRL_REASON_REMOVE_FROM_CRL && !delta)
		return ca_why(why, whylen, CA_EINVAL,
		    "CRL entry %zu: RFC 5280 §5.3.1: removeFromCRL only in a "
		    "delta CRL", idx);
	return CA_OK;
}

/* Size of the crlEntryExtensions content of e (0 when it has none). */
static size_t
crl_entry_exts_content(const struct crl_entry *e)
{
	size_t n = 0;

	if (e->reason != CRL_REASON_UNSPECIFIED)
		n += CRL_EXT_REASON_SIZE;
	if (e->invalidity_date != 0)
		n += CRL_EXT_INVALIDITY_SIZE;
	return n;
}

/* Content size of the revokedCertificates element for e. */
static size_t
crl_entry_content(const struct crl_entry *e)
{
	const unsigned char *mag;
	size_t n, c, x;

	n = crl_serial_mag(e, &mag);
	c = der_tlv_size(crl_der_uint_content_size(mag, n));
	c += crl_der_time_size(e->revoked_at);
	x = crl_entry_exts_content(e);
	if (x > 0)
		c += der_tlv_size(x);
	return c;
}

/* Write one revokedCertificates element; return the octet after it. */
static unsigned char *
crl_entry_put(unsigned char *q, const struct crl_entry *e, size_t content)
{
	const unsigned char *mag;
	size_t n, x;

	n = crl_serial_mag(e, &mag);
	q = der_put_header(q, CRL_DER_SEQUENCE, content);
	q = crl_der_put_uint(q, mag, n);
	q = crl_der_put_time(q, e->revoked_at);
	x = crl_entry_exts_content(e);
	if (x == 0)
		return q;
	q = der_put_header(q, CRL_DER_SEQUENCE, x);
	if (e->reason != CRL_REASON_UNSPECIFIED) {
		/* RFC 5280 §5.3.1: reasonCode, non-critical. */
		*q++ = CRL_DER_SEQUENCE;
		*q++ = CRL_EXT_REASON_SIZE - 2;
		memcpy(q, oid_reason, CRL_OID_CE_LEN);
		q += CRL_OID_CE_LEN;
		*q++ = CRL_DER_OCTET_STRING;
		*q++ = 3;
		*q++ = CRL_DER_ENUMERATED;
		*q++ = 1;
		*q++ = (unsigned char)e->reason;
	}
	if (e->invalidity_date != 0) {
		/* RFC 5280 §5.3.2: invalidityDate, GeneralizedTime always. */
		*q++ = CRL_DER_SEQUENCE;
		*q++ = CRL_EXT_INVALIDITY_SIZE - 2;
		memcpy(q, oid_invalidity, CRL_OID_CE_LEN);
		q += CRL_OID_CE_LEN;
		*q++ = CRL_DER_OCTET_STRING;
		*q++ = 17;
		q = crl_der_put_gentime(q, e->invalidity_date);
	}
	return q;
}

/* Check the fixed contents: issuer, AKI, times, numbers, URLs. */
static int
crl_params_check(const struct crl_params *p, char *why, size_t whylen)
{
	size_t i, n, hl, len;

	if (p->issuer_der == NULL || p->issuer_len < 2 ||
	    p->issuer_len > CRL_ISSUER_MAX)
		return ca_why(why, whylen, CA_EINVAL,
		    "CRL: issuer Name missing or longer than %d octets",
		    CRL_ISSUER_MAX);
	/* The issuer must be exactly one DER SEQUENCE (RFC 5280 §5.1.2.3). */
	if (p->issuer_der[0] != CRL_DER_SEQUENCE)
		return ca_why(why, whylen, CA_EINVAL,
		    "CRL: issuer Name is not a DER SEQUENCE");
	if (p->issuer_der[1] < 0x80) {
		hl = 2;
		len = p->issuer_der[1];
	} else {
		n = p->issuer_der[1] & 0x7f;
		if (n == 0 || n > 3 || p->issuer_len < 2 + n)
			return ca_why(why, whylen, CA_EINVAL,
			    "CRL: issuer Name has a bad DER length");
		len = 0;
		for (i = 0; i < n; i++)
			len = (len << 8) | p->issuer_der[2 + i];
		hl = 2 + n;
	}
	if (hl + len != p->issuer_len)
		return ca_why(why, whylen, CA_EINVAL,
		    "CRL: issuer Name DER length %zu does not match %zu octets given",
		    hl + len, p->issuer_len);
	if (p->aki == NULL || p->aki_len == 0 || p->aki_len > CRL_AKI_MAX)
		return ca_why(why, whylen, CA_EINVAL,
		    "CRL: RFC 5280 §5.2.1: authority key identifier missing "
		    "or longer than %d octets", CRL_AKI_MAX);
	if (!crl_der_time_ok(p->this_update) ||
	    !crl_der_time_ok(p->next_update))
		return ca_why(why, whylen, CA_EINVAL,
		    "CRL: thisUpdate/nextUpdate outside years 1950..9999");
	if (p->next_publish != 0 && !crl_der_time_ok(p->next_publish))
		return ca_why(why, whylen, CA_EINVAL,
		    "CRL: next publish time outside years 1950..9999");
	if (p->next_update <= p->this_update)
		return ca_why(why, whylen, CA_EINVAL,
		    "CRL: RFC 5280 §5.1.2.5: nextUpdate is not after thisUpdate");
	if (p->delta && p->base_crl_number > p->crl_number)
		return ca_why(why, whylen, CA_EINVAL,
		    "CRL: RFC 5280 §5.2.4: base CRL number %llu above the delta's "
		    "number %llu", (unsigned long long)p->base_crl_number,
		    (unsigned long long)p->crl_number);
	if (p->delta && p->n_freshest > 0)
		return ca_why(why, whylen, CA_EINVAL,
		    "CRL: RFC 5280 §5.2.6: freshestCRL not allowed in a delta CRL");
	if (p->n_freshest > CRL_URLS_MAX ||
	    (p->n_freshest > 0 && p->freshest_urls == NULL))
		return ca_why(why, whylen, CA_EINVAL,
		    "CRL: more than %d freshest CRL URLs", CRL_URLS_MAX);
	for (i = 0; i < p->n_freshest; i++) {
		const char *u = p->freshest_urls[i];

		if (u == NULL || (len = strnlen(u, CRL_URL_MAX + 1)) == 0 ||
		    len > CRL_URL_MAX)
			return ca_why(why, whylen, CA_EINVAL,
			    "CRL: freshest CRL URL %zu empty or longer than %d",
			    i + 1, CRL_URL_MAX);
		for (n = 0; n < len; n++)
			if ((unsigned char)u[n] < 0x21 ||
			    (unsigned char)u[n] > 0x7e)
				return ca_why(why, whylen, CA_EINVAL,
				    "CRL: freshest CRL URL %zu: RFC 5280 §4.2.1.6: "
				    "not a printable IA5String URI", i + 1);
	}
	return CA_OK;
}

/* Add up the crlExtensions sizes (RFC 5280 §5.2). */
static void
crl_exts_size(struct crl_build_state *st)
{
	const struct crl_params *p = st->p;
	size_t i, n, c;

	/* authorityKeyIdentifier: SEQ { [0] keyid } in an OCTET STRING. */
	c = der_tlv_size(der_tlv_size(p->aki_len));
	n = der_tlv_size(CRL_OID_CE_LEN + der_tlv_size(c));
	/* cRLNumber. */
	c = der_tlv_size(crl_der_u64_content_size(p->crl_number));
	n += der_tlv_size(CRL_OID_CE_LEN + der_tlv_size(c));
	if (p->delta) {
		/* deltaCRLIndicator, critical (BOOLEAN TRUE = 3 octets). */
		c = der_tlv_size(crl_der_u64_content_size(p->base_crl_number));
		n += der_tlv_size(CRL_OID_CE_LEN + 3 + der_tlv_size(c));
	}
	if (p->next_publish != 0)
		n += der_tlv_size(CRL_OID_MS_LEN +
		    der_tlv_size(crl_der_time_size(p->next_publish)));
	st->fresh_len = 0;
	if (p->n_freshest > 0) {
		for (i = 0; i < p->n_freshest; i++)
			st->fresh_len +=
			    der_tlv_size(strlen(p->freshest_urls[i]));
		/* SEQ OF DP { DP SEQ { [0] { [0] GeneralNames } } } */
		c = der_tlv_size(der_tlv_size(der_tlv_size(
		    der_tlv_size(st->fresh_len))));
		n += der_tlv_size(CRL_OID_CE_LEN + der_tlv_size(c));
	}
	st->exts_len = n;
}

/* Write one extension header: SEQ, OID, [critical], OCTET STRING header. */
static unsigned char *
crl_ext_head(unsigned char *q, const unsigned char *oid, size_t oid_len,
    int critical, size_t value_len)
{
	size_t c = oid_len + (critical ? 3 : 0) + der_tlv_size(value_len);

	q = der_put_header(q, CRL_DER_SEQUENCE, c);
	memcpy(q, oid, oid_len);
	q += oid_len;
	if (critical) {
		*q++ = CRL_DER_BOOLEAN;
		*q++ = 1;
		*q++ = 0xff;
	}
	return der_put_header(q, CRL_DER_OCTET_STRING, value_len);
}

/* Write crlExtensions ([0] EXPLICIT Extensions). */
static unsigned char *
crl_exts_put(unsigned char *q, const struct crl_build_state *st)
{
	const struct crl_params *p = st->p;
	size_t i, c, ul;

	q = der_put_header(q, CRL_DER_CTX0, der_tlv_size(st->exts_len));
	q = der_put_header(q, CRL_DER_SEQUENCE, st->exts_len);

	c = der_tlv_size(p->aki_len);
	q = crl_ext_head(q, oid_aki, CRL_OID_CE_LEN, 0, der_tlv_size(c));
	q = der_put_header(q, CRL_DER_SEQUENCE, c);
	q = der_put_header(q, CRL_DER_KEYID, p->aki_len);
	memcpy(q, p->aki, p->aki_len);
	q += p->aki_len;

	c = der_tlv_size(crl_der_u64_content_size(p->crl_number));
	q = crl_ext_head(q, oid_crl_number, CRL_OID_CE_LEN, 0, c);
	q = crl_der_put_u64(q, p->crl_number);

	if (p->delta) {
		c = der_tlv_size(crl_der_u64_content_size(p->base_crl_number));
		q = crl_ext_head(q, oid_delta, CRL_OID_CE_LEN, 1, c);
		q = crl_der_put_u64(q, p->base_crl_number);
	}
	if (p->next_publish != 0) {
		q = crl_ext_head(q, oid_next_publish, CRL_OID_MS_LEN, 0,
		    crl_der_time_size(p->next_publish));
		q = crl_der_put_time(q, p->next_publish);
	}
	if (p->n_freshest > 0) {
		size_t gn = der_tlv_size(st->fresh_len);	/* [0] fullName */
		size_t dpn = der_tlv_size(gn);		/* [0] dpName */
		size_t dp = der_tlv_size(dpn);		/* DP SEQ */

		q = crl_ext_head(q, oid_freshest, CRL_OID_CE_LEN, 0, der_tlv_size(dp));
		q = der_put_header(q, CRL_DER_SEQUENCE, dp);
		q = der_put_header(q, CRL_DER_SEQUENCE, dpn);
		q = der_put_header(q, CRL_DER_CTX0, gn);
		q = der_put_header(q, CRL_DER_CTX0, st->fresh_len);
		for (i = 0; i < p->n_freshest; i++) {
			ul = strlen(p->freshest_urls[i]);
			q = der_put_header(q, CRL_DER_URI, ul);
			memcpy(q, p->freshest_urls[i], ul);
			q += ul;
		}
	}
	return q;
}

/* Pass one: check and size every entry. */
static int
crl_pass_size(struct crl_build_state *st, crl_entry_cb next, void *arg,
    char *why, size_t whylen)
{
	struct crl_entry e;
	int rc;

	st->n_entries = 0;
	st->entries_len = 0;
	for (;;) {
		memset(&e, 0, sizeof(e));
		rc = next(arg, &e);
		if (rc < 0)
			return ca_why(why, whylen, rc,
			    "CRL: entry source failed at entry %zu: %s",
			    st->n_entries + 1, ca_strerror(rc));
		if (rc == 0)
			return CA_OK;
		if (st->n_entries >= CRL_ENTRIES_MAX)
			return ca_why(why, whylen, CA_ETOOBIG,
			    "CRL: more than %u entries", CRL_ENTRIES_MAX);
		st->n_entries++;
		rc = crl_entry_check(&e, st->p->delta, st->n_entries, why,
		    whylen);
		if (rc != CA_OK)
			return rc;
		st->entries_len += der_tlv_size(crl_entry_content(&e));
		if (st->entries_len > CRL_DER_MAX)
			return ca_why(why, whylen, CA_ETOOBIG,
			    "CRL: entries exceed %zu octets", CRL_DER_MAX);
	}
}

/* Pass two: write every entry into q..end, which pass one sized. */
static int
crl_pass_write(struct crl_build_state *st, crl_entry_cb next, void *arg,
    unsigned char *q, const unsigned char *end, char *why, size_t whylen)
{
	struct crl_entry e;
	size_t n = 0, c;
	int rc;

	for (;;) {
		memset(&e, 0, sizeof(e));
		rc = next(arg, &e);
		if (rc < 0)
			return ca_why(why, whylen, rc,
			    "CRL: entry source failed at entry %zu: %s", n + 1,
			    ca_strerror(rc));
		if (rc == 0)
			break;
		n++;
		if (n > st->n_entries ||
		    crl_entry_check(&e, st->p->delta, n, why, whylen) != CA_OK)
			return ca_why(why, whylen, CA_ESTATE,
			    "CRL: entry %zu changed between the two passes", n);
		c = crl_entry_content(&e);
		if (der_tlv_size(c) > (size_t)(end - q))
			return ca_why(why, whylen, CA_ESTATE,
			    "CRL: entry %zu changed between the two passes", n);
		q = crl_entry_put(q, &e, c);
	}
	if (n != st->n_entries || q != end)
		return ca_why(why, whylen, CA_ESTATE,
		    "CRL: entries changed between the two passes (%zu, then %zu)",
		    st->n_entries, n);
	return CA_OK;
}

/* Write the TBSCertList at q; entries come from the iterator. */
static int
crl_tbs_put(struct crl_build_state *st, unsigned char *q, crl_entry_cb next,
    void *arg, char *why, size_t whylen)
{
	const struct crl_params *p = st->p;
	unsigned char *start = q, *end;
	int rc;

	q = der_put_header(q, CRL_DER_SEQUENCE, st->tbs_content);
	/* version v2 (RFC 5280 §5.1.2.1). */
	*q++ = CRL_DER_INTEGER;
	*q++ = 1;
	*q++ = 1;
	memcpy(q, st->sig.der, st->sig.len);
	q += st->sig.len;
	memcpy(q, p->issuer_der, p->issuer_len);
	q += p->issuer_len;
	q = crl_der_put_time(q, p->this_update);
	q = crl_der_put_time(q, p->next_update);
	/* RFC 5280 §5.1.2.6: absent, not empty, when nothing is revoked. */
	if (st->n_entries > 0) {
		q = der_put_header(q, CRL_DER_SEQUENCE, st->entries_len);
		end = q + st->entries_len;
		rc = crl_pass_write(st, next, arg, q, end, why, whylen);
		if (rc != CA_OK)
			return rc;
		q = end;
	}
	q = crl_exts_put(q, st);
	if ((size_t)(q - start) != st->tbs_len)
		return ca_why(why, whylen, CA_ESTATE,
		    "CRL: internal size mismatch (%zu != %zu)",
		    (size_t)(q - start), st->tbs_len);
	return CA_OK;
}

/* Map a GnuTLS signing failure to a sentence. */
static int
crl_sign_fail(int gret, char *why, size_t whylen)
{
	return ca_why(why, whylen, CA_ECRYPTO, "CRL: signing failed: %s",
	    gnutls_strerror(gret));
}

/* Build and sign; see crl/crl.h. */
int
crl_build(const struct crl_params *p, crl_entry_cb next, crl_rewind_cb rewind,
    void *arg, gnutls_privkey_t key, unsigned char **der, size_t *der_len,
    char *why, size_t whylen)
{
	struct crl_build_state st;
	gnutls_datum_t tbs, sig = { NULL, 0 };
	unsigned char *buf = NULL, *tmp, *q;
	size_t off, bits_len, total, hl, room;
	int rc, gret;

	if (der != NULL)
		*der = NULL;
	if (der_len != NULL)
		*der_len = 0;
	if (p == NULL || next == NULL || rewind == NULL || der == NULL ||
	    der_len == NULL)
		return ca_why(why, whylen, CA_EINVAL,
		    "CRL: missing parameters or entry iterator");
	memset(&st, 0, sizeof(st));
	st.p = p;
	if ((rc = crl_params_check(p, why, whylen)) != CA_OK)
		return rc;
	if ((rc = crl_sigalg_pick(p, key, &st.sig, why, whylen)) != CA_OK)
		return rc;
	if ((rc = crl_pass_size(&st, next, arg, why, whylen)) != CA_OK)
		return rc;
	crl_exts_size(&st);

	st.tbs_content = 3 + st.sig.len + p->issuer_len +
	    crl_der_time_size(p->this_update) +
	    crl_der_time_size(p->next_update) +
	    der_tlv_size(der_tlv_size(st.exts_len));
	if (st.n_entries > 0)
		st.tbs_content += der_tlv_size(st.entries_len);
	st.tbs_len = der_tlv_size(st.tbs_content);
	if (st.tbs_len > CRL_DER_MAX)
		return ca_why(why, whylen, CA_ETOOBIG,
		    "CRL: larger than %zu octets", CRL_DER_MAX);

	/* Leave room for the outer header, whose size depends on the
	 * signature length: guess it from a 4096-bit signature so the TBS
	 * rarely has to move after signing. */
	total = st.tbs_len + st.sig.len + der_tlv_size(1 + CRL_SIG_GUESS);
	off = der_tlv_size(total) - total;
	buf = malloc(off + st.tbs_len);
	if (buf == NULL)
		return ca_why(why, whylen, CA_ENOMEM,
		    "CRL: cannot allocate %zu octets", off + st.tbs_len);
	if ((rc = rewind(arg)) != CA_OK) {
		rc = ca_why(why, whylen, rc, "CRL: entry source rewind failed: %s",
		    ca_strerror(rc));
		goto out;
	}
	if ((rc = crl_tbs_put(&st, buf + off, next, arg, why, whylen)) != CA_OK)
		goto out;

	tbs.data = buf + off;
	tbs.size = (unsigned int)st.tbs_len;
	gret = gnutls_privkey_sign_data2(key, st.sig.algo, 0, &tbs, &sig);
	if (gret < 0) {
		rc = crl_sign_fail(gret, why, whylen);
		goto out;
	}

	/* CertificateList ::= SEQUENCE { tbs, signatureAlgorithm, BIT STRING }. */
	bits_len = der_tlv_size(1 + (size_t)sig.size);
	total = st.tbs_len + st.sig.len + bits_len;
	hl = der_tlv_size(total) - total;
	room = (hl > off ? hl : off) + total;
	tmp = realloc(buf, room);
	if (tmp == NULL) {
		rc = ca_why(why, whylen, CA_ENOMEM,
		    "CRL: cannot allocate %zu octets", room);
		goto out;
	}
	buf = tmp;
	/* Move the TBS when the guess was wrong, so the CRL starts at buf[0]. */
	if (hl != off)
		memmove(buf + hl, buf + off, st.tbs_len);
	q = der_put_header(buf, CRL_DER_SEQUENCE, total);
	q += st.tbs_len;
	memcpy(q, st.sig.der, st.sig.len);
	q += st.sig.len;
	q = der_put_header(q, CRL_DER_BIT_STRING, 1 + (size_t)sig.size);
	*q++ = 0;	/* no unused bits */
	memcpy(q, sig.data, sig.size);
	q += sig.size;
	*der_len = (size_t)(q - buf);
	tmp = realloc(buf, *der_len);
	*der = tmp != NULL ? tmp : buf;
	buf = NULL;
	rc = CA_OK;
out:
	gnutls_free(sig.data);
	free(buf);
	return rc;
}

/* Iterator over a caller's array. */
struct crl_array_iter {
	const struct crl_entry *e;
	size_t n, i;
};

/* Hand out the next array element. */
static int
crl_array_next(void *arg, struct crl_entry *out)
{
	struct crl_array_iter *it = arg;

	if (it->i >= it->n)
		return 0;
	*out = it->e[it->i++];
	return 1;
}

/* Restart the array walk. */
static int
crl_array_rewind(void *arg)
{
	struct crl_array_iter *it = arg;

	it->i = 0;
	return CA_OK;
}

/* crl_build() over an array; see crl/crl.h. */
int
crl_build_array(const struct crl_params *p, const struct crl_entry *entries,
    size_t n, gnutls_privkey_t key, unsigned char **der, size_t *der_len,
    char *why, size_t whylen)
{
	struct crl_array_iter it = { entries, n, 0 };

	if (n > 0 && entries == NULL)
		return ca_why(why, whylen, CA_EINVAL, "CRL: no entry array");
	return crl_build(p, crl_array_next, crl_array_rewind, &it, key, der,
	    der_len, why, whylen);
}
