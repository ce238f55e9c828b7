/*
 * Microsoft certificate extensions that GnuTLS cannot build, DER-encoded
 * with libtasn1 from policy/ms-pki.asn (the SID security extension
 * 1.3.6.1.4.1.311.25.2 has its one codec in policy/mspki.h): the certificate
 * template information (1.3.6.1.4.1.311.21.7), the v1 template name
 * (1.3.6.1.4.1.311.20.2, bare BMPString), application policies
 * (1.3.6.1.4.1.311.21.10) and the UPN otherName value. Every function
 * writes into a caller buffer and returns CA_OK, CA_EINVAL (bad input),
 * CA_ETOOBIG (buffer) or CA_ENOMEM. The parsed ASN.1 definitions are built
 * once (pthread_once) and then only read: any thread.
 */
#ifndef ENTCA_CA_MSEXT_H
#define ENTCA_CA_MSEXT_H

#include <stddef.h>
#include <stdint.h>

#include <gnutls/gnutls.h>

#include "policy/mspki.h"

#define MSEXT_DER_MAX MSPKI_DER_MAX	/* bytes of one encoded extension value */

#define MSEXT_OID_SID		MSPKI_OID_SID_EXT	/* encoded by mspki_sid_encode */
#define MSEXT_OID_TEMPLATE	"1.3.6.1.4.1.311.21.7"
#define MSEXT_OID_TEMPLATE_V1	"1.3.6.1.4.1.311.20.2"
#define MSEXT_OID_APP_POLICIES	"1.3.6.1.4.1.311.21.10"
#define MSEXT_OID_UPN		"1.3.6.1.4.1.311.20.2.3"
#define MSEXT_OID_CA_VERSION	"1.3.6.1.4.1.311.21.1"
#define MSEXT_OID_PREV_CA_HASH	"1.3.6.1.4.1.311.21.2"

#define MSEXT_NAME_MAX 256	/* a decoded template name, UTF-8, with NUL */
#define MSEXT_OID_TEXT_MAX 128	/* a dotted OID with NUL */

/* CertificateTemplate { templateID, major, minor }. */
int msext_template(const char *oid, uint32_t major, uint32_t minor,
    unsigned char *out, size_t cap, size_t *len);

/* The v1 template name as a BMPString (ASCII/UTF-8 BMP characters). */
int msext_template_v1(const char *name, unsigned char *out, size_t cap,
    size_t *len);

/* ApplicationPolicies from n dotted OIDs, each in a stride-sized slot. */
int msext_app_policies(const char *oids, size_t stride, size_t n,
    unsigned char *out, size_t cap, size_t *len);

/*
 * Decoders of the same structures, for `entca dump` and `entca verify`:
 * each reads one extension value with the definitions of ms-pki.asn
 * (strict DER) and returns CA_OK, CA_EPARSE (not that structure),
 * CA_ETOOBIG (a field over the caller's buffer) or CA_ENOMEM.
 */

/* CertificateTemplate: see mspki_template_parse (policy/mspki.h). */

/* The v1 template name (BMPString) as UTF-8 into name (namelen bytes). */
int msext_template_v1_parse(const unsigned char *der, size_t len, char *name,
    size_t namelen);

/*
 * ApplicationPolicies: up to max OIDs, each into a MSEXT_OID_TEXT_MAX
 * slot of oids; *n gets the count (CA_ETOOBIG past max).
 */
int msext_app_policies_parse(const unsigned char *der, size_t len,
    char (*oids)[MSEXT_OID_TEXT_MAX], size_t max, size_t *n);

/* CAVersion for a CA certificate index and key index (each 0..65535). */
int msext_ca_version(unsigned cert_index, unsigned key_index,
    unsigned char *out, size_t cap, size_t *len);

/* Read CAVersion back into its certificate and key indexes. */
int msext_ca_version_parse(const unsigned char *der, size_t len,
    unsigned *cert_index, unsigned *key_index);

/* PreviousCAHash: an OCTET STRING of the previous CA certificate's hash. */
int msext_prev_ca_hash(const unsigned char *hash, size_t hlen,
    unsigned char *out, size_t cap, size_t *len);

/* Read PreviousCAHash back (at most cap bytes into hash). */
int msext_prev_ca_hash_parse(const unsigned char *der, size_t len,
    unsigned char *hash, size_t cap, size_t *hlen);

/* UTF8String for the UPN otherName value (inside its [0] EXPLICIT). */
int msext_upn(const char *upn, unsigned char *out, size_t cap, size_t *len);

#endif
