/*
 * Why a TLS connection to the directory failed. libldap reports a refused
 * server certificate as "Connect error" with the diagnostic "(unknown
 * error code)"; an operator with a wrong [directory] ca-file deserves
 * better. After such a failure, a second connection is opened that does
 * not require a valid certificate, only to fetch the server's certificate;
 * nothing is sent on it (no bind, no search) and it is closed at once. The
 * certificate is then verified with GnuTLS against the configured CA file
 * and host name, and the verdict comes back as a sentence. Worker threads;
 * blocks on the network.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ldap/dir_int.h"

/* GnuTLS's first sentence for any failure; the next one says why. */
#define NOT_TRUSTED "The certificate is NOT trusted. "

/* Verify one DER certificate against ca_file for host; sentence in out. */
static void
verify_peer(const struct berval *der, const char *ca_file, const char *host,
    char *out, size_t outlen)
{
	gnutls_x509_trust_list_t tl = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t d = { (unsigned char *)der->bv_val,
	    (unsigned)der->bv_len }, txt = { NULL, 0 };
	char dn[256] = "";
	size_t dnlen = sizeof(dn);
	const char *reason;
	size_t rlen;
	unsigned status = 0;
	int n;

	if (gnutls_x509_crt_init(&crt) < 0 ||
	    gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) < 0 ||
	    gnutls_x509_trust_list_init(&tl, 0) < 0) {
		snprintf(out, outlen, "the server's certificate is unreadable");
		goto out;
	}
	gnutls_x509_crt_get_dn(crt, dn, &dnlen);
	n = ca_file != NULL ?
	    gnutls_x509_trust_list_add_trust_file(tl, ca_file, NULL,
	    GNUTLS_X509_FMT_PEM, 0, 0) :
	    gnutls_x509_trust_list_add_system_trust(tl, 0, 0);
	if (n <= 0) {
		snprintf(out, outlen, "the server certificate (%s) cannot be "
		    "verified: no CA certificate read from %s", dn,
		    ca_file != NULL ? ca_file : "the system trust store");
		goto out;
	}
	if (gnutls_x509_trust_list_verify_crt(tl, &crt, 1, 0, &status,
	    NULL) < 0 || (status == 0 && host != NULL &&
	    !gnutls_x509_crt_check_hostname(crt, host) &&
	    (status = GNUTLS_CERT_UNEXPECTED_OWNER) == 0)) {
		snprintf(out, outlen, "the server certificate (%s) could not be "
		    "checked", dn);
		goto out;
	}
	if (status == 0) {
		snprintf(out, outlen, "the server certificate (%s) verifies "
		    "against %s; the TLS failure lies elsewhere", dn,
		    ca_file != NULL ? ca_file : "the system trust store");
		goto out;
	}
	gnutls_certificate_verification_status_print(status,
	    GNUTLS_CRT_X509, &txt, 0);
	/* The verdict first: a short buffer cuts the tail. */
	reason = txt.data != NULL ? (const char *)txt.data : "rejected.";
	if (strncmp(reason, NOT_TRUSTED, strlen(NOT_TRUSTED)) == 0 &&
	    reason[strlen(NOT_TRUSTED)] != '\0')
		reason += strlen(NOT_TRUSTED);
	rlen = strlen(reason);
	while (rlen > 0 && reason[rlen - 1] == ' ')
		rlen--;
	snprintf(out, outlen, "the server certificate failed verification: "
	    "%.*s (%s%s; subject %s%s%s)", (int)rlen, reason,
	    ca_file != NULL ? "ca-file " : "",
	    ca_file != NULL ? ca_file : "system trust store", dn,
	    host != NULL ? ", host " : "", host != NULL ? host : "");
	gnutls_free(txt.data);
out:
	gnutls_x509_crt_deinit(crt);
	if (tl != NULL)
		gnutls_x509_trust_list_deinit(tl, 1);
}

/* Probe without verification, then verify ourselves; see dir_int.h. */
void
dir_tls_diagnose(struct directory *d, const char *uri, char *out,
    size_t outlen)
{
	struct timeval ntv = { d->network_timeout_ms / 1000,
	    (d->network_timeout_ms % 1000) * 1000 };
	int v3 = LDAP_VERSION3, allow = LDAP_OPT_X_TLS_ALLOW, zero = 0;
	struct berval peer = { 0, NULL };
	LDAPURLDesc *lud = NULL;
	LDAP *ld = NULL;
	int lrc;

	out[0] = '\0';
	if (d->tls == DIRECTORY_TLS_NONE_LOOPBACK_ONLY ||
	    ldap_initialize(&ld, uri) != LDAP_SUCCESS)
		return;
	if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &ntv) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &allow) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero) != LDAP_OPT_SUCCESS)
		goto out;
	if (d->tls == DIRECTORY_TLS_STARTTLS)
		lrc = ldap_start_tls_s(ld, NULL, NULL);
	else
		lrc = ldap_connect(ld);
	if (lrc != LDAP_SUCCESS)
		goto out;	/* not a certificate problem: keep libldap's words */
	if (ldap_get_option(ld, LDAP_OPT_X_TLS_PEERCERT, &peer) !=
	    LDAP_OPT_SUCCESS || peer.bv_val == NULL)
		goto out;
	if (ldap_url_parse(uri, &lud) != LDAP_URL_SUCCESS)
		lud = NULL;
	verify_peer(&peer, d->ca_file, lud != NULL ? lud->lud_host : NULL,
	    out, outlen);
out:
	ber_memfree(peer.bv_val);
	ldap_free_urldesc(lud);
	ldap_unbind_ext_s(ld, NULL, NULL);
}
