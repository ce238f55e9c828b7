/*
 * entca's control-socket client (see tool_control.h): connect, send one
 * line, wait for one line with poll(2) and a deadline.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "ca/daemon/control.h"
#include "ca/tool/tool_control.h"

/* Milliseconds left until deadline (monotonic), at least 0. */
static int
ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : ms > 3600000 ? 3600000 : (int)ms;
}

/* Ask entcad; see tool_control.h. */
int
tool_control_ask(const char *state_dir, const char *request, int timeout_s,
    char *msg, size_t msglen)
{
	char line[CONTROL_LINE_MAX];
	size_t ll;

	struct sockaddr_un sa;
	struct timespec deadline;
	char buf[CONTROL_REPLY_MAX];
	size_t len = 0;
	int fd, rc = CA_EIO;

	msg[0] = '\0';
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", state_dir,
	    CONTROL_SOCKET_NAME) >= sizeof(sa.sun_path))
		return ca_why(msg, msglen, CA_ETOOBIG, "%s: path too long", state_dir);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ca_why(msg, msglen, CA_EIO, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;

		close(fd);
		if (e == ENOENT || e == ECONNREFUSED)
			return ca_why(msg, msglen, CA_ENOTFOUND, "no entcad listens on %s",
			    sa.sun_path);
		return ca_why(msg, msglen, e == EACCES || e == EPERM ? CA_EDENIED :
		    CA_EIO, "%s: %s", sa.sun_path, strerror(e));
	}
	ll = (size_t)snprintf(line, sizeof(line), "%s\n", request);
	if (send(fd, line, ll, MSG_NOSIGNAL) != (ssize_t)ll) {
		rc = ca_why(msg, msglen, CA_EIO, "%s: %s", sa.sun_path, strerror(errno));
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_s;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		char *nl;

		if (poll(&p, 1, ms_left(&deadline)) == 0) {
			rc = ca_why(msg, msglen, CA_ETIMEOUT, "entcad did not answer "
			    "within %d s (it may still apply the change)", timeout_s);
			goto out;
		}
		n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = ca_why(msg, msglen, CA_EIO, "entcad closed the control "
			    "connection without an answer");
			goto out;
		}
		len += (size_t)n;
		buf[len] = '\0';
		nl = strchr(buf, '\n');
		if (nl == NULL && len < sizeof(buf) - 1)
			continue;
		if (nl != NULL)
			*nl = '\0';
		if (strncmp(buf, "ok ", 3) == 0) {
			snprintf(msg, msglen, "%s", buf + 3);
			rc = CA_OK;
		} else {
			snprintf(msg, msglen, "%s", strncmp(buf, "refused ", 8) == 0 ?
			    buf + 8 : buf);
			rc = CA_EPOLICY;
		}
		goto out;
	}
out:
	close(fd);
	return rc;
}

/* Reload and say what happened; see tool_control.h. */
int
tool_control_apply(const char *state_dir, const char *request)
{
	char msg[CONTROL_REPLY_MAX + 64];
	int rc = tool_control_ask(state_dir, request, TOOL_CONTROL_TIMEOUT_S,
	    msg, sizeof(msg));

	return tool_control_apply_result(rc, msg);
}

/* See tool_control.h. */
int
tool_control_reload(struct daemon *d, const char *who,
    daemon_reload_done_cb done, void *arg)
{
	char msg[CONTROL_REPLY_MAX + 64];
	int rc = tool_control_ask(d->cfg->state_dir, "reload",
	    TOOL_CONTROL_TIMEOUT_S, msg, sizeof(msg));

	(void)who;
	done(d, arg, rc, msg);
	return CA_OK;
}

/* Say what a reload's outcome means; see tool_control.h. */
int
tool_control_apply_result(int rc, const char *msg)
{
	if (rc == CA_OK) {
		fprintf(stderr, "entca: entcad %s\n", msg);
		return 0;
	}
	if (rc == CA_ENOTFOUND) {
		fprintf(stderr, "entca: entcad not running (%s): it will read it "
		    "at start\n", msg);
		return 0;
	}
	if (rc == CA_EPOLICY)
		fprintf(stderr, "entca: entcad refused the reload and keeps its "
		    "previous configuration: %s\n", msg);
	else
		fprintf(stderr, "entca: could not reach entcad: %s; apply with "
		    "systemctl reload entcad\n", msg);
	return 1;
}
