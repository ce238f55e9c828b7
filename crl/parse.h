/*
 * Reading a CRL back: a small bounded DER reader for what ca/ needs from
 * a CRL it published earlier (its number, delta base, dates, and every
 * entry with its reason and invalidity date), so that a restored store can
 * continue above it and recover the revocations it lists. GnuTLS parses
 * and verifies CRLs but does not expose entry extensions, hence this.
 * The input is bounded by its length and walked once; nothing is
 * allocated. Pure; safe from any thread. Depends on common/ only.
 */
#ifndef ENTCA_CRL_PARSE_H
#define ENTCA_CRL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crl/crl.h"

/* What a CRL says about itself. */
struct crl_info {
	bool has_number;	/* cRLNumber present */
	uint64_t number;	/* cRLNumber (RFC 5280 §5.2.3), if it fits */
	bool delta;		/* deltaCRLIndicator present (§5.2.4) */
	uint64_t base;		/* its base CRL number */
	int64_t this_update;
	int64_t next_update;	/* 0 when absent */
	size_t entries;
};

/* Called per entry (e valid during the call); non-zero stops and is returned. */
typedef int (*crl_parsed_cb)(void *arg, const struct crl_entry *e);

/*
 * Walk the DER CertificateList der[0..len): fill *info and call cb for
 * each revokedCertificates entry, with the serial as its DER INTEGER
 * content, revocationDate, reasonCode (UNSPECIFIED when absent) and
 * invalidityDate (0 when absent). With cb NULL the entries are counted
 * only: each must be a SEQUENCE, its contents are not read. The signature is not checked here
 * (ca/ verifies it with GnuTLS first). Returns CA_OK, CA_EPARSE with a
 * sentence in why naming the field, CA_ETOOBIG (a serial over 21 octets,
 * a number over 64 bits), or cb's code.
 */
int crl_parse(const unsigned char *der, size_t len, struct crl_info *info,
    crl_parsed_cb cb, void *arg, char *why, size_t whylen);

#endif
