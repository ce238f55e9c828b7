/*
 * GnuTLS server credentials and session set-up for the HTTPS listener.
 * Credentials are reference counted so that a SIGHUP certificate reload can
 * swap them while established sessions keep using the old ones until they
 * close. Sessions are non-blocking and never raise SIGPIPE; the HTTP
 * connection code (http_conn.c) drives the handshake and records from the
 * loop thread. No logging: failures come back as codes and sentences.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/x509.h>

#include "common/error.h"
#include "ca/http/tls.h"

struct tls_creds {
	unsigned refs;
	gnutls_certificate_credentials_t cred;
	gnutls_priority_t prio;
	bool client_ca;
	/*
	 * Session ticket key (RFC 5077, RFC 8446 §4.6.1): a returning client
	 * resumes without a new key exchange and certificate signature, the
	 * largest cost of a new connection. Random per credential set, never
	 * written anywhere; GnuTLS derives rotating keys from it.
	 */
	gnutls_datum_t ticket_key;
};

/* Free both GnuTLS objects and the holder. */
static void
creds_destroy(struct tls_creds *c)
{
	if (c->cred != NULL)
		gnutls_certificate_free_credentials(c->cred);
	if (c->prio != NULL)
		gnutls_priority_deinit(c->prio);
	if (c->ticket_key.data != NULL) {
		gnutls_memset(c->ticket_key.data, 0, c->ticket_key.size);
		gnutls_free(c->ticket_key.data);
	}
	free(c);
}

/* Load credentials; see tls.h. */
int
tls_creds_new(const char *cert_file, const char *key_file,
    const char *client_ca_file, const char *priority, struct tls_creds **out,
    char *why, size_t whylen)
{
	struct tls_creds *c = NULL;
	const char *errpos = NULL;
	int ret, rc;

	*out = NULL;
	if (cert_file == NULL || key_file == NULL)
		return ca_why(why, whylen, CA_ECONFIG,
		    "TLS: a certificate file and a key file are required");
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return CA_ENOMEM;
	c->refs = 1;
	if (priority == NULL)
		priority = TLS_PRIORITY_DEFAULT;
	if ((ret = gnutls_certificate_allocate_credentials(&c->cred)) < 0) {
		rc = ca_why(why, whylen, CA_ENOMEM, "TLS: %s",
		    gnutls_strerror(ret));
		goto out;
	}
	ret = gnutls_certificate_set_x509_key_file2(c->cred, cert_file,
	    key_file, GNUTLS_X509_FMT_PEM, NULL, 0);
	if (ret < 0) {
		rc = ca_why(why, whylen, CA_ECONFIG, "TLS: certificate %s with "
		    "key %s: %s", cert_file, key_file, gnutls_strerror(ret));
		goto out;
	}
	if (client_ca_file != NULL) {
		ret = gnutls_certificate_set_x509_trust_file(c->cred,
		    client_ca_file, GNUTLS_X509_FMT_PEM);
		if (ret <= 0) {
			rc = ca_why(why, whylen, CA_ECONFIG, "TLS: client CA "
			    "file %s: %s", client_ca_file, ret == 0 ?
			    "no certificates found" : gnutls_strerror(ret));
			goto out;
		}
		c->client_ca = true;
	}
	if ((ret = gnutls_session_ticket_key_generate(&c->ticket_key)) < 0) {
		rc = ca_why(why, whylen, CA_ECRYPTO, "TLS: session ticket key: %s",
		    gnutls_strerror(ret));
		goto out;
	}
	ret = gnutls_priority_init2(&c->prio, priority, &errpos,
	    0);
	if (ret < 0) {
		rc = ca_why(why, whylen, CA_ECONFIG, "TLS: priority string "
		    "\"%s\": %s at \"%.32s\"", priority, gnutls_strerror(ret),
		    errpos != NULL ? errpos : "");
		goto out;
	}
	*out = c;
	c = NULL;
	rc = CA_OK;
out:
	if (c != NULL)
		creds_destroy(c);
	return rc;
}

/* Take a reference. */
struct tls_creds *
tls_creds_ref(struct tls_creds *c)
{
	c->refs++;
	return c;
}

/* Drop a reference. */
void
tls_creds_unref(struct tls_creds *c)
{
	if (c != NULL && --c->refs == 0)
		creds_destroy(c);
}

/* Whether a client certificate is requested. */
bool
tls_creds_wants_client_cert(const struct tls_creds *c)
{
	return c->client_ca;
}

