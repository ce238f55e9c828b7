/*
 * profile_issue OUTDIR: the end of the issuance path for the integration
 * test profile_check.sh. Makes a throwaway CA (valid 200 days, so a
 * one-year template is clamped), then for each CSR the script produced with
 * openssl runs policy_decide() with the test domain's principals and
 * issue_build(), and writes OUTDIR/ca.pem, OUTDIR/<name>.pem and
 * OUTDIR/<name>.notes. Scenarios:
 *   pkcs: INTUNECONN$ for alice on PKCSIntune with OUTDIR/pkcs.csr
 *   user: alice on User (subject and SANs from the directory), user.csr
 *   file: like pkcs, with the template read by templates/ from the file
 *         given as the second argument (etc/templates/PKCSIntune.tmpl)
 * Exits non-zero with a message when a step fails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "common/error.h"
#include "ca/issue/issue.h"
#include "policy/decide.h"
#include "templates/template.h"
#include "tests/unit/policy/test_policy_util.h"

#define CSR_FILE_MAX POLICY_CSR_MAX

static const char *outdir;

/* Print and exit: this is a test driver. */
static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "profile_issue: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* OUTDIR/name. */
static const char *
path(const char *name)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s", outdir, name);
	return buf;
}

/* Write a certificate as PEM. */
static void
write_pem(gnutls_x509_crt_t crt, const char *name)
{
	gnutls_datum_t pem;
	FILE *f;

	if (gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &pem) < 0 ||
	    (f = fopen(path(name), "w")) == NULL)
		die("cannot write %s", name);
	fwrite(pem.data, 1, pem.size, f);
	fclose(f);
	gnutls_free(pem.data);
}

/* The CA: RSA 2048, self-signed, re-imported from its DER. */
static void
make_ca(time_t now, gnutls_privkey_t *key, gnutls_x509_crt_t *crt)
{
	gnutls_x509_privkey_t xk;
	gnutls_x509_crt_t c;
	gnutls_datum_t der;
	unsigned char serial[] = { 0x42 }, id[20];
	size_t sz = sizeof(id);

	if (gnutls_x509_privkey_init(&xk) < 0 ||
	    gnutls_x509_privkey_generate(xk, GNUTLS_PK_RSA, 2048, 0) < 0 ||
	    gnutls_privkey_init(key) < 0 ||
	    gnutls_privkey_import_x509(*key, xk, GNUTLS_PRIVKEY_IMPORT_COPY) < 0 ||
	    gnutls_x509_crt_init(&c) < 0 ||
	    gnutls_x509_crt_set_version(c, 3) < 0 ||
	    gnutls_x509_crt_set_dn(c, "CN=Entca Test CA,O=Entca,DC=entca,"
	    "DC=test", NULL) < 0 ||
	    gnutls_x509_crt_set_key(c, xk) < 0 ||
	    gnutls_x509_crt_set_serial(c, serial, 1) < 0 ||
	    gnutls_x509_crt_set_activation_time(c, now - 86400) < 0 ||
	    gnutls_x509_crt_set_expiration_time(c, now + 200 * 86400) < 0 ||
	    gnutls_x509_crt_set_basic_constraints(c, 1, -1) < 0 ||
	    gnutls_x509_crt_set_key_usage(c, GNUTLS_KEY_KEY_CERT_SIGN |
	    GNUTLS_KEY_CRL_SIGN | GNUTLS_KEY_DIGITAL_SIGNATURE) < 0 ||
	    gnutls_x509_crt_get_key_id(c, 0, id, &sz) < 0 ||
	    gnutls_x509_crt_set_subject_key_id(c, id, sz) < 0 ||
	    gnutls_x509_crt_privkey_sign(c, c, *key, GNUTLS_DIG_SHA256, 0) < 0 ||
	    gnutls_x509_crt_export2(c, GNUTLS_X509_FMT_DER, &der) < 0 ||
	    gnutls_x509_crt_init(crt) < 0 ||
	    gnutls_x509_crt_import(*crt, &der, GNUTLS_X509_FMT_DER) < 0)
		die("cannot make the CA");
	gnutls_free(der.data);
	gnutls_x509_crt_deinit(c);
	gnutls_x509_privkey_deinit(xk);
}

/* Read OUTDIR/name (DER CSR) into buf. */
static size_t
read_csr(const char *name, unsigned char *buf, size_t cap)
{
	FILE *f = fopen(path(name), "rb");
	size_t n;

	if (f == NULL)
		die("cannot open %s", path(name));
	n = fread(buf, 1, cap, f);
	fclose(f);
	if (n == 0 || n == cap)
		die("%s: empty or larger than %zu bytes", name, cap);
	return n;
}

/*
 * Decide and build one certificate from OUTDIR/<csr>.csr with the fixture
 * template which, or with *file_tmpl when it is not NULL.
 */
