/*
 * One request that leaves the loop: the shared carrier for EST and the
 * management API. A job copies from the HTTP request what workers need
 * (credentials, client certificate, body), runs authentication and the
 * handler's work on a worker, optionally commits a store write, and comes
 * back to the loop to respond.
 *
 * Threads: job_start() and the reply run on the loop; authentication and
 * the work function on a worker; the apply function on the store writer.
 * The HTTP request is touched only on the loop.
 */
#ifndef ENTCA_CA_JOB_H
#define ENTCA_CA_JOB_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "ca/daemon/job_error.h"
#include "ca/http/http.h"
#include "ca/http/http_parse.h"
#include "ca/store/store.h"
#include "policy/principal.h"

struct daemon;
struct http_request;
struct job;

#define JOB_HEADERS_MAX 8
#define JOB_CRED_MAX 512	/* user name or password from Basic */
#define JOB_TLS_BINDING_MAX 64	/* tls-unique (12..48 bytes), tls-exporter (32) */
/* The challenge of every 401 (RFC 7617 §2, with §2.1's charset). */
#define JOB_WWW_AUTHENTICATE "Basic realm=\"entca\", charset=\"UTF-8\""

/*
 * The stages of a job, in the order they run. A job passes ROUTE on the
 * loop, AUTH and WORK on a worker, APPLY and COMMIT on the store writer
 * when the work asked for a write (j->apply), then ON_LOOP and REPLY on
 * the loop. Each handler callback belongs to one stage (below); the
 * failure log line names the stage whose refusal the client heard.
 */
enum job_stage {
	JOB_STAGE_ROUTE = 0,	/* loop: parse and route, copy the request */
	JOB_STAGE_AUTH,		/* worker: who is asking (job.c) */
	JOB_STAGE_WORK,		/* worker: the handler's work (j->work) */
	JOB_STAGE_APPLY,	/* writer: the record, in the group txn (j->apply) */
	JOB_STAGE_COMMIT,	/* writer: after a good commit (j->on_commit) */
	JOB_STAGE_ON_LOOP,	/* loop: adopt results before replying (j->on_loop) */
	JOB_STAGE_REPLY,	/* loop: send the answer, log, free */
	JOB_STAGE_COUNT
};

/* The thread a stage runs on. */
enum job_thread {
	JOB_THREAD_LOOP = 0,
	JOB_THREAD_WORKER,
	JOB_THREAD_WRITER,
	JOB_THREAD_COUNT
};

/* One row of the stage table: the name the log uses, and its thread. */
struct job_stage_row {
	const char *name;
	enum job_thread thread;
};

/* The row of stage; NULL outside the enum. Static; any thread. */
const struct job_stage_row *job_stage_row(enum job_stage stage);

/* The work of a job, on a worker, after authentication succeeded. */
typedef void (*job_work_cb)(struct job *j);
/* A store write, on the writer thread, inside the group transaction. */
typedef int (*job_apply_cb)(struct store_wtxn *w, struct job *j);

struct job {
	struct daemon *d;		/* the loop's: workers, counters, CRLs */
	struct daemon_gen *gen;		/* the generation this job started
					   with (one reference): handlers read
					   config, templates, directory, store,
					   key and identity through it */
	const struct ca_config *cfg;	/* gen->cfg */
	struct daemon_templates *tset;	/* gen->tpl */
	struct daemon_directory *dirs;	/* gen->dirs, or NULL */
	struct http_request *req;	/* loop only */
	/* sized by the HTTP parser's bounds, so audit paths are never cut */
	char peer[HTTP_PEER_MAX];
	char method[HTTP_METHOD_MAX + 1];
	char path[HTTP_URI_MAX + 1];

	/* credentials, wiped when the job ends */
	bool have_basic;
	bool bad_basic;			/* an Authorization header that does not
					   parse: user holds the attempted name */
	char basic_why[CA_WHY_MAX];	/* why it does not parse (no secrets) */
	char user[JOB_CRED_MAX];
	char password[JOB_CRED_MAX];
	unsigned char *client_cert;
	size_t client_cert_len;
	bool client_cert_verified;
	bool anonymous_ok;		/* work runs even without credentials */
	bool cert_renewal;		/* simplereenroll: the one use a client
					   certificate has by default (§5) */
	bool local;			/* the CA host's administrator (entca) */

	unsigned char *body;		/* copy of the request body */
	size_t body_len;
	char accept[256];
	char extra[256];		/* one handler-specific header value */

	/* filled on the worker */
	bool authenticated;
	bool cert_login;		/* who came from a client certificate */
	char cert_serial[2 * STORE_SERIAL_MAX + 1]; /* its serial, hex */
	char cert_template[STORE_TEMPLATE_NAME_MAX]; /* its template */
	struct principal who;

	/* the handler's stages (enum job_stage); NULL: the stage is skipped */
	job_work_cb work;		/* JOB_STAGE_WORK */
	job_apply_cb apply;		/* JOB_STAGE_APPLY; NULL: nothing to commit */
	void (*on_commit)(struct job *j); /* JOB_STAGE_COMMIT */
	void (*on_loop)(struct job *j);	/* JOB_STAGE_ON_LOOP */
	void *ctx;			/* the handler's own state */
	void (*ctx_free)(void *ctx);
	enum job_stage stage;		/* the stage running now */
	bool parked;			/* on_loop waits for an event: job_resume */
	bool in_on_loop;		/* on_loop runs: a resume waits for its end */
	enum job_stage fail_stage;	/* where job_fail set the answer */

