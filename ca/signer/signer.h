/*
 * The signer process: the only place the CA private key
 * lives. signer_start forks a child that opens the key named by the state
 * folder's ca.json (file or PKCS#11 URI), checks it against ca.crt, drops
 * privileges and then answers one question over a SOCK_SEQPACKET
 * socketpair: "sign these bytes". Workers hold a gnutls_privkey_t from
 * signer_privkey (gnutls_privkey_import_ext4 with sign-hash, sign-data and
 * info callbacks), so GnuTLS builds every certificate and CRL while the key
 * stays in the child.
 *
 * Threads: every function here may be called from any thread. One mutex
 * per child (lane) serialises its requests: one request and its reply are
 * on its socket at a time (the child is single-threaded, so nothing is
 * lost); with signer_add_lanes several children sign at once.
 * Each reply is awaited with poll for SIGNER_TIMEOUT_MS; a dead, stuck or
 * confused child makes the in-flight call fail with CA_EUNAVAIL or
 * CA_ETIMEOUT (never a hang), the child is killed and reaped, and the
 * signer is marked down. It is started again by signer_check_restart
 * (which the daemon calls when SIGCHLD arrives, from a worker because it
 * forks and opens the key) or automatically by the next sign call: the
 * first restart at once, later ones at most once per SIGNER_RESTART_MIN_MS
 * so a key that crashes its child cannot make us fork in a loop. Calls
 * that meet a dead child are not retried: nothing is signed twice or
 * silently. The daemon must not reap children with waitpid(-1): the signer
 * reaps its own child by pid.
 */
#ifndef ENTCA_CA_SIGNER_H
#define ENTCA_CA_SIGNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

/* Longest wait for one signature, in milliseconds. */
#define SIGNER_TIMEOUT_MS 5000
/* Longest wait for a starting child to open its key, in milliseconds. */
#define SIGNER_START_TIMEOUT_MS 20000
/* Least time between two restarts made by sign calls, in milliseconds. */
#define SIGNER_RESTART_MIN_MS 1000
/* Most signer children (lanes) one signer runs: [ca] signers. */
#define SIGNER_LANES_MAX 16

struct signer;

/*
 * What a child reports about itself once its key is open: the payload of
 * its ready message and of SIGNER_OP_INFO (signer_wire.h), fixed-width
 * since it crosses the socket as it is.
 */
struct signer_child_info {
	int32_t pk_algo;	/* gnutls_pk_algorithm_t of the CA key */
	uint32_t bits;		/* key size (curve size for ECDSA) */
	uint32_t uid, gid;	/* the child's ids after dropping */
	int32_t no_new_privs;	/* PR_SET_NO_NEW_PRIVS took effect */
	int32_t netns;		/* child is in its own network namespace */
	int32_t no_caps;	/* no permitted, effective or ambient caps */
	int32_t seccomp;	/* the child runs under the syscall filter */
};

/* The signer's state, with what its child reports (tests and logs). */
struct signer_status {
	pid_t pid;		/* 0 when down */
	struct signer_child_info info;	/* the first child's report */
	pid_t launcher;		/* the signer-user launcher, 0 when none */
	unsigned restarts;	/* successful restarts since signer_start, all lanes */
	unsigned lanes;		/* children signing in parallel (signer_add_lanes) */
	pid_t lane_pid[SIGNER_LANES_MAX];	/* each lane's child, 0 when down */
};

/*
 * Start the signer for the CA in state_dir. When running as root and
 * drop_user is not NULL, a launcher process becomes that user (its groups
 * from getgrouplist, its gid and uid) with an empty bounding set and
 * no-new-privs, and every child, the first one and each restart, is forked
 * by it and opens the key as that user: the key file must be readable by
 * drop_user. The children are re-parented to this process, which becomes
 * a child subreaper. As non-root no switch is made and we fork the child. A PKCS#11 module that reads its storage per operation
 * (SoftHSM does) needs that storage reachable by drop_user.
 * The child always sets PR_SET_NO_NEW_PRIVS and non-dumpable, drops every
 * capability, closes every other descriptor, installs the seccomp filter
 * of signer_seccomp_install, and for file keys (when root) enters an empty
 * network namespace. *out is owned by the caller (signer_stop). Returns CA_OK, or
 * the child's reason: CA_ENOTFOUND (no CA), CA_EAUTH (wrong key password or
 * PIN), CA_EIO, CA_EPOLICY (key does not match ca.crt), CA_ETIMEOUT, ...
 */
