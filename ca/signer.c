/*
 * The parent side of the signer process: forking and restarting the child,
 * the request/reply exchange over the socketpair, and the GnuTLS external
 * private keys whose callbacks forward signing to the child.
 *
 * Threads: any thread may sign. s->lock serialises everything that touches
 * the socket or the child (one request on the wire at a time; the child is
 * single-threaded anyway) and is held across a restart. Each wait is
 * bounded by poll; a failure kills and reaps the child by pid and marks
 * the signer down, so the next call (or signer_check_restart) starts a new
 * one. Callbacks can hand GnuTLS only an error code; the sentence goes to
 * a thread-local buffer read with signer_last_why().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "ca/keyfile.h"
#include "ca/signer.h"
#include "ca/signer_wire.h"

struct signer {
	pthread_mutex_t lock;		/* socket, child, counters */
	int fd;				/* parent end, -1 when down */
	pid_t pid;			/* child, 0 when down */
	uint32_t next_id;
	int64_t last_restart_ms;	/* monotonic, last restart; 0: none */
	unsigned restarts;
	struct signer_drop drop;
	struct signer_wire_info info;	/* set by the first child, then fixed */
	char state_dir[KEYFILE_PATH_MAX];
};

static __thread char signer_why[CA_WHY_MAX];

/* Monotonic milliseconds. */
static int64_t
signer_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Kill (if asked) and reap the child, close the socket: the signer is down. */
static void
signer_down(struct signer *s, int kill_it)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (s->pid > 0) {
		if (kill_it)
			kill(s->pid, SIGKILL);
		while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	s->pid = 0;
}

