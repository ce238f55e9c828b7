/*
 * The control socket (see control.h). The loop accepts, reads one line
 * per client with a timeout, starts the reload through daemon.reload,
 * and answers when the reload and the CRL sync after it
 * are done. Nothing here blocks: the answer is one short line written to
 * a Unix socket whose buffer holds it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/error.h"
#include "common/log.h"
#include "ca/daemon/control.h"
#include "ca/daemon/daemon.h"

enum control_state {
	CONTROL_READING = 0,	/* waiting for the request line */
	CONTROL_RELOADING,	/* the reload runs on a worker */
	CONTROL_SYNCING,	/* waiting for a CRL sync after the reload */
	CONTROL_STATE_COUNT
};

/* One client connection. */
struct control_conn {
	struct daemon_control *ctl;
	int fd;
	struct event *ev;
	enum control_state state;
	char line[CONTROL_LINE_MAX];
	size_t len;
	char who[96];			/* "local:<user>" for the audit log */
	uint64_t crl_target;		/* syncs finished needed before "ok" */
	char summary[CONTROL_REPLY_MAX - 64];
	struct control_conn *next;
};

struct daemon_control {
	struct daemon *d;
	int fd;
	struct event *ev_accept;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct control_conn *conns;
	size_t n_conns;
};

/* Unlink c from its list, close and free it. */
static void
conn_free(struct control_conn *c)
{
	struct control_conn **pp;

	for (pp = &c->ctl->conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	c->ctl->n_conns--;
	if (c->ev != NULL)
		event_free(c->ev);
	close(c->fd);
	free(c);
}

/* Write one answer line and end the connection. */
static void
conn_answer(struct control_conn *c, const char *word, const char *text)
{
	char out[CONTROL_REPLY_MAX];
	int n = snprintf(out, sizeof(out), "%s %s\n", word, text);

	if (n > 0) {
		if ((size_t)n >= sizeof(out))
			n = sizeof(out) - 1, out[n - 1] = '\n';
		/* A client gone meanwhile only loses its answer. */
		if (send(c->fd, out, (size_t)n, MSG_NOSIGNAL) < 0)
			log_debug("control: answer to %s lost: %s", c->who,
			    strerror(errno));
	}
	conn_free(c);
}

/* Whether c is still a live connection of ctl (a token may outlive it). */
static bool
conn_live(struct daemon_control *ctl, const struct control_conn *c)
{
	for (const struct control_conn *x = ctl->conns; x != NULL; x = x->next)
		if (x == c)
			return true;
	return false;
}

/*
 * The reload a client asked for ended: rc CA_OK with what is in force, or
 * the refusal's why. The answer waits for the next CRL sync.
 */
static void
control_reload_done(struct daemon *d, void *token, int rc, const char *text)
{
	struct control_conn *c = token;

	if (d->control == NULL || !conn_live(d->control, c))
		return;
	if (rc != CA_OK) {
		conn_answer(c, "refused", text);
		return;
	}
	snprintf(c->summary, sizeof(c->summary), "%s", text);
	/*
	 * The caller starts a CRL sync right after this; a sync running now
	 * started before the reload and may have missed a CRL that `entca`
	 * just wrote, so wait for the one after it.
	 */
	c->state = CONTROL_SYNCING;
	c->crl_target = d->crl_syncs_started + 1;
}

/* Act on the request line of c. */
static void
conn_request(struct control_conn *c)
{
	struct daemon *d = c->ctl->d;

	bool crl = strcmp(c->line, "crl") == 0;

	if (!crl && strcmp(c->line, "reload") != 0) {
		conn_answer(c, "refused", "unknown request (expected: reload or crl)");
		return;
	}
	if (d->stopping) {
		conn_answer(c, "refused", "entcad is stopping");
		return;
	}
	event_del(c->ev);
	if (crl) {
		/* Only the CRLs: re-read the store now, answer after that sync. */
		snprintf(c->summary, sizeof(c->summary), "re-read the CRLs");
		c->state = CONTROL_SYNCING;
		c->crl_target = d->crl_syncs_started + 1;
		daemon_crl_reload(d);
		return;
	}
	c->state = CONTROL_RELOADING;
	log_notice("control: reload asked by %s", c->who);
	if (d->reload == NULL ||
	    d->reload(d, c->who, control_reload_done, c) != CA_OK)
		conn_answer(c, "refused", "the reload could not start (out of memory "
		    "or shutting down)");
}

/* Readable or timed out: collect the request line. */
static void
on_read(evutil_socket_t fd, short what, void *arg)
{
	struct control_conn *c = arg;
	char buf[CONTROL_LINE_MAX];
	ssize_t n;

	if (what & EV_TIMEOUT) {
		conn_answer(c, "refused", "no request line within the time limit");
		return;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		conn_free(c);
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			c->line[c->len] = '\0';
			conn_request(c);
			return;
		}
		if (c->len + 1 >= sizeof(c->line)) {
			conn_answer(c, "refused", "request line too long");
			return;
		}
		c->line[c->len++] = buf[i];
	}
}

