/*
 * Revocation helpers (see revoke.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "common/hex.h"
#include "ca/issue/revoke.h"

/* Hex serial text to minimal positive DER INTEGER content. */
int
revoke_serial_parse(const char *text, unsigned char *out, size_t *len,
    char *why, size_t whylen)
{
	unsigned char raw[STORE_SERIAL_MAX + 1];
	size_t n = 0, i = 0;
	int nib = -1;

	if (strncmp(text, "0x", 2) == 0 || strncmp(text, "0X", 2) == 0)
		text += 2;
	for (const char *p = text; *p != '\0'; p++) {
		if (*p == ':' || *p == ' ')
			continue;
		if (!isxdigit((unsigned char)*p))
			return ca_why(why, whylen, CA_EPARSE,
			    "serial \"%s\": expected hexadecimal digits", text);
		i++;
	}
	if (i == 0 || i > 2 * (STORE_SERIAL_MAX + 1))
		return ca_why(why, whylen, CA_EPARSE,
		    "serial \"%s\": expected 1 to %d hexadecimal digits", text,
		    2 * STORE_SERIAL_MAX);
	/* An odd count means a leading nibble. */
	nib = (i % 2 == 1) ? 0 : -1;
	for (const char *p = text; *p != '\0'; p++) {
		int v;

		if (*p == ':' || *p == ' ')
			continue;
		v = hex_digit((unsigned char)*p);
		if (nib < 0) {
			nib = v;
		} else {
			raw[n++] = (unsigned char)(nib << 4 | v);
			nib = -1;
		}
	}
	/* Minimal DER content: drop redundant leading zeros, keep it positive. */
	i = 0;
	while (i + 1 < n && raw[i] == 0 && !(raw[i + 1] & 0x80))
		i++;
	if (raw[i] & 0x80) {
		if (n - i + 1 > STORE_SERIAL_MAX)
			return ca_why(why, whylen, CA_EPARSE, "serial \"%s\": too long", text);
		out[0] = 0;
		memcpy(out + 1, raw + i, n - i);
		*len = n - i + 1;
	} else {
		if (n - i > STORE_SERIAL_MAX)
			return ca_why(why, whylen, CA_EPARSE, "serial \"%s\": too long", text);
		memcpy(out, raw + i, n - i);
		*len = n - i;
	}
	return CA_OK;
}

/* A certificate record's state in words: valid, hold or revoked. */
const char *
revoke_status_name(const struct store_cert *c)
{
	if (c->status == STORE_CERT_VALID)
		return "valid";
	return c->reason == STORE_REASON_HOLD ? "hold" : "revoked";
}

struct collect {
	struct store_txn *t;
	struct revoke_set *set;
	int64_t now;
};

/* Keep serial if its certificate is valid and not yet in the set. */
static int
collect_one(const unsigned char *serial, size_t len, int64_t not_after, void *arg)
{
	struct collect *c = arg;
	struct store_cert cert;
	int rc;

	(void)not_after;
	for (size_t i = 0; i < c->set->n; i++)
		if (c->set->len[i] == len && memcmp(c->set->serial[i], serial, len) == 0)
			return 0;
	memset(&cert, 0, sizeof(cert));
	rc = store_get_cert(c->t, serial, len, &cert);
	if (rc != CA_OK)
		return rc;
	if (cert.status == STORE_CERT_VALID && cert.not_after >= c->now) {
		if (c->set->n >= REVOKE_BATCH_MAX) {
			store_cert_clear(&cert);
			return CA_ETOOBIG;
		}
		memcpy(c->set->serial[c->set->n], serial, len);
		c->set->len[c->set->n++] = len;
	}
	store_cert_clear(&cert);
	return 0;
}

/* Valid certificates of a principal through the subject indexes. */
int
revoke_collect(struct store_txn *t, const char *sid, const char *upn,
    const char *dns, int64_t now, struct revoke_set *set)
{
	struct collect c = { t, set, now };
	int rc = CA_OK;

	set->n = 0;
	if (sid != NULL && *sid != '\0')
		rc = store_iter_subject(t, STORE_SUBJECT_SID, sid, collect_one, &c);
	if (rc == CA_OK && upn != NULL && *upn != '\0')
		rc = store_iter_subject(t, STORE_SUBJECT_UPN, upn, collect_one, &c);
	if (rc == CA_OK && dns != NULL && *dns != '\0')
		rc = store_iter_subject(t, STORE_SUBJECT_DNS, dns, collect_one, &c);
	return rc;
}

static revoke_commit_cb revoke_hook;
static void *revoke_hook_arg;

/* Install (or with NULL remove) the commit hook. */
void
revoke_set_commit_hook(revoke_commit_cb cb, void *arg)
{
	revoke_hook_arg = arg;
	__atomic_store_n(&revoke_hook, cb, __ATOMIC_RELEASE);
}

/* A revocation change of serial committed: tell the hook. */
void
revoke_committed(const unsigned char *serial, size_t len)
{
	revoke_commit_cb cb = __atomic_load_n(&revoke_hook, __ATOMIC_ACQUIRE);

	if (cb != NULL)
		cb(serial, len, revoke_hook_arg);
}
