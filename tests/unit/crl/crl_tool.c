/*
 * crl_tool: a test program (not installed) that builds one CRL with
 * crl_build() from a PEM key, a PEM CA certificate and a text list of
 * entries, so tests/integration/crl_encode.sh can check the result with
 * openssl and Python. Entries file: one entry per line,
 *   <serial hex> <revoked-at epoch> <reason name or code> [<invalidity epoch>]
 * blank lines and lines starting with '#' ignored. The file is read twice
 * (the encoder's two passes) through a rewindable iterator, as ca/ feeds it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "common/error.h"
#include "crl/crl.h"
#include "tests/unit/crl/crl_extkey.h"
#include "tests/unit/crl/crl_pemca.h"

/* Longest entries-file line read. */
#define TOOL_LINE_MAX 512

/* The entries file as an iterator. */
struct file_iter {
	FILE *f;
	unsigned long line;
};

/* Print usage and exit 2. */
static void
usage(void)
{
	fprintf(stderr, "usage: crl_tool --key key.pem --ca ca.pem --out crl.der "
	    "[--entries file] [--number N] [--delta BASE] [--freshest URL]... "
	    "[--this EPOCH] [--next EPOCH] [--hash sha256|sha384|sha512] "
	    "[--pss] [--ext] [--next-publish EPOCH]\n");
	exit(2);
}

/* Parse hex into serial bytes. */
static int
parse_serial(const char *hex, struct crl_entry *e)
{
	size_t n = strlen(hex), i, o = 0;
	unsigned int b;

	if (n == 0 || n > 2 * sizeof(e->serial))
		return -1;
	/* An odd digit count gets a leading zero nibble. */
	for (i = 0; i < n;) {
		char two[3] = { 0, 0, 0 };

		if (i == 0 && n % 2 == 1) {
			two[0] = hex[0];
			i += 1;
		} else {
			two[0] = hex[i];
			two[1] = hex[i + 1];
			i += 2;
		}
		if (sscanf(two, "%x", &b) != 1)
			return -1;
		e->serial[o++] = (unsigned char)b;
	}
	e->serial_len = o;
	return 0;
}

/* Next entry from the file; skips comments; CA_EPARSE on a bad line. */
static int
file_next(void *arg, struct crl_entry *out)
{
	struct file_iter *it = arg;
	char line[TOOL_LINE_MAX], ser[TOOL_LINE_MAX], rea[TOOL_LINE_MAX];
	long long at, inv;
	int n;

	while (fgets(line, sizeof(line), it->f) != NULL) {
		it->line++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		inv = 0;
		n = sscanf(line, "%511s %lld %511s %lld", ser, &at, rea, &inv);
		if (n < 3 || parse_serial(ser, out) != 0 ||
		    crl_reason_parse(rea, &out->reason, NULL, 0) != CA_OK) {
			fprintf(stderr, "crl_tool: entries line %lu: bad\n",
			    it->line);
			return CA_EPARSE;
		}
		out->revoked_at = at;
		out->invalidity_date = inv;
		return 1;
	}
	return ferror(it->f) ? CA_EIO : 0;
}

/* Go back to the first line. */
static int
file_rewind(void *arg)
{
	struct file_iter *it = arg;

	it->line = 0;
	return fseek(it->f, 0, SEEK_SET) == 0 ? CA_OK : CA_EIO;
}

/* Iterator over nothing, for CRLs without --entries. */
static int
none_next(void *arg, struct crl_entry *out)
{
	(void)arg;
	(void)out;
	return 0;
}

