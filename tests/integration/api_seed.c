/*
 * Seed a CA's store with many certificate records at once, through the
 * store API (the paging and index tests of the management API need
 * thousands; 10,000 HTTP enrollments would take minutes):
 *
 *   api_seed STORE_DIR N SID K DER_FILE
 *
 * puts N records with random serials, the DER of DER_FILE, notBefore
 * times that repeat in runs of three (so the serial breaks ties), and
 * subject SID SID on K of them (the others get distinct SIDs). Prints the
 * number written. One thread; commits in groups of 1000.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include "ca/store/store.h"

#define SEED_BATCH 1000

/* One batch of records to put. */
struct seed {
	size_t from, n, total, k;
	const char *sid;
	unsigned char *der;
	size_t der_len;
};

/* Writer: put one batch. */
static int
seed_apply(struct store_wtxn *w, void *arg)
{
	struct seed *s = arg;
	struct store_cert c;

	for (size_t i = s->from; i < s->from + s->n; i++) {
		memset(&c, 0, sizeof(c));
		gnutls_rnd(GNUTLS_RND_NONCE, c.serial, 16);
		c.serial[0] &= 0x7f;
		c.serial[0] |= 0x01;
		c.serial_len = 16;
		c.der = s->der;
		c.der_len = s->der_len;
		snprintf(c.template_name, sizeof(c.template_name), "Seed%zu", i % 3);
		snprintf(c.requester, sizeof(c.requester), "SEEDER$");
		/* Spread the K certificates of sid over the whole range. */
		if (i * s->k / s->total != (i + 1) * s->k / s->total)
			snprintf(c.subject_sid, sizeof(c.subject_sid), "%s", s->sid);
		else
			snprintf(c.subject_sid, sizeof(c.subject_sid),
			    "S-1-5-21-1-2-3-%zu", 100000 + i);
		snprintf(c.subject_dn, sizeof(c.subject_dn), "CN=seed%zu,O=Demo", i);
		c.not_before = 1700000000 + (int64_t)(i / 3) * 60;
		c.not_after = c.not_before + 365 * 86400;
		c.status = STORE_CERT_VALID;
		if (store_w_put_cert(w, &c) != CA_OK)
			return store_w_status(w);
	}
	return CA_OK;
}

/* Read the whole DER file. */
static unsigned char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p = malloc(STORE_DER_MAX);

	*len = 0;
	if (f == NULL || p == NULL) {
		if (f != NULL)
			fclose(f);
		free(p);
		return NULL;
	}
	*len = fread(p, 1, STORE_DER_MAX, f);
	fclose(f);
	return p;
}

/* Open, put N records in batches, close. */
int
main(int argc, char **argv)
{
	struct store *st = NULL;
	struct seed s;
	char why[CA_WHY_MAX];
	int rc;

	if (argc != 6) {
		fprintf(stderr, "usage: api_seed STORE_DIR N SID K DER_FILE\n");
		return 2;
	}
	memset(&s, 0, sizeof(s));
	s.total = strtoul(argv[2], NULL, 10);
	s.sid = argv[3];
	s.k = strtoul(argv[4], NULL, 10);
	s.der = read_file(argv[5], &s.der_len);
	if (s.der == NULL || s.der_len == 0 || s.k > s.total) {
		fprintf(stderr, "api_seed: %s: unreadable, or K > N\n", argv[5]);
		return 2;
	}
	if (store_open(argv[1], NULL, &st, why, sizeof(why)) != CA_OK) {
		fprintf(stderr, "api_seed: %s\n", why);
		return 1;
	}
	for (s.from = 0; s.from < s.total; s.from += s.n) {
		s.n = s.total - s.from < SEED_BATCH ? s.total - s.from : SEED_BATCH;
		rc = store_submit_wait(st, seed_apply, &s, why, sizeof(why));
		if (rc != CA_OK) {
			fprintf(stderr, "api_seed: %s\n", why);
			store_close(st);
			return 1;
		}
	}
	store_close(st);
	free(s.der);
	printf("%zu\n", s.total);
	return 0;
}
