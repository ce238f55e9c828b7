/*
 * Certificates in the store: the certs database (serial -> record) and the
 * index entries kept with it in the same chain: by_expiry (notAfter ‖
 * serial), by_subject (kind ‖ lower-cased name ‖ NUL ‖ serial) and
 * by_revocation (change time ‖ serial ‖ kind -> version 2: u8 current,
 * u8 reason, i64 invalidity date, i64 notAfter, u64 commit-order seq;
 * version 1 lacked the seq). Each serial has at most one by_revocation
 * entry flagged current: its latest revocation or release from hold; older
 * entries stay as stale history. Writes run on the writer thread; reads on
 * any thread with their own transaction.
 *
 * Record, version 1: serial, der, template, requester, subject SID, UPN,
 * DNS, DN (length-prefixed), then i64 not_before, i64 not_after, u8
 * status, i64 revoked_at, u8 reason, i64 invalidity_date, i64
 * unrevoked_at, u64 request_id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca/store/store_int.h"

/* Check a serial's form; see store.h. */
int
store_serial_check(const unsigned char *serial, size_t len, char *why,
    size_t whylen)
{
	if (serial == NULL || len == 0)
		return ca_why(why, whylen, CA_EINVAL, "serial: empty");
	if (len > STORE_SERIAL_MAX)
		return ca_why(why, whylen, CA_ETOOBIG, "serial: RFC 5280 "
		    "4.1.2.2: %zu octets, at most %d", len, STORE_SERIAL_MAX);
	if (serial[0] & 0x80)
		return ca_why(why, whylen, CA_EINVAL, "serial: RFC 5280 "
		    "4.1.2.2: must be positive");
	if (len > 1 && serial[0] == 0 && !(serial[1] & 0x80))
		return ca_why(why, whylen, CA_EINVAL, "serial: DER: leading "
		    "zero octet is not minimal");
	if (len == 1 && serial[0] == 0)
		return ca_why(why, whylen, CA_EINVAL, "serial: RFC 5280 "
		    "4.1.2.2: must be positive, not zero");
	return CA_OK;
}

/* Hex of a serial for messages (buf of STORE_SERIAL_HEX bytes). */
const char *
store_serial_hex(char *buf, const unsigned char *serial, size_t len)
{
	size_t i;

	if (len > STORE_SERIAL_MAX)
		len = STORE_SERIAL_MAX;
	for (i = 0; i < len; i++)
		snprintf(buf + 2 * i, 3, "%02x", serial[i]);
	buf[2 * len] = '\0';
	return buf;
}

/* True when text is NUL-terminated inside cap bytes. */
static int
text_ok(const char *text, size_t cap)
{
	return memchr(text, '\0', cap) != NULL;
}

/* Encode c as a version 1 record into e. */
static void
cert_encode(struct store_enc *e, const struct store_cert *c)
{
	store_enc_init(e, STORE_REC_CERT);
	store_enc_bytes(e, c->serial, c->serial_len);
	store_enc_bytes(e, c->der, c->der_len);
	store_enc_str(e, c->template_name);
	store_enc_str(e, c->requester);
	store_enc_str(e, c->subject_sid);
	store_enc_str(e, c->subject_upn);
	store_enc_str(e, c->subject_dns);
	store_enc_str(e, c->subject_dn);
	store_enc_i64(e, c->not_before);
	store_enc_i64(e, c->not_after);
	store_enc_u8(e, (unsigned)c->status);
	store_enc_i64(e, c->revoked_at);
	store_enc_u8(e, (unsigned)c->reason);
	store_enc_i64(e, c->invalidity_date);
	store_enc_i64(e, c->unrevoked_at);
	store_enc_u64(e, c->request_id);
}

