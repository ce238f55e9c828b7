/*
 * The responder's life: set-up (issuer hashes, first signing key),
 * renewal of the delegated certificate from the loop's tick, the revoke
 * hook, /health and /metrics. See ocsp.h for threads.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"
#include "ca/daemon/daemon.h"
#include "ca/daemon/workers.h"
#include "ca/identity/identity.h"
#include "ca/issue/revoke.h"
#include "ca/ocsp/ocsp_int.h"

/* Upper bounds of entca_ocsp_sign_seconds; +Inf implied. */
static const double ocsp_lat_bounds[OCSP_LAT_BUCKETS] = {
	0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.1, 1,
};

/* This CA's name and key hashes under each hash a CertID may use. */
static int
ocsp_issuer_hashes(struct ocsp *o, char *why, size_t whylen)
{
	static const gnutls_digest_algorithm_t digs[OCSP_ISSUER_HASHES] = {
		GNUTLS_DIG_SHA1, GNUTLS_DIG_SHA256, GNUTLS_DIG_SHA384, GNUTLS_DIG_SHA512,
	};
	const struct ca_identity *id = o->d->id;
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t spki = { NULL, 0 };
	int rc = CA_OK;

	if (gnutls_pubkey_init(&pub) < 0 || gnutls_pubkey_import_x509(pub, id->cert, 0) < 0 ||
	    gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &spki) < 0) {
		rc = ca_why(why, whylen, CA_ECRYPTO, "OCSP: cannot read the CA public key");
		goto out;
	}
	for (size_t i = 0; i < OCSP_ISSUER_HASHES && rc == CA_OK; i++) {
		struct ocsp_issuer_hash *h = &o->issuer[i];
		size_t l = 0;

		h->dig = digs[i];
		h->len = gnutls_hash_get_len(digs[i]);
		if (gnutls_hash_fast(digs[i], id->subject_der.data, id->subject_der.size,
		    h->name) < 0)
			rc = ca_why(why, whylen, CA_ECRYPTO, "OCSP: hash failed");
		else
			rc = ocsp_spki_key_hash(spki.data, spki.size, digs[i], h->key, &l,
			    why, whylen);
	}
out:
	gnutls_free(spki.data);
	gnutls_pubkey_deinit(pub);
	return rc;
}

/* The revoke hook's form of ocsp_forget. */
static void
ocsp_forget_hook(const unsigned char *serial, size_t len, void *arg)
{
	ocsp_forget(arg, serial, len);
}

/*
 * ocsp_new's thread: the first signing key. A signer that fails now (it
 * died, it restarts) must not keep the CA from starting: without a key
 * requests are answered tryLater, /health says why, and the tick tries
 * again.
 */
static void *
ocsp_first_key(void *arg)
{
	struct ocsp *o = arg;
	int rc = ocsp_key_roll(o, o->roll_why, sizeof(o->roll_why));
	bool abandoned;

	pthread_mutex_lock(&o->gate_lock);
	abandoned = o->gate == OCSP_GATE_ABANDONED;
	pthread_mutex_unlock(&o->gate_lock);
	if (rc != CA_OK && !abandoned)
		log_error("OCSP: no response signing certificate yet: %s (retry "
		    "at the next tick)", o->roll_why);
	return NULL;
}

/* Set up the responder; see ocsp.h. */
int
ocsp_new(struct daemon *d, struct ocsp **out, char *why, size_t whylen)
{
	struct ocsp *o;
	int rc;

	*out = NULL;
	if (!d->cfg->ocsp_enabled)
		return CA_OK;
	if ((o = calloc(1, sizeof(*o))) == NULL)
		return ca_why(why, whylen, CA_ENOMEM, "out of memory");
	o->d = d;
	o->cfg = *d->cfg;
	pthread_mutex_init(&o->key_lock, NULL);
	pthread_mutex_init(&o->roll_lock, NULL);
	pthread_mutex_init(&o->gate_lock, NULL);
	pthread_cond_init(&o->gate_cv, NULL);
	rc = ocsp_cache_init(&o->cache, o->cfg.ocsp_cache_max);
	if (rc != CA_OK)
		rc = ca_why(why, whylen, rc, "OCSP: out of memory for the cache");
	if (rc == CA_OK)
		rc = ocsp_issuer_hashes(o, why, whylen);
	if (rc != CA_OK) {
		ocsp_free(o);
		return rc;
	}
	revoke_set_commit_hook(ocsp_forget_hook, o);
	/* Closed before the thread exists, so it cannot pass unseen. */
	o->gate = OCSP_GATE_CLOSED;
	o->first_running = pthread_create(&o->first, NULL, ocsp_first_key, o) == 0;
	if (!o->first_running) {
		o->gate = OCSP_GATE_OPEN;
		ocsp_first_key(o);
	}
	*out = o;
	return CA_OK;
}

