/*
 * The bodies EST answers with (RFC 7030 §4.2.3, §4.4.2): certs-only
 * PKCS#7 in base64, and for server key generation either multipart/mixed
 * with the PKCS#8 key and the PKCS#7 certificate, or a password-protected
 * PKCS#12. Built on a worker before the record is committed; the loop only
 * sends them. Key bytes are wiped as soon as they are encoded.
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
#include "ca/identity/identity.h"
#include "ca/daemon/job.h"
#include "ca/issue/pkcs7.h"

/*
 * Worker: a 200 answer of b64 (taken) of len bytes, a type EST sends in
 * base64 (RFC 7030 §4: Content-Transfer-Encoding: base64).
 */
void
est_reply_base64(struct job *j, char *b64, size_t len, const char *type)
{
	job_body_take(j, b64, len, type);
	job_header(j, "Content-Transfer-Encoding", "base64");
}

/* Worker: a PKCS#7 of cert (+ nothing else), base64, as EST answers. */
void
est_reply_cert(struct job *j, const unsigned char *der, size_t len)
{
	gnutls_datum_t c = { (unsigned char *)der, (unsigned)len };
	unsigned char *p7 = NULL;
	size_t p7_len = 0;
	char *b64 = NULL;
	size_t b64_len = 0;

	if (pkcs7_certs_only(&c, 1, &p7, &p7_len) != CA_OK ||
	    pkcs7_base64(p7, p7_len, &b64, &b64_len) != CA_OK) {
		gnutls_free(p7);
		job_fail(j, CA_ECRYPTO, "cannot encode the PKCS#7 response");
		return;
	}
	gnutls_free(p7);
	est_reply_base64(j, b64, b64_len,
	    "application/pkcs7-mime; smime-type=certs-only");
}

/* Worker: the multipart/mixed body of RFC 7030 §4.4.2. */
void
est_reply_keygen(struct job *j, struct enroll *e)
{
	gnutls_datum_t key = { NULL, 0 };
	gnutls_datum_t cert = { e->cert.der, (unsigned)e->cert.der_len };
	unsigned char *p7 = NULL, *p12 = NULL;
	size_t p7_len = 0, p12_len = 0;
	char *kb64 = NULL, *cb64 = NULL, *body = NULL;
	size_t kl = 0, cl = 0, n;
	bool want_p12 = strstr(j->accept, "application/pkcs12") != NULL;

	if (want_p12) {
		/* enroll_work refused a PKCS#12 without a password already. */
		gnutls_datum_t ca = j->gen->id->cert_der;

		if (pkcs7_pkcs12(e->key, &cert, &ca, 1, e->password,
		    e->subject.sam[0] ? e->subject.sam : "entca", &p12, &p12_len) != CA_OK ||
		    pkcs7_base64(p12, p12_len, &kb64, &kl) != CA_OK) {
			gnutls_memset(e->password, 0, sizeof(e->password));
			gnutls_free(p12);
			job_fail(j, CA_ECRYPTO, "cannot build the PKCS#12");
			return;
		}
		/* The password's work is done: it does not wait for the reply. */
		gnutls_memset(e->password, 0, sizeof(e->password));
		gnutls_memset(p12, 0, p12_len);
		gnutls_free(p12);
		est_reply_base64(j, kb64, kl, "application/pkcs12");
		return;
	}
	if (gnutls_x509_privkey_export2_pkcs8(e->key, GNUTLS_X509_FMT_DER, NULL,
	    GNUTLS_PKCS_PLAIN, &key) < 0 ||
	    pkcs7_base64(key.data, key.size, &kb64, &kl) != CA_OK ||
	    pkcs7_certs_only(&cert, 1, &p7, &p7_len) != CA_OK ||
	    pkcs7_base64(p7, p7_len, &cb64, &cl) != CA_OK) {
		job_fail(j, CA_ECRYPTO, "cannot encode the serverkeygen response");
		goto out;
	}
	n = kl + cl + 512;
	body = malloc(n);
	if (body == NULL) {
		job_fail(j, CA_ENOMEM, "out of memory");
		goto out;
	}
	n = (size_t)snprintf(body, n,
	    "--" EST_BOUNDARY "\r\n"
	    "Content-Type: application/pkcs8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n"
	    "--" EST_BOUNDARY "\r\n"
	    "Content-Type: application/pkcs7-mime; smime-type=certs-only\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n"
	    "--" EST_BOUNDARY "--\r\n", kb64, cb64);
	job_body_take(j, body, n, "multipart/mixed; boundary=" EST_BOUNDARY);
out:
	if (key.data != NULL) {
		gnutls_memset(key.data, 0, key.size);
		gnutls_free(key.data);
	}
	if (kb64 != NULL) {
		gnutls_memset(kb64, 0, kl);
		free(kb64);
	}
	free(cb64);
	gnutls_free(p7);
}