/* Decode a cert value into c (der copied when dup, else borrowed). */
static int
cert_decode(struct store_txn *t, const MDB_val *v, struct store_cert *c,
    int dup)
{
	struct store_dec d;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = store_t_dec_init(t, &d, v, STORE_REC_CERT, "certificate")))
		return rc;
	store_dec_fixed(&d, c->serial, sizeof(c->serial), &c->serial_len);
	if (dup)
		c->der = store_dec_dup(&d, STORE_DER_MAX, &c->der_len);
	else
		c->der = (unsigned char *)store_dec_view(&d, STORE_DER_MAX,
		    &c->der_len);
	store_dec_str(&d, c->template_name, sizeof(c->template_name));
	store_dec_str(&d, c->requester, sizeof(c->requester));
	store_dec_str(&d, c->subject_sid, sizeof(c->subject_sid));
	store_dec_str(&d, c->subject_upn, sizeof(c->subject_upn));
	store_dec_str(&d, c->subject_dns, sizeof(c->subject_dns));
	store_dec_str(&d, c->subject_dn, sizeof(c->subject_dn));
	c->not_before = store_dec_i64(&d);
	c->not_after = store_dec_i64(&d);
	c->status = (int)store_dec_u8(&d);
	c->revoked_at = store_dec_i64(&d);
	c->reason = (int)store_dec_u8(&d);
	c->invalidity_date = store_dec_i64(&d);
	c->unrevoked_at = store_dec_i64(&d);
	c->request_id = store_dec_u64(&d);
	if (!d.err && c->status >= STORE_CERT_COUNT)
		d.err = CA_EDB;
	if ((rc = store_t_dec_end(t, &d, "certificate")) != CA_OK) {
		if (dup)
			free(c->der);
		memset(c, 0, sizeof(*c));
	}
	return rc;
}

/* A reason a revocation may carry (RFC 5280 §5.3.1; not 7, not 8). */
static int
reason_ok(int reason)
{
	return reason >= 0 && reason <= 10 && reason != 7 &&
	    reason != STORE_REASON_REMOVE_FROM_CRL;
}

/* Write (or overwrite) the by_revocation entry (at, serial, kind). */
static int
rev_put(struct store_wtxn *w, int64_t at, const unsigned char *serial,
    size_t len, int kind, const struct store_rev_value *rv)
{
	unsigned char key[STORE_REVKEY_MAX];
	struct store_enc e;
	size_t klen;
	int rc;

	klen = store_revkey(key, at, serial, len, kind);
	store_enc_init(&e, STORE_REC_REVOCATION);
	store_enc_u8(&e, rv->current ? 1 : 0);
	store_enc_u8(&e, (unsigned)rv->reason);
	store_enc_i64(&e, rv->invalidity);
	store_enc_i64(&e, rv->not_after);
	store_enc_u64(&e, rv->seq);
	rc = store_w_put_enc(w, STORE_DB_BY_REVOCATION, key, klen,
	    &e, 0, "put revocation entry");
	return rc;
}

/* Record a new current change with the next commit-order number. */
static int
rev_new(struct store_wtxn *w, int64_t at, const unsigned char *serial,
    size_t len, int kind, int reason, int64_t invalidity, int64_t not_after)
{
	struct store_rev_value rv = {
		.current = 1,
		.reason = reason,
		.invalidity = invalidity,
		.not_after = not_after,
	};

	if (store_w_counter_next(w, STORE_META_REV_SEQ, &rv.seq) != CA_OK)
		return w->rc;
	/* The full CRL's index follows the current state, same chain. */
	if (kind == STORE_REVKEY_REVOKED)
		store_crlidx_put(w, serial, len, at, reason, invalidity,
		    not_after);
	else
		store_crlidx_del(w, serial, len);
	/* And the delta's: this change by its commit-order number. */
	{
		unsigned char key[STORE_REVKEY_MAX], sk[8];

		store_be64(sk, rv.seq);
		store_w_put(w, STORE_DB_REV_SEQ, sk, sizeof(sk), key,
		    store_revkey(key, at, serial, len, kind), 0,
		    "put revocation seq entry");
	}
	return rev_put(w, at, serial, len, kind, &rv);
}

/* Mark the by_revocation entry (at, serial, kind) as stale history. */
static int
rev_stale(struct store_wtxn *w, int64_t at, const unsigned char *serial,
    size_t len, int kind)
{
	unsigned char key[STORE_REVKEY_MAX];
	struct store_rev_value rv;
	size_t klen;
	MDB_val v;
	int rc;

	klen = store_revkey(key, at, serial, len, kind);
	rc = store_t_get(&w->t, STORE_DB_BY_REVOCATION, key, klen, &v,
	    "get revocation entry");
	if (rc == CA_ENOTFOUND)
		return CA_OK;	/* overwritten by a later change in that second */
	if (rc != CA_OK)
		return store_w_stick(w, rc);
	if ((rc = store_rev_value_decode(&w->t, &v, &rv)) != CA_OK)
		return store_w_stick(w, rc);
	rv.current = 0;
	return rev_put(w, at, serial, len, kind, &rv);
}