/* Receive one reply within timeout_ms into buf; returns its length or a code. */
static ssize_t
signer_recv(int fd, unsigned char *buf, size_t len, int timeout_ms,
    char *why, size_t whylen)
{
	int64_t end = signer_now_ms() + timeout_ms;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int r;

	for (;;) {
		int left = (int)(end - signer_now_ms());

		if (left < 0)
			left = 0;
		r = poll(&p, 1, left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return ca_why(why, whylen, CA_EIO, "signer: poll: %s",
			    strerror(errno));
		if (r == 0)
			return ca_why(why, whylen, CA_ETIMEOUT,
			    "signer: no answer within %d ms", timeout_ms);
		n = recv(fd, buf, len, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return ca_why(why, whylen, CA_EUNAVAIL,
			    "signer: the signer process died");
		if (n < 0)
			return ca_why(why, whylen, CA_EUNAVAIL,
			    "signer: %s", strerror(errno));
		return n;
	}
}

/* Fork a child and wait for its ready message. Caller holds s->lock. */
static int
signer_spawn(struct signer *s, char *why, size_t whylen)
{
	unsigned char buf[SIGNER_MSG_MAX];
	struct signer_wire_rep rep;
	struct signer_wire_info info;
	int sv[2];
	ssize_t n;
	pid_t pid;
	int rc;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return ca_why(why, whylen, CA_EIO, "signer: socketpair: %s",
		    strerror(errno));
	/*
	 * XXX: forking a threaded process leaves the child with locks other
	 * threads held; GnuTLS keeps little global locking and resets its
	 * RNG and PKCS#11 state after fork, and a child that hangs anyway is
	 * killed by the start timeout below.
	 */
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return ca_why(why, whylen, CA_EIO, "signer: fork: %s",
		    strerror(errno));
	}
	if (pid == 0) {
		close(sv[0]);
		signer_child_main(sv[1], s->state_dir, &s->drop);
	}
	close(sv[1]);
	s->fd = sv[0];
	s->pid = pid;
	n = signer_recv(s->fd, buf, sizeof(buf), SIGNER_START_TIMEOUT_MS, why,
	    whylen);
	if (n < 0) {
		rc = (int)n;
		if (rc == CA_EUNAVAIL)
			ca_why(why, whylen, rc,
			    "signer: the child died while opening the key");
		signer_down(s, 1);
		return rc;
	}
	if ((size_t)n >= sizeof(rep))
		memcpy(&rep, buf, sizeof(rep));
	if ((size_t)n < sizeof(rep) || rep.magic != SIGNER_WIRE_MAGIC ||
	    rep.len != (size_t)n - sizeof(rep)) {
		signer_down(s, 1);
		return ca_why(why, whylen, CA_EPARSE,
		    "signer: malformed start message");
	}
	if (rep.status != CA_OK) {
		size_t l = rep.len < whylen ? rep.len : (whylen ? whylen - 1 : 0);

		if (why != NULL && whylen > 0) {
			memcpy(why, buf + sizeof(rep), l);
			why[l] = '\0';
		}
		signer_down(s, 0);
		return rep.status < 0 && rep.status > -CA_ERROR_COUNT ?
		    rep.status : CA_EIO;
	}
	if (rep.len != sizeof(info)) {
		signer_down(s, 1);
		return ca_why(why, whylen, CA_EPARSE,
		    "signer: malformed start message");
	}
	memcpy(&info, buf + sizeof(rep), sizeof(info));
	if (s->info.pk_algo != 0 && (info.pk_algo != s->info.pk_algo ||
	    info.bits != s->info.bits)) {
		/* The key changed under us; privkeys already describe the old. */
		signer_down(s, 1);
		return ca_why(why, whylen, CA_ESTATE,
		    "signer: the CA key changed since entcad started");
	}
	if (s->info.pk_algo == 0)
		s->info = info;	/* written once: callbacks read it unlocked */
	return CA_OK;
}

/* Start the signer process for a state folder. */
int
signer_start(const char *state_dir, const char *drop_user,
    struct signer **out, char *why, size_t whylen)
{
	struct signer *s;
	struct passwd *pw;
	int rc;

	*out = NULL;
	if (strlen(state_dir) >= KEYFILE_PATH_MAX)
		return ca_why(why, whylen, CA_ETOOBIG, "state folder: path "
		    "too long");
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return ca_why(why, whylen, CA_ENOMEM, "out of memory");
	pthread_mutex_init(&s->lock, NULL);
	s->fd = -1;
	strcpy(s->state_dir, state_dir);
	if (drop_user != NULL && geteuid() == 0) {
		/* Resolved here: NSS in a freshly forked child is unsafe. */
		pw = getpwnam(drop_user);
		if (pw == NULL) {
			rc = ca_why(why, whylen, CA_ECONFIG,
			    "signer: no such user %s", drop_user);
			goto fail;
		}
		if (pw->pw_uid == 0) {
			rc = ca_why(why, whylen, CA_ECONFIG,
			    "signer: user %s is root; pick an unprivileged one",
			    drop_user);
			goto fail;
		}
		s->drop.enabled = 1;
		s->drop.uid = pw->pw_uid;
		s->drop.gid = pw->pw_gid;
		/* Keep the user's groups: an HSM is often reached via one. */
		s->drop.ngroups = SIGNER_GROUPS_MAX;
		if (getgrouplist(drop_user, pw->pw_gid, s->drop.groups,
		    &s->drop.ngroups) < 0) {
			rc = ca_why(why, whylen, CA_ECONFIG,
			    "signer: user %s is in more than %d groups",
			    drop_user, SIGNER_GROUPS_MAX);
			goto fail;
		}
	}
	pthread_mutex_lock(&s->lock);
	rc = signer_spawn(s, why, whylen);
	pthread_mutex_unlock(&s->lock);
	if (rc != CA_OK)
		goto fail;
	*out = s;
	return CA_OK;
fail:
	pthread_mutex_destroy(&s->lock);
	free(s);
	return rc;
}

/* Restart a down signer; caller holds s->lock. */
static int
signer_revive(struct signer *s, int rate_limit, char *why, size_t whylen)
{
	int rc;

	if (s->pid > 0) {
		if (waitpid(s->pid, NULL, WNOHANG) == 0)
			return CA_OK;		/* still running */
		s->pid = 0;			/* reaped just now */
		signer_down(s, 0);
	}
	/* The first restart is immediate; a crash loop gets one a second. */
	if (rate_limit && s->last_restart_ms != 0 &&
	    signer_now_ms() - s->last_restart_ms < SIGNER_RESTART_MIN_MS)
		return ca_why(why, whylen, CA_EUNAVAIL,
		    "signer: down, restarting at most once per %d ms",
		    SIGNER_RESTART_MIN_MS);
	s->last_restart_ms = signer_now_ms();
	rc = signer_spawn(s, why, whylen);
	if (rc == CA_OK)
		s->restarts++;
	return rc;
}

/* Reap an exited child and start a new one if needed. */
int
signer_check_restart(struct signer *s, char *why, size_t whylen)
{
	int rc;

	pthread_mutex_lock(&s->lock);
	rc = signer_revive(s, 0, why, whylen);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* One request and its reply; the signature lands in sig (gnutls_malloc). */
static int
signer_call(struct signer *s, uint32_t op, int algo, unsigned flags,
    const gnutls_datum_t *data, gnutls_datum_t *sig, char *why,
    size_t whylen)
{
	unsigned char buf[SIGNER_MSG_MAX];
	struct signer_wire_req req;
	struct signer_wire_rep rep;
	ssize_t n;
	int rc;

	if (data->size > SIGNER_DATA_MAX)
		return ca_why(why, whylen, CA_ETOOBIG,
		    "signer: %u bytes to sign exceed %d", data->size,
		    SIGNER_DATA_MAX);
	pthread_mutex_lock(&s->lock);
	if (s->pid == 0) {
		rc = signer_revive(s, 1, why, whylen);
		if (rc != CA_OK)
			goto out;
	}
	req.magic = SIGNER_WIRE_MAGIC;
	req.op = op;
	req.id = ++s->next_id;
	req.algo = algo;
	req.flags = flags;
	req.len = data->size;
	memcpy(buf, &req, sizeof(req));
	if (data->size > 0)
		memcpy(buf + sizeof(req), data->data, data->size);
	do
		n = send(s->fd, buf, sizeof(req) + data->size, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)(sizeof(req) + data->size)) {
		rc = ca_why(why, whylen, CA_EUNAVAIL,
		    "signer: the signer process is gone (%s)",
		    n < 0 ? strerror(errno) : "short write");
		signer_down(s, 1);
		goto out;
	}
	n = signer_recv(s->fd, buf, sizeof(buf), SIGNER_TIMEOUT_MS, why,
	    whylen);
	if (n < 0) {
		rc = (int)n;
		signer_down(s, 1);
		goto out;
	}
	if ((size_t)n < sizeof(rep)) {
		rc = ca_why(why, whylen, CA_EPARSE, "signer: short reply");
		signer_down(s, 1);
		goto out;
	}
	memcpy(&rep, buf, sizeof(rep));
	if (rep.magic != SIGNER_WIRE_MAGIC || rep.id != req.id ||
	    rep.len != (size_t)n - sizeof(rep)) {
		rc = ca_why(why, whylen, CA_EPARSE,
		    "signer: reply does not match the request");
		signer_down(s, 1);
		goto out;
	}
	if (rep.status != CA_OK) {
		size_t l = rep.len < whylen ? rep.len : (whylen ? whylen - 1 : 0);

		if (why != NULL && whylen > 0) {
			memcpy(why, buf + sizeof(rep), l);
			why[l] = '\0';
		}
		rc = rep.status < 0 && rep.status > -CA_ERROR_COUNT ?
		    rep.status : CA_ECRYPTO;
		goto out;
	}
	sig->data = gnutls_malloc(rep.len ? rep.len : 1);
	if (sig->data == NULL) {
		rc = ca_why(why, whylen, CA_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(sig->data, buf + sizeof(rep), rep.len);
	sig->size = rep.len;
	rc = CA_OK;
out:
	pthread_mutex_unlock(&s->lock);
	gnutls_memset(buf, 0, sizeof(buf));
	return rc;
}

/* GnuTLS sign-hash callback: the child signs the hash (or DigestInfo). */
static int
signer_sign_hash_cb(gnutls_privkey_t key, gnutls_sign_algorithm_t algo,
    void *userdata, unsigned flags, const gnutls_datum_t *hash,
    gnutls_datum_t *sig)
{
	(void)key;
	if (signer_call(userdata, SIGNER_OP_SIGN_HASH, (int)algo, flags, hash,
	    sig, signer_why, sizeof(signer_why)) != CA_OK)
		return GNUTLS_E_PK_SIGN_FAILED;
	return 0;
}

/* GnuTLS sign-data callback (EdDSA and other non-prehashed schemes). */
static int
signer_sign_data_cb(gnutls_privkey_t key, gnutls_sign_algorithm_t algo,
    void *userdata, unsigned flags, const gnutls_datum_t *data,
    gnutls_datum_t *sig)
{
	(void)key;
	if (signer_call(userdata, SIGNER_OP_SIGN_DATA, (int)algo, flags, data,
	    sig, signer_why, sizeof(signer_why)) != CA_OK)
		return GNUTLS_E_PK_SIGN_FAILED;
	return 0;
}

/* GnuTLS info callback: algorithm, bits and supported signatures. */
static int
signer_info_cb(gnutls_privkey_t key, unsigned flags, void *userdata)
{
	struct signer *s = userdata;
	gnutls_sign_algorithm_t sa;

	(void)key;
	if (flags & GNUTLS_PRIVKEY_INFO_PK_ALGO)
		return s->info.pk_algo;
	if (flags & GNUTLS_PRIVKEY_INFO_PK_ALGO_BITS)
		return (int)s->info.bits;
	if (flags & GNUTLS_PRIVKEY_INFO_HAVE_SIGN_ALGO) {
		sa = GNUTLS_FLAGS_TO_SIGN_ALGO(flags);
		return gnutls_sign_supports_pk_algorithm(sa,
		    (gnutls_pk_algorithm_t)s->info.pk_algo) ? 1 : 0;
	}
	return -1;
}

/* Build an external private key bound to s. */
int
signer_privkey(struct signer *s, gnutls_privkey_t *out, char *why,
    size_t whylen)
{
	gnutls_privkey_t k = NULL;
	int ret;

	*out = NULL;
	if (gnutls_privkey_init(&k) < 0)
		return ca_why(why, whylen, CA_ENOMEM, "out of memory");
	ret = gnutls_privkey_import_ext4(k, s, signer_sign_data_cb,
	    signer_sign_hash_cb, NULL, NULL, signer_info_cb, 0);
	if (ret < 0) {
		gnutls_privkey_deinit(k);
		return ca_why(why, whylen, CA_ECRYPTO,
		    "signer: cannot make the external key: %s",
		    gnutls_strerror(ret));
	}
	*out = k;
	return CA_OK;
}

/* Snapshot the status for tests and logs. */
void
signer_get_status(struct signer *s, struct signer_status *st)
{
	pthread_mutex_lock(&s->lock);
	st->pid = s->pid;
	st->pk_algo = s->info.pk_algo;
	st->bits = s->info.bits;
	st->uid = s->info.uid;
	st->gid = s->info.gid;
	st->no_new_privs = s->info.no_new_privs;
	st->netns = s->info.netns;
	st->restarts = s->restarts;
	pthread_mutex_unlock(&s->lock);
}

/* The last failure sentence of this thread's signing calls. */
const char *
signer_last_why(void)
{
	return signer_why;
}

/* Close the socket so the child exits, wait briefly, then kill it. */
void
signer_stop(struct signer *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
	if (s->pid > 0) {
		for (int i = 0; i < 50; i++) {
			if (waitpid(s->pid, NULL, WNOHANG) != 0) {
				s->pid = 0;
				break;
			}
			usleep(10000);
		}
		signer_down(s, 1);
	}
	pthread_mutex_unlock(&s->lock);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/*
 * Up when the child has not been reaped and its end of the socket is not
 * hung up: a dead child's socket reports POLLHUP before anyone reaps it.
 */
bool
signer_up(struct signer *s)
{
	struct pollfd p = { .fd = -1, .events = POLLIN };
	bool up;

	if (pthread_mutex_trylock(&s->lock) != 0)
		return true;
	p.fd = s->fd;
	up = s->pid > 0 && s->fd >= 0 && poll(&p, 1, 0) >= 0 &&
	    (p.revents & (POLLHUP | POLLERR | POLLNVAL)) == 0;
	pthread_mutex_unlock(&s->lock);
	return up;
}
