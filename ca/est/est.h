/*
 * EST (RFC 7030) handlers and the officer's decisions on pending requests.
 * Loop-thread entry points; the work runs through job.c.
 */
#ifndef ENTCA_CA_EST_H
#define ENTCA_CA_EST_H

#include <stdbool.h>


enum enroll_op {
	ENROLL_SIMPLE = 0,	/* RFC 7030 §4.2.1 simpleenroll */
	ENROLL_RENEW,		/* §4.2.2 simplereenroll */
	ENROLL_KEYGEN,		/* §4.4 serverkeygen */
	ENROLL_APPROVE,		/* officer approves a pending request */
	ENROLL_DENY,		/* officer denies a pending request */
	ENROLL_OP_COUNT
};

struct daemon;
struct http_request;

/* simpleenroll / simplereenroll / serverkeygen for template label (NULL: default). */
void est_enroll(struct daemon *d, struct http_request *req, enum enroll_op op,
    const char *label);

struct job;
typedef void (*est_work_cb)(struct job *j);

/*
 * POST /api/v1/requests/<id>/approve or /deny (and `entca request`): set
 * job j up and return the work to run, or NULL when j holds an answer.
 */
est_work_cb est_pending_setup(struct job *j, unsigned long long id,
    bool approve);

/* GET csrattrs for template label (NULL: default); authenticated. */
void est_csrattrs(struct daemon *d, struct http_request *req, const char *label);

#endif
