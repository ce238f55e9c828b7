/*
 * The SCEP RA (RFC 8894 §2.2): an RSA key that lives in the signer
 * process (STATE/scep-ra.key, see ca/signer/signer_scep.h) and a
 * certificate for it issued by this CA with digitalSignature and
 * keyEncipherment, as NDES's signing and exchange certificates together.
 * Clients encrypt their requests to it and verify CertRep with it.
 *
 * This is the daemon's whole view of it: the start-up and shutdown steps
 * it orders around the signer (prepare before the signer starts, open
 * after it). What the RA holds (struct scep_ra) is SCEP's own business,
 * in ca/scep/scep_int.h.
 *
 * Threads: scep_ra_prepare and scep_ra_open run at start-up before any
 * loop or worker (blocking); the struct is then read-only and shared by
 * the loop (GetCACert) and workers (its key may be used from any thread).
 */
#ifndef ENTCA_CA_SCEP_RA_H
#define ENTCA_CA_SCEP_RA_H

#include <stddef.h>

struct ca_config;
struct daemon;
struct scep_ra;

/*
 * Before the signer starts: when [scep] enabled = yes and the state folder
 * has no RA key, make one (RSA 2048) in STATE/scep-ra.key, mode 0600,
 * owned by [ca] signer-user when root. The key leaves this process's
 * memory at once; the signer child opens it. CA_OK or the reason.
 */
int scep_ra_prepare(const struct ca_config *c, char *why, size_t whylen);

/*
 * After the signer started: load STATE/scep-ra.crt, or issue it (first
 * start) or a new one for the same key when less than [scep]
 * ra-renew-before is left, recording it in the store with an audit event;
 * set d->scep. Nothing when SCEP is off. CA_OK or the reason.
 */
int scep_ra_open(struct daemon *d, char *why, size_t whylen);

/* Free the RA state (before signer_stop). NULL is fine. */
void scep_ra_free(struct scep_ra *ra);

#endif