/* Open the gate and join ocsp_new's thread; see ocsp.h. */
void
ocsp_first_key_wait(struct ocsp *o)
{
	if (o != NULL && o->first_running) {
		ocsp_gate_set(o, OCSP_GATE_OPEN);
		pthread_join(o->first, NULL);
		o->first_running = false;
	}
}

/* Free everything. */
void
ocsp_free(struct ocsp *o)
{
	if (o == NULL)
		return;
	/* A start that failed before ocsp_first_key_wait: nothing signed. */
	if (o->first_running) {
		ocsp_gate_set(o, OCSP_GATE_ABANDONED);
		pthread_join(o->first, NULL);
		o->first_running = false;
	}
	revoke_set_commit_hook(NULL, NULL);
	ocsp_key_put(o->cur);
	ocsp_cache_destroy(&o->cache);
	pthread_mutex_destroy(&o->key_lock);
	pthread_mutex_destroy(&o->roll_lock);
	pthread_mutex_destroy(&o->gate_lock);
	pthread_cond_destroy(&o->gate_cv);
	free(o);
}

/* The revoke hook: drop serial's cached responses. */
void
ocsp_forget(struct ocsp *o, const unsigned char *serial, size_t len)
{
	if (o != NULL)
		ocsp_cache_forget(&o->cache, serial, len);
}

/* A renewal on a worker. */
struct ocsp_roll_job {
	struct ocsp *o;
	int rc;
	char why[CA_WHY_MAX];
};

/* Worker: make a new key and certificate. */
static void
ocsp_roll_run(void *arg)
{
	struct ocsp_roll_job *j = arg;

	j->rc = ocsp_key_roll(j->o, j->why, sizeof(j->why));
}

/* Loop: the renewal finished. */
static void
ocsp_roll_done(void *arg)
{
	struct ocsp_roll_job *j = arg;
	struct ocsp *o = j->o;

	o->rolling = false;
	if (j->rc != CA_OK) {
		o->retry_at = ca_now() + OCSP_RETRY_S;
		snprintf(o->roll_why, sizeof(o->roll_why), "%s", j->why);
		log_error("OCSP: cannot renew the response signing certificate: %s "
		    "(retry in %d s)", j->why, OCSP_RETRY_S);
	} else {
		o->roll_why[0] = '\0';
	}
	free(j);
}

/* Loop: renew at half life, at once when the signer lost the key, or
 * when there is none yet. */
void
ocsp_tick(struct daemon *d)
{
	struct ocsp *o = d->ocsp;
	struct ocsp_roll_job *j;
	struct ocsp_key *k;
	int64_t now = ca_now();
	bool due;

	if (o == NULL || o->rolling || now < o->retry_at)
		return;
	k = ocsp_key_get(o);
	due = k == NULL || (!o->cfg.ocsp_sign_with_ca && (now >= k->renew_at ||
	    atomic_load(&o->need_roll)));
	ocsp_key_put(k);
	if (!due || (j = calloc(1, sizeof(*j))) == NULL)
		return;
	j->o = o;
	o->rolling = true;
	if (workers_submit(d->workers, ocsp_roll_run, ocsp_roll_done, j) != CA_OK) {
		o->rolling = false;
		free(j);
	}
}

/* The signing certificate in service. */
void
ocsp_signer_get(struct ocsp *o, struct ocsp_signer_info *info)
{
	struct ocsp_key *k = o != NULL ? ocsp_key_get(o) : NULL;

	memset(info, 0, sizeof(*info));
	if (k == NULL)
		return;
	info->not_before = k->not_before;
	info->not_after = k->not_after;
	snprintf(info->serial, sizeof(info->serial), "%s", k->serial);
	ocsp_key_put(k);
}

/*
 * /health: a problem when the delegated certificate has less than a
 * quarter of its life left (renewal at half life has failed for a
 * quarter of it) or is gone.
 */
size_t
ocsp_health(struct daemon *d, json_t *problems)
{
	struct ocsp *o = d->ocsp;
	struct ocsp_key *k;
	int64_t now = ca_now(), left;
	char text[CA_WHY_MAX + 200];
	size_t n = 0;

	if (o == NULL)
		return 0;
	k = ocsp_key_get(o);
	if (k != NULL && !k->delegated) {
		ocsp_key_put(k);
		return 0;	/* the CA key: its certificate is watched elsewhere */
	}
	left = k != NULL ? k->not_after - now : 0;
	if (k == NULL || left < o->cfg.ocsp_signer_validity_s / 4) {
		snprintf(text, sizeof(text), "the OCSP response signing certificate %s "
		    "in %lld s%s%s", left <= 0 ? "has expired" : "expires",
		    (long long)(left > 0 ? left : 0),
		    o->roll_why[0] ? "; renewal fails: " : "", o->roll_why);
		json_array_append_new(problems, json_pack("{s:s,s:s}",
		    "component", "ocsp", "reason", text));
		n++;
	}
	ocsp_key_put(k);
	return n;
}

