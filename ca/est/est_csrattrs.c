/*
 * EST csrattrs (RFC 7030 §4.5, RFC 8951): what a template wants in a
 * request, as a CsrAttrs SEQUENCE written with a tiny DER writer (a few
 * fixed OIDs and one INTEGER). Public by default ([est] csrattrs-auth =
 * no, as libest's server does); with csrattrs-auth = yes it needs
 * credentials and the template read right.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <jansson.h>

#include "common/error.h"
#include "ca/daemon/daemon.h"
#include "ca/est/est_int.h"
#include "ca/http/http.h"
#include "ca/daemon/job.h"
#include "ca/issue/pkcs7.h"
#include "ca/daemon/templates_load.h"
#include "policy/rights.h"

/* Append one DER TLV (short or long length form) to buf at *off. */
static void
der_tlv(unsigned char *buf, size_t cap, size_t *off, unsigned tag,
    const unsigned char *v, size_t len)
{
	unsigned char hdr[6];
	size_t h = 0;

	hdr[h++] = (unsigned char)tag;
	if (len < 128) {
		hdr[h++] = (unsigned char)len;
	} else if (len < 256) {
		hdr[h++] = 0x81;
		hdr[h++] = (unsigned char)len;
	} else {
		hdr[h++] = 0x82;
		hdr[h++] = (unsigned char)(len >> 8);
		hdr[h++] = (unsigned char)len;
	}
	if (*off + h + len > cap)
		return;
	memcpy(buf + *off, hdr, h);
	memcpy(buf + *off + h, v, len);
	*off += h + len;
}

/* Worker: CsrAttrs (RFC 7030 §4.5.2, RFC 8951) of the job's template. */
static void
csrattrs_work(struct job *j)
{
	static const unsigned char rsa[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 };
	static const unsigned char sha256rsa[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b };
	static const unsigned char ecpub[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
	static const unsigned char p256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
	static const unsigned char p384[] = { 0x2b, 0x81, 0x04, 0x00, 0x22 };
	static const unsigned char challenge[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x07 };
	struct enroll *e = j->ctx;
	const struct template *t = e->tmpl;
	unsigned char items[512], attr[128], set[64], out[600];
	size_t n = 0, a, s, o = 0;
	char *b64 = NULL;
	size_t b64_len = 0;

	/* RFC 7030 §4.5: csrattrs may be public; then no right is needed. */
	if (j->cfg->est_csrattrs_auth &&
	    !(policy_rights(&j->who, t->aces, t->n_aces) & (TMPL_RIGHT_READ | TMPL_RIGHT_ENROLL))) {
		job_fail(j, CA_EDENIED, "csrattrs: template %s: the read right is required", t->name);
		return;
	}
	if (t->key_algorithms & TMPL_KEY_RSA) {
		unsigned char bits[3] = { (unsigned char)(t->min_key_size >> 8), (unsigned char)t->min_key_size, 0 };
		size_t bl = 2;

		if (bits[0] & 0x80) {	/* keep the INTEGER positive */
			memmove(bits + 1, bits, 2);
			bits[0] = 0;
			bl = 3;
		}
		a = s = 0;
		der_tlv(set, sizeof(set), &s, 0x02, bits, bl);
		der_tlv(attr, sizeof(attr), &a, 0x06, rsa, sizeof(rsa));
		der_tlv(attr, sizeof(attr), &a, 0x31, set, s);
		der_tlv(items, sizeof(items), &n, 0x30, attr, a);
		der_tlv(items, sizeof(items), &n, 0x06, sha256rsa, sizeof(sha256rsa));
	}
	if (t->key_algorithms & (TMPL_KEY_ECDSA_P256 | TMPL_KEY_ECDSA_P384)) {
		a = s = 0;
		if (t->key_algorithms & TMPL_KEY_ECDSA_P256)
			der_tlv(set, sizeof(set), &s, 0x06, p256, sizeof(p256));
		if (t->key_algorithms & TMPL_KEY_ECDSA_P384)
			der_tlv(set, sizeof(set), &s, 0x06, p384, sizeof(p384));
		der_tlv(attr, sizeof(attr), &a, 0x06, ecpub, sizeof(ecpub));
		der_tlv(attr, sizeof(attr), &a, 0x31, set, s);
		der_tlv(items, sizeof(items), &n, 0x30, attr, a);
	}
	/*
	 * challengePassword only where the template links the CSR to the TLS
	 * session (RFC 7030 §3.5): asking for it elsewhere invites clients to
	 * put a secret in a request that is not checked.
	 */
	if (t->require_channel_binding)
		der_tlv(items, sizeof(items), &n, 0x06, challenge, sizeof(challenge));
	der_tlv(out, sizeof(out), &o, 0x30, items, n);
	if (pkcs7_base64(out, o, &b64, &b64_len) != CA_OK) {
		job_fail(j, CA_ENOMEM, "out of memory");
		return;
	}
	free(j->resp);
	j->resp = (unsigned char *)b64;
	j->resp_len = b64_len;
	j->status = 200;
	job_header(j, "Content-Type", "application/csrattrs");
	job_header(j, "Content-Transfer-Encoding", "base64");
}

/* Loop: resolve the template, then build CsrAttrs on a worker. */
void
est_csrattrs(struct daemon *d, struct http_request *req, const char *label)
{
	struct job *j = job_new(d, req);
	struct enroll *e;
	const char *name = label != NULL ? label : d->cfg->default_template;

	if (j == NULL) {
		job_error_respond(req, CA_ENOMEM, NULL, "out of memory");
		return;
	}
	e = calloc(1, sizeof(*e));
	j->ctx = e;
	j->ctx_free = enroll_free;
	if (e == NULL) {
		job_fail(j, CA_ENOMEM, "out of memory");
		job_finish(j);
		return;
	}
	e->tmpl = templates_find(j->tset, name);
	if (e->tmpl == NULL || !config_issues_template(d->cfg, name)) {
		job_fail(j, CA_ENOTFOUND, "template %s is not issued by this CA", *name ? name : "(none)");
		job_finish(j);
		return;
	}
	j->anonymous_ok = !d->cfg->est_csrattrs_auth;
	job_start(j, csrattrs_work);
}
