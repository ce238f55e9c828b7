/*
 * CRL reader (see parse.h). DER only: definite lengths, one-octet tags,
 * every length checked against what is left of its parent.
 */
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "crl/der.h"
#include "crl/parse.h"

/* A window on the input: [p, end). */
struct rd {
	const unsigned char *p;
	const unsigned char *end;
};

/* Object identifiers' contents (RFC 5280 §5.2, §5.3). */
static const unsigned char oid_crl_number[] = { 0x55, 0x1d, 0x14 };
static const unsigned char oid_reason[] = { 0x55, 0x1d, 0x15 };
static const unsigned char oid_invalidity[] = { 0x55, 0x1d, 0x18 };
static const unsigned char oid_delta[] = { 0x55, 0x1d, 0x1b };

/*
 * Read one TLV from r: its tag in *tag and its content in *c (a window).
 * false when it is not DER or overruns r.
 */
static bool
tlv(struct rd *r, unsigned char *tag, struct rd *c)
{
	size_t left = (size_t)(r->end - r->p), n, len = 0;

	if (left < 2)
		return false;
	*tag = r->p[0];
	if ((*tag & 0x1f) == 0x1f)
		return false;	/* high tag numbers: none in a CRL */
	n = r->p[1];
	r->p += 2;
	left -= 2;
	if (n & 0x80) {
		n &= 0x7f;
		if (n == 0 || n > 4 || n > left)
			return false;
		for (size_t i = 0; i < n; i++)
			len = len << 8 | r->p[i];
		if (len < 0x80 || (n > 1 && r->p[0] == 0))
			return false;	/* not the shortest form */
		r->p += n;
		left -= n;
	} else {
		len = n;
	}
	if (len > left)
		return false;
	c->p = r->p;
	c->end = r->p + len;
	r->p += len;
	return true;
}

/* Read a TLV that must carry tag want. */
static bool
expect(struct rd *r, unsigned char want, struct rd *c)
{
	unsigned char tag;

	return tlv(r, &tag, c) && tag == want;
}

/* The tag of the next TLV, or 0 at the end of r. */
static unsigned char
peek(const struct rd *r)
{
	return r->p < r->end ? r->p[0] : 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t
days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* n decimal digits at p into *v; false if any is not a digit. */
static bool
digits(const unsigned char *p, size_t n, int64_t *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		*v = *v * 10 + (p[i] - '0');
	}
	return true;
}

/* An RFC 5280 Time (UTCTime or GeneralizedTime, Z, whole seconds). */
static bool
read_time(struct rd *r, int64_t *out)
{
	unsigned char tag;
	struct rd c;
	int64_t y, mo, d, h, mi, s;
	size_t n;

	if (!tlv(r, &tag, &c))
		return false;
	n = (size_t)(c.end - c.p);
	if (tag == CRL_DER_UTC_TIME && n == 13 && digits(c.p, 2, &y)) {
		y += y < 50 ? 2000 : 1900;
		c.p += 2;
	} else if (tag == CRL_DER_GENERALIZED_TIME && n == 15 &&
	    digits(c.p, 4, &y)) {
		c.p += 4;
	} else {
		return false;
	}
	if (!digits(c.p, 2, &mo) || !digits(c.p + 2, 2, &d) ||
	    !digits(c.p + 4, 2, &h) || !digits(c.p + 6, 2, &mi) ||
	    !digits(c.p + 8, 2, &s) || c.p[10] != 'Z' || mo < 1 || mo > 12 ||
	    d < 1 || d > 31 || h > 23 || mi > 59 || s > 59)
		return false;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	return true;
}

/* A non-negative INTEGER of at most 8 significant octets. */
static bool
read_u64(struct rd *c, uint64_t *v)
{
	size_t n = (size_t)(c->end - c->p);
	const unsigned char *p = c->p;

	if (n == 0 || (p[0] & 0x80))
		return false;
	if (n > 1 && p[0] == 0) {
		p++;
		n--;
	}
	if (n > 8)
		return false;
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v = *v << 8 | p[i];
	return true;
}

/* True when the OID window equals oid. */
static bool
oid_is(const struct rd *o, const unsigned char *oid, size_t n)
{
	return (size_t)(o->end - o->p) == n && memcmp(o->p, oid, n) == 0;
}

/*
 * Walk an Extensions SEQUENCE: for each, hand its OID and extnValue's
 * content to the visitor below. false when malformed.
 */
static bool
extensions(struct rd *exts, struct crl_info *info, struct crl_entry *e)
{
	while (exts->p < exts->end) {
		struct rd ext, oid, val, inner;
		unsigned char tag;

		if (!expect(exts, CRL_DER_SEQUENCE, &ext) ||
		    !expect(&ext, CRL_DER_OID, &oid))
			return false;
		if (peek(&ext) == CRL_DER_BOOLEAN && !tlv(&ext, &tag, &val))
			return false;
		if (!expect(&ext, CRL_DER_OCTET_STRING, &val) || ext.p != ext.end)
			return false;
		if (info != NULL && oid_is(&oid, oid_crl_number, sizeof(oid_crl_number))) {
			if (!expect(&val, CRL_DER_INTEGER, &inner) ||
			    !read_u64(&inner, &info->number))
				return false;
			info->has_number = true;
		} else if (info != NULL && oid_is(&oid, oid_delta, sizeof(oid_delta))) {
			if (!expect(&val, CRL_DER_INTEGER, &inner) ||
			    !read_u64(&inner, &info->base))
				return false;
			info->delta = true;
		} else if (e != NULL && oid_is(&oid, oid_reason, sizeof(oid_reason))) {
			if (!expect(&val, CRL_DER_ENUMERATED, &inner) ||
			    inner.end - inner.p != 1 || inner.p[0] > 10)
				return false;
			e->reason = inner.p[0];
		} else if (e != NULL && oid_is(&oid, oid_invalidity, sizeof(oid_invalidity))) {
			if (!read_time(&val, &e->invalidity_date))
				return false;
		}
	}
	return true;
}

