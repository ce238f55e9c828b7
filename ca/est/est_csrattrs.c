/*
 * EST csrattrs (RFC 7030 §4.5, RFC 8951): what a template wants in a
 * request, as a CsrAttrs SEQUENCE written with common/der.h (a few OIDs
 * through the one OID codec and one INTEGER; overflow is an error). Public by default ([est] csrattrs-auth =
 * no, as libest's server does); with csrattrs-auth = yes it needs
 * credentials and the template read right.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <jansson.h>

#include "common/der.h"
#include "common/error.h"
#include "ca/daemon/daemon.h"
#include "ca/est/est_int.h"
#include "ca/http/http.h"
#include "ca/daemon/job.h"
#include "ca/issue/pkcs7.h"
#include "ca/daemon/templates_load.h"
#include "policy/rights.h"

/* The OIDs CsrAttrs may name (RFC 8017, RFC 5480, RFC 2985). */
#define OID_RSA			"1.2.840.113549.1.1.1"
#define OID_SHA256_RSA		"1.2.840.113549.1.1.11"
#define OID_EC_PUBLIC_KEY	"1.2.840.10045.2.1"
#define OID_P256		"1.2.840.10045.3.1.7"
#define OID_P384		"1.3.132.0.34"
#define OID_CHALLENGE_PASSWORD	"1.2.840.113549.1.9.7"

/* Worker: CsrAttrs (RFC 7030 §4.5.2, RFC 8951) of the job's template. */
static void
csrattrs_work(struct job *j)
{
	struct enroll *e = j->ctx;
	const struct template *t = e->tmpl;
	unsigned char items[512], attr[128], set[64], out[600];
	struct der_buf ib, ab, sb, ob;
	char *b64 = NULL;
	size_t b64_len = 0;

	/* RFC 7030 §4.5: csrattrs may be public; then no right is needed. */
	if (j->cfg->est_csrattrs_auth &&
	    !(policy_rights(&j->who, t->aces, t->n_aces) & (TMPL_RIGHT_READ | TMPL_RIGHT_ENROLL))) {
		job_fail(j, CA_EDENIED, "csrattrs: template %s: the read right is required", t->name);
		return;
	}
	der_buf_init(&ib, items, sizeof(items));
	if (t->key_algorithms & TMPL_KEY_RSA) {
		unsigned char bits[3] = { (unsigned char)(t->min_key_size >> 8), (unsigned char)t->min_key_size, 0 };
		size_t bl = 2;

		if (bits[0] & 0x80) {	/* keep the INTEGER positive */
			memmove(bits + 1, bits, 2);
			bits[0] = 0;
			bl = 3;
		}
		der_buf_init(&sb, set, sizeof(set));
		der_buf_init(&ab, attr, sizeof(attr));
		der_put_tlv(&sb, DER_INTEGER, bits, bl);
		der_put_oid(&ab, OID_RSA);
		der_put_tlv(&ab, DER_SET, set, sb.len);
		der_put_tlv(&ib, DER_SEQUENCE, attr, ab.len);
		der_put_oid(&ib, OID_SHA256_RSA);
		if (sb.over || ab.over)
			ib.over = true;
	}
	if (t->key_algorithms & (TMPL_KEY_ECDSA_P256 | TMPL_KEY_ECDSA_P384)) {
		der_buf_init(&sb, set, sizeof(set));
		der_buf_init(&ab, attr, sizeof(attr));
		if (t->key_algorithms & TMPL_KEY_ECDSA_P256)
			der_put_oid(&sb, OID_P256);
		if (t->key_algorithms & TMPL_KEY_ECDSA_P384)
			der_put_oid(&sb, OID_P384);
		der_put_oid(&ab, OID_EC_PUBLIC_KEY);
		der_put_tlv(&ab, DER_SET, set, sb.len);
		der_put_tlv(&ib, DER_SEQUENCE, attr, ab.len);
		if (sb.over || ab.over)
			ib.over = true;
	}
	/*
	 * challengePassword only where the template links the CSR to the TLS
	 * session (RFC 7030 §3.5): asking for it elsewhere invites clients to
	 * put a secret in a request that is not checked.
	 */
	if (t->require_channel_binding)
		der_put_oid(&ib, OID_CHALLENGE_PASSWORD);
	der_buf_init(&ob, out, sizeof(out));
	der_put_tlv(&ob, DER_SEQUENCE, items, ib.len);
	if (der_buf_done(&ib) != CA_OK || der_buf_done(&ob) != CA_OK) {
		/* Never a truncated CsrAttrs: the buffers are sized for all items. */
		job_fail(j, CA_EINVAL, "csrattrs: template %s: CsrAttrs exceed %zu bytes", t->name, sizeof(out));
		return;
	}
	if (pkcs7_base64(out, ob.len, &b64, &b64_len) != CA_OK) {
		job_fail(j, CA_ENOMEM, "out of memory");
		return;
	}
	est_reply_base64(j, b64, b64_len, "application/csrattrs");
}

/* Loop: resolve the template, then build CsrAttrs on a worker. */
void
est_csrattrs(struct daemon *d, struct http_request *req, const char *label)
{
	struct job *j;
	struct enroll *e = job_new_ctx(d, req, sizeof(*e), enroll_free, &j);
	const char *name = label != NULL ? label : d->cfg->default_template;

	if (e == NULL)
		return;
	e->tmpl = templates_find(j->tset, name);
	if (e->tmpl == NULL || !config_issues_template(d->cfg, name)) {
		job_fail(j, CA_ENOTFOUND, "template %s is not issued by this CA", *name ? name : "(none)");
		job_finish(j);
		return;
	}
	j->anonymous_ok = !d->cfg->est_csrattrs_auth;
	job_start(j, csrattrs_work);
}
