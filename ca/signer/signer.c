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
 *
 * Started as root with a signer user, the children come from a launcher:
 * a process forked at start that leaves the network (file keys), empties
 * its capability bounding set and becomes the signer user for good. On
 * each (re)start we ask it over a control socketpair; it forks a short-
 * lived middle process that forks the signer child and exits, so the
 * child is re-parented to us (PR_SET_CHILD_SUBREAPER) and we reap it by
 * pid and see how it died. The launcher hands us our end of the child's
 * socket with SCM_RIGHTS. Killing a child of another uid goes through the
 * launcher too. This way a network process that never was the signer user
 * can restart the signer, yet never opens the key file itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "common/opstats.h"
#include "ca/signer/keyfile.h"
#include "ca/signer/signer.h"
#include "ca/signer/signer_ext.h"
#include "ca/signer/signer_wire.h"

struct signer {
	pthread_mutex_t lock;		/* socket, child, counters */
	int fd;				/* parent end, -1 when down */
	pid_t pid;			/* child, 0 when down */
	uint32_t next_id;
	int64_t last_restart_ms;	/* monotonic, last restart; 0: none */
	unsigned restarts;
	atomic_uint restarts_seen;	/* restarts, for /metrics without the lock */
	struct signer_drop drop;
	struct signer_child_info info;	/* set by the first child, then fixed */
	char state_dir[KEYFILE_PATH_MAX];
	pid_t launcher;			/* 0: we fork children ourselves */
	int ctl;			/* control socket to the launcher, or -1 */
	unsigned deaths;		/* children gone without signer_stop */
	unsigned deaths_told;		/* deaths handed out by signer_take_death */
	char death[CA_WHY_MAX];		/* how the last one went */
	/*
	 * Lanes (signer_add_lanes): more children with the same key, each
	 * with its own socket and lock, so signatures run on several cores.
	 * Only the signer that signer_start returned has them; a lane shares
	 * its launcher and never stops it. Set before any call, then fixed.
	 */
	bool is_lane;
	unsigned n_lanes;
	struct signer *lanes[SIGNER_LANES_MAX - 1];
	atomic_uint next_lane;		/* round-robin start of the search */
};

/* Serialises the launcher's control socket between lanes. */
static pthread_mutex_t signer_launch_mu = PTHREAD_MUTEX_INITIALIZER;

/* Lane i of s: 0 is s itself. */
static struct signer *
signer_lane(struct signer *s, unsigned i)
{
	return i == 0 ? s : s->lanes[i - 1];
}

/* Launcher commands: spawn a child, or kill one of its children. */
enum signer_ctl_op {
	SIGNER_CTL_SPAWN = 1,
	SIGNER_CTL_KILL,
	SIGNER_CTL_COUNT
};

/* One launcher command, and its answer to a spawn (plus the fd). */
struct signer_ctl {
	int32_t op;
	int32_t pid;	/* KILL: which child; answer: the child, or 0 */
	int32_t err;	/* answer: errno of a failed fork, else 0 */
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

/* Describe a wait status: "killed by signal SIGSYS (Bad system call)". */
void
signer_describe_status(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status)) {
		const char *abbrev = sigabbrev_np(WTERMSIG(status));

		snprintf(buf, len, "killed by signal %s%s (%s)%s",
		    abbrev != NULL ? "SIG" : "", abbrev != NULL ? abbrev : "?",
		    strsignal(WTERMSIG(status)),
		    WTERMSIG(status) == SIGSYS ?
		    ": a forbidden system call (seccomp)" : "");
	} else if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else
		snprintf(buf, len, "ended with wait status 0x%x", status);
}

/* Kill one child: directly, or through the launcher when its uid differs. */
static void
signer_kill(struct signer *s, pid_t pid)
{
	struct signer_ctl c = { SIGNER_CTL_KILL, (int32_t)pid, 0 };

	/* A launcher that is gone cannot help: try ourselves (the child
	 * still sees its socket closed and exits unless it is stuck). */
	if (s->launcher > 0 && s->ctl >= 0 && geteuid() != 0) {
		ssize_t n;

		pthread_mutex_lock(&signer_launch_mu);
		n = send(s->ctl, &c, sizeof(c), MSG_NOSIGNAL);
		pthread_mutex_unlock(&signer_launch_mu);
		if (n == sizeof(c))
			return;
	}
	kill(pid, SIGKILL);
}

