/*
 * Internal to crl/: the signature algorithm and its DER AlgorithmIdentifier
 * for a key (see sigalg.c). Pure; safe from any thread.
 */
#ifndef ENTCA_CRL_SIGALG_H
#define ENTCA_CRL_SIGALG_H

#include <stddef.h>

#include <gnutls/abstract.h>

struct crl_params;

/* Room for the longest AlgorithmIdentifier written (RSA-PSS: 67 octets). */
#define CRL_SIGALG_DER_MAX 96

/* The algorithm chosen for one CRL. */
struct crl_sigalg {
	gnutls_sign_algorithm_t algo;
	unsigned char der[CRL_SIGALG_DER_MAX];	/* AlgorithmIdentifier */
	size_t len;
};

/*
 * Choose the signature algorithm for key and p->hash / p->rsa_pss into *s.
 * Returns CA_OK or CA_EINVAL with a sentence in why (may be NULL).
 */
int crl_sigalg_pick(const struct crl_params *p, gnutls_privkey_t key,
    struct crl_sigalg *s, char *why, size_t whylen);

#endif
