/*
 * A SCEP client's message side for the integration tests
 * (tests/integration/scep_enroll.sh): builds pkiMessages that the clients
 * in Debian cannot be made to send (CertPoll, GetCert, GetCRL, unknown
 * types, wrong recipients, 3DES) and opens CertRep replies. It uses
 * entca's own scep_msg/scep_cms code for the CMS work; the end-to-end
 * proof of interoperability is micromdm's scepclient, this tool only
 * reaches the branches no real client takes. HTTP goes through curl.
 *
 *   scep_msgtool build OUT TYPE TXID KEY CERT RA CONTENT [aes128|aes256|3des]
 *       CONTENT: a file (CSR or body DER), or "-" for none
 *   scep_msgtool issuer-subject OUT ISSUER_CERT CSR_DER  (CertPoll body)
 *   scep_msgtool issuer-serial OUT ISSUER_CERT SERIAL_HEX (GetCert body)
 *   scep_msgtool reply IN KEY CERT [OUT_P7]
 *       prints "type=3 status=S fail=F txid=T" and writes the opened content
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <libtasn1.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "common/error.h"
#include "common/hex.h"
#include "ca/scep/scep_cms.h"
#include "ca/scep/scep_msg.h"

/* Read a whole file (gnutls_load_file); exits on failure. */
static gnutls_datum_t
load(const char *path)
{
	gnutls_datum_t d = { NULL, 0 };

	if (gnutls_load_file(path, &d) < 0) {
		fprintf(stderr, "scep_msgtool: cannot read %s\n", path);
		exit(2);
	}
	return d;
}

/* Write bytes to a file; exits on failure. */
static void
save(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		fprintf(stderr, "scep_msgtool: cannot write %s\n", path);
		exit(2);
	}
}

/* A PEM certificate file. */
static gnutls_x509_crt_t
load_crt(const char *path)
{
	gnutls_datum_t d = load(path);
	gnutls_x509_crt_t c;

	if (gnutls_x509_crt_init(&c) < 0 ||
	    gnutls_x509_crt_import(c, &d, GNUTLS_X509_FMT_PEM) < 0) {
		fprintf(stderr, "scep_msgtool: %s: not a PEM certificate\n", path);
		exit(2);
	}
	gnutls_free(d.data);
	return c;
}

/* A PEM private key file. */
static gnutls_privkey_t
load_key(const char *path)
{
	gnutls_datum_t d = load(path);
	gnutls_privkey_t k;

	if (gnutls_privkey_init(&k) < 0 ||
	    gnutls_privkey_import_x509_raw(k, &d, GNUTLS_X509_FMT_PEM, NULL, 0) < 0) {
		fprintf(stderr, "scep_msgtool: %s: not a PEM key\n", path);
		exit(2);
	}
	gnutls_free(d.data);
	return k;
}

/* build: a pkiMessage of any type, content sealed to RA. */
static int
cmd_build(int argc, char **argv)
{
	struct scep_msg m;
	gnutls_x509_crt_t cert, ra;
	gnutls_privkey_t key;
	unsigned char *env = NULL, *out = NULL;
	size_t envlen = 0, outlen = 0;
	enum scep_cipher c = SCEP_CIPHER_AES128;
	char why[CA_WHY_MAX];
	int rc;

	if (argc < 9)
		return 2;
	memset(&m, 0, sizeof(m));
	m.type = atoi(argv[3]);
	snprintf(m.txid, sizeof(m.txid), "%s", argv[4]);
	m.have_sender_nonce = true;
	gnutls_rnd(GNUTLS_RND_NONCE, m.sender_nonce, SCEP_NONCE_LEN);
	m.status = m.fail_info = -1;
	key = load_key(argv[5]);
	cert = load_crt(argv[6]);
	ra = load_crt(argv[7]);
	if (argc > 9)
		c = strcmp(argv[9], "3des") == 0 ? SCEP_CIPHER_3DES :
		    strcmp(argv[9], "des") == 0 ? SCEP_CIPHER_DES :
		    strcmp(argv[9], "aes256") == 0 ? SCEP_CIPHER_AES256 : SCEP_CIPHER_AES128;
	if (strcmp(argv[8], "-") != 0) {
		gnutls_datum_t body = load(argv[8]);

		rc = scep_envelope_seal(body.data, body.size, ra, c, &env, &envlen,
		    why, sizeof(why));
		gnutls_free(body.data);
		if (rc != CA_OK) {
			fprintf(stderr, "scep_msgtool: %s\n", why);
			rc = 1;
			goto out;
		}
	}
	rc = 1;
	if (scep_msg_build(&m, env, envlen, cert, key, GNUTLS_DIG_SHA256, &out,
	    &outlen, why, sizeof(why)) != CA_OK) {
		fprintf(stderr, "scep_msgtool: %s\n", why);
		goto out;
	}
	save(argv[2], out, outlen);
	rc = 0;
out:
	/* Freed so that a sanitizer build reports only real leaks. */
	free(out);
	free(env);
	gnutls_privkey_deinit(key);
	gnutls_x509_crt_deinit(cert);
	gnutls_x509_crt_deinit(ra);
	return rc;
}

