/*
 * What the EST files share (est.c, est_reply.c, est_pending.c,
 * est_csrattrs.c): the state one enrollment carries between the pipeline's
 * stages and the stages the officer's approval re-runs. Threads as in
 * est.c: workers and the store writer, never the loop.
 */
#ifndef ENTCA_CA_EST_INT_H
#define ENTCA_CA_EST_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <gnutls/x509.h>

#include "ca/est/est.h"
#include "ca/store/store.h"
#include "policy/decide.h"
#include "policy/principal.h"
#include "policy/request.h"
#include "templates/template.h"
#include "ca/est/enroll.h"

struct job;
struct store_wtxn;

/*
 * Worker: a 200 answer of b64 (malloc'd, taken) of len bytes, of a type
 * EST sends base64-encoded (Content-Transfer-Encoding: base64).
 */
void est_reply_base64(struct job *j, char *b64, size_t len, const char *type);

/* Worker: answer with a base64 certs-only PKCS#7 of one certificate. */
void est_reply_cert(struct job *j, const unsigned char *der, size_t len);

/* Worker: answer serverkeygen (multipart PKCS#8 + PKCS#7, or PKCS#12). */
void est_reply_keygen(struct job *j, struct enroll *e);

#endif
