/*
 * bench_crl: time crl_build() on N generated revoked entries signed with a
 * PEM key (RSA-2048 in tests/bench/bench_crl.sh) and report wall time and
 * peak memory against the CRL's size. Entries come from a generator
 * callback, as ca/ feeds them from LMDB, so nothing but the CRL itself is
 * held in memory. Not a test: tests/bench/bench_crl.sh runs it on demand.
 *
 * Output: one line of key=value pairs (entries, crl_bytes, build_s,
 * rss_before_kb, rss_peak_kb, peak_over_crl, delta_over_crl).
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "common/error.h"
#include "crl/crl.h"
#include "tests/unit/crl/crl_extkey.h"
#include "tests/unit/test_mix.h"

/* Most entries the benchmark generates. */
#define BENCH_MAX CRL_ENTRIES_MAX

/* Generator state: entry i of n. */
struct gen {
	size_t n, i;
	int64_t now;
};

/* Entry i: 16-octet serial (i in the low half, so unique), mixed reasons,
 * an invalidity date on one in ten. */
static int
gen_next(void *arg, struct crl_entry *out)
{
	struct gen *g = arg;
	uint64_t hi, lo;
	int k;

	if (g->i >= g->n)
		return 0;
	g->i++;
	hi = t_mix64(g->i);	/* random-looking high half */
	lo = g->i;
	out->serial_len = 16;
	for (k = 7; k >= 0; k--) {
		out->serial[k] = (unsigned char)hi;
		out->serial[8 + k] = (unsigned char)lo;
		hi >>= 8;
		lo >>= 8;
	}
	if (out->serial[0] == 0)
		out->serial[0] = 1;
	out->revoked_at = g->now - (int64_t)(g->i % (365 * 86400));
	out->reason = (int)(g->i % 4 == 0 ? CRL_REASON_UNSPECIFIED :
	    g->i % 4 == 1 ? CRL_REASON_KEY_COMPROMISE :
	    g->i % 4 == 2 ? CRL_REASON_SUPERSEDED :
	    CRL_REASON_CESSATION_OF_OPERATION);
	out->invalidity_date = g->i % 10 == 0 ? out->revoked_at - 3600 : 0;
	return 1;
}

/* Start over. */
static int
gen_rewind(void *arg)
{
	struct gen *g = arg;

	g->i = 0;
	return CA_OK;
}

/* Peak resident set so far, in KiB. */
static long
peak_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* Current resident set in KiB (from /proc), -1 if unknown. */
static long
rss_kb(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = -1, res = -1;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &res) != 2)
		res = -1;
	fclose(f);
	return res < 0 ? -1 : res * 4;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "key", required_argument, NULL, 'k' },
		{ "ca", required_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'o' },
		{ "ext", no_argument, NULL, 'E' },
		{ NULL, 0, NULL, 0 },
	};
	const char *keyf = NULL, *caf = NULL, *outf = NULL;
	struct gen g = { 0, 0, 0 };
	struct crl_params p;
	struct test_extkey x;
	struct timespec t0, t1;
	gnutls_datum_t kd = { NULL, 0 }, cd = { NULL, 0 }, dn = { NULL, 0 };
	gnutls_privkey_t key = NULL, ext = NULL;
	gnutls_x509_crt_t crt = NULL;
	unsigned char ski[64], *der = NULL;
	size_t ski_len = sizeof(ski), der_len = 0;
	unsigned int crit;
	char why[CA_WHY_MAX];
	long before, peak;
	double secs;
	int c, ret, use_ext = 0;
	FILE *f;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': g.n = strtoull(optarg, NULL, 10); break;
		case 'k': keyf = optarg; break;
		case 'c': caf = optarg; break;
		case 'o': outf = optarg; break;
		case 'E': use_ext = 1; break;
		default: goto usage;
		}
	}
	if (keyf == NULL || caf == NULL || g.n > BENCH_MAX)
		goto usage;
	if ((ret = gnutls_load_file(keyf, &kd)) < 0 ||
	    (ret = gnutls_load_file(caf, &cd)) < 0 ||
	    (ret = gnutls_privkey_init(&key)) < 0 ||
	    (ret = gnutls_privkey_import_x509_raw(key, &kd, GNUTLS_X509_FMT_PEM,
	    NULL, 0)) < 0 ||
	    (ret = gnutls_x509_crt_init(&crt)) < 0 ||
	    (ret = gnutls_x509_crt_import(crt, &cd, GNUTLS_X509_FMT_PEM)) < 0 ||
	    (ret = gnutls_x509_crt_get_raw_dn(crt, &dn)) < 0 ||
	    (ret = gnutls_x509_crt_get_subject_key_id(crt, ski, &ski_len,
	    &crit)) < 0) {
		fprintf(stderr, "bench_crl: key/CA: %s\n", gnutls_strerror(ret));
		return 1;
	}
	if (use_ext) {
		memset(&x, 0, sizeof(x));
		x.real = key;
		if ((ret = test_extkey_wrap(&x, &ext)) < 0) {
			fprintf(stderr, "bench_crl: ext4: %s\n",
			    gnutls_strerror(ret));
			return 1;
		}
	}
	memset(&p, 0, sizeof(p));
	p.issuer_der = dn.data;
	p.issuer_len = dn.size;
	p.aki = ski;
	p.aki_len = ski_len;
	g.now = time(NULL);
	p.this_update = g.now;
	p.next_update = g.now + 7 * 86400 + 12 * 3600 + 600;
	p.crl_number = 1000;
	p.hash = GNUTLS_DIG_SHA256;

	before = rss_kb();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = crl_build(&p, gen_next, gen_rewind, &g, use_ext ? ext : key,
	    &der, &der_len, why, sizeof(why));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	peak = peak_kb();
	if (ret != CA_OK) {
		fprintf(stderr, "bench_crl: %s\n", why);
		return 1;
	}
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("entries=%zu crl_bytes=%zu build_s=%.3f rss_before_kb=%ld "
	    "rss_peak_kb=%ld peak_over_crl=%.2f delta_over_crl=%.2f\n",
	    g.n, der_len, secs, before, peak,
	    (double)peak * 1024.0 / (double)der_len,
	    (double)(peak - before) * 1024.0 / (double)der_len);
	if (outf != NULL) {
		if ((f = fopen(outf, "wb")) == NULL ||
		    fwrite(der, 1, der_len, f) != der_len || fclose(f) != 0) {
			fprintf(stderr, "bench_crl: %s: write failed\n", outf);
			return 1;
		}
	}
	free(der);
	gnutls_free(dn.data);
	gnutls_free(kd.data);
	gnutls_free(cd.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_privkey_deinit(ext);
	gnutls_privkey_deinit(key);
	return 0;
usage:
	fprintf(stderr, "usage: bench_crl --count N --key key.pem --ca ca.pem "
	    "[--out crl.der] [--ext]\n");
	return 2;
}