/* Nothing to rewind. */
static int
none_rewind(void *arg)
{
	(void)arg;
	return CA_OK;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "ca", required_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'o' },
		{ "entries", required_argument, NULL, 'e' },
		{ "number", required_argument, NULL, 'n' },
		{ "delta", required_argument, NULL, 'd' },
		{ "freshest", required_argument, NULL, 'f' },
		{ "this", required_argument, NULL, 't' },
		{ "next", required_argument, NULL, 'x' },
		{ "hash", required_argument, NULL, 'h' },
		{ "pss", no_argument, NULL, 'p' },
		{ "ext", no_argument, NULL, 'E' },
		{ "next-publish", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	const char *keyf = NULL, *caf = NULL, *outf = NULL, *entf = NULL;
	const char *urls[CRL_URLS_MAX];
	struct crl_params p;
	struct file_iter it = { NULL, 0 };
	struct test_extkey x;
	struct test_pemca ca;
	gnutls_privkey_t ext = NULL;
	unsigned char *der = NULL;
	size_t der_len = 0;
	const char *what;
	char why[CA_WHY_MAX];
	int c, ret, use_ext = 0, rc = 1;
	FILE *out;

	memset(&p, 0, sizeof(p));
	memset(&x, 0, sizeof(x));
	p.this_update = time(NULL);
	p.next_update = p.this_update + 7 * 86400;
	p.crl_number = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k': keyf = optarg; break;
		case 'c': caf = optarg; break;
		case 'o': outf = optarg; break;
		case 'e': entf = optarg; break;
		case 'n': p.crl_number = strtoull(optarg, NULL, 10); break;
		case 'd':
			p.delta = true;
			p.base_crl_number = strtoull(optarg, NULL, 10);
			break;
		case 'f':
			if (p.n_freshest >= CRL_URLS_MAX)
				usage();
			urls[p.n_freshest++] = optarg;
			break;
		case 't': p.this_update = strtoll(optarg, NULL, 10); break;
		case 'x': p.next_update = strtoll(optarg, NULL, 10); break;
		case 'h':
			p.hash = gnutls_digest_get_id(optarg);
			if (p.hash == GNUTLS_DIG_UNKNOWN)
				usage();
			break;
		case 'p': p.rsa_pss = true; break;
		case 'E': use_ext = 1; break;
		case 'P': p.next_publish = strtoll(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (keyf == NULL || caf == NULL || outf == NULL)
		usage();
	p.freshest_urls = urls;

	if ((ret = test_pemca_load(&ca, keyf, caf, &what)) < 0) {
		fprintf(stderr, "crl_tool: %s: %s\n", what,
		    gnutls_strerror(ret));
		goto out;
	}
	test_pemca_params(&ca, &p);
	if (use_ext) {
		x.real = ca.key;
		if ((ret = test_extkey_wrap(&x, &ext)) < 0) {
			fprintf(stderr, "crl_tool: ext4: %s\n",
			    gnutls_strerror(ret));
			goto out;
		}
	}
	if (entf != NULL) {
		if ((it.f = fopen(entf, "r")) == NULL) {
			fprintf(stderr, "crl_tool: %s: %s\n", entf,
			    strerror(errno));
			goto out;
		}
		ret = crl_build(&p, file_next, file_rewind, &it,
		    use_ext ? ext : ca.key, &der, &der_len, why, sizeof(why));
	} else
		ret = crl_build(&p, none_next, none_rewind, NULL,
		    use_ext ? ext : ca.key, &der, &der_len, why, sizeof(why));
	if (ret != CA_OK) {
		fprintf(stderr, "crl_tool: %s (%s)\n", why, ca_strerror(ret));
		goto out;
	}
	if (use_ext)
		fprintf(stderr, "ext: sign_hash=%u sign_data=%u input=%zu\n",
		    x.sign_hash_calls, x.sign_data_calls, x.last_input_len);
	if ((out = fopen(outf, "wb")) == NULL ||
	    fwrite(der, 1, der_len, out) != der_len || fclose(out) != 0) {
		fprintf(stderr, "crl_tool: %s: write failed\n", outf);
		goto out;
	}
	rc = 0;
out:
	if (it.f != NULL)
		fclose(it.f);
	free(der);
	gnutls_privkey_deinit(ext);
	test_pemca_free(&ca);
	return rc;
}
