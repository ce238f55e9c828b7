/*
 * bench_store: what group commit buys. In one run and one store folder it
 * times certificate puts (a realistic ~1.2 KB DER each, fsync on) made
 * (1) one at a time, one commit per put, and (2) by K threads each
 * waiting for its own put, so the writer commits what queued meanwhile in
 * one group. It prints puts/s for both and their ratio, then times the
 * full-CRL walk over R revoked certificates. Not part of make check.
 *
 * With -l L it then makes L reads of random stored certificates, each in
 * its own read transaction as a request does (store_get_cert by serial),
 * and L searches of all certificates of a random subject SID
 * (store_iter_subject), and prints each one's p50 and p99 and the
 * database's size on disk: with -r 1000000 that is the store of a CA that
 * issued and revoked a million certificates.
 *
 * With -c STATE (a CA state folder: ca.json, ca.crt and its key, e.g. the
 * demo's) it then publishes a full CRL of the store's revoked certificates
 * as entcad's CRL schedule does (crlpub_publish: reserve the number, walk
 * the store's revocations, crl/'s two-pass encoder, the signature by a
 * real signer process through the external key, the file written and
 * fsynced, the publication recorded) and prints its time, the CRL's size
 * and the process's peak memory during it against that size; then a delta
 * CRL. With -x the puts and revocations are skipped: the store in -d is
 * used as it is (made by an earlier run).
 *
 * With -p P it only adds P valid certificates (random-looking serials,
 * one subject each) to the store in -d, a thousand per commit, and exits:
 * tests/bench/run gives the demo's store the size of a CA in service that
 * way, before entcad is measured on it.
 *
 * usage: bench_store [-n puts] [-k threads] [-r revoked] [-l lookups]
 *        [-d folder] [-c state] [-x] [-p prefill]
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ca/identity/identity.h"
#include "ca/issue/crl_publish.h"
#include "ca/signer/signer.h"
#include "ca/store/store.h"
#include "tests/unit/test_mix.h"

#define DER_LEN 1200
#define REVOKE_BATCH 1000

static unsigned char der[DER_LEN];
/* Keeps the walk's reads from being optimised away. */
static volatile unsigned walk_sink;

/* Seconds on the monotonic clock. */
static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Fill c as certificate number n. Its serial is 8 pseudo-random octets
 * (splitmix64 of n, top bit clear, first octet non-zero), as random
 * serials (RFC 5280 §4.1.2.2, random) land all over the certs tree.
 */
static void
fill_cert(struct store_cert *c, uint32_t n)
{
	uint64_t z = t_mix64(n);

	memset(c, 0, sizeof(*c));
	for (int i = 7; i >= 0; i--, z >>= 8)
		c->serial[i] = z & 0xff;
	c->serial[0] = (c->serial[0] & 0x7f) | 0x01;
	c->serial_len = 8;
	c->der = der;
	c->der_len = sizeof(der);
	snprintf(c->template_name, sizeof(c->template_name), "PKCSIntune");
	snprintf(c->requester, sizeof(c->requester), "EXAMPLE\\CONNECTOR$");
	snprintf(c->subject_sid, sizeof(c->subject_sid),
	    "S-1-5-21-3623811015-3361044348-30300820-%u", 1000 + n);
	snprintf(c->subject_upn, sizeof(c->subject_upn),
	    "user%u@example.com", n);
	snprintf(c->subject_dn, sizeof(c->subject_dn),
	    "CN=user%u,OU=Devices,DC=example,DC=com", n);
	c->not_before = 1750000000;
	/* Valid for years: entcad's real clock keeps them on its CRLs. */
	c->not_after = 1750000000 + 5 * 365 * 86400 + (n % 1000);
	c->status = STORE_CERT_VALID;
}

/* apply: insert the certificate in arg. */
static int
apply_put(struct store_wtxn *w, void *arg)
{
	return store_w_put_cert(w, arg);
}

/* Shared by the group-commit threads. */
struct run {
	struct store *s;
	uint32_t base;
	int per_thread;
	int errors;
	pthread_mutex_t m;
};