/* Reap the child and remember how it ended (unless we stopped it). */
static void
signer_reap(struct signer *s, int status_known, int status, int expected)
{
	if (!status_known)
		while (waitpid(s->pid, &status, 0) < 0) {
			if (errno != EINTR)
				return;
		}
	if (expected)
		return;
	s->deaths++;
	snprintf(s->death, sizeof(s->death), "signer process %d ",
	    (int)s->pid);
	signer_describe_status(status, s->death + strlen(s->death),
	    sizeof(s->death) - strlen(s->death));
}

/*
 * Kill (if asked) and reap the child, close the socket: the signer is down.
 * A child we had to kill is recorded with cause, as one that died alone,
 * unless quiet (a start that failed says why itself).
 */
static void
signer_down_as(struct signer *s, int kill_it, int quiet)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (s->pid > 0) {
		if (kill_it)
			signer_kill(s, s->pid);
		signer_reap(s, 0, 0, quiet);
	}
	s->pid = 0;
}

/*
 * A socketpair and a fork: in the child *pid is 0 (sv[1] is its end), in
 * the parent the child's pid. On failure nothing is left open.
 */
static int
signer_fork_pair(int sv[2], pid_t *pid, char *why, size_t whylen)
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return ca_why(why, whylen, CA_EIO, "signer: socketpair: %s",
		    strerror(errno));
	*pid = fork();
	if (*pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return ca_why(why, whylen, CA_EIO, "signer: fork: %s",
		    strerror(errno));
	}
	return CA_OK;
}

