/*
 * The enrollment pipeline EST built and other protocols share (SCEP): the
 * state one enrollment carries between the job's stages, and the stages
 * themselves (find the subject, decide, record). The only header of ca/est/
 * that a file outside the router may include, and only ca/scep/ does
 * (tests/layering.sh checks it). Threads: workers and the store writer,
 * never the loop.
 */
#ifndef ENTCA_CA_EST_ENROLL_H
#define ENTCA_CA_EST_ENROLL_H

#include <stdbool.h>
#include <stddef.h>
#include <gnutls/x509.h>
#include "ca/est/est.h"
#include "ca/store/store.h"
#include "policy/decide.h"
#include "policy/principal.h"
#include "policy/request.h"
#include "templates/template.h"

struct job;
struct store_wtxn;

#define EST_PASSWORD_MAX 256		/* PKCS#12 password */
#define EST_BOUNDARY "entca-est-boundary-7030"

/* Everything one enrollment carries between stages. */
struct enroll {
	enum enroll_op op;
	char template_name[TMPL_NAME_MAX];
	const struct template *tmpl;	/* in the job's template set */
	unsigned long long request_id;	/* approve/deny, or the poll match */
	char officer_reason[STORE_REASON_MAX];

	unsigned char *csr;
	size_t csr_len;
	struct policy_request preq;
	bool have_preq;
	struct principal subject;
	bool have_subject;
	struct policy_decision dec;

	/* the outcome to record */
	struct store_request rec;
	bool issued;
	struct store_cert cert;
	char password[EST_PASSWORD_MAX];
	gnutls_x509_privkey_t key;	/* serverkeygen only */
	struct policy_names names;	/* the request's names, resolved */
	bool have_names;

	/* simplereenroll: the certificate being renewed */
	unsigned char renew_serial[STORE_SERIAL_MAX];
	size_t renew_serial_len;
	/*
	 * Who requested the certificate being renewed: the new request and
	 * certificate keep it, so that a certificate an officer requested on
	 * someone's behalf never becomes that person's login by renewal.
	 */
	char renew_requester[STORE_NAME_MAX];

	/* approve: the SID of the account that submitted the request */
	char submitter_sid[PRINCIPAL_SID_MAX];

	/* another protocol on this pipeline (SCEP): its audit action, and
	   how the request came (challenge, transaction), or NULL and "" */
	const char *audit_action;
	char audit_via[STORE_REASON_MAX];
};


/* Free an enrollment (job ctx_free); wipes password and generated key. */
void enroll_free(void *arg);

/*
 * on_commit of an issuance (writer thread): when the template says
 * publish-to-directory, add the certificate to the subject's
 * userCertificate on a worker; failures are logged (ca/est/est_publish.c).
 */
void enroll_publish_committed(struct job *j);

/*
 * Worker: the principal the certificate is for, from the directory; a
 * request that names nobody is for self (the requester, not an approver).
 */
bool enroll_find_subject(struct job *j, struct enroll *e,
    const struct principal *self);

/*
 * Worker: the certificate is for p, decided by whoever vouched for p (a
 * SCEP challenge's issuer); resolves the request's other names like
 * enroll_find_subject. false after a 500/503 in j.
 */
bool enroll_for_subject(struct job *j, struct enroll *e,
    const struct principal *p);

/* Worker: policy on the parsed request, then act on the verdict. */
void enroll_decide(struct job *j, struct enroll *e,
    const struct principal *requester);

/*
 * Worker: on a template with require-channel-binding, the CSR's
 * challengePassword is the connection's TLS channel binding; false after
 * a 400 in j (est_link.c).
 */
bool enroll_check_binding(struct job *j, struct enroll *e);

/*
 * Worker: choose and check the PKCS#12 password of a serverkeygen into
 * e->password (never the binding, at least [est] pfx-min-password-length
 * characters); false after a 400 in j. Wipes j->extra (est_link.c).
 */
bool enroll_pfx_password(struct job *j, struct enroll *e);

/* Writer thread: request record, certificate and audit event. */
int enroll_apply(struct store_wtxn *w, struct job *j);

#endif