/* One client thread of mode 2. */
struct worker {
	struct run *r;
	int idx;
};

/* Thread body for mode 2: put its slice, waiting on each commit. */
static void *
worker_main(void *arg)
{
	struct worker *wk = arg;
	struct store_cert c;
	char why[CA_WHY_MAX];

	for (int i = 0; i < wk->r->per_thread; i++) {
		fill_cert(&c, wk->r->base + (uint32_t)(wk->idx *
		    wk->r->per_thread + i));
		if (store_submit_wait(wk->r->s, apply_put, &c, why,
		    sizeof(why)) != CA_OK) {
			pthread_mutex_lock(&wk->r->m);
			if (wk->r->errors++ == 0)
				fprintf(stderr, "bench_store: %s\n", why);
			pthread_mutex_unlock(&wk->r->m);
		}
	}
	return NULL;
}

/* A batch of serials to revoke in one job. */
struct revoke_batch {
	uint32_t first, count;
};

/* apply: revoke a batch with key compromise. */
static int
apply_revoke(struct store_wtxn *w, void *arg)
{
	struct revoke_batch *b = arg;
	struct store_cert c;

	for (uint32_t i = 0; i < b->count; i++) {
		fill_cert(&c, b->first + i);
		store_w_revoke(w, c.serial, c.serial_len, 1,
		    1750000000 + (int64_t)i, 0);
	}
	return store_w_status(w);
}

/* apply: insert a batch of certificates (setup for the walk). */
static int
apply_put_batch(struct store_wtxn *w, void *arg)
{
	struct revoke_batch *b = arg;
	struct store_cert c;

	for (uint32_t i = 0; i < b->count; i++) {
		fill_cert(&c, b->first + i);
		store_w_put_cert(w, &c);
	}
	return store_w_status(w);
}

/* Count entries of the full-CRL walk and read each serial's last byte. */
static int
count_revoked(const struct store_revoked *e, void *arg)
{
	walk_sink += e->serial[e->serial_len - 1];
	(*(uint64_t *)arg)++;
	return 0;
}

/* Sort doubles (qsort). */
static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Count a search's results. */
static int
count_serial(const unsigned char *serial, size_t len, int64_t not_after,
    void *arg)
{
	(void)serial;
	(void)len;
	(void)not_after;
	(*(uint64_t *)arg)++;
	return 0;
}

/* Print p50/p99 in microseconds of n timings (sorted here). */
static void
print_pct(const char *what, double *t, int n)
{
	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	printf("%s: %d in total, p50 %.1f us, p99 %.1f us\n", what, n,
	    t[n / 2] * 1e6, t[(int)(n * 0.99)] * 1e6);
}

/*
 * L random lookups by serial and L searches by SID among certificates
 * 0..n-1 and 1000000..1000000+rev-1; 1 on an error.
 */
static int
lookups(struct store *s, int n, int rev, int l)
{
	double *t = calloc((size_t)l, sizeof(*t));
	struct store_txn *tx = NULL;
	struct store_cert c, got;
	char why[CA_WHY_MAX];
	uint64_t x = 88172645463325252ull, found;

	if (t == NULL)
		return 1;
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < l; i++) {
			uint32_t m;
			double t0;

			x ^= x << 13; x ^= x >> 7; x ^= x << 17;	/* xorshift */
			m = (uint32_t)(x % (uint64_t)(n + rev));
			if (m >= (uint32_t)n)
				m = 1000000 + (m - (uint32_t)n);
			fill_cert(&c, m);
			t0 = now_s();
			if (store_read_begin(s, &tx, why, sizeof(why)) != CA_OK) {
				fprintf(stderr, "bench_store: %s\n", why);
				free(t);
				return 1;
			}
			found = 0;
			if (pass == 0) {
				memset(&got, 0, sizeof(got));
				if (store_get_cert(tx, c.serial, c.serial_len, &got) == CA_OK)
					found = 1;
				store_cert_clear(&got);
			} else
				store_iter_subject(tx, STORE_SUBJECT_SID,
				    c.subject_sid, count_serial, &found);
			store_read_end(tx);
			t[i] = now_s() - t0;
			if (found == 0) {
				fprintf(stderr, "bench_store: certificate %u not found\n", m);
				free(t);
				return 1;
			}
		}
		print_pct(pass == 0 ? "lookup by serial" : "search by SID", t, l);
	}
	free(t);
	return 0;
}

