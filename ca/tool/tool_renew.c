/*
 * `entca ca renew [--new-key]`: the front end of ca_identity_renew
 * (ca/identity/identity_renew.c). Like AD CS, which stops the service to
 * renew, it refuses while entcad (or any process) holds the store open:
 * the signer keeps the key it started with. The renewal is recorded as an
 * audit event in the store. Tool main thread only.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/error.h"
#include "ca/identity/identity.h"
#include "ca/signer/keyfile.h"
#include "ca/store/store.h"
#include "ca/tool/tool_ca.h"
#include "ca/tool/tool_renew.h"

/* Validity of a renewed root when --days is not given (as entca init). */
#define RENEW_DEFAULT_DAYS 3650

/* The audit event of a renewal, in its own write. */
struct renew_audit {
	char json[512];
};

/* Writer thread: append the event. */
static int
renew_audit_apply(struct store_wtxn *w, void *arg)
{
	struct renew_audit *a = arg;

	return store_w_audit(w, a->json, NULL);
}

/* entca ca renew: see tool_renew.h. */
int
tool_renew_main(int argc, char **argv, const char *conf_state)
{
	static const char usage[] = "usage: entca ca renew [--state DIR] "
	    "[--new-key [--key-type rsa2048|rsa3072|rsa4096|p256|p384] "
	    "[--key-password-file F]] [--days N]\n";
	struct option opts[TOOL_CA_OPTS_MAX];
	struct ca_renew_opts o;
	struct renew_audit a;
	struct store *st = NULL;
	struct passwd *pw = getpwuid(getuid());
	char why[CA_WHY_MAX] = "", db[PATH_MAX], *kpw = NULL;
	unsigned ci = 0, ki = 0;
	long pid = 0;
	int c, rc, status = 1;

	memset(&o, 0, sizeof(o));
	o.state_dir = conf_state != NULL ? conf_state : TOOL_DEFAULT_STATE;
	o.key_type = CA_KEY_RSA3072;
	o.days = RENEW_DEFAULT_DAYS;
	o.cert_index = &ci;
	o.key_index = &ki;
	tool_ca_options("swkdKh", opts);
	optind = 1;	/* argv[0] is "renew" */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': o.state_dir = optarg; break;
		case 'w': o.new_key = 1; break;
		case 'k':
			if (ca_key_type_parse(optarg, &o.key_type) != CA_OK) {
				fprintf(stderr, "entca ca renew: --key-type: unknown "
				    "key type\n%s", usage);
				return 2;
			}
			break;
		case 'd':
			if (tool_ca_days(optarg, &o.days) != CA_OK) {
				fprintf(stderr, "entca ca renew: --days: expected "
				    "1..36500\n%s", usage);
				return 2;
			}
			break;
		case 'K': o.key_password_file = optarg; break;
		case 'h': printf("%s", usage); return 0;
		default:
			fprintf(stderr, "entca ca renew: unknown option or missing "
			    "value\n%s", usage);
			return 2;
		}
	}
	if (optind != argc || (o.key_password_file != NULL && !o.new_key)) {
		fprintf(stderr, "entca ca renew: %s\n%s", optind != argc ?
		    "unexpected argument" : "--key-password-file goes with --new-key",
		    usage);
		return 2;
	}
	if (snprintf(db, sizeof(db), "%s/db", o.state_dir) >= (int)sizeof(db))
		return 2;
	if (store_in_use(db, &pid)) {
		fprintf(stderr, "entca ca renew: the store in %s is open in process "
		    "%ld (entcad running?): stop entcad, renew, start it again (AD CS "
		    "stops its service to renew too)\n", o.state_dir, pid);
		return 1;
	}
	if (o.key_password_file != NULL) {
		if (keyfile_read_password(o.key_password_file, &kpw, why,
		    sizeof(why)) != CA_OK)
			goto out;
		o.key_password = kpw;
	}
	rc = ca_identity_renew(&o, why, sizeof(why));
	if (rc != CA_OK)
		goto out;
	printf("entca ca renew: CA certificate %u (key %u%s) is now the issuing "
	    "certificate in %s/ca.crt; certificate %u is kept in %s/%s/ and "
	    "stays valid for what it issued%s\n", ci, ki, o.new_key ? ", new" :
	    ", the same key", o.state_dir, ci - 1, o.state_dir,
	    CA_IDENTITY_HISTORY_DIR, o.new_key ? "; the old key signs its own CRLs "
	    "until its certificate expires" : "");
	/* The store records who renewed (a CA without a store yet: nothing). */
	if (access(db, F_OK) == 0 && store_open(db, NULL, &st, why,
	    sizeof(why)) == CA_OK) {
		snprintf(a.json, sizeof(a.json), "{\"time\":%lld,\"who\":\"local:%s\","
		    "\"from\":\"local\",\"action\":\"ca-renew\",\"decision\":\"done\","
		    "\"reason\":\"%s\",\"cert_index\":%u,\"key_index\":%u}",
		    (long long)ca_now(), pw != NULL ? pw->pw_name : "unknown",
		    o.new_key ? "new key" : "same key", ci, ki);
		if (store_submit_wait(st, renew_audit_apply, &a, why,
		    sizeof(why)) != CA_OK)
			fprintf(stderr, "entca ca renew: audit: %s\n", why);
		store_close(st);
	}
	printf("next: start entcad; cacerts and AIA serve every CA certificate\n");
	status = 0;
out:
	if (status != 0)
		fprintf(stderr, "entca ca renew: %s\n", why);
	keyfile_password_free(kpw);
	return status;
}