	/* for the request's log line: the template asked for, the serial issued */
	char log_template[STORE_TEMPLATE_NAME_MAX];
	char log_serial[2 * STORE_SERIAL_MAX + 1];

	/* the response */
	int status;
	char why[CA_WHY_MAX];
	size_t n_headers;
	char header_names[JOB_HEADERS_MAX][48];
	char header_values[JOB_HEADERS_MAX][256];
	unsigned char *resp;		/* malloc'd body */
	size_t resp_len;

	struct store_job sjob;

	/* TLS channel binding (RFC 9266) of the connection, copied on the loop */
	unsigned char tls_binding[JOB_TLS_BINDING_MAX];
	size_t tls_binding_len;
	const char *tls_binding_type;	/* static: "tls-unique", "tls-exporter" */
};

/*
 * Make a job for req (loop thread): copies credentials, client certificate
 * and body. NULL on allocation failure (the caller answers 500).
 */
struct job *job_new(struct daemon *d, struct http_request *req);

/*
 * Loop: job_new into *jp, with a new context of size bytes (job_ctx_new),
 * which is returned. NULL when memory runs out: req is then answered
 * (500) already.
 */
void *job_new_ctx(struct daemon *d, struct http_request *req, size_t size,
    void (*ctx_free)(void *ctx), struct job **jp);

/*
 * From on_loop (loop thread): the answer waits for an event that ends in
 * job_resume(j) (a configuration edit waits for the reload's swap, so the
 * next request sees what this one changed). A parked job holds its
 * connection and its generation, nothing else.
 */
void job_park(struct job *j);

/*
 * The parked job's answer is ready: send it and end the job (loop
 * thread). Called from inside on_loop, the answer goes when on_loop
 * returns; for a local job (the tool) it only unparks.
 */
void job_resume(struct job *j);

/*
 * Send j to a worker: authenticate, then work(j). Loop thread. On failure
 * to queue, answers 503 at once.
 */
void job_start(struct job *j, job_work_cb work);

/*
 * A job for the `entca` tool acting on the CA host: no HTTP request, the
 * principal is the local administrator (name, e.g. "local:root") who holds
 * every CA right, since only the owner of the state folder can open it.
 */
struct job *job_new_local(struct daemon *d, const char *name);

/*
 * Run work(j) and its store write in this thread, waiting for the commit.
 * Returns j->status; the response stays in j (resp, why). Then job_free.
 */
int job_run_local(struct job *j, job_work_cb work);

/* Free a job made by job_new_local. */
void job_free(struct job *j);

/*
 * A zeroed context of size bytes that j owns from now: ctx_free frees it
 * when j ends, and an earlier context is freed now. NULL with a 500 set
 * in j when memory runs out. Whoever owns j.
 */
void *job_ctx_new(struct job *j, size_t size, void (*ctx_free)(void *ctx));

/* The directory pool this job uses (NULL when none is configured). */
struct directory *job_dir(const struct job *j);

/* Answer from the loop now, without a worker (loop thread). */
void job_finish(struct job *j);

/*
 * Answer with the response already set in j (a 400 for a bad body, a 404
 * or 405), but only after authentication on a worker: a caller without
 * valid credentials hears 401 and nothing about how we parse (loop).
 */
void job_refuse_after_auth(struct job *j);

/*
 * The name the log and the audit give the caller: the account when logged
 * in, else the attempted Basic user name or the client certificate's
 * serial, else "-". Borrowed from j. Any thread that owns j.
 */
const char *job_identity(const struct job *j);

/* Add a response header (worker or loop). */
void job_header(struct job *j, const char *name, const char *value);

/*
 * Set a plain-text answer that is no error: a 2xx status and one line
 * (worker). Errors go through job_fail.
 */
void job_text(struct job *j, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Set an error answer for err (worker, writer or loop: whoever owns j):
 * the status and error code string from the one table (job_error.h), the
 * sentence fmt in j->why for the log, and a body in the shape the path
 * asks for (JSON under /api/, else text) with the server's own paths
 * removed. Replaces any body set before; headers stay (add Retry-After
 * or WWW-Authenticate after the call).
 */
void job_fail(struct job *j, enum ca_error err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Set a JSON response from a jansson object (stolen) (worker). */
struct json_t;
void job_json(struct job *j, int status, struct json_t *obj);

/*
 * Set a 200 answer of len bytes of body, which the job takes (malloc'd),
 * of Content-Type type (worker or loop: whoever owns j).
 */
void job_body_take(struct job *j, void *body, size_t len, const char *type);

/* The same with a copy of body; a 500 when memory runs out. */
void job_body_copy(struct job *j, const void *body, size_t len,
    const char *type);

/*
 * Build one audit event (who, from where, what, decision, reason, extras
 * as alternating key/value strings, NULL-terminated) and append it in the
 * current write. Writer thread (inside apply).
 */
int job_audit(struct store_wtxn *w, struct job *j, const char *action,
    const char *decision, const char *reason, ...);

/* True if the authenticated principal holds every bit of CA rights. */
bool job_has_ca_right(struct job *j, unsigned rights);

#endif