/* Write the by_expiry, by_issued and by_subject entries of c. */
static int
cert_index(struct store_wtxn *w, const struct store_cert *c)
{
	static const unsigned char one[1] = { STORE_REC_INDEX };
	unsigned char key[STORE_KEY_MAX];
	const char *names[STORE_SUBJECT_COUNT] = {
		[STORE_SUBJECT_SID] = c->subject_sid,
		[STORE_SUBJECT_UPN] = c->subject_upn,
		[STORE_SUBJECT_DNS] = c->subject_dns,
	};
	size_t klen;

	store_be_time(key, c->not_after);
	memcpy(key + 8, c->serial, c->serial_len);
	store_w_put(w, STORE_DB_BY_EXPIRY, key, 8 + c->serial_len, one,
	    sizeof(one), 0, "put expiry entry");
	klen = store_issuedkey(key, c->not_before, c->serial, c->serial_len);
	store_w_put(w, STORE_DB_BY_ISSUED, key, klen, one, sizeof(one), 0,
	    "put issued entry");
	for (int k = 0; k < STORE_SUBJECT_COUNT; k++) {
		if (names[k][0] == '\0')
			continue;
		klen = store_subjkey(key, k, names[k], c->serial,
		    c->serial_len);
		store_w_put(w, STORE_DB_BY_SUBJECT, key, klen, one,
		    sizeof(one), 0, "put subject entry");
	}
	return w->rc;
}

/* Check c before it is inserted; a failure sticks. */
static int
cert_check(struct store_wtxn *w, const struct store_cert *c)
{
	const char *p = w->t.s->path;
	char why[CA_WHY_MAX];
	int rc;

	if ((rc = store_serial_check(c->serial, c->serial_len, why,
	    sizeof(why))) != CA_OK)
		return store_w_fail(w, rc, "store %s: certificate: %s", p, why);
	if (c->der == NULL || c->der_len == 0 || c->der_len > STORE_DER_MAX)
		return store_w_fail(w, CA_ETOOBIG, "store %s: certificate: "
		    "DER of %zu bytes (1..%d)", p, c->der_len, STORE_DER_MAX);
	if (!text_ok(c->template_name, sizeof(c->template_name)) ||
	    !text_ok(c->requester, sizeof(c->requester)) ||
	    !text_ok(c->subject_sid, sizeof(c->subject_sid)) ||
	    !text_ok(c->subject_upn, sizeof(c->subject_upn)) ||
	    !text_ok(c->subject_dns, sizeof(c->subject_dns)) ||
	    !text_ok(c->subject_dn, sizeof(c->subject_dn)))
		return store_w_fail(w, CA_EINVAL, "store %s: certificate: a "
		    "text field is not terminated", p);
	if (c->not_after < c->not_before)
		return store_w_fail(w, CA_EINVAL, "store %s: certificate: "
		    "notAfter before notBefore", p);
	if (c->status != STORE_CERT_VALID &&
	    !(c->status == STORE_CERT_REVOKED && reason_ok(c->reason)))
		return store_w_fail(w, CA_EINVAL, "store %s: certificate: "
		    "status %d with reason %d", p, c->status, c->reason);
	return CA_OK;
}

/* Insert a new certificate with its index entries; see store.h. */
int
store_w_put_cert(struct store_wtxn *w, const struct store_cert *c)
{
	char hex[STORE_SERIAL_HEX];
	struct store_enc e;
	int rc;

	if (w->rc != CA_OK)
		return w->rc;
	if ((rc = cert_check(w, c)) != CA_OK)
		return rc;
	cert_encode(&e, c);
	rc = store_w_put_enc(w, STORE_DB_CERTS, c->serial, c->serial_len,
	    &e, MDB_NOOVERWRITE, "put certificate");
	if (rc == CA_EEXIST) {
		w->rc = CA_OK;
		return store_w_fail(w, CA_EEXIST, "certificate "
		    "serial %s exists already; serials are never reused",
		    store_serial_hex(hex, c->serial,
		    c->serial_len));
	}
	if (rc != CA_OK || cert_index(w, c) != CA_OK)
		return w->rc;
	if (c->status == STORE_CERT_REVOKED) {
		rev_new(w, c->revoked_at, c->serial, c->serial_len,
		    STORE_REVKEY_REVOKED, c->reason, c->invalidity_date,
		    c->not_after);
		store_w_counter_add(w, STORE_META_REVOKED, 1);
	}
	return w->rc;
}

