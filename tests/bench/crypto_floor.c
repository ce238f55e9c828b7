/*
 * crypto_floor: the physical limit of issuance on this machine. Each of T
 * threads (default: the number of online cores) loops over the two
 * operations no CA can skip per certificate: verify the CSR's signature
 * (RFC 2986 proof of possession) and sign one certificate with the CA key.
 * The CSR is parsed and verified each time (gnutls_x509_crq_import +
 * gnutls_x509_crq_verify); the certificate is the same TBSCertificate-sized
 * buffer signed with gnutls_privkey_sign_data2 (hash + signature), so the
 * figure is the cost of the two public-key operations and nothing else.
 * Prints "floor_per_s <n>" (all threads together) and the per-core rate.
 * Not part of make check: tests/bench/run runs it.
 *
 * usage: crypto_floor CSR.der CA.key [seconds] [threads]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

/* The size of a typical issued TBSCertificate (PKCS Intune, RSA-2048). */
#define TBS_LEN 1100

static gnutls_datum_t csr_der, key_pem;
static double seconds = 3.0;
static atomic_int stop;

/* Seconds on the monotonic clock. */
static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One thread: its own key object, verify + sign until told to stop. */
static void *
worker(void *arg)
{
	unsigned long *count = arg;
	gnutls_x509_privkey_t xk = NULL;
	gnutls_privkey_t key = NULL;
	unsigned char tbs[TBS_LEN];
	gnutls_datum_t data = { tbs, sizeof(tbs) }, sig;
	gnutls_sign_algorithm_t algo;
	unsigned bits;
	int pk;

	memset(tbs, 0x5a, sizeof(tbs));
	if (gnutls_x509_privkey_init(&xk) < 0 ||
	    gnutls_x509_privkey_import(xk, &key_pem, GNUTLS_X509_FMT_PEM) < 0 ||
	    gnutls_privkey_init(&key) < 0 ||
	    gnutls_privkey_import_x509(key, xk, GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE) < 0) {
		fprintf(stderr, "crypto_floor: cannot load the CA key\n");
		exit(1);
	}
	pk = gnutls_privkey_get_pk_algorithm(key, &bits);
	algo = gnutls_pk_to_sign(pk, GNUTLS_DIG_SHA256);
	while (!atomic_load(&stop)) {
		gnutls_x509_crq_t crq = NULL;

		if (gnutls_x509_crq_init(&crq) < 0 ||
		    gnutls_x509_crq_import(crq, &csr_der, GNUTLS_X509_FMT_DER) < 0 ||
		    gnutls_x509_crq_verify(crq, 0) < 0) {
			fprintf(stderr, "crypto_floor: the CSR does not verify\n");
			exit(1);
		}
		gnutls_x509_crq_deinit(crq);
		if (gnutls_privkey_sign_data2(key, algo, 0, &data, &sig) < 0) {
			fprintf(stderr, "crypto_floor: signing failed\n");
			exit(1);
		}
		gnutls_free(sig.data);
		(*count)++;
	}
	gnutls_privkey_deinit(key);
	return NULL;
}

int
main(int argc, char **argv)
{
	long threads = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_t *tid;
	unsigned long *counts, total = 0;
	double t0, t1;

	if (argc < 3) {
		fprintf(stderr, "usage: crypto_floor CSR.der CA.key [seconds] [threads]\n");
		return 2;
	}
	if (argc > 3)
		seconds = atof(argv[3]);
	if (argc > 4)
		threads = atol(argv[4]);
	if (threads < 1)
		threads = 1;
	if (gnutls_load_file(argv[1], &csr_der) < 0 ||
	    gnutls_load_file(argv[2], &key_pem) < 0) {
		fprintf(stderr, "crypto_floor: cannot read %s or %s\n", argv[1], argv[2]);
		return 1;
	}
	tid = calloc(threads, sizeof(*tid));
	counts = calloc(threads * 8, sizeof(*counts));	/* one line each */
	t0 = now_s();
	for (long i = 0; i < threads; i++)
		pthread_create(&tid[i], NULL, worker, &counts[i * 8]);
	while (now_s() - t0 < seconds)
		usleep(20000);
	atomic_store(&stop, 1);
	for (long i = 0; i < threads; i++) {
		pthread_join(tid[i], NULL);
		total += counts[i * 8];
	}
	t1 = now_s();
	printf("threads %ld\nfloor_per_s %.0f\nper_core_per_s %.0f\n", threads,
	    total / (t1 - t0), total / (t1 - t0) / threads);
	return 0;
}
