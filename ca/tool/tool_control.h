/*
 * entca's side of entcad's control socket (ca/daemon/control.h): after a
 * change on the host (a CRL published, a template issued or unissued,
 * templates loaded) entca asks a running entcad to reload and waits for
 * its answer, so that what it prints is what actually happened. One
 * thread; blocks at most the timeout given.
 */
#ifndef ENTCA_TOOL_CONTROL_H
#define ENTCA_TOOL_CONTROL_H

#include <stddef.h>

#include "ca/daemon/daemon.h"

/* How long entca waits for a reload and the CRL sync after it. */
#define TOOL_CONTROL_TIMEOUT_S 60

/*
 * Send request ("reload": configuration, templates and CRLs; "crl": the
 * CRLs only) to the entcad of state_dir and put its answer (without the
 * "ok "/"refused " word) into msg. Returns CA_OK when it reloaded,
 * CA_ENOTFOUND when no entcad listens there, CA_EPOLICY when it refused
 * (msg says why, e.g. the new configuration does not parse), CA_EDENIED
 * when the socket may not be opened (not root or the CA's account),
 * CA_ETIMEOUT, or CA_EIO.
 */
int tool_control_ask(const char *state_dir, const char *request,
    int timeout_s, char *msg, size_t msglen);

/*
 * Ask and print one line on stderr saying what happened: "entcad
 * reloaded ...: serving CRL #7" or "entcad not running: it will read it
 * at start", or the refusal. Returns 0, or 1 when a running entcad did not
 * take the change.
 */
int tool_control_apply(const char *state_dir, const char *request);

/*
 * daemon.reload for the tool: ask the running entcad of d's state folder
 * to reload and wait; done hears the outcome before this returns
 * (CA_ENOTFOUND: no entcad runs). who is not sent: entcad names the
 * socket's peer itself. Always CA_OK.
 */
int tool_control_reload(struct daemon *d, const char *who,
    daemon_reload_done_cb done, void *arg);

/* The message and exit code of tool_control_apply for an outcome rc, msg. */
int tool_control_apply_result(int rc, const char *msg);

#endif