/* Read serial's record inside the chain (der borrowed). */
static int
cert_load(struct store_wtxn *w, const unsigned char *serial, size_t len,
    struct store_cert *c)
{
	char why[CA_WHY_MAX];
	int rc;

	memset(c, 0, sizeof(*c));
	if (w->rc != CA_OK)
		return w->rc;
	if ((rc = store_serial_check(serial, len, why, sizeof(why))) != CA_OK)
		return store_w_fail(w, rc, "store %s: %s", w->t.s->path, why);
	rc = store_get_cert(&w->t, serial, len, c);
	if (rc != CA_OK)
		return store_w_stick(w, rc);
	return CA_OK;
}

/* Re-encode c over its record. */
static int
cert_rewrite(struct store_wtxn *w, const struct store_cert *c)
{
	struct store_enc e;
	int rc;

	cert_encode(&e, c);
	rc = store_w_put_enc(w, STORE_DB_CERTS, c->serial, c->serial_len,
	    &e, 0, "put certificate");
	return rc;
}

/* Revoke a certificate; see store.h. */
int
store_w_revoke(struct store_wtxn *w, const unsigned char *serial,
    size_t serial_len, int reason, int64_t at, int64_t invalidity_date)
{
	char hex[STORE_SERIAL_HEX];
	struct store_cert c;
	int was_valid, rc;

	if (w->rc != CA_OK)
		return w->rc;
	if (!reason_ok(reason))
		return store_w_fail(w, CA_EINVAL, "store %s: revoke: RFC 5280 "
		    "5.3.1: reason %d cannot be given", w->t.s->path, reason);
	if ((rc = cert_load(w, serial, serial_len, &c)) != CA_OK)
		return rc;
	store_serial_hex(hex, serial, serial_len);
	was_valid = c.status == STORE_CERT_VALID;
	if (!was_valid && c.reason != STORE_REASON_HOLD)
		rc = store_w_fail(w, CA_ESTATE, "certificate %s is "
		    "already revoked (reason %d)", hex,
		    c.reason);
	else if (!was_valid && reason == STORE_REASON_HOLD)
		rc = store_w_fail(w, CA_ESTATE, "certificate %s is "
		    "already on hold", hex);
	if (rc != CA_OK) {
		store_cert_clear(&c);
		return rc;
	}
	/* Change times never go back for one certificate (clock steps). */
	if (was_valid && c.unrevoked_at != 0) {
		rev_stale(w, c.unrevoked_at, serial, serial_len,
		    STORE_REVKEY_UNREVOKED);
		if (at < c.unrevoked_at)
			at = c.unrevoked_at;
	} else if (!was_valid) {
		rev_stale(w, c.revoked_at, serial, serial_len,
		    STORE_REVKEY_REVOKED);
		if (at < c.revoked_at)
			at = c.revoked_at;
	}
	c.status = STORE_CERT_REVOKED;
	c.revoked_at = at;
	c.reason = reason;
	c.invalidity_date = invalidity_date;
	cert_rewrite(w, &c);
	rev_new(w, at, serial, serial_len, STORE_REVKEY_REVOKED, reason,
	    invalidity_date, c.not_after);
	if (was_valid)
		store_w_counter_add(w, STORE_META_REVOKED, 1);
	store_cert_clear(&c);
	return w->rc;
}

