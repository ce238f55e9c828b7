/*
 * Tests of ca/identity/identity*.c and ca/signer/keyfile.c: new roots of every key type and
 * their profile, loading, refusal to overwrite, the subordinate flow with an
 * in-process parent, and damaged or unreadable state folders.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/error.h"
#include "ca/identity/identity.h"
#include "ca/signer/keyfile.h"
#include "tests/unit/test_tmpdir.h"


/* Fill default options for a CA in t_group_dir/name. */
static void
opts_for(struct ca_init_opts *o, const char *name, enum ca_key_type t,
    char *dir, size_t len)
{
	snprintf(dir, len, "%s/%s", t_group_dir, name);
	memset(o, 0, sizeof(*o));
	o->state_dir = dir;
	o->subject = "CN=Unit Root,O=entca\\, Inc.,C=US";
	o->key_type = t;
	o->days = 100;
}

/* Mode bits of a file in dir. */
static unsigned
mode_of(const char *dir, const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

/* Whole content of a file in dir (malloc'ed, NUL-terminated). */
static char *
slurp(const char *dir, const char *name)
{
	char path[256], why[CA_WHY_MAX];
	gnutls_datum_t d;
	char *s;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(keyfile_read(path, &d, why, sizeof(why)), CA_OK);
	s = strdup((char *)d.data);
	gnutls_free(d.data);
	return s;
}

/* Key type names round-trip and unknown ones are refused. */
static void
test_key_types(void **state)
{
	enum ca_key_type t;

	(void)state;
	for (int i = 0; i < CA_KEY_TYPE_COUNT; i++) {
		assert_int_equal(ca_key_type_parse(ca_key_type_name(i), &t),
		    CA_OK);
		assert_int_equal(t, i);
	}
	assert_int_equal(ca_key_type_parse("rsa1024", &t), CA_EINVAL);
	assert_string_equal(ca_key_type_name(CA_KEY_TYPE_COUNT), "?");
}

/* Check the root profile of a loaded identity. */
static void
check_root(const char *dir, int pk, unsigned bits, int sign_algo)
{
	struct ca_identity *id = NULL;
	char why[CA_WHY_MAX] = "", dn[256];
	unsigned char serial[32];
	size_t sl = sizeof(serial), dl = sizeof(dn);
	unsigned crit = 0, ca = 0, ku = 0, status = 1, b = 0;
	int pathlen;
	gnutls_datum_t raw;
	time_t now = time(NULL);

	assert_int_equal(ca_identity_load(dir, &id, why, sizeof(why)), CA_OK);
	assert_int_equal(gnutls_x509_crt_get_version(id->cert), 3);
	assert_int_equal(gnutls_x509_crt_get_serial(id->cert, serial, &sl), 0);
	assert_int_equal(sl, 16);
	assert_int_equal(serial[0] & 0x80, 0);
	assert_int_equal(gnutls_x509_crt_get_basic_constraints(id->cert, &crit,
	    &ca, &pathlen), 1);
	assert_true(crit && ca);
	assert_true(gnutls_x509_crt_get_key_usage(id->cert, &ku, &crit) >= 0);
	assert_true(crit);
	assert_int_equal(ku, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN |
	    GNUTLS_KEY_DIGITAL_SIGNATURE);
	assert_int_equal(id->ski_len, 20);
	assert_int_equal(gnutls_x509_crt_get_raw_dn(id->cert, &raw), 0);
	assert_int_equal(raw.size, id->subject_der.size);
	assert_memory_equal(raw.data, id->subject_der.data, raw.size);
	gnutls_free(raw.data);
	{
		gnutls_datum_t d3;

		assert_int_equal(gnutls_x509_crt_get_dn3(id->cert, &d3, 0), 0);
		snprintf(dn, sizeof(dn), "%s", (char *)d3.data);
		gnutls_free(d3.data);
	}
	(void)dl;
	assert_string_equal(dn, "CN=Unit Root,O=entca\\, Inc.,C=US");
	assert_true(id->not_after > now + 100 * 86400 - 60 &&
	    id->not_after <= now + 100 * 86400 + 5);
	assert_int_equal(gnutls_x509_crt_get_pk_algorithm(id->cert, &b), pk);
	assert_int_equal(b, bits);
	assert_int_equal(gnutls_x509_crt_get_signature_algorithm(id->cert),
	    sign_algo);
	assert_int_equal(gnutls_x509_crt_verify(id->cert, &id->cert, 1, 0,
	    &status), 0);
	assert_int_equal(status, 0);
	assert_int_equal(id->key.kind, KEYFILE_KIND_FILE);
	assert_non_null(strstr(id->key.path, "/ca.key"));
	assert_int_equal(id->chain_len, 0);
	assert_int_equal(id->cert_der.size > 100, 1);
	ca_identity_free(id);
	assert_int_equal(mode_of(dir, "ca.key"), 0600);
	assert_int_equal(mode_of(dir, "ca.json"), 0600);
	assert_int_equal(mode_of(dir, "tls.key"), 0600);
	assert_int_equal(mode_of(dir, "ca.crt"), 0644);
}

/* New roots of each key type carry the profile and load back. */
static void
test_roots(void **state)
{
	struct ca_init_opts o;
	char dir[128], why[CA_WHY_MAX] = "";

	(void)state;
	opts_for(&o, "rsa", CA_KEY_RSA2048, dir, sizeof(dir));
	assert_int_equal(ca_identity_init(&o, why, sizeof(why)), CA_OK);
	check_root(dir, GNUTLS_PK_RSA, 2048, GNUTLS_SIGN_RSA_SHA256);
	opts_for(&o, "p256", CA_KEY_P256, dir, sizeof(dir));
	assert_int_equal(ca_identity_init(&o, why, sizeof(why)), CA_OK);
	check_root(dir, GNUTLS_PK_ECDSA, 256, GNUTLS_SIGN_ECDSA_SHA256);
	opts_for(&o, "p384", CA_KEY_P384, dir, sizeof(dir));
	assert_int_equal(ca_identity_init(&o, why, sizeof(why)), CA_OK);
	check_root(dir, GNUTLS_PK_ECDSA, 384, GNUTLS_SIGN_ECDSA_SHA384);
}

/* A second init in the same folder is refused and changes nothing. */
static void
test_reinit_refused(void **state)
{
	struct ca_init_opts o;
	char dir[128], why[CA_WHY_MAX] = "", *k1, *c1, *k2, *c2;

	(void)state;
	opts_for(&o, "again", CA_KEY_P256, dir, sizeof(dir));
	assert_int_equal(ca_identity_init(&o, why, sizeof(why)), CA_OK);
	k1 = slurp(dir, "ca.key");
	c1 = slurp(dir, "ca.crt");
	assert_int_equal(ca_identity_init(&o, why, sizeof(why)), CA_EEXIST);
	assert_non_null(strstr(why, "already holds a CA"));
	o.subordinate = 1;
	assert_int_equal(ca_identity_init(&o, why, sizeof(why)), CA_EEXIST);
	k2 = slurp(dir, "ca.key");
	c2 = slurp(dir, "ca.crt");
	assert_string_equal(k1, k2);
	assert_string_equal(c1, c2);
	free(k1), free(k2), free(c1), free(c2);
}

/* Bad options are refused before anything is written. */
static void
test_bad_options(void **state)
{
	struct ca_init_opts o;
	char dir[128], why[CA_WHY_MAX] = "", path[200];

	(void)state;
	opts_for(&o, "bad", CA_KEY_P256, dir, sizeof(dir));
	o.subject = "this is no DN";
	assert_int_equal(ca_identity_init(&o, why, sizeof(why)), CA_EINVAL);
	assert_non_null(strstr(why, "RFC 4514"));
	snprintf(path, sizeof(path), "%s/ca.key", dir);
	assert_int_not_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/ca.json", dir);
	assert_int_not_equal(access(path, F_OK), 0);
	o.subject = "CN=x";
	o.days = 0;
	assert_int_equal(ca_identity_init(&o, why, sizeof(why)), CA_EINVAL);
	assert_non_null(strstr(why, "--days"));
	o.days = 10;
	o.state_dir = "/proc/version/x";
	assert_int_equal(ca_identity_init(&o, why, sizeof(why)), CA_EIO);
	assert_non_null(strstr(why, "state folder"));
}

/* Sign a CSR file as CA dir parent (test stand-in for a parent CA). */
static void
sign_csr(const char *parent, const char *csr_dir, const char *out, int ca)
{
	struct ca_identity *id = NULL;
	gnutls_privkey_t key = NULL;
	gnutls_x509_crq_t crq;
	gnutls_x509_crt_t crt;
	gnutls_datum_t d, pem;
	char why[CA_WHY_MAX], path[256];
	unsigned char serial[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	time_t now = time(NULL);
	FILE *f;

	assert_int_equal(ca_identity_load(parent, &id, why, sizeof(why)),
	    CA_OK);
	assert_int_equal(keyfile_open(&id->key, &key, why, sizeof(why)), CA_OK);
	snprintf(path, sizeof(path), "%s/ca.csr", csr_dir);
	assert_int_equal(keyfile_read(path, &d, why, sizeof(why)), CA_OK);
	assert_int_equal(gnutls_x509_crq_init(&crq), 0);
	assert_int_equal(gnutls_x509_crq_import(crq, &d, GNUTLS_X509_FMT_PEM),
	    0);
	assert_int_equal(gnutls_x509_crq_verify(crq, 0), 0);
	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	assert_int_equal(gnutls_x509_crt_set_crq(crt, crq), 0);
	gnutls_x509_crt_set_version(crt, 3);
	gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
	gnutls_x509_crt_set_activation_time(crt, now - 60);
	gnutls_x509_crt_set_expiration_time(crt, now + 50 * 86400);
	gnutls_x509_crt_set_basic_constraints(crt, ca, ca ? 0 : -1);
	gnutls_x509_crt_set_authority_key_id(crt, id->ski, id->ski_len);
	assert_int_equal(gnutls_x509_crt_privkey_sign(crt, id->cert, key,
	    GNUTLS_DIG_SHA256, 0), 0);
	assert_int_equal(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM,
	    &pem), 0);
	f = fopen(out, "w");
	assert_non_null(f);
	fwrite(pem.data, 1, pem.size, f);
	fclose(f);
	gnutls_free(pem.data);
	gnutls_free(d.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_crq_deinit(crq);
	gnutls_privkey_deinit(key);
	ca_identity_free(id);
}

/* Subordinate: pending until install-cert, which checks key and chain. */
static void
test_subordinate(void **state)
{
	struct ca_init_opts o, po;
	struct ca_identity *id = NULL;
	char dir[128], pdir[128], odir[128], why[CA_WHY_MAX] = "";
	char crt[200], bad[200], pcrt[200], ocrt[200];

	(void)state;
	opts_for(&po, "parent", CA_KEY_P256, pdir, sizeof(pdir));
	assert_int_equal(ca_identity_init(&po, why, sizeof(why)), CA_OK);
	opts_for(&po, "stranger", CA_KEY_P256, odir, sizeof(odir));
	assert_int_equal(ca_identity_init(&po, why, sizeof(why)), CA_OK);
	opts_for(&o, "sub", CA_KEY_P256, dir, sizeof(dir));
	o.subject = "CN=Unit Issuing CA";
	o.subordinate = 1;
	assert_int_equal(ca_identity_init(&o, why, sizeof(why)), CA_OK);
	assert_int_equal(ca_identity_load(dir, &id, why, sizeof(why)),
	    CA_ESTATE);
	assert_non_null(strstr(why, "install-cert"));

	snprintf(crt, sizeof(crt), "%s/sub.crt", t_group_dir);
	snprintf(bad, sizeof(bad), "%s/notca.crt", t_group_dir);
	snprintf(pcrt, sizeof(pcrt), "%s/ca.crt", pdir);
	snprintf(ocrt, sizeof(ocrt), "%s/ca.crt", odir);
	sign_csr(pdir, dir, crt, 1);
	sign_csr(pdir, dir, bad, 0);
	o.subordinate = 0;
	assert_int_equal(ca_identity_install_cert(&o, crt, NULL, why,
	    sizeof(why)), CA_EINVAL);
	assert_int_equal(ca_identity_install_cert(&o, crt, ocrt, why,
	    sizeof(why)), CA_EPOLICY);
	assert_non_null(strstr(why, "does not verify"));
	assert_int_equal(ca_identity_install_cert(&o, bad, pcrt, why,
	    sizeof(why)), CA_EPOLICY);
	assert_non_null(strstr(why, "not a CA certificate"));
	assert_int_equal(ca_identity_install_cert(&o, pcrt, pcrt, why,
	    sizeof(why)), CA_EPOLICY);
	assert_non_null(strstr(why, "public key differs"));
	assert_int_equal(ca_identity_install_cert(&o, crt, pcrt, why,
	    sizeof(why)), CA_OK);
	assert_int_equal(ca_identity_load(dir, &id, why, sizeof(why)), CA_OK);
	assert_int_equal(id->chain_len, 1);
	ca_identity_free(id);
	assert_int_equal(ca_identity_install_cert(&o, crt, pcrt, why,
	    sizeof(why)), CA_ESTATE);
}

/* Damaged, newer, missing and unreadable state folders. */
static void
test_load_errors(void **state)
{
	/* Each step damages the folder further: the file written, then the
	 * code ca_identity_load returns and a fragment of its reason. */
	static const struct {
		const char *file, *text;
		int rc;
		const char *frag;
	} damaged[] = {
		{ "ca.json", "{ not json", CA_EPARSE, "ca.json" },
		{ "ca.json", "{\"version\": 99, \"state\": \"ready\", "
		  "\"key\": {\"type\": \"file\", \"path\": \"ca.key\"}}",
		  CA_EVERSION, "newer" },
		{ "ca.json", "{\"version\": 1, \"state\": \"ready\", "
		  "\"key\": {\"type\": \"tpm\"}}", CA_EPARSE, NULL },
		{ "ca.json", "{\"version\": 1, \"state\": \"ready\", "
		  "\"key\": {\"type\": \"file\", \"path\": \"ca.key\"}}",
		  CA_EIO, "ca.crt" },
		{ "ca.crt", "-----BEGIN CERTIFICATE-----\nAAAA\n"
		  "-----END CERTIFICATE-----\n", CA_EPARSE, NULL },
	};
	struct ca_identity *id = NULL;
	char dir[128], why[CA_WHY_MAX] = "";
	int st;
	pid_t pid;

	(void)state;
	assert_int_equal(ca_identity_load("/nonexistent/entca", &id, why,
	    sizeof(why)), CA_EIO);
	assert_non_null(strstr(why, "No such file"));
	snprintf(dir, sizeof(dir), "%s/broken", t_group_dir);
	mkdir(dir, 0700);
	assert_int_equal(ca_identity_load(dir, &id, why, sizeof(why)),
	    CA_ENOTFOUND);
	for (size_t i = 0; i < sizeof(damaged) / sizeof(damaged[0]); i++) {
		assert_int_equal(t_tmpdir_put(dir, damaged[i].file,
		    damaged[i].text), CA_OK);
		assert_int_equal(ca_identity_load(dir, &id, why, sizeof(why)),
		    damaged[i].rc);
		if (damaged[i].frag != NULL)
			assert_non_null(strstr(why, damaged[i].frag));
	}
	if (geteuid() != 0)
		return;
	/* root reads anything: check the unreadable folder as nobody. */
	snprintf(dir, sizeof(dir), "%s/p256", t_group_dir);
	chmod(t_group_dir, 0711);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int rc;

		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(10);
		rc = ca_identity_load(dir, &id, why, sizeof(why));
		if (rc == CA_EIO && strstr(why, "Permission denied"))
			_exit(0);
		fprintf(stderr, "# as nobody: %d %s\n", rc, why);
		_exit(11);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_types),
		cmocka_unit_test(test_roots),
		cmocka_unit_test(test_reinit_refused),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_subordinate),
		cmocka_unit_test(test_load_errors),
	};
	return cmocka_run_group_tests(tests, t_tmpdir_group_setup,
	    t_tmpdir_group_teardown);
}
