/*
 * Test driver for the identity subcommands: `test_identity_tool init ...`,
 * `install-cert ...`, `ca-cert ...` behave as `entca` would, so the
 * integration scripts exercise the real code without the entca main.
 * `signer-issue STATE OUT.pem [USER]` starts the signer process for STATE
 * (dropping to USER when root), issues one test certificate through the
 * signer's external key, writes it as PEM and prints the signer's status.
 */
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "ca/identity/identity.h"
#include "ca/signer/signer.h"
#include "ca/tool/tool_ca.h"
#include "tests/unit/ca/signer/test_signer_issue.h"

/* Start the signer, issue a certificate through it and write it out. */
static int
signer_issue(const char *state, const char *outpath, const char *user)
{
	struct ca_identity *id = NULL;
	struct signer *s = NULL;
	struct signer_status st;
	gnutls_privkey_t key = NULL;
	gnutls_datum_t pem = { NULL, 0 };
	char why[CA_WHY_MAX] = "";
	FILE *f;
	int rc, ret, status = 1;

	rc = ca_identity_load(state, &id, why, sizeof(why));
	if (rc == CA_OK)
		rc = signer_start(state, user, &s, why, sizeof(why));
	if (rc == CA_OK)
		rc = signer_privkey(s, &key, why, sizeof(why));
	if (rc != CA_OK) {
		fprintf(stderr, "signer-issue: %s\n", why);
		goto out;
	}
	ret = test_issue_leaf(id->cert, key, "signer test", NULL, &pem);
	if (ret < 0) {
		fprintf(stderr, "signer-issue: %s (%s)\n", gnutls_strerror(ret),
		    signer_last_why());
		goto out;
	}
	f = fopen(outpath, "w");
	if (f == NULL || fwrite(pem.data, 1, pem.size, f) != pem.size ||
	    fclose(f) != 0) {
		perror(outpath);
		goto out;
	}
	signer_get_status(s, &st);
	printf("signer pid=%d pk=%s bits=%u uid=%u gid=%u nnp=%d netns=%d\n",
	    (int)st.pid, gnutls_pk_get_name(st.info.pk_algo), st.info.bits, st.info.uid,
	    st.info.gid, st.info.no_new_privs, st.info.netns);
	status = 0;
out:
	gnutls_free(pem.data);
	gnutls_privkey_deinit(key);
	signer_stop(s);
	ca_identity_free(id);
	return status;
}

/* Dispatch argv[1] to the subcommand. */
int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s init|install-cert|ca-cert ...\n",
		    argv[0]);
		return 2;
	}
	if (strcmp(argv[1], "init") == 0)
		return tool_init_main(argc - 1, argv + 1, NULL);
	if (strcmp(argv[1], "install-cert") == 0)
		return tool_install_cert_main(argc - 1, argv + 1, NULL);
	if (strcmp(argv[1], "ca-cert") == 0)
		return tool_ca_cert_main(argc - 1, argv + 1, NULL);
	if (strcmp(argv[1], "signer-issue") == 0 && (argc == 4 || argc == 5))
		return signer_issue(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
	fprintf(stderr, "%s: unknown command %s\n", argv[0], argv[1]);
	return 2;
}