/* Revoke a serial the store has no certificate for; see store.h. */
int
store_w_revoke_unknown(struct store_wtxn *w, const unsigned char *serial,
    size_t serial_len, int reason, int64_t at, int64_t invalidity_date,
    int64_t not_after)
{
	static const unsigned char one[1] = { STORE_REC_INDEX };
	unsigned char key[STORE_KEY_MAX];
	char hex[STORE_SERIAL_HEX], why[CA_WHY_MAX];
	struct store_cert c;
	struct store_enc e;
	int rc;

	if (w->rc != CA_OK)
		return w->rc;
	if ((rc = store_serial_check(serial, serial_len, why, sizeof(why))) != CA_OK)
		return store_w_fail(w, rc, "store %s: %s", w->t.s->path, why);
	if (!reason_ok(reason))
		return store_w_fail(w, CA_EINVAL, "store %s: revoke: RFC 5280 "
		    "5.3.1: reason %d cannot be given", w->t.s->path, reason);
	memset(&c, 0, sizeof(c));
	memcpy(c.serial, serial, serial_len);
	c.serial_len = serial_len;
	c.not_before = at < not_after ? at : not_after;
	c.not_after = not_after;
	c.status = STORE_CERT_REVOKED;
	c.revoked_at = at;
	c.reason = reason;
	c.invalidity_date = invalidity_date;
	cert_encode(&e, &c);
	rc = store_w_put_enc(w, STORE_DB_CERTS, serial, serial_len,
	    &e, MDB_NOOVERWRITE, "put revoked serial");
	if (rc == CA_EEXIST) {
		w->rc = CA_OK;
		return store_w_fail(w, CA_EEXIST, "serial %s is "
		    "known; revoke the certificate instead",
		    store_serial_hex(hex, serial, serial_len));
	}
	if (rc != CA_OK)
		return w->rc;
	store_be_time(key, not_after);
	memcpy(key + 8, serial, serial_len);
	store_w_put(w, STORE_DB_BY_EXPIRY, key, 8 + serial_len, one,
	    sizeof(one), 0, "put expiry entry");
	store_w_put(w, STORE_DB_BY_ISSUED, key, store_issuedkey(key,
	    c.not_before, serial, serial_len), one, sizeof(one), 0,
	    "put issued entry");
	rev_new(w, at, serial, serial_len, STORE_REVKEY_REVOKED, reason,
	    invalidity_date, not_after);
	store_w_counter_add(w, STORE_META_REVOKED, 1);
	return w->rc;
}

/* Release a certificate from hold; see store.h. */
int
store_w_unrevoke(struct store_wtxn *w, const unsigned char *serial,
    size_t serial_len, int64_t at)
{
	char hex[STORE_SERIAL_HEX];
	struct store_cert c;
	int rc;

	if ((rc = cert_load(w, serial, serial_len, &c)) != CA_OK)
		return rc;
	if (c.status != STORE_CERT_REVOKED || c.reason != STORE_REASON_HOLD) {
		rc = store_w_fail(w, CA_ESTATE, "certificate %s is "
		    "not on hold (only certificateHold can be undone)",
		    store_serial_hex(hex, serial, serial_len));
		store_cert_clear(&c);
		return rc;
	}
	rev_stale(w, c.revoked_at, serial, serial_len, STORE_REVKEY_REVOKED);
	if (at < c.revoked_at)
		at = c.revoked_at;
	rev_new(w, at, serial, serial_len, STORE_REVKEY_UNREVOKED,
	    STORE_REASON_REMOVE_FROM_CRL, 0, c.not_after);
	c.status = STORE_CERT_VALID;
	c.revoked_at = 0;
	c.reason = 0;
	c.invalidity_date = 0;
	c.unrevoked_at = at;
	cert_rewrite(w, &c);
	store_w_counter_add(w, STORE_META_REVOKED, -1);
	store_cert_clear(&c);
	return w->rc;
}

/* Read a certificate; see store.h. */
int
store_get_cert(struct store_txn *t, const unsigned char *serial,
    size_t serial_len, struct store_cert *c)
{
	char hex[STORE_SERIAL_HEX];
	MDB_val v;
	int rc;

	memset(c, 0, sizeof(*c));
	if (serial == NULL || serial_len == 0 || serial_len > STORE_SERIAL_MAX)
		return store_txn_fail(t, CA_EINVAL, "store %s: serial of %zu "
		    "octets", t->s->path, serial_len);
	rc = store_t_get(t, STORE_DB_CERTS, serial, serial_len, &v,
	    "get certificate");
	if (rc == CA_ENOTFOUND)
		return store_txn_fail(t, rc, "certificate %s not "
		    "found", store_serial_hex(hex, serial,
		    serial_len));
	if (rc != CA_OK)
		return rc;
	return cert_decode(t, &v, c, 1);
}

/* Free the DER of c and zero it (NULL accepted). */
void
store_cert_clear(struct store_cert *c)
{
	if (c == NULL)
		return;
	free(c->der);
	memset(c, 0, sizeof(*c));
}
