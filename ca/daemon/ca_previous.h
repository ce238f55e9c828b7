/*
 * After CA renewals (ca/identity/identity_renew.c): the earlier CA
 * certificates that cacerts and AIA serve, the CRL name of the current key
 * (AD CS's "<name>(K).crl" for key index K > 0), and the earlier keys
 * whose CRLs ("<name>.crl" for key 0, "<name>(k).crl" for key k) keep being
 * signed, each by its own signer process, until that key's last
 * certificate expires, so certificates they issued stay verifiable and
 * revocable.
 *
 * Threads: daemon_prev_open/close run before the loop starts and after it
 * ends. daemon_prev_publish and daemon_prev_reload run on a worker (or in
 * the tool); daemon_prev_crl_copy runs on the loop. Each key's CRL bytes
 * are guarded by its own mutex; everything else is read-only once open.
 */
#ifndef ENTCA_CA_DAEMON_CA_PREVIOUS_H
#define ENTCA_CA_DAEMON_CA_PREVIOUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "ca/daemon/settings.h"

struct daemon;
struct ca_identity;
struct signer;

/* One earlier key that still signs its CRLs. */
struct daemon_prev_key {
	unsigned index;			/* key index K */
	struct ca_identity *id;		/* ca-history/key(K): its newest cert */
	struct signer *signer;		/* NULL when opened without signers */
	gnutls_privkey_t key;
	char crl_name[CONFIG_STR_MAX];	/* "<name>" (K = 0) or "<name>(K)" */
	pthread_mutex_t lock;		/* guards der, der_len, number */
	unsigned char *der;		/* the CRL in service (malloc'd) */
	size_t der_len;
	uint64_t number;
};

/* What a renewed CA adds to the daemon. */
struct daemon_prev {
	unsigned cert_index, key_index;	/* of the current certificate */
	char crl_name[CONFIG_STR_MAX];	/* the current key's CRL name */
	gnutls_datum_t *certs;		/* every CA certificate, DER, index order */
	unsigned n_certs;
	struct daemon_prev_key *keys;	/* earlier keys still in service */
	size_t n_keys;
};

/*
 * Read the CA's history for d (whose identity is loaded): indexes, CRL
 * name, every CA certificate, and with signers the earlier keys whose
 * certificate has not expired at now (a signer each) with the CRL each
 * last published. d->prev is set (also for a CA never renewed). CA_OK or
 * the code with why.
 */
int daemon_prev_open(struct daemon *d, bool signers, int64_t now, char *why,
    size_t whylen);

/* Stop the signers and free d->prev (NULL is fine). */
void daemon_prev_close(struct daemon *d);

/* The current key's CRL name: "<name>" or "<name>(K)". */
const char *daemon_crl_name(const struct daemon *d, const struct ca_config *cfg);

/*
 * Publish a full CRL for every earlier key in service at now, signed by
 * that key and listing the store's revocations. Worker or tool. CA_OK, or
 * the first failure with why (the others are still tried).
 */
int daemon_prev_publish(struct daemon *d, const struct ca_config *cfg,
    int64_t now, char *why, size_t whylen);

/* Take up the earlier keys' CRL files (written by the tool). Worker. */
void daemon_prev_reload(struct daemon *d, const struct ca_config *cfg);

/*
 * A copy of the CRL in service named file ("<name>.crl", "<name>(k).crl")
 * of an earlier key: CA_OK with *der malloc'd (free it), CA_ENOTFOUND for
 * no such key, CA_ESTATE when it has published none yet. Loop thread.
 */
int daemon_prev_crl_copy(struct daemon *d, const char *file,
    unsigned char **der, size_t *len);

/*
 * The DER CA certificate with index n (0 .. current) or NULL. Borrowed;
 * lives as long as d. Any thread.
 */
const gnutls_datum_t *daemon_prev_cert(const struct daemon *d, unsigned n);

#endif