/* Name the peer for logs and the audit: root and our own uid only. */
static bool
peer_allowed(int fd, char *who, size_t wholen)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	struct passwd *pw;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0)
		return false;
	pw = getpwuid(cr.uid);
	if (pw != NULL)
		snprintf(who, wholen, "local:%s", pw->pw_name);
	else
		snprintf(who, wholen, "local:uid %u", (unsigned)cr.uid);
	return cr.uid == 0 || cr.uid == geteuid();
}

/* A client connects. */
static void
on_accept(evutil_socket_t fd, short what, void *arg)
{
	struct daemon_control *ctl = arg;
	struct timeval tv = { CONTROL_READ_TIMEOUT_S, 0 };
	struct control_conn *c;
	int cfd;

	(void)what;
	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		close(cfd);
		return;
	}
	c->ctl = ctl;
	c->fd = cfd;
	c->next = ctl->conns;
	ctl->conns = c;
	ctl->n_conns++;
	if (!peer_allowed(cfd, c->who, sizeof(c->who))) {
		log_warning("control: %s refused: only root and the daemon's account "
		    "may ask", c->who);
		conn_answer(c, "refused", "only root and the daemon's account may ask");
		return;
	}
	if (ctl->n_conns > CONTROL_CONN_MAX) {
		conn_answer(c, "refused", "too many control connections");
		return;
	}
	c->ev = event_new(ctl->d->base, cfd, EV_READ | EV_PERSIST, on_read, c);
	if (c->ev == NULL || event_add(c->ev, &tv) != 0)
		conn_free(c);
}

/* Whether a daemon answers on path (then it is not ours to replace). */
static bool
socket_alive(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool alive;

	if (fd < 0)
		return false;
	alive = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(fd);
	return alive;
}

/* Bind and listen; see control.h. */
int
control_open(struct daemon *d, const char *state_dir,
    struct daemon_control **out, char *why, size_t whylen)
{
	struct daemon_control *ctl;
	struct sockaddr_un sa;
	mode_t old;
	int rc;

	*out = NULL;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", state_dir,
	    CONTROL_SOCKET_NAME) >= sizeof(sa.sun_path))
		return ca_why(why, whylen, CA_ETOOBIG, "control socket: %s/%s: "
		    "path longer than %zu bytes", state_dir, CONTROL_SOCKET_NAME,
		    sizeof(sa.sun_path) - 1);
	if (socket_alive(&sa))
		return ca_why(why, whylen, CA_EEXIST, "control socket %s: another "
		    "entcad serves this state folder", sa.sun_path);
	ctl = calloc(1, sizeof(*ctl));
	if (ctl == NULL)
		return ca_why(why, whylen, CA_ENOMEM, "control socket: out of memory");
	ctl->d = d;
	snprintf(ctl->path, sizeof(ctl->path), "%s", sa.sun_path);
	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->fd < 0) {
		rc = ca_why(why, whylen, CA_EIO, "control socket: %s", strerror(errno));
		free(ctl);
		return rc;
	}
	unlink(sa.sun_path);
	/* 0600 from the start: no window in which others may connect. */
	old = umask(0177);
	rc = bind(ctl->fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc != 0 || listen(ctl->fd, CONTROL_CONN_MAX) != 0) {
		rc = ca_why(why, whylen, CA_EIO, "control socket %s: %s", sa.sun_path,
		    strerror(errno));
		close(ctl->fd);
		free(ctl);
		return rc;
	}
	ctl->ev_accept = event_new(d->base, ctl->fd, EV_READ | EV_PERSIST,
	    on_accept, ctl);
	if (ctl->ev_accept == NULL || event_add(ctl->ev_accept, NULL) != 0) {
		control_close(ctl);
		return ca_why(why, whylen, CA_ENOMEM, "control socket: out of memory");
	}
	d->on_crl_synced = control_crl_synced;
	*out = ctl;
	return CA_OK;
}

/* Name the CRLs in service into buf. */
static void
crl_summary(const struct daemon *d, char *buf, size_t len)
{
	int n;

	if (d->crl_full.der == NULL) {
		snprintf(buf, len, "no CRL in service yet");
		return;
	}
	n = snprintf(buf, len, "serving CRL #%llu", (unsigned long long)d->crl_full.number);
	if (d->crl_delta.der != NULL && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, ", delta CRL #%llu",
		    (unsigned long long)d->crl_delta.number);
}

/* A CRL sync finished; see control.h. */
void
control_crl_synced(struct daemon *d)
{
	struct control_conn *c, *next;
	char crls[128], text[sizeof(((struct control_conn *)0)->summary) + 132];

	if (d->control == NULL)
		return;
	for (c = d->control->conns; c != NULL; c = next) {
		next = c->next;
		if (c->state != CONTROL_SYNCING || d->crl_syncs_done < c->crl_target)
			continue;
		crl_summary(d, crls, sizeof(crls));
		snprintf(text, sizeof(text), "%s; %s", c->summary, crls);
		conn_answer(c, "ok", text);
	}
}

/* Close; see control.h. */
void
control_close(struct daemon_control *ctl)
{
	if (ctl == NULL)
		return;
	while (ctl->conns != NULL)
		conn_answer(ctl->conns, "refused", "entcad is stopping");
	if (ctl->ev_accept != NULL)
		event_free(ctl->ev_accept);
	close(ctl->fd);
	unlink(ctl->path);
	free(ctl);
}
