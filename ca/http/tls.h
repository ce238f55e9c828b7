/*
 * GnuTLS for entcad's HTTPS listener: server credentials (certificate, key,
 * optional client-certificate trust list, priority string) shared by
 * reference count between the server and its live sessions, and the
 * per-connection session helpers the HTTP connection state machine drives on
 * a non-blocking socket. Everything here runs on the event loop thread except
 * tls_creds_new, which reads files and may run anywhere (the server calls it
 * at start and on SIGHUP; both are rare and the files are small).
 */
#ifndef ENTCA_CA_TLS_H
#define ENTCA_CA_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include <gnutls/gnutls.h>

/* TLS 1.3 and 1.2 only, GnuTLS's NORMAL suites otherwise. */
#define TLS_PRIORITY_DEFAULT "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
#define TLS_PEER_CERT_MAX (16 * 1024)	/* client certificate DER bytes */
#define TLS_CB_MAX 64			/* channel binding bytes */

struct tls_creds;

/*
 * Load cert_file (PEM chain, leaf first) and key_file (PEM, unencrypted),
 * optionally a client CA trust list (PEM; NULL: client certificates are not
 * requested) and a priority string (NULL: TLS_PRIORITY_DEFAULT). *out has a
 * reference count of 1; release it with tls_creds_unref. Returns CA_OK,
 * CA_ECONFIG or CA_ENOMEM with a why sentence naming the file and GnuTLS's
 * reason.
 */
int tls_creds_new(const char *cert_file, const char *key_file,
    const char *client_ca_file, const char *priority, struct tls_creds **out,
    char *why, size_t whylen);

/* Take a reference; loop thread. Returns c. */
struct tls_creds *tls_creds_ref(struct tls_creds *c);

/* Drop a reference, freeing on the last; NULL is fine. Loop thread. */
void tls_creds_unref(struct tls_creds *c);

/* Whether these credentials request client certificates. */
bool tls_creds_wants_client_cert(const struct tls_creds *c);

/*
 * Make a non-blocking server session over fd with credentials c (the caller
 * keeps a reference on c for the session's life). Returns CA_OK or
 * CA_ECRYPTO/CA_ENOMEM. Free with gnutls_deinit.
 */
int tls_session_new(struct tls_creds *c, int fd, gnutls_session_t *out);

/* What the handshake learned about the client, copied out of GnuTLS. */
struct tls_peer {
	unsigned char *cert_der;	/* leaf DER, malloc'd; NULL if none */
	size_t cert_len;
	bool cert_verified;		/* chains to the trust list, valid now,
					   usable for TLS client auth */
	unsigned int verify_status;	/* gnutls_certificate_status_t bits */
	const char *version;		/* "TLS1.3", static */
	const char *cb_type;		/* "tls-exporter", "tls-unique", NULL */
	unsigned char cb[TLS_CB_MAX];	/* channel binding value */
	size_t cb_len;
};

/*
 * Fill peer after a completed handshake on session made with c. The client
 * certificate is verified with gnutls_certificate_verify_peers against c's
 * trust list for the TLS WWW client purpose. Returns CA_OK, CA_ENOMEM, or
 * CA_ETOOBIG when the client's certificate exceeds TLS_PEER_CERT_MAX.
 * Release with tls_peer_clear.
 */
int tls_peer_get(gnutls_session_t session, struct tls_peer *peer);

/*
 * Describe gnutls_certificate_status_t bits in GnuTLS's words ("The
 * certificate chain uses expired certificate.") into buf, for logs and
 * refusals; "verified" for 0. Any thread.
 */
void tls_verify_status_text(unsigned int status, char *buf, size_t len);

/* Free what tls_peer_get allocated and zero peer. */
void tls_peer_clear(struct tls_peer *peer);

#endif
