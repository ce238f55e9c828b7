/*
 * What ties an EST request to its client beyond the login: the TLS channel
 * binding a linking template wants in the CSR's challengePassword (RFC
 * 7030 §3.5, RFC 9266), and the PKCS#12 password of serverkeygen with its
 * policy ([est] pfx-min-password-length). The binding is copied from the
 * session on the loop (est_enroll); these checks run on a worker.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "common/error.h"
#include "common/base64.h"
#include "ca/est/est_int.h"
#include "ca/daemon/job.h"
#include "ca/daemon/settings.h"

/*
 * Worker: RFC 7030 §3.5 — on a template that asks for it, the CSR's
 * challengePassword must be the base64 of this connection's TLS channel
 * binding (tls-unique on TLS 1.2, tls-exporter on TLS 1.3 per RFC 9266),
 * so a request cannot be replayed from another session. False after a 400.
 */
bool
enroll_check_binding(struct job *j, struct enroll *e)
{
	const char *kind = j->tls_binding_type != NULL ? j->tls_binding_type : "";
	char *b64 = NULL;
	size_t n = 0;
	bool ok;

	if (!e->tmpl->require_channel_binding)
		return true;
	if (j->tls_binding_len == 0) {
		job_fail(j, CA_EPOLICY, "CSR: template %s links requests to the TLS session "
		    "(RFC 7030 §3.5), and this connection has no usable TLS channel "
		    "binding (TLS 1.3, or TLS 1.2 with extended master secret)",
		    e->template_name);
		return false;
	}
	if (!e->preq.has_challenge) {
		job_fail(j, CA_EPOLICY, "CSR: no challengePassword: template %s wants the "
		    "base64 %s channel binding of this TLS connection in it "
		    "(RFC 7030 §3.5, RFC 9266)", e->template_name, kind);
		return false;
	}
	if (base64_encode(j->tls_binding, j->tls_binding_len, 0, &b64, &n) != CA_OK) {
		job_fail(j, CA_ENOMEM, "out of memory");
		return false;
	}
	ok = strlen(e->preq.challenge) == n &&
	    gnutls_memcmp(e->preq.challenge, b64, n) == 0;
	free(b64);
	if (!ok)
		job_fail(j, CA_EPOLICY, "CSR: challengePassword does not match the %s "
		    "channel binding of this TLS connection (RFC 7030 §3.5): the "
		    "request is not linked to this session", kind);
	return ok;
}

/* Characters (UTF-8 code points) in s. */
static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * Worker: the PKCS#12 password of a serverkeygen. It comes from the
 * X-EST-PKCS12-Password header, or from the CSR's challengePassword where
 * the template does not use that attribute as channel binding: one value
 * is never both. [est] pfx-min-password-length bounds it. False after a
 * 400; the header copy is wiped either way.
 */
bool
enroll_pfx_password(struct job *j, struct enroll *e)
{
	bool linked = e->tmpl->require_channel_binding;
	unsigned min = j->cfg->pfx_min_password_length;
	size_t n;

	if (e->preq.has_challenge && !linked)
		snprintf(e->password, sizeof(e->password), "%s", e->preq.challenge);
	else
		snprintf(e->password, sizeof(e->password), "%s", j->extra);
	gnutls_memset(j->extra, 0, sizeof(j->extra));
	if (strstr(j->accept, "application/pkcs12") == NULL)
		return true;
	/* Refuse before a certificate exists whose key nobody could open. */
	if (e->password[0] == '\0') {
		job_fail(j, CA_EPOLICY, linked ? "PKCS#12: no password: send it in the "
		    "X-EST-PKCS12-Password header (the challengePassword is the "
		    "TLS channel binding on this template)" : "PKCS#12: no "
		    "password: send it in the CSR's challengePassword attribute "
		    "or the X-EST-PKCS12-Password header");
		return false;
	}
	if (linked && e->preq.has_challenge &&
	    strcmp(e->password, e->preq.challenge) == 0) {
		job_fail(j, CA_EPOLICY, "PKCS#12 password: must not be the CSR's "
		    "challengePassword, which is the TLS channel binding on "
		    "template %s", e->template_name);
		return false;
	}
	if ((n = utf8_chars(e->password)) < min) {
		job_fail(j, CA_EPOLICY, "PKCS#12 password: %zu characters, at least %u "
		    "required ([est] pfx-min-password-length)", n, min);
		return false;
	}
	return true;
}