int signer_start(const char *state_dir, const char *drop_user,
    struct signer **out, char *why, size_t whylen);

/*
 * Run n children (1..SIGNER_LANES_MAX) in all: start n - 1 more beside the
 * first, each with the same key, privileges, filter and restart rules,
 * its own socket and lock. A call takes the first idle child, so n
 * signatures run at once on n cores (one child signs one at a time).
 * Call once after signer_start, before any privkey is used. A failed
 * start keeps the children already running and returns the reason. Any
 * thread; it blocks while the children open the key.
 */
int signer_add_lanes(struct signer *s, unsigned n, char *why, size_t whylen);

/*
 * Make a new external private key that signs through s. *out is owned by
 * the caller (gnutls_privkey_deinit) and must be released before
 * signer_stop(s). Each privkey may be used from any thread.
 */
int signer_privkey(struct signer *s, gnutls_privkey_t *out, char *why,
    size_t whylen);

/*
 * Reap the child if it exited and start a new one when the signer is down.
 * CA_OK when a child is running afterwards, else the start error. Any
 * thread; it blocks while a new child opens the key.
 */
int signer_check_restart(struct signer *s, char *why, size_t whylen);

/*
 * When a child (or the launcher) ended since the last call without
 * signer_stop asking it to, copy how into buf ("signer process 123 killed
 * by signal SIGSYS (Bad system call): a forbidden system call (seccomp)")
 * and return true. Any thread; the daemon logs it after a restart.
 */
bool signer_take_death(struct signer *s, char *buf, size_t len);

/* Put a waitpid status into words: signal name and text, or exit code. */
void signer_describe_status(int status, char *buf, size_t len);

/* Copy the signer's current status. Any thread. */
void signer_get_status(struct signer *s, struct signer_status *st);

/*
 * The reason the last signing call of this thread failed (a callback can
 * only hand GnuTLS an error code). Valid until the thread's next call.
 */
const char *signer_last_why(void);

/*
 * Successful restarts since signer_start, without taking the lock (a call
 * in progress holds it): for /metrics on the loop thread. Any thread.
 */
unsigned signer_restarts(struct signer *s);

/* Stop the child (closes the socket, waits, then kills) and free s. */
void signer_stop(struct signer *s);

/*
 * Whether a signer child is running with its socket open, for /health.
 * Never blocks: while a call or a restart holds the signer it counts as
 * up (it is in use). Any thread.
 */
bool signer_up(struct signer *s);

/*
 * OCSP response signing keys (signer_ocsp.c): SIGNER_OCSP_SLOTS keys of
 * their own, made inside the signer child and never leaving it.
 * signer_ocsp_keygen makes a key of pk_algo (GNUTLS_PK_RSA or
 * GNUTLS_PK_ECDSA) and bits in slot, replacing the slot's old key, and
 * puts its SubjectPublicKeyInfo DER into *spki (gnutls_free).
 * signer_ocsp_privkey makes an external key (gnutls_privkey_deinit) that
 * signs with the slot's key. A restarted child has no OCSP keys: a
 * signature then fails, and signer_ocsp_last_error gives CA_ENOTFOUND and
 * the reason for the calling thread's last OCSP signature. Any thread.
 */
#define SIGNER_OCSP_SLOTS 2
int signer_ocsp_keygen(struct signer *s, unsigned slot, int pk_algo,
    unsigned bits, gnutls_datum_t *spki, char *why, size_t whylen);
int signer_ocsp_privkey(struct signer *s, unsigned slot, int pk_algo,
    unsigned bits, gnutls_privkey_t *out, char *why, size_t whylen);
int signer_ocsp_last_error(const char **why);

#endif
