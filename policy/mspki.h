/*
 * The Microsoft PKI ASN.1 module (policy/ms-pki.asn, compiled by asn1Parser)
 * and the one codec of the SID security extension 1.3.6.1.4.1.311.25.2
 * (KB5014754: GeneralNames with one otherName 1.3.6.1.4.1.311.25.2.1 whose
 * [0] EXPLICIT OCTET STRING is the SID as ASCII). policy/request.c reads it
 * from CSRs, ldap/certmap.c from client certificates, ca/issue writes it;
 * ca/issue/msext.c builds its other Microsoft structures on mspki_new. The
 * parsed definitions are built once (pthread_once) and then only read:
 * any thread.
 */
#ifndef ENTCA_POLICY_MSPKI_H
#define ENTCA_POLICY_MSPKI_H

#include <stddef.h>
#include <stdint.h>

#include <libtasn1.h>

#define MSPKI_DER_MAX 2048	/* bytes of one encoded value */
#define MSPKI_SID_TEXT_MAX 256	/* characters of a SID we encode */

#define MSPKI_OID_SID_EXT	"1.3.6.1.4.1.311.25.2"
#define MSPKI_OID_SID_OTHER	"1.3.6.1.4.1.311.25.2.1"

/*
 * A fresh element of type name ("MS-PKI.X"), or NULL when the definitions
 * did not parse or memory ran out. The caller frees it with
 * asn1_delete_structure (mspki_der does).
 */
asn1_node mspki_new(const char *name);

/*
 * DER-encode *n into out (cap bytes) and free *n. wrc is the last
 * asn1_write_value result, so a failed chain of writes is checked once.
 * Returns CA_OK, CA_EINVAL, CA_ENOMEM or CA_ETOOBIG (out too small).
 */
int mspki_der(asn1_node *n, int wrc, unsigned char *out, size_t cap,
    size_t *len);

/*
 * SidExtValue for sid ("S-1-..."). Returns CA_OK, CA_EINVAL when sid does
 * not start with S-1- or is longer than MSPKI_SID_TEXT_MAX, CA_ETOOBIG,
 * CA_ENOMEM.
 */
int mspki_sid_encode(const char *sid, unsigned char *out, size_t cap,
    size_t *len);

/*
 * Read the SID text out of a SidExtValue (strict DER, exactly one
 * otherName of type 1.3.6.1.4.1.311.25.2.1, a non-empty value without
 * NUL) into sid (sidlen bytes, NUL-terminated). The caller checks the SID
 * syntax its own way. Returns CA_OK, CA_EPARSE (also when the value does
 * not fit sid), CA_ENOMEM.
 */
int mspki_sid_parse(const unsigned char *der, size_t len, char *sid,
    size_t sidlen);

/*
 * Read a CertificateTemplate (1.3.6.1.4.1.311.21.7: templateID, optional
 * major and minor versions, MS-WCCE 2.2.2.7.7.2) with the definition
 * ca/issue/msext.c encodes with: strict DER, versions 0..0xffffffff
 * (absent ones read as 0). oid gets the dotted templateID. Returns CA_OK,
 * CA_EPARSE, CA_ENOMEM.
 */
int mspki_template_parse(const unsigned char *der, size_t len, char *oid,
    size_t oidlen, uint32_t *major, uint32_t *minor);

#endif
