/*
 * entcad's local control socket: <state-dir>/control, a Unix stream
 * socket (mode 0600, owned by the account entcad runs as) through which
 * `entca` tells a running daemon that the configuration, the templates,
 * the issue list or the CRLs changed, and learns what the daemon serves
 * afterwards. One request line, one answer line, then the daemon closes:
 *
 *   reload\n  ->  "ok <what is now in force>\n" | "refused <why>\n"
 *   crl\n     ->  "ok re-read the CRLs; serving CRL #N\n"
 *
 * "ok" is sent only once the new configuration and templates are in
 * force and a CRL sync started after them has finished, so the CRL
 * numbers it names are the ones being served. Only root and the daemon's
 * own uid may talk to it (SO_PEERCRED, besides the file mode).
 *
 * Threads: everything here runs on the loop thread. The reload itself
 * runs through daemon.reload (entcad.c: on a worker); its outcome comes
 * back on the loop.
 */
#ifndef ENTCA_CA_CONTROL_H
#define ENTCA_CA_CONTROL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct daemon;
struct daemon_control;

/* The socket's name inside the state folder. */
#define CONTROL_SOCKET_NAME "control"
/* Longest request line, answer line. */
#define CONTROL_LINE_MAX 64
#define CONTROL_REPLY_MAX 1024
/* A client that sends no full line within this time is dropped. */
#define CONTROL_READ_TIMEOUT_S 10
/* Clients served at once; more are refused with a reason. */
#define CONTROL_CONN_MAX 16

/*
 * Bind <state_dir>/control, mode 0600, and listen on d's loop. A stale
 * socket file (nobody listens) is replaced; one a live daemon answers on
 * is an error (CA_EEXIST). *out: free with control_close. Loop thread,
 * after privileges are dropped (the socket belongs to the daemon's user).
 */
int control_open(struct daemon *d, const char *state_dir,
    struct daemon_control **out, char *why, size_t whylen);


/* A CRL sync finished (crl_daemon.c counts them): answer who waited. */
void control_crl_synced(struct daemon *d);

/* Answer everyone "stopping", close the socket, unlink it; NULL ok. */
void control_close(struct daemon_control *c);

#endif