/* A /proc/self/status field in kB (-1 when missing). */
static long
status_kb(const char *field)
{
	char line[256];
	size_t n = strlen(field);
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, n) == 0 && line[n] == ':') {
			v = atol(line + n + 1);
			break;
		}
	fclose(f);
	return v;
}

/* Reset the kernel's peak RSS of this process (VmHWM) to its RSS now. */
static void
reset_peak(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");

	if (f != NULL) {
		fputs("5", f);
		fclose(f);
	}
}

/*
 * Publish a full and then a delta CRL from s with the CA of state through
 * a signer process, as entcad's schedule does; 1 on an error. The CRL
 * files go to a temporary folder. The clock is set inside the bench
 * certificates' validity so none is left off as expired.
 */
static int
crl_pipeline(struct store *s, const char *state)
{
	struct ca_identity *id = NULL;
	struct signer *sg = NULL;
	gnutls_privkey_t key = NULL;
	struct crlpub p;
	struct crlpub_result r;
	char why[CA_WHY_MAX], out[] = "/tmp/bench-crl-XXXXXX", path[64] = "";
	const int64_t now = 1750000000 + 30 * 86400;
	long rss0, anon0, file0, hwm, anon1, file1;
	double t0, full, delta;
	int err = 1;

	memset(&r, 0, sizeof(r));
	if (mkdtemp(out) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/crl/bench.crl", out);
	if (ca_identity_load(state, &id, why, sizeof(why)) != CA_OK ||
	    signer_start(state, NULL, &sg, why, sizeof(why)) != CA_OK ||
	    signer_privkey(sg, &key, why, sizeof(why)) != CA_OK) {
		fprintf(stderr, "bench_store: %s\n", why);
		goto out;
	}
	memset(&p, 0, sizeof(p));
	p.store = s;
	p.state_dir = out;
	p.ca_name = "bench";
	p.issuer_der = id->subject_der.data;
	p.issuer_len = id->subject_der.size;
	p.aki = id->ski;
	p.aki_len = id->ski_len;
	p.key = key;
	p.hash = GNUTLS_DIG_SHA256;
	p.period_s = 7 * 86400;
	p.delta_period_s = 86400;
	rss0 = status_kb("VmRSS");
	anon0 = status_kb("RssAnon");
	file0 = status_kb("RssFile");
	reset_peak();
	t0 = now_s();
	if (crlpub_publish(&p, false, now, &r, why, sizeof(why)) != CA_OK) {
		fprintf(stderr, "bench_store: full CRL: %s\n", why);
		goto out;
	}
	full = now_s() - t0;
	hwm = status_kb("VmHWM");
	anon1 = status_kb("RssAnon");
	file1 = status_kb("RssFile");
	printf("CRL pipeline (store walk, encoder, signature by the signer "
	    "process, file written): full CRL of %zu entries in %.3f s, "
	    "%.1f MB\n", r.entries, full, r.der_len / 1048576.0);
	printf("CRL pipeline memory: peak RSS %.1f MB over %.1f MB before = "
	    "+%.1f MB = %.2f x the CRL (heap +%.1f MB, LMDB map pages "
	    "+%.1f MB)\n", hwm / 1024.0, rss0 / 1024.0, (hwm - rss0) / 1024.0,
	    (double)(hwm - rss0) * 1024 / (double)r.der_len,
	    (anon1 - anon0) / 1024.0, (file1 - file0) / 1024.0);
	crlpub_result_clear(&r);
	t0 = now_s();
	if (crlpub_publish(&p, true, now + 3600, &r, why, sizeof(why)) != CA_OK) {
		fprintf(stderr, "bench_store: delta CRL: %s\n", why);
		goto out;
	}
	delta = now_s() - t0;
	printf("CRL pipeline: delta CRL of %zu entries in %.3f s\n",
	    r.entries, delta);
	err = 0;
out:
	if (path[0] != '\0') {
		unlink(path);
		snprintf(path, sizeof(path), "%s/crl/bench+.crl", out);
		unlink(path);
		snprintf(path, sizeof(path), "%s/crl", out);
		rmdir(path);
		snprintf(path, sizeof(path), "%s/%s", out, CRLPUB_HIGHWATER_FILE);
		unlink(path);
	}
	rmdir(out);
	crlpub_result_clear(&r);
	if (key != NULL)
		gnutls_privkey_deinit(key);
	signer_stop(sg);
	ca_identity_free(id);
	return err;
}

/* Run the three measurements in one store and print them. */
int
main(int argc, char **argv)
{
	struct store_options o = { .map_size = (size_t)8 << 30 };
	struct store *s = NULL;
	struct store_cert c;
	struct store_txn *t = NULL;
	struct run r;
	struct worker *wk;
	pthread_t *th;
	char why[CA_WHY_MAX], tmpl[] = "/tmp/bench-store-XXXXXX";
	const char *dir = NULL;
	char file[sizeof(tmpl) + 16];
	int made = 0;
	const char *state = NULL;
	int n = 2000, k = 32, rev = 100000, nl = 0, ch, err = 0, existing = 0;
	int prefill = 0;
	double t0, single, group, walk;
	uint64_t walked = 0;

	while ((ch = getopt(argc, argv, "n:k:r:l:d:c:xp:")) != -1) {
		switch (ch) {
		case 'c': state = optarg; break;
		case 'x': existing = 1; break;
		case 'n': n = atoi(optarg); break;
		case 'k': k = atoi(optarg); break;
		case 'r': rev = atoi(optarg); break;
		case 'p': prefill = atoi(optarg); break;
		case 'l': nl = atoi(optarg); break;
		case 'd': dir = optarg; break;
		default:
			fprintf(stderr, "usage: bench_store [-n puts] "
			    "[-k threads] [-r revoked] [-l lookups] [-d folder] "
			    "[-c state] [-x] [-p prefill]\n");
			return 2;
		}
	}
	if (n < k || k < 1 || rev < 0) {
		fprintf(stderr, "bench_store: need puts >= threads >= 1\n");
		return 2;
	}
	if (dir == NULL) {
		if ((dir = mkdtemp(tmpl)) == NULL) {
			perror("mkdtemp");
			return 1;
		}
		made = 1;
	}
	for (size_t i = 0; i < sizeof(der); i++)
		der[i] = (unsigned char)(i * 31 + 7);
	if (store_open(dir, &o, &s, why, sizeof(why)) != CA_OK) {
		fprintf(stderr, "bench_store: %s\n", why);
		return 1;
	}

	if (prefill > 0) {
		for (uint32_t b = 0; b < (uint32_t)prefill; b += REVOKE_BATCH) {
			struct revoke_batch pb = { 5000000 + b, REVOKE_BATCH };

			if ((uint32_t)prefill - b < REVOKE_BATCH)
				pb.count = (uint32_t)prefill - b;
			if (store_submit_wait(s, apply_put_batch, &pb, why,
			    sizeof(why))) {
				fprintf(stderr, "bench_store: %s\n", why);
				err = 1;
				break;
			}
		}
		if (!err)
			printf("prefilled %d certificates\n", prefill);
		goto out;
	}
	if (existing)
		goto walk;
	/* 1: one put, one commit, one fsync. */
	t0 = now_s();
	for (int i = 0; i < n; i++) {
		fill_cert(&c, (uint32_t)i);
		if (store_submit_wait(s, apply_put, &c, why, sizeof(why))) {
			fprintf(stderr, "bench_store: %s\n", why);
			err = 1;
			goto out;
		}
	}
	single = now_s() - t0;

	/* 2: k waiting clients, the writer groups what queued. */
	memset(&r, 0, sizeof(r));
	r.s = s;
	r.base = (uint32_t)n;
	r.per_thread = n / k;
	pthread_mutex_init(&r.m, NULL);
	th = calloc((size_t)k, sizeof(*th));
	wk = calloc((size_t)k, sizeof(*wk));
	t0 = now_s();
	for (int i = 0; i < k; i++) {
		wk[i].r = &r;
		wk[i].idx = i;
		pthread_create(&th[i], NULL, worker_main, &wk[i]);
	}
	for (int i = 0; i < k; i++)
		pthread_join(th[i], NULL);
	group = now_s() - t0;
	free(th);
	free(wk);
	if (r.errors) {
		err = 1;
		goto out;
	}
	{
		struct store_stats st;

		store_stats(s, &st, why, sizeof(why));
		printf("one commit per put: %d puts in %.3f s = %.0f puts/s\n",
		    n, single, n / single);
		printf("group commit (%d clients): %d puts in %.3f s = "
		    "%.0f puts/s\n", k, r.per_thread * k, group,
		    r.per_thread * k / group);
		printf("ratio group/single: %.1fx (%llu groups for %llu jobs "
		    "in total)\n", (r.per_thread * k / group) / (n / single),
		    (unsigned long long)st.groups,
		    (unsigned long long)st.jobs);
	}

	/* 3: the full-CRL walk over rev revoked certificates. */
	for (uint32_t b = 0; b < (uint32_t)rev; b += REVOKE_BATCH) {
		struct revoke_batch rb = { 1000000 + b, REVOKE_BATCH };

		if ((uint32_t)rev - b < REVOKE_BATCH)
			rb.count = (uint32_t)rev - b;
		if (store_submit_wait(s, apply_put_batch, &rb, why,
		    sizeof(why)) || store_submit_wait(s, apply_revoke, &rb,
		    why, sizeof(why))) {
			fprintf(stderr, "bench_store: %s\n", why);
			err = 1;
			goto out;
		}
	}
walk:
	/* First, in a process that has not read the store yet, as entcad's
	 * schedule meets it after an idle page release. */
	if (state != NULL && crl_pipeline(s, state) != 0)
		err = 1;
	if (store_read_begin(s, &t, why, sizeof(why)) != CA_OK) {
		fprintf(stderr, "bench_store: %s\n", why);
		err = 1;
		goto out;
	}
	t0 = now_s();
	store_iter_rev(t, STORE_ITER_REVOKED, 0, count_revoked, &walked);
	walk = now_s() - t0;
	store_read_end(t);
	printf("full-CRL walk: %llu revoked entries in %.3f s "
	    "(%.0f entries/s)\n", (unsigned long long)walked, walk,
	    walk > 0 ? walked / walk : 0);
	{
		struct store_stats st;

		if (store_stats(s, &st, why, sizeof(why)) == CA_OK &&
		    st.certs > 0)
			printf("store: %llu certificates (%d-byte DER) use %.1f "
			    "MiB of the map, %.0f bytes each\n",
			    (unsigned long long)st.certs, DER_LEN,
			    st.map_used / 1048576.0,
			    (double)st.map_used / st.certs);
	}
	if (nl > 0 && !existing) {
		struct stat sb;

		if (lookups(s, n, rev, nl) != 0)
			err = 1;
		snprintf(file, sizeof(file), "%s/data.mdb", dir);
		if (stat(file, &sb) == 0)
			printf("database on disk: %.1f MiB\n", sb.st_size / 1048576.0);
	}
out:
	store_close(s);
	if (made) {	/* remove the folder we created */
		snprintf(file, sizeof(file), "%s/data.mdb", dir);
		unlink(file);
		snprintf(file, sizeof(file), "%s/lock.mdb", dir);
		unlink(file);
		rmdir(dir);
	}
	return err;
}
