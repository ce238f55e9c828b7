/*
 * What the SCEP files share (scep.c, scep_op.c, scep_challenge.c): the
 * state of one PKIOperation between the worker and the store writer, its
 * work, the RA's state and the challenge checks. Workers and the writer
 * only, but for scep.c, which makes the state on the loop, starts the
 * work and answers GetCACert from the RA.
 */
#ifndef ENTCA_CA_SCEP_INT_H
#define ENTCA_CA_SCEP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "ca/est/enroll.h"
#include "ca/scep/scep_cms.h"
#include "ca/scep/scep_msg.h"
#include "ca/store/store_scep.h"

#define SCEP_CHALLENGE_BYTES 16		/* 128 bits, as 32 hex digits */
#define SCEP_CHALLENGE_SWEEP_MAX 256	/* expired ones removed per issuance */

struct job;
struct store_wtxn;

#define SCEP_RA_CERT_FILE "scep-ra.crt"
#define SCEP_RA_KEY_BITS 2048
#define SCEP_RA_TEMPLATE "SCEP-RA"	/* template name of its store record */

/* The RA (scep_ra.h): made at start-up, then read-only. */
struct scep_ra {
	gnutls_x509_crt_t cert;		/* the RA certificate in force */
	gnutls_datum_t cert_der;
	int64_t not_after;
	gnutls_privkey_t key;		/* external: the signer's RA key */
	unsigned char *cacert_p7;	/* GetCACert: CA chain + RA, certs-only */
	size_t cacert_p7_len;
};

/* One PKIOperation. The enrollment comes first: enroll_apply reads it. */
struct scep_job {
	struct enroll e;
	char label[TMPL_NAME_MAX];	/* the template the path names */
	struct scep_msg m;		/* the client's message */
	bool have_msg;
	enum scep_cipher cipher;	/* the client's, for the reply */
	unsigned char key_id[STORE_HASH_LEN];	/* SHA-256 of the CSR's key */
	bool have_challenge;		/* a valid challenge is consumed */
	struct store_challenge ch;
	bool expired_challenge;		/* delete it and audit its expiry */
	char refusal[CA_WHY_MAX];	/* a refusal to audit, or "" */
	const char *action;		/* audit action of this operation */
};

/* Free a PKIOperation's state (the job's ctx_free). Whoever ends the job. */
void scep_job_free(void *arg);

/* Worker: verify, open, dispatch and answer one PKIOperation (j->ctx). */
void scep_work(struct job *j);

/* SHA-256 of a challenge text: how it is stored and found. */
int scep_challenge_hash(const char *text, unsigned char *out);

/*
 * Worker: is text a usable challenge for template tmpl? CA_OK with *c;
 * CA_ENOTFOUND (unknown), CA_ESTATE (used), CA_ETIMEOUT (expired: c is
 * set, so the refusal can delete and audit it), CA_EPOLICY (another
 * template), CA_EDB; why says which in words for the client.
 */
int scep_challenge_check(struct job *j, const char *text, const char *tmpl,
    struct store_challenge *c, char *why, size_t whylen);

/*
 * Writer: mark challenge c used by request_id, refusing (CA_ESTATE) one
 * that another request used meanwhile.
 */
int scep_challenge_consume(struct store_wtxn *w, const struct store_challenge *c,
    uint64_t request_id);

#endif