/* Read a CRL's fields and entries; see parse.h. */
int
crl_parse(const unsigned char *der, size_t len, struct crl_info *info,
    crl_parsed_cb cb, void *arg, char *why, size_t whylen)
{
	struct rd all = { der, der + len }, cl, tbs, skip, revs, exts, wrap;
	unsigned char tag;
	int rc;

	memset(info, 0, sizeof(*info));
	if (der == NULL || !expect(&all, CRL_DER_SEQUENCE, &cl) ||
	    all.p != all.end || !expect(&cl, CRL_DER_SEQUENCE, &tbs))
		return ca_why(why, whylen, CA_EPARSE, "CRL: not a DER CertificateList");
	if (peek(&tbs) == CRL_DER_INTEGER && !tlv(&tbs, &tag, &skip))
		return ca_why(why, whylen, CA_EPARSE, "CRL: version");
	if (!expect(&tbs, CRL_DER_SEQUENCE, &skip) ||
	    !expect(&tbs, CRL_DER_SEQUENCE, &skip))
		return ca_why(why, whylen, CA_EPARSE, "CRL: signature or issuer");
	if (!read_time(&tbs, &info->this_update))
		return ca_why(why, whylen, CA_EPARSE, "CRL: thisUpdate");
	if ((peek(&tbs) == CRL_DER_UTC_TIME || peek(&tbs) == CRL_DER_GENERALIZED_TIME) &&
	    !read_time(&tbs, &info->next_update))
		return ca_why(why, whylen, CA_EPARSE, "CRL: nextUpdate");
	revs.p = revs.end = tbs.p;
	if (peek(&tbs) == CRL_DER_SEQUENCE && !expect(&tbs, CRL_DER_SEQUENCE, &revs))
		return ca_why(why, whylen, CA_EPARSE, "CRL: revokedCertificates");
	if (peek(&tbs) == CRL_DER_CTX0) {
		if (!expect(&tbs, CRL_DER_CTX0, &wrap) ||
		    !expect(&wrap, CRL_DER_SEQUENCE, &exts) || wrap.p != wrap.end ||
		    !extensions(&exts, info, NULL))
			return ca_why(why, whylen, CA_EPARSE, "CRL: crlExtensions");
	}
	if (tbs.p != tbs.end)
		return ca_why(why, whylen, CA_EPARSE, "CRL: data after crlExtensions");
	/*
	 * Without a visitor only the count is wanted (entcad taking up its
	 * own CRL at start: a million entries decoded there were most of the
	 * start time): step over each entry's SEQUENCE unread.
	 */
	while (cb == NULL && revs.p < revs.end) {
		struct rd ent;

		if (!expect(&revs, CRL_DER_SEQUENCE, &ent))
			return ca_why(why, whylen, CA_EPARSE, "CRL entry %zu: "
			    "not a SEQUENCE", info->entries + 1);
		info->entries++;
	}
	while (revs.p < revs.end) {
		struct crl_entry e;
		struct rd ent, serial, eexts;
		size_t n;

		memset(&e, 0, sizeof(e));
		if (!expect(&revs, CRL_DER_SEQUENCE, &ent) ||
		    !expect(&ent, CRL_DER_INTEGER, &serial))
			return ca_why(why, whylen, CA_EPARSE, "CRL entry %zu: serial",
			    info->entries + 1);
		n = (size_t)(serial.end - serial.p);
		if (n == 0 || (serial.p[0] & 0x80))
			return ca_why(why, whylen, CA_EPARSE,
			    "CRL entry %zu: serial is not a positive INTEGER",
			    info->entries + 1);
		if (n > sizeof(e.serial))
			return ca_why(why, whylen, CA_ETOOBIG,
			    "CRL entry %zu: serial of %zu octets", info->entries + 1, n);
		memcpy(e.serial, serial.p, n);
		e.serial_len = n;
		if (!read_time(&ent, &e.revoked_at))
			return ca_why(why, whylen, CA_EPARSE,
			    "CRL entry %zu: revocationDate", info->entries + 1);
		e.reason = CRL_REASON_UNSPECIFIED;
		if (ent.p < ent.end && (!expect(&ent, CRL_DER_SEQUENCE, &eexts) ||
		    !extensions(&eexts, NULL, &e) || ent.p != ent.end))
			return ca_why(why, whylen, CA_EPARSE,
			    "CRL entry %zu: crlEntryExtensions", info->entries + 1);
		info->entries++;
		if (cb != NULL && (rc = cb(arg, &e)) != 0)
			return rc;
	}
	return CA_OK;
}
