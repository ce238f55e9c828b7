/*
 * The OCSP responder (RFC 6960 with the RFC 5019 profile; AD CS's Online
 * Responder, built into entcad). It owns: the issuer hashes that say a
 * CertID names this CA, the response signing key and certificate (a
 * delegated "OCSP Response Signing" certificate whose key lives in the
 * signer process, renewed at half life, or the CA key itself), the cache
 * of pre-signed responses served to GET without a signature, and the
 * OCSP counters of /metrics.
 *
 * Consistency with revocation: a cached response is served only while the
 * store still says what it said when the response was signed (status,
 * revocation time, reason, release time), checked in a read transaction
 * begun after the request arrived; and the revoke path drops the cached
 * responses of a serial when its revocation commits (ocsp_forget, from
 * the writer's on_commit, before the revoke call answers). So once a
 * revoke has answered, no query sees "good".
 *
 * Threads: ocsp_serve and ocsp_tick run on the loop; they answer cache
 * hits there (one LMDB read and a hash lookup: no signing, no writes) and
 * hand misses, nonces and multi-certificate requests to a worker, which
 * signs and completes back on the loop. ocsp_forget runs on the store's
 * writer thread; the cache and the signing key are behind mutexes.
 */
#ifndef ENTCA_CA_OCSP_H
#define ENTCA_CA_OCSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct daemon;
struct http_request;
struct ocsp;

#define OCSP_PATH "/ocsp"
#define OCSP_RETRY_S 60			/* after a failed signer renewal */
#define OCSP_RSA_BITS 2048		/* delegated key of an RSA CA */
#define OCSP_SIGNER_BACKDATE_S 300	/* notBefore against clock skew */
#define OCSP_SIGNER_TEMPLATE "OCSPResponseSigning" /* AD CS's name */

/*
 * Set up the responder of d (its cfg, identity, store and signer are
 * open): issuer hashes and, unless [ocsp] sign-with = ca, the first
 * delegated signing key, made in the signer on a thread of its own while
 * the caller goes on. Its certificate is signed and recorded only once
 * ocsp_first_key_wait lets it: a start that fails its checks before that
 * (ocsp_free) signs nothing. *out is NULL when [ocsp] enabled = no. CA_OK
 * or the failure with why. Before the loop runs.
 */
int ocsp_new(struct daemon *d, struct ocsp **out, char *why, size_t whylen);

/*
 * The start passed its checks: have ocsp_new's first signing certificate
 * signed and recorded, and wait for it. When it could not be
 * made that is logged and ocsp_tick tries again; meanwhile requests are
 * answered tryLater. NULL is accepted. Before the loop runs.
 */
void ocsp_first_key_wait(struct ocsp *o);

/* Free the responder; NULL is accepted. After the workers stopped. */
void ocsp_free(struct ocsp *o);

/* /ocsp and /ocsp/<base64>: answer req (loop thread). */
void ocsp_serve(struct daemon *d, struct http_request *req);

/* Every second: renew the signing certificate at half life (loop). */
void ocsp_tick(struct daemon *d);

/*
 * A revocation change of serial committed: drop its cached responses.
 * Any thread (the store's writer, from on_commit). o may be NULL.
 */
void ocsp_forget(struct ocsp *o, const unsigned char *serial, size_t len);

/* Append /health problems (signing certificate near expiry); loop. */
size_t ocsp_health(struct daemon *d, json_t *problems);

/*
 * The OCSP families of /metrics as Prometheus text (malloc'd, the caller
 * frees; NULL when out of memory or o is NULL). Any thread.
 */
char *ocsp_metrics_text(struct ocsp *o);

/* The OCSP signing certificate in service, DER (tests, health). */
struct ocsp_signer_info {
	int64_t not_before, not_after;
	char serial[41];		/* hex, "" with sign-with = ca */
};
void ocsp_signer_get(struct ocsp *o, struct ocsp_signer_info *info);

#endif