/* Make a server session on fd; see tls.h. */
int
tls_session_new(struct tls_creds *c, int fd, gnutls_session_t *out)
{
	gnutls_session_t s = NULL;
	int ret;

	*out = NULL;
	ret = gnutls_init(&s, GNUTLS_SERVER | GNUTLS_NONBLOCK |
	    GNUTLS_NO_SIGNAL);
	if (ret < 0)
		return ret == GNUTLS_E_MEMORY_ERROR ? CA_ENOMEM : CA_ECRYPTO;
	if ((ret = gnutls_priority_set(s, c->prio)) < 0 ||
	    (ret = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE,
	    c->cred)) < 0 ||
	    (ret = gnutls_session_ticket_enable_server(s, &c->ticket_key)) < 0) {
		gnutls_deinit(s);
		return CA_ECRYPTO;
	}
	gnutls_certificate_server_set_request(s, c->client_ca ?
	    GNUTLS_CERT_REQUEST : GNUTLS_CERT_IGNORE);
	gnutls_transport_set_int(s, fd);
	*out = s;
	return CA_OK;
}

/* Copy the client's leaf certificate and verify its chain. */
static int
peer_cert(gnutls_session_t session, struct tls_peer *peer)
{
	const gnutls_datum_t *list;
	unsigned int n = 0, status = 0;
	gnutls_typed_vdata_st vdata = {
		.type = GNUTLS_DT_KEY_PURPOSE_OID,
		.data = (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT,
	};

	list = gnutls_certificate_get_peers(session, &n);
	if (list == NULL || n == 0)
		return CA_OK;
	if (list[0].size > TLS_PEER_CERT_MAX)
		return CA_ETOOBIG;
	if ((peer->cert_der = malloc(list[0].size)) == NULL)
		return CA_ENOMEM;
	memcpy(peer->cert_der, list[0].data, list[0].size);
	peer->cert_len = list[0].size;
	if (gnutls_certificate_verify_peers(session, &vdata, 1, &status) < 0)
		status = GNUTLS_CERT_INVALID;
	peer->verify_status = status;
	peer->cert_verified = status == 0;
	return CA_OK;
}

/* Fill peer after the handshake; see tls.h. */
int
tls_peer_get(gnutls_session_t session, struct tls_peer *peer)
{
	gnutls_datum_t cb = { NULL, 0 };
	gnutls_protocol_t v = gnutls_protocol_get_version(session);
	gnutls_channel_binding_t type;
	int rc;

	memset(peer, 0, sizeof(*peer));
	peer->version = gnutls_protocol_get_name(v);
	/* RFC 9266: tls-exporter for TLS 1.3; tls-unique (RFC 5929) before. */
	if (v == GNUTLS_TLS1_3) {
		type = GNUTLS_CB_TLS_EXPORTER;
		peer->cb_type = "tls-exporter";
	} else {
		type = GNUTLS_CB_TLS_UNIQUE;
		peer->cb_type = "tls-unique";
	}
	if (gnutls_session_channel_binding(session, type, &cb) == 0 &&
	    cb.size <= TLS_CB_MAX) {
		memcpy(peer->cb, cb.data, cb.size);
		peer->cb_len = cb.size;
	} else
		peer->cb_type = NULL;
	gnutls_free(cb.data);
	if ((rc = peer_cert(session, peer)) != CA_OK)
		tls_peer_clear(peer);
	return rc;
}

/* Describe verification status bits; see tls.h. */
void
tls_verify_status_text(unsigned int status, char *buf, size_t len)
{
	gnutls_datum_t out = { NULL, 0 };

	if (len == 0)
		return;
	if (status == 0) {
		snprintf(buf, len, "verified");
		return;
	}
	if (gnutls_certificate_verification_status_print(status,
	    GNUTLS_CRT_X509, &out, 0) < 0 || out.data == NULL) {
		snprintf(buf, len, "not verified (status 0x%x)", status);
		return;
	}
	snprintf(buf, len, "%s", (const char *)out.data);
	gnutls_free(out.data);
	for (size_t n = strlen(buf); n > 0 && buf[n - 1] == ' '; n--)
		buf[n - 1] = '\0';
}

/* Free the copied certificate. */
void
tls_peer_clear(struct tls_peer *peer)
{
	free(peer->cert_der);
	memset(peer, 0, sizeof(*peer));
}
