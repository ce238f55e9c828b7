/*
 * What `entca dump` and `entca verify` share: reading a certificate, CSR
 * or CRL from a PEM or DER file, and describing one extension (the
 * Microsoft ones decoded with ca/issue/msext.c, the others printed by
 * GnuTLS). Tool main thread only.
 */
#ifndef ENTCA_CA_TOOL_X509_H
#define ENTCA_CA_TOOL_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <jansson.h>

/* Largest file dump and verify read (a CRL of many entries fits). */
#define TOOL_X509_FILE_MAX (256 * 1024 * 1024)
/* Bytes of an RFC 4514 name or one printed extension value. */
#define TOOL_X509_TEXT_MAX 8192

enum tool_x509_kind {
	TOOL_X509_CERT,
	TOOL_X509_CSR,
	TOOL_X509_CRL,
	TOOL_X509_KIND_COUNT
};

/* One object read from a file; exactly one of the handles is set. */
struct tool_x509 {
	int kind;			/* enum tool_x509_kind */
	gnutls_datum_t der;		/* its DER (gnutls_free'd) */
	gnutls_x509_crt_t crt;
	gnutls_x509_crq_t crq;
	gnutls_x509_crl_t crl;
};

/* "certificate", "certificate request", "CRL". */
const char *tool_x509_kind_name(int kind);

/*
 * Read path (PEM: the first CERTIFICATE, [NEW ]CERTIFICATE REQUEST or X509
 * CRL block; else DER of any of the three) into *o; free it with
 * tool_x509_clear. CA_OK, CA_EIO, CA_ETOOBIG or CA_EPARSE with why.
 */
int tool_x509_read(const char *path, struct tool_x509 *o, char *why,
    size_t whylen);

/*
 * The arguments of dump and verify: one FILE and an optional --json (in
 * any order). The file, or NULL when they are anything else (usage).
 */
const char *tool_x509_args(int argc, char **argv, bool *json);

/* Free what tool_x509_read set and zero o. */
void tool_x509_clear(struct tool_x509 *o);

/* A DER Name as an exactly escaped RFC 4514 string (policy/dn.c). */
void tool_x509_dn(const gnutls_datum_t *der, char *out, size_t cap);

/* t as RFC 3339 UTC ("2026-12-07T03:40:00Z") into buf (at least 32). */
void tool_x509_time(int64_t t, char *buf, size_t len);

/*
 * Describe one extension: a name ("Certificate Template Information"),
 * and a value into text (one line; Microsoft extensions decoded, others
 * through GnuTLS's printer, unknown ones as hex). When obj is not NULL the
 * decoded fields are also set in it (template, sid, application_policies,
 * ca_version ...). Returns the name (static).
 */
const char *tool_x509_ext_describe(const char *oid, const unsigned char *der,
    size_t len, int critical, char *text, size_t cap, json_t *obj);

/* A serial as lower-case hex into out (2 * len + 1 bytes). */
void tool_x509_hex(const unsigned char *p, size_t len, char *out);

#endif