static void
issue_one(const char *name, const char *csr_name, enum tp_who rq_who,
    enum tp_tmpl which, const struct template *file_tmpl, time_t now,
    gnutls_privkey_t ca_key, gnutls_x509_crt_t ca_crt)
{
	static const char *const cdp[] = { "http://pki.entca.test/crl/entca.crl" };
	static const char *const aia[] = { "http://pki.entca.test/aia/entca.crt" };
	static const char *const ocsp[] = { "http://pki.entca.test/ocsp" };
	struct policy_ca ca = {
		.aces = tp_ca_aces, .n_aces = tp_n_ca_aces,
		.issue_templates = tp_issue_templates, .n_issue = tp_n_issue,
		.ca_not_before = (int64_t)gnutls_x509_crt_get_activation_time(ca_crt),
		.ca_not_after = (int64_t)gnutls_x509_crt_get_expiration_time(ca_crt),
		.cdp_urls = cdp, .n_cdp = 1, .aia_urls = aia, .n_aia = 1,
		.ocsp_urls = ocsp, .n_ocsp = 1, .sid_url_san = true,
	};
	static unsigned char csr[CSR_FILE_MAX];
	struct policy_request *req = calloc(1, sizeof(*req));
	struct policy_decision *d = calloc(1, sizeof(*d));
	struct principal rq, subj;
	struct policy_input in = { 0 };
	struct template t;
	gnutls_x509_crt_t crt;
	gnutls_datum_t dd, spki;
	unsigned char serial[ISSUE_SERIAL_MAX], *der;
	size_t len, der_len, sl = sizeof(serial);
	char why[CA_WHY_MAX], file[256], hint[PRINCIPAL_DN_MAX];
	FILE *f;

	if (req == NULL || d == NULL)
		die("out of memory");
	snprintf(file, sizeof(file), "%s.csr", csr_name);
	len = read_csr(file, csr, sizeof(csr));
	if (policy_request_parse(csr, len, req, why, sizeof(why)) != CA_OK)
		die("%s: %s", name, why);
	tp_principal(rq_who, &rq);
	/* ca/'s lookup, reduced to the one user the scenarios name. */
	tp_principal(TP_ALICE, &subj);
	if (policy_subject_hint(req, hint, sizeof(hint)) == POLICY_HINT_NONE)
		die("%s: the CSR names nobody", name);
	if (file_tmpl != NULL)
		t = *file_tmpl;
	else
		tp_template(which, &t);
	in.requester = &rq;
	in.subject = &subj;
	in.tmpl = &t;
	in.req = req;
	in.ca = &ca;
	in.now = (int64_t)now;
	if (policy_decide(&in, d) != CA_OK || d->verdict != POLICY_ISSUE)
		die("%s: %s: %s", name, policy_code_names[d->code], d->why);
	/* The key as entcad takes it: policy/'s re-encoding of the CSR's. */
	spki.data = req->spki;
	spki.size = (unsigned)req->spki_len;
	if (issue_serial_new(serial, &sl) != CA_OK)
		die("serial");
	if (issue_build(&d->profile, &spki, serial, sl, ca_crt, ca_key, &der,
	    &der_len, why, sizeof(why)) != CA_OK)
		die("%s: %s", name, why);
	dd.data = der;
	dd.size = (unsigned)der_len;
	if (gnutls_x509_crt_init(&crt) < 0 ||
	    gnutls_x509_crt_import(crt, &dd, GNUTLS_X509_FMT_DER) < 0)
		die("%s: the certificate does not parse", name);
	free(der);
	snprintf(file, sizeof(file), "%s.pem", name);
	write_pem(crt, file);
	snprintf(file, sizeof(file), "%s.notes", name);
	if ((f = fopen(path(file), "w")) == NULL)
		die("cannot write %s", file);
	fprintf(f, "why=%s\nnotes=%s\nsubject=%s\n", d->why, d->notes,
	    d->profile.subject);
	fclose(f);
	gnutls_x509_crt_deinit(crt);
	principal_clear(&rq);
	principal_clear(&subj);
	policy_request_wipe(req);
	free(req);
	free(d);
}

/* CA first, then each scenario's certificate. */
int
main(int argc, char **argv)
{
	gnutls_privkey_t ca_key;
	gnutls_x509_crt_t ca_crt;
	time_t now = time(NULL);

	static struct template ft;
	char why[CA_WHY_MAX];

	if (argc != 2 && argc != 3)
		die("usage: profile_issue OUTDIR [TEMPLATE_FILE]");
	outdir = argv[1];
	make_ca(now, &ca_key, &ca_crt);
	write_pem(ca_crt, "ca.pem");
	issue_one("pkcs", "pkcs", TP_CONNECTOR, TP_T_PKCS, NULL, now, ca_key,
	    ca_crt);
	issue_one("user", "user", TP_ALICE, TP_T_USER, NULL, now, ca_key,
	    ca_crt);
	if (argc == 3) {
		if (template_parse_file(argv[2], &ft, why, sizeof(why)) != CA_OK)
			die("%s", why);
		issue_one("file", "pkcs", TP_CONNECTOR, TP_T_PKCS, &ft, now,
		    ca_key, ca_crt);
	}
	gnutls_x509_crt_deinit(ca_crt);
	gnutls_privkey_deinit(ca_key);
	tp_cleanup();
	return 0;
}
