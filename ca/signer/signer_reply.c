/*
 * The signer child's one way of answering the parent: a reply header and
 * its payload in one datagram, the buffer wiped after. Shared by the
 * child's main loop (signer_child.c) and its other op files
 * (signer_ocsp*.c), so that none of them calls back into another.
 *
 * Threads: the signer child (single threaded).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <gnutls/gnutls.h>

#include "common/error.h"
#include "ca/signer/signer_wire.h"

/* Send one reply; see signer_wire.h. */
int
signer_child_reply(int fd, uint32_t id, int status, const void *data, size_t len)
{
	unsigned char buf[SIGNER_MSG_MAX];
	struct signer_wire_rep rep;
	ssize_t n;

	if (len > SIGNER_DATA_MAX)
		len = SIGNER_DATA_MAX;
	rep.magic = SIGNER_WIRE_MAGIC;
	rep.id = id;
	rep.status = status;
	rep.len = (uint32_t)len;
	memcpy(buf, &rep, sizeof(rep));
	if (len > 0)
		memcpy(buf + sizeof(rep), data, len);
	do
		n = send(fd, buf, sizeof(rep) + len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	gnutls_memset(buf, 0, sizeof(rep) + len);
	return n == (ssize_t)(sizeof(rep) + len) ? 0 : -1;
}