/* Down, a death recorded with its cause. */
static void
signer_down(struct signer *s, int kill_it)
{
	signer_down_as(s, kill_it, 0);
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

/* Down without counting a death: a start that failed says why itself. */
static void
signer_down_quiet(struct signer *s, int kill_it)
{
	signer_down_as(s, kill_it, 1);
}

/* Launcher: send one spawn answer, with the parent's end of the socket. */
static void
launcher_answer(int ctl, pid_t pid, int err, int fd)
{
	struct signer_ctl a = { SIGNER_CTL_SPAWN, (int32_t)pid, err };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = { &a, sizeof(a) };
	struct msghdr m;

	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		m.msg_control = u.buf;
		m.msg_controllen = sizeof(u.buf);
		CMSG_FIRSTHDR(&m)->cmsg_level = SOL_SOCKET;
		CMSG_FIRSTHDR(&m)->cmsg_type = SCM_RIGHTS;
		CMSG_FIRSTHDR(&m)->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(CMSG_FIRSTHDR(&m)), &fd, sizeof(int));
	}
	while (sendmsg(ctl, &m, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

/*
 * Launcher: one child through a middle process, so that the child is
 * re-parented to entcad (our subreaper parent) once the middle one exits.
 */
static void
launcher_spawn(int ctl, const char *state_dir, const struct signer_drop *drop)
{
	int sv[2], pp[2];
	pid_t mid, pid = 0;
	int status;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		launcher_answer(ctl, 0, errno, -1);
		return;
	}
	if (pipe2(pp, O_CLOEXEC) != 0) {
		launcher_answer(ctl, 0, errno, -1);
		close(sv[0]);
		close(sv[1]);
		return;
	}
	mid = fork();
	if (mid == 0) {
		pid = fork();
		if (pid == 0) {
			close(sv[0]);
			signer_child_main(sv[1], state_dir, drop);
		}
		(void)write(pp[1], &pid, sizeof(pid));
		_exit(0);
	}
	close(pp[1]);
	close(sv[1]);
	if (mid < 0 || read(pp[0], &pid, sizeof(pid)) != sizeof(pid))
		pid = 0;
	close(pp[0]);
	if (mid > 0)
		while (waitpid(mid, &status, 0) < 0 && errno == EINTR)
			;
	/* The middle process is gone: the child is entcad's now. */
	launcher_answer(ctl, pid, pid > 0 ? 0 : EAGAIN, pid > 0 ? sv[0] : -1);
	close(sv[0]);
}

/*
 * The launcher's life: leave the network (file keys), drop the bounding
 * set, become the signer user with no-new-privs, then serve spawn and kill
 * commands until entcad closes the control socket.
 */
static void __attribute__((noreturn))
launcher_main(int ctl, const char *state_dir, struct signer_drop *drop,
    int file_key, pid_t parent)
{
	struct rlimit nocore = { 0, 0 };
	struct signer_ctl c, ready = { 0, 0, 0 };
	int nul, dirfd;
	ssize_t n;

	nul = open("/dev/null", O_RDWR);
	if (nul >= 0) {
		dup2(nul, 0);
		dup2(nul, 1);
		dup2(nul, 2);
		if (nul > 2)
			close(nul);
	}
	if (ctl != 3) {
		dup2(ctl, 3);
		ctl = 3;
	}
	close_range(4, ~0U, 0);
	/* Free heap pages inherited from entcad, resident until given back. */
	malloc_trim(0);
	/* Opened as root: the signer user needs search access to this folder
	 * only, not to the folders above it (often private to root). */
	dirfd = open(state_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	{
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
	}
	setrlimit(RLIMIT_CORE, &nocore);
	prctl(PR_SET_NAME, "entcad-launch", 0, 0, 0);
	if (file_key && unshare(CLONE_NEWNET) == 0)
		drop->in_netns = 1;
	for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
	if (setgroups((size_t)drop->ngroups, drop->groups) != 0 ||
	    setgid(drop->gid) != 0 || setuid(drop->uid) != 0 ||
	    setuid(0) == 0) {
		ready.op = 1;
		ready.err = errno ? errno : EPERM;
	} else if (dirfd < 0 || fchdir(dirfd) != 0) {
		ready.op = 2;
		ready.err = errno;
	}
	(void)send(ctl, &ready, sizeof(ready), MSG_NOSIGNAL);
	if (ready.err != 0)
		_exit(1);
	close(dirfd);
	drop->enabled = 0;	/* the children are the signer user already */
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* Credentials changed, so set the parent-death signal only now. */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != parent)
		_exit(0);
	for (;;) {
		n = recv(ctl, &c, sizeof(c), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (n != sizeof(c))
			continue;
		if (c.op == SIGNER_CTL_SPAWN)
			launcher_spawn(ctl, ".", drop);
		else if (c.op == SIGNER_CTL_KILL && c.pid > 0)
			kill(c.pid, SIGKILL);
		/* Reap middle processes a failed read left behind. */
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	_exit(0);
}

static int signer_launch_locked(struct signer *s, char *why, size_t whylen);

/*
 * Ask the launcher for a child; caller holds s->lock. Lanes share the
 * launcher's socket: one spawn at a time.
 */
static int
signer_launch(struct signer *s, char *why, size_t whylen)
{
	int rc;

	pthread_mutex_lock(&signer_launch_mu);
	rc = signer_launch_locked(s, why, whylen);
	pthread_mutex_unlock(&signer_launch_mu);
	return rc;
}

/* The spawn request and its answer; caller holds signer_launch_mu. */
static int
signer_launch_locked(struct signer *s, char *why, size_t whylen)
{
	struct signer_ctl c = { SIGNER_CTL_SPAWN, 0, 0 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = { &c, sizeof(c) };
	struct pollfd p = { .fd = s->ctl, .events = POLLIN };
	struct cmsghdr *h;
	struct msghdr m;
	int fd = -1, r;
	ssize_t n;

	if (s->ctl < 0 || send(s->ctl, &c, sizeof(c), MSG_NOSIGNAL) !=
	    sizeof(c))
		return ca_why(why, whylen, CA_EUNAVAIL, "signer: the launcher "
		    "process is gone; restart entcad");
	do
		r = poll(&p, 1, SIGNER_START_TIMEOUT_MS);
	while (r < 0 && errno == EINTR);
	/* XXX: a late answer after this timeout would be taken by the next
	 * spawn; the launcher only forks, so it is not expected to be slow. */
	if (r <= 0)
		return ca_why(why, whylen, CA_ETIMEOUT,
		    "signer: the launcher did not answer");
	memset(&m, 0, sizeof(m));
	memset(&u, 0, sizeof(u));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.buf;
	m.msg_controllen = sizeof(u.buf);
	n = recvmsg(s->ctl, &m, MSG_CMSG_CLOEXEC);
	for (h = CMSG_FIRSTHDR(&m); n > 0 && h != NULL; h = CMSG_NXTHDR(&m, h))
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(h), sizeof(int));
	if (n != sizeof(c) || c.pid <= 0 || fd < 0) {
		if (fd >= 0)
			close(fd);
		return ca_why(why, whylen, n <= 0 ? CA_EUNAVAIL : CA_EIO,
		    "signer: the launcher could not start a signer: %s",
		    n <= 0 ? "it is gone; restart entcad" :
		    strerror(c.err ? c.err : EAGAIN));
	}
	s->fd = fd;
	s->pid = c.pid;
	return CA_OK;
}

/* Fork a child and wait for its ready message. Caller holds s->lock. */
static int
signer_spawn(struct signer *s, char *why, size_t whylen)
{
	unsigned char buf[SIGNER_MSG_MAX];
	struct signer_wire_rep rep;
	struct signer_child_info info;
	int sv[2];
	ssize_t n;
	pid_t pid;
	int rc;

	if (s->launcher > 0) {
		rc = signer_launch(s, why, whylen);
		if (rc != CA_OK)
			return rc;
		goto started;
	}
	/*
	 * XXX: forking a threaded process leaves the child with locks other
	 * threads held; GnuTLS keeps little global locking and resets its
	 * RNG and PKCS#11 state after fork, and a child that hangs anyway is
	 * killed by the start timeout below.
	 */
	if ((rc = signer_fork_pair(sv, &pid, why, whylen)) != CA_OK)
		return rc;
	if (pid == 0) {
		close(sv[0]);
		signer_child_main(sv[1], s->state_dir, &s->drop);
	}
	close(sv[1]);
	s->fd = sv[0];
	s->pid = pid;
started:
	n = signer_recv(s->fd, buf, sizeof(buf), SIGNER_START_TIMEOUT_MS, why,
	    whylen);
	if (n < 0) {
		rc = (int)n;
		if (rc == CA_EUNAVAIL)
			ca_why(why, whylen, rc,
			    "signer: the child died while opening the key");
		signer_down_quiet(s, 1);
		return rc;
	}
	if ((size_t)n >= sizeof(rep))
		memcpy(&rep, buf, sizeof(rep));
	if ((size_t)n < sizeof(rep) || rep.magic != SIGNER_WIRE_MAGIC ||
	    rep.len != (size_t)n - sizeof(rep)) {
		signer_down_quiet(s, 1);
		return ca_why(why, whylen, CA_EPARSE,
		    "signer: malformed start message");
	}
	if (rep.status != CA_OK) {
		size_t l = rep.len < whylen ? rep.len : (whylen ? whylen - 1 : 0);

		if (why != NULL && whylen > 0) {
			memcpy(why, buf + sizeof(rep), l);
			why[l] = '\0';
		}
		signer_down_quiet(s, 0);
		return rep.status < 0 && rep.status > -CA_ERROR_COUNT ?
		    rep.status : CA_EIO;
	}
	if (rep.len != sizeof(info)) {
		signer_down_quiet(s, 1);
		return ca_why(why, whylen, CA_EPARSE,
		    "signer: malformed start message");
	}
	memcpy(&info, buf + sizeof(rep), sizeof(info));
	if (s->info.pk_algo != 0 && (info.pk_algo != s->info.pk_algo ||
	    info.bits != s->info.bits)) {
		/* The key changed under us; privkeys already describe the old. */
		signer_down_quiet(s, 1);
		return ca_why(why, whylen, CA_ESTATE,
		    "signer: the CA key changed since entcad started");
	}
	if (s->info.pk_algo == 0)
		s->info = info;	/* written once: callbacks read it unlocked */
	return CA_OK;
}

static void signer_launcher_stop(struct signer *s);

/*
 * Root only: fork the launcher (see the header comment) and make this
 * process the subreaper that inherits the children it starts.
 */
static int
signer_launcher_start(struct signer *s, char *why, size_t whylen)
{
	struct keyfile_loc loc;
	int sv[2], pending = 0, file_key, rc;
	pid_t parent = getpid(), pid;

	/* The launcher leaves the network only for a key file. */
	file_key = keyfile_loc_load(s->state_dir, &loc, &pending, NULL, 0) ==
	    CA_OK && loc.kind == KEYFILE_KIND_FILE;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
		return ca_why(why, whylen, CA_EIO, "signer: cannot become the "
		    "subreaper of the signer: %s", strerror(errno));
	if ((rc = signer_fork_pair(sv, &pid, why, whylen)) != CA_OK)
		return rc;
	if (pid == 0) {
		close(sv[0]);
		launcher_main(sv[1], s->state_dir, &s->drop, file_key, parent);
	}
	close(sv[1]);
	s->ctl = sv[0];
	s->launcher = pid;
	{
		struct signer_ctl ready;
		struct pollfd p = { .fd = s->ctl, .events = POLLIN };
		ssize_t n = -1;

		if (poll(&p, 1, SIGNER_START_TIMEOUT_MS) > 0)
			n = recv(s->ctl, &ready, sizeof(ready), 0);
		if (n == sizeof(ready) && ready.err == 0)
			return CA_OK;
		signer_launcher_stop(s);
		if (n != sizeof(ready))
			return ca_why(why, whylen, CA_EIO,
			    "signer: the launcher process did not start");
		if (ready.op == 1)
			return ca_why(why, whylen, CA_EIO, "signer: cannot "
			    "switch to uid %u: %s", (unsigned)s->drop.uid,
			    strerror(ready.err));
		return ca_why(why, whylen, CA_EIO, "signer: uid %u cannot "
		    "enter the state folder %s: %s (it needs search access: "
		    "chgrp it to the signer user's group and chmod g+x)",
		    (unsigned)s->drop.uid, s->state_dir, strerror(ready.err));
	}
}

/* Close the control socket so the launcher exits, and reap it. */
static void
signer_launcher_stop(struct signer *s)
{
	if (s->ctl >= 0)
		close(s->ctl);
	s->ctl = -1;
	if (s->launcher > 0)
		while (waitpid(s->launcher, NULL, 0) < 0 && errno == EINTR)
			;
	s->launcher = 0;
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
	s->ctl = -1;
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
	if (s->drop.enabled) {
		rc = signer_launcher_start(s, why, whylen);
		if (rc != CA_OK)
			goto fail;
	}
	pthread_mutex_lock(&s->lock);
	rc = signer_spawn(s, why, whylen);
	pthread_mutex_unlock(&s->lock);
	if (rc != CA_OK)
		goto fail;
	*out = s;
	return CA_OK;
fail:
	signer_launcher_stop(s);
	pthread_mutex_destroy(&s->lock);
	free(s);
	return rc;
}

/* Restart a down signer; caller holds s->lock. */
static int
signer_revive(struct signer *s, int rate_limit, char *why, size_t whylen)
{
	int rc, status;
	pid_t r;

	if (s->launcher > 0 &&
	    waitpid(s->launcher, &status, WNOHANG) == s->launcher) {
		/* Nothing can start a signer as the signer user any more. */
		s->launcher = -1;
		s->deaths++;
		snprintf(s->death, sizeof(s->death), "signer launcher ");
		signer_describe_status(status, s->death + strlen(s->death),
		    sizeof(s->death) - strlen(s->death));
		strncat(s->death, "; the signer cannot be restarted until "
		    "entcad restarts", sizeof(s->death) - strlen(s->death) - 1);
	}
	if (s->pid > 0) {
		r = waitpid(s->pid, &status, WNOHANG);
		if (r == 0)
			return CA_OK;		/* still running */
		if (r == s->pid)
			signer_reap(s, 1, status, 0);	/* reaped just now */
		else {
			s->deaths++;
			snprintf(s->death, sizeof(s->death), "signer process "
			    "%d is gone (%s)", (int)s->pid, strerror(errno));
		}
		s->pid = 0;
		signer_down(s, 0);
	}
	if (s->launcher < 0)
		return ca_why(why, whylen, CA_EUNAVAIL, "signer: the launcher "
		    "process died; restart entcad");
	/* The first restart is immediate; a crash loop gets one a second. */
	if (rate_limit && s->last_restart_ms != 0 &&
	    signer_now_ms() - s->last_restart_ms < SIGNER_RESTART_MIN_MS)
		return ca_why(why, whylen, CA_EUNAVAIL,
		    "signer: down, restarting at most once per %d ms",
		    SIGNER_RESTART_MIN_MS);
	s->last_restart_ms = signer_now_ms();
	rc = signer_spawn(s, why, whylen);
	if (rc == CA_OK) {
		s->restarts++;
		atomic_fetch_add(&s->restarts_seen, 1);
	}
	return rc;
}

/* Reap exited children of every lane and start new ones if needed. */
int
signer_check_restart(struct signer *s, char *why, size_t whylen)
{
	int rc = CA_OK, r;

	for (unsigned i = 0; i <= s->n_lanes; i++) {
		struct signer *l = signer_lane(s, i);

		pthread_mutex_lock(&l->lock);
		r = signer_revive(l, 0, rc == CA_OK ? why : NULL,
		    rc == CA_OK ? whylen : 0);
		pthread_mutex_unlock(&l->lock);
		if (rc == CA_OK)
			rc = r;
	}
	return rc;
}

/* Start n - 1 more children beside s's; see signer.h. */
int
signer_add_lanes(struct signer *s, unsigned n, char *why, size_t whylen)
{
	struct signer *l;
	int rc;

	if (n < 1 || n > SIGNER_LANES_MAX)
		return ca_why(why, whylen, CA_EINVAL, "signer: %u signers, "
		    "expected 1..%d", n, SIGNER_LANES_MAX);
	while (1 + s->n_lanes < n) {
		if ((l = calloc(1, sizeof(*l))) == NULL)
			return ca_why(why, whylen, CA_ENOMEM, "out of memory");
		pthread_mutex_init(&l->lock, NULL);
		l->fd = -1;
		l->is_lane = true;
		l->ctl = s->ctl;
		l->launcher = s->launcher;
		l->drop = s->drop;
		l->info = s->info;	/* a lane's child must hold the same key */
		memcpy(l->state_dir, s->state_dir, sizeof(l->state_dir));
		pthread_mutex_lock(&l->lock);
		rc = signer_spawn(l, why, whylen);
		pthread_mutex_unlock(&l->lock);
		if (rc != CA_OK) {
			pthread_mutex_destroy(&l->lock);
			free(l);
			return rc;
		}
		s->lanes[s->n_lanes++] = l;
	}
	return CA_OK;
}

/*
 * Lock and return a lane for one call: the first idle one from a
 * round-robin start, else wait for the start one. Spreading the starts
 * keeps every child warm and the waits fair.
 */
static struct signer *
signer_pick(struct signer *s)
{
	unsigned n = 1 + s->n_lanes;
	unsigned start = atomic_fetch_add(&s->next_lane, 1) % n;
	struct signer *l;

	for (unsigned k = 0; k < n; k++) {
		l = signer_lane(s, (start + k) % n);
		if (pthread_mutex_trylock(&l->lock) == 0)
			return l;
	}
	l = signer_lane(s, start);
	pthread_mutex_lock(&l->lock);
	return l;
}

static int signer_call_locked(struct signer *s, uint32_t op, int algo,
    unsigned flags, const gnutls_datum_t *data, gnutls_datum_t *sig,
    char *why, size_t whylen);

/*
 * One request on the first child only, for keys that live in that one
 * process (the OCSP signing keys, made inside it): see signer_wire.h.
 */
int
signer_call_primary(struct signer *s, uint32_t op, int algo, unsigned flags,
    const gnutls_datum_t *data, gnutls_datum_t *sig, char *why,
    size_t whylen)
{
	int rc;

	if (data->size > SIGNER_DATA_MAX)
		return ca_why(why, whylen, CA_ETOOBIG,
		    "signer: %u bytes to sign exceed %d", data->size,
		    SIGNER_DATA_MAX);
	pthread_mutex_lock(&s->lock);
	rc = signer_call_locked(s, op, algo, flags, data, sig, why, whylen);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* One request on a free lane; the signature lands in sig (gnutls_malloc). */
int
signer_call(struct signer *s, uint32_t op, int algo, unsigned flags,
    const gnutls_datum_t *data, gnutls_datum_t *sig, char *why,
    size_t whylen)
{
	struct signer *l;
	int rc;

	if (data->size > SIGNER_DATA_MAX)
		return ca_why(why, whylen, CA_ETOOBIG,
		    "signer: %u bytes to sign exceed %d", data->size,
		    SIGNER_DATA_MAX);
	l = signer_pick(s);
	rc = signer_call_locked(l, op, algo, flags, data, sig, why, whylen);
	pthread_mutex_unlock(&l->lock);
	return rc;
}

/* One request and its reply on lane s; caller holds s->lock. */
static int
signer_call_locked(struct signer *s, uint32_t op, int algo, unsigned flags,
    const gnutls_datum_t *data, gnutls_datum_t *sig, char *why,
    size_t whylen)
{
	unsigned char buf[SIGNER_MSG_MAX];
	struct signer_wire_req req;
	struct signer_wire_rep rep;
	ssize_t n;
	int rc;

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
	gnutls_memset(buf, 0, sizeof(buf));
	return rc;
}

/* The CA key's round trip: timed and counted for /metrics. */
static int
signer_sign_timed(const struct signer_ext *x, uint32_t op, int algo,
    unsigned flags, const gnutls_datum_t *data, gnutls_datum_t *sig)
{
	uint64_t t0 = opstat_now_ns();
	int rc;

	rc = signer_call(x->s, op, algo, flags, data, sig, signer_why,
	    sizeof(signer_why));
	opstat_observe(OPSTAT_SIGNER_SIGN, opstat_now_ns() - t0);
	if (rc != CA_OK)
		opstat_count(OPSTAT_SIGNER_ERRORS);
	return rc;
}

/* Build an external private key bound to s. */
int
signer_privkey(struct signer *s, gnutls_privkey_t *out, char *why,
    size_t whylen)
{
	struct signer_ext x = {
		.s = s, .pk_algo = s->info.pk_algo, .bits = s->info.bits,
		.op_sign_hash = SIGNER_OP_SIGN_HASH,
		.op_sign_data = SIGNER_OP_SIGN_DATA,
		.call = signer_sign_timed,
	};

	return signer_ext_privkey(&x, "the external key", out, why, whylen);
}

/* Hand out the cause of a death not yet reported; see signer.h. */
bool
signer_take_death(struct signer *s, char *buf, size_t len)
{
	bool news = false;

	for (unsigned i = 0; i <= s->n_lanes && !news; i++) {
		struct signer *l = signer_lane(s, i);

		pthread_mutex_lock(&l->lock);
		news = l->deaths != l->deaths_told;
		if (news) {
			snprintf(buf, len, "%s%s", l->death,
			    l->deaths - l->deaths_told > 1 ?
			    " (and earlier ones)" : "");
			l->deaths_told = l->deaths;
		}
		pthread_mutex_unlock(&l->lock);
	}
	return news;
}

/* Snapshot the status for tests and logs. */
void
signer_get_status(struct signer *s, struct signer_status *st)
{
	pthread_mutex_lock(&s->lock);
	st->pid = s->pid;
	st->info = s->info;
	st->launcher = s->launcher > 0 ? s->launcher : 0;
	st->restarts = s->restarts;
	pthread_mutex_unlock(&s->lock);
	st->lanes = 1 + s->n_lanes;
	st->lane_pid[0] = st->pid;
	for (unsigned i = 0; i < s->n_lanes; i++) {
		struct signer *l = s->lanes[i];

		pthread_mutex_lock(&l->lock);
		st->lane_pid[i + 1] = l->pid;
		st->restarts += l->restarts;
		pthread_mutex_unlock(&l->lock);
	}
}

/* The last failure sentence of this thread's signing calls. */
const char *
signer_last_why(void)
{
	return signer_why;
}

static void signer_stop_one(struct signer *s);

/* Stop every lane's child, then s's own and its launcher. */
void
signer_stop(struct signer *s)
{
	if (s == NULL)
		return;
	for (unsigned i = 0; i < s->n_lanes; i++) {
		/* Not the launcher: it is the primary's to stop. */
		s->lanes[i]->ctl = -1;
		s->lanes[i]->launcher = 0;
		signer_stop_one(s->lanes[i]);
	}
	s->n_lanes = 0;
	signer_stop_one(s);
}

/* Close the socket so the child exits, wait briefly, then kill it. */
static void
signer_stop_one(struct signer *s)
{
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
		signer_down_quiet(s, 1);
	}
	signer_launcher_stop(s);
	pthread_mutex_unlock(&s->lock);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/*
 * Up when the child has not been reaped and its end of the socket is not
 * hung up: a dead child's socket reports POLLHUP before anyone reaps it.
 */
static bool
signer_lane_up(struct signer *s)
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

/* Up when every lane is: a dead lane fails the calls routed to it. */
bool
signer_up(struct signer *s)
{
	for (unsigned i = 0; i <= s->n_lanes; i++)
		if (!signer_lane_up(signer_lane(s, i)))
			return false;
	return true;
}

/* Successful restarts so far, read without the lock (see signer.h). */
unsigned
signer_restarts(struct signer *s)
{
	unsigned n = 0;

	if (s == NULL)
		return 0;
	n = atomic_load(&s->restarts_seen);
	for (unsigned i = 0; i < s->n_lanes; i++)
		n += atomic_load(&s->lanes[i]->restarts_seen);
	return n;
}
