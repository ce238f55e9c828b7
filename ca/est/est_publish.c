/*
 * publish-to-directory (AD CS's CT_FLAG_PUBLISH_TO_DS): after an issued
 * certificate is committed, add it to userCertificate of the subject's
 * directory entry. The writer thread only hands the work to a worker (it
 * must not wait on LDAP); the client's answer does not wait for it either.
 * A failure is logged and never undoes the issuance: the certificate is
 * in the store and in the client's hands already.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/hex.h"
#include "ca/daemon/daemon.h"
#include "ca/est/est_int.h"
#include "ca/daemon/job.h"
#include "common/log.h"
#include "ca/daemon/workers.h"
#include "ldap/directory.h"

/* One publication, owned by the worker task. */
struct publish_task {
	struct daemon_gen *gen;		/* a reference on the job's generation */
	char dn[PRINCIPAL_DN_MAX];
	char serial[2 * STORE_SERIAL_MAX + 1];
	char tmpl[TMPL_NAME_MAX];
	unsigned char *der;
	size_t der_len;
};

/* Worker: the LDAP modify; the result goes to the log only. */
static void
publish_run(void *arg)
{
	struct publish_task *p = arg;
	char why[CA_WHY_MAX];

	if (directory_publish_user_cert(p->gen->dirs->dir, p->dn, p->der,
	    p->der_len, why, sizeof(why)) == CA_OK)
		log_info("published certificate %s (template %s) to "
		    "userCertificate of %s", p->serial, p->tmpl, p->dn);
	else
		log_warning("certificate %s (template %s) is issued but not "
		    "published to the directory: %s", p->serial, p->tmpl, why);
}

/* Loop (or the tool's thread): let go of the task. */
static void
publish_done(void *arg)
{
	struct publish_task *p = arg;

	daemon_gen_put(p->gen);
	free(p->der);
	free(p);
}

/* Writer thread: copy what the worker needs and hand it over; see est_int.h. */
void
enroll_publish_committed(struct job *j)
{
	struct enroll *e = j->ctx;
	struct publish_task *p;
	char serial[2 * STORE_SERIAL_MAX + 1];

	if (e->tmpl == NULL || !e->tmpl->publish_to_directory || !e->issued)
		return;
	hex_encode(e->cert.serial, e->cert.serial_len, serial);
	if (j->dirs == NULL || !e->have_subject || e->subject.dn[0] == '\0') {
		log_warning("certificate %s (template %s): publish-to-directory "
		    "is set but %s", serial, e->tmpl->name,
		    j->dirs == NULL ? "no [directory] is configured" :
		    "the subject has no directory entry");
		return;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->der = malloc(e->cert.der_len)) == NULL) {
		free(p);
		log_warning("certificate %s: not published: out of memory",
		    serial);
		return;
	}
	memcpy(p->der, e->cert.der, e->cert.der_len);
	p->der_len = e->cert.der_len;
	snprintf(p->dn, sizeof(p->dn), "%s", e->subject.dn);
	snprintf(p->serial, sizeof(p->serial), "%s", serial);
	snprintf(p->tmpl, sizeof(p->tmpl), "%s", e->tmpl->name);
	/* The task outlives the job: it keeps the generation's pool alive. */
	p->gen = daemon_gen_ref(j->gen);
	if (j->local || j->d->workers == NULL ||
	    workers_submit(j->d->workers, publish_run, publish_done, p) != CA_OK) {
		publish_run(p);
		publish_done(p);
	}
}