/* issuer-subject / issuer-serial: the small message bodies. */
static int
cmd_pair(int argc, char **argv, bool subject)
{
	gnutls_x509_crt_t iss;
	gnutls_datum_t dn = { NULL, 0 };
	unsigned char second[1024], *out = NULL;
	size_t second_len = 0, outlen;
	char why[CA_WHY_MAX];

	if (argc < 5)
		return 2;
	iss = load_crt(argv[3]);
	if (gnutls_x509_crt_get_raw_dn(iss, &dn) < 0)
		return 1;
	if (subject) {
		gnutls_datum_t csr = load(argv[4]);
		const unsigned char *p = csr.data;
		long len;
		int cl;

		/* CertificationRequest { CertificationRequestInfo { version, subject } } */
		for (int step = 0; step < 3; step++) {
			len = asn1_get_length_der(p + 1, (int)(csr.size - (size_t)(p - csr.data) - 1), &cl);
			if (len < 0)
				return 1;
			if (step < 2)
				p += 1 + cl;		/* into the SEQUENCE */
			else
				p += 1 + cl + len;	/* over the version */
		}
		len = asn1_get_length_der(p + 1, (int)(csr.size - (size_t)(p - csr.data) - 1), &cl);
		if (len < 0 || (size_t)(1 + cl + len) > sizeof(second))
			return 1;
		second_len = (size_t)(1 + cl + len);
		memcpy(second, p, second_len);
		gnutls_free(csr.data);
	} else {
		const char *h = argv[4];

		second[0] = 0;	/* a sign byte keeps the INTEGER positive */
		second_len = 1;
		for (; h[0] && h[1] && second_len < sizeof(second); h += 2)
			second[second_len++] = (unsigned char)(hex_digit(h[0]) * 16 + hex_digit(h[1]));
	}
	if (scep_issuer_pair_build(dn.data, dn.size, second, second_len, subject, &out,
	    &outlen, why, sizeof(why)) != CA_OK) {
		fprintf(stderr, "scep_msgtool: %s\n", why);
		return 1;
	}
	save(argv[2], out, outlen);
	free(out);
	gnutls_free(dn.data);
	gnutls_x509_crt_deinit(iss);
	return 0;
}

/* reply: verify a CertRep, print its attributes, open its envelope. */
static int
cmd_reply(int argc, char **argv)
{
	gnutls_datum_t in;
	struct scep_msg m;
	gnutls_x509_crt_t cert;
	gnutls_privkey_t key;
	unsigned char *p7 = NULL;
	size_t p7len = 0;
	enum scep_cipher c;
	char why[CA_WHY_MAX];
	int rc;

	if (argc < 5)
		return 2;
	in = load(argv[2]);
	key = load_key(argv[3]);
	cert = load_crt(argv[4]);
	rc = scep_msg_parse(in.data, in.size, false, &m, why, sizeof(why));
	if (rc != CA_OK && m.txid[0] == '\0') {
		printf("unparsed: %s\n", why);
		rc = 1;
		goto out;
	}
	/* GnuTLS verifies no content-less SignedData: the test checks those
	 * with openssl cms -verify. */
	printf("type=%d status=%d fail=%d txid=%s text=%s%s%s\n", m.type, m.status,
	    m.fail_info, m.txid, m.fail_text, rc != CA_OK ? " unverified: " : "",
	    rc != CA_OK ? why : "");
	if (m.content != NULL && argc > 5) {
		rc = scep_envelope_open(m.content, m.content_len, cert, key, true, true, &p7,
		    &p7len, &c, why, sizeof(why));
		if (rc != CA_OK) {
			printf("envelope: %s\n", why);
			rc = 1;
			goto out;
		}
		save(argv[5], p7, p7len);
	}
	rc = 0;
out:
	/* Freed so that a sanitizer build reports only real leaks. */
	scep_msg_clear(&m);
	free(p7);
	gnutls_free(in.data);
	gnutls_privkey_deinit(key);
	gnutls_x509_crt_deinit(cert);
	return rc;
}

/* Dispatch. */
int
main(int argc, char **argv)
{
	int rc = 2;

	gnutls_global_init();
	if (argc > 1 && strcmp(argv[1], "build") == 0)
		rc = cmd_build(argc, argv);
	else if (argc > 1 && strcmp(argv[1], "issuer-subject") == 0)
		rc = cmd_pair(argc, argv, true);
	else if (argc > 1 && strcmp(argv[1], "issuer-serial") == 0)
		rc = cmd_pair(argc, argv, false);
	else if (argc > 1 && strcmp(argv[1], "reply") == 0)
		rc = cmd_reply(argc, argv);
	if (rc == 2)
		fprintf(stderr, "usage: see tests/integration/scep_msgtool.c\n");
	return rc;
}