/* Append printf text to a growing buffer; false when out of memory. */
static bool
mt_put(char **p, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*p + *len, *cap - *len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return false;
		if ((size_t)n < *cap - *len) {
			*len += (size_t)n;
			return true;
		}
		{
			char *q = realloc(*p, *cap * 2 + (size_t)n);

			if (q == NULL)
				return false;
			*p = q;
			*cap = *cap * 2 + (size_t)n;
		}
	}
}

/* The OCSP families of /metrics. */
char *
ocsp_metrics_text(struct ocsp *o)
{
	size_t len = 0, cap = 2048;
	char *p = malloc(cap);
	unsigned long long cum = 0;
	bool ok;

	if (o == NULL || p == NULL) {
		free(p);
		return NULL;
	}
	p[0] = '\0';
	ok = mt_put(&p, &len, &cap, "# HELP entca_ocsp_responses_total OCSP responses "
	    "by certificate status (successful) or response status (errors).\n"
	    "# TYPE entca_ocsp_responses_total counter\n");
	for (int i = 0; i < OCSP_CERT_COUNT && ok; i++)
		ok = mt_put(&p, &len, &cap, "entca_ocsp_responses_total{status=\"%s\"} %llu\n",
		    ocsp_cert_status_name(i), (unsigned long long)atomic_load(&o->by_cert_status[i]));
	for (int i = OCSP_RESP_SUCCESSFUL + 1; i < OCSP_RESP_COUNT && ok; i++)
		ok = mt_put(&p, &len, &cap, "entca_ocsp_responses_total{status=\"%s\"} %llu\n",
		    ocsp_resp_status_name(i),
		    (unsigned long long)atomic_load(&o->by_resp_status[i]));
	ok = ok && mt_put(&p, &len, &cap,
	    "# HELP entca_ocsp_cache_hits_total Single-certificate requests answered "
	    "from a pre-signed response.\n# TYPE entca_ocsp_cache_hits_total counter\n"
	    "entca_ocsp_cache_hits_total %llu\n"
	    "# HELP entca_ocsp_cache_misses_total Single-certificate requests without "
	    "nonce that had to be signed.\n# TYPE entca_ocsp_cache_misses_total counter\n"
	    "entca_ocsp_cache_misses_total %llu\n"
	    "# HELP entca_ocsp_signer_renewals_total Delegated OCSP signing certificates "
	    "issued since entcad started.\n# TYPE entca_ocsp_signer_renewals_total counter\n"
	    "entca_ocsp_signer_renewals_total %llu\n"
	    "# HELP entca_ocsp_sign_seconds Time to encode and sign one OCSP response.\n"
	    "# TYPE entca_ocsp_sign_seconds histogram\n",
	    (unsigned long long)atomic_load(&o->hits),
	    (unsigned long long)atomic_load(&o->misses),
	    (unsigned long long)atomic_load(&o->renewals));
	for (int i = 0; i < OCSP_LAT_BUCKETS && ok; i++) {
		cum += atomic_load(&o->lat_bucket[i]);
		ok = mt_put(&p, &len, &cap, "entca_ocsp_sign_seconds_bucket{le=\"%g\"} %llu\n",
		    ocsp_lat_bounds[i], cum);
	}
	ok = ok && mt_put(&p, &len, &cap, "entca_ocsp_sign_seconds_bucket{le=\"+Inf\"} %llu\n"
	    "entca_ocsp_sign_seconds_sum %.6f\nentca_ocsp_sign_seconds_count %llu\n",
	    (unsigned long long)atomic_load(&o->signed_n),
	    (double)atomic_load(&o->lat_sum_us) / 1e6,
	    (unsigned long long)atomic_load(&o->signed_n));
	if (!ok) {
		free(p);
		return NULL;
	}
	return p;
}

/* Count one signature's latency (seconds) into the histogram. */
void
ocsp_count_sign(struct ocsp *o, double secs)
{
	for (int i = 0; i < OCSP_LAT_BUCKETS; i++)
		if (secs <= ocsp_lat_bounds[i]) {
			atomic_fetch_add(&o->lat_bucket[i], 1);
			break;
		}
	atomic_fetch_add(&o->signed_n, 1);
	atomic_fetch_add(&o->lat_sum_us, (unsigned long long)(secs * 1e6));
}
