/*
 * A blocking HTTPS client for the management API (see tool_https.h). It
 * verifies the server like curl does (the chain against the trust anchor,
 * the name against the URL's host), sends one request, and reads the
 * answer to the end of the connection, honouring Content-Length.
 */
#define _GNU_SOURCE	/* asprintf, strcasestr */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdbool.h>

#include "ca/tool/tool_https.h"
#include "common/base64.h"
#include "common/error.h"

#define HTTPS_HOST_MAX 256
#define HTTPS_HEAD_MAX (16 * 1024)
#define HTTPS_CRED_MAX 1024

/* Split https://HOST[:PORT][/] into host and port; false when malformed. */
static bool
url_split(const char *url, char *host, size_t hostsz, char *port, size_t portsz)
{
	const char *p, *end, *colon;
	size_t n;

	if (strncasecmp(url, "https://", 8) != 0)
		return false;
	p = url + 8;
	end = p + strcspn(p, "/");
	if (*p == '[') {	/* [v6]:port */
		const char *rb = memchr(p, ']', (size_t)(end - p));

		if (rb == NULL)
			return false;
		n = (size_t)(rb - p - 1);
		colon = rb[1] == ':' ? rb + 1 : NULL;
		p++;
	} else {
		colon = memchr(p, ':', (size_t)(end - p));
		n = (size_t)((colon != NULL ? colon : end) - p);
	}
	if (n == 0 || n >= hostsz)
		return false;
	memcpy(host, p, n);
	host[n] = '\0';
	if (colon != NULL) {
		n = (size_t)(end - colon - 1);
		if (n == 0 || n >= portsz)
			return false;
		memcpy(port, colon + 1, n);
		port[n] = '\0';
	} else
		snprintf(port, portsz, "443");
	return *end == '\0' || strcmp(end, "/") == 0;
}

/* Connect a TCP socket to host:port; -1 with why. */
static int
tcp_connect(const char *host, const char *port, char *why, size_t whylen)
{
	struct addrinfo hints, *res = NULL, *ai;
	int fd = -1, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		ca_why(why, whylen, CA_EIO, "%s: %s", host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		ca_why(why, whylen, CA_EIO, "%s:%s: %s", host, port, strerror(errno));
	freeaddrinfo(res);
	return fd;
}

/* Write all of p over the session. */
static bool
tls_write_all(gnutls_session_t s, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = gnutls_record_send(s, p, len);
		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
			continue;
		if (n < 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* Read until the peer closes (or the bound); *buf malloc'd. */
static int
tls_read_all(gnutls_session_t s, char **buf, size_t *len)
{
	size_t cap = 16384;
	char *p = malloc(cap + 1), *np;
	ssize_t n;

	*len = 0;
	if (p == NULL)
		return CA_ENOMEM;
	for (;;) {
		if (*len == cap) {
			if (cap >= TOOL_HTTPS_RESPONSE_MAX + HTTPS_HEAD_MAX) {
				free(p);
				return CA_ETOOBIG;
			}
			cap *= 2;
			np = realloc(p, cap + 1);
			if (np == NULL) {
				free(p);
				return CA_ENOMEM;
			}
			p = np;
		}
		n = gnutls_record_recv(s, p + *len, cap - *len);
		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
			continue;
		/* A server that closes without close_notify ends the body too. */
		if (n == 0 || n == GNUTLS_E_PREMATURE_TERMINATION)
			break;
		if (n < 0) {
			free(p);
			return CA_EIO;
		}
		*len += (size_t)n;
	}
	p[*len] = '\0';
	*buf = p;
	return CA_OK;
}

/* Parse the status line and cut the head off; -1 when malformed. */
static int
reply_parse(char *raw, size_t len, char **out, size_t *out_len)
{
	char *body = strstr(raw, "\r\n\r\n");
	const char *cl;
	int status;
	size_t blen;

	if (body == NULL || sscanf(raw, "HTTP/1.%*d %d", &status) != 1 ||
	    status < 100 || status > 599)
		return -1;
	body[2] = '\0';
	body += 4;
	blen = len - (size_t)(body - raw);
	cl = strcasestr(raw, "\r\nContent-Length:");
	if (cl != NULL) {
		unsigned long long n = strtoull(cl + 17, NULL, 10);

		if (n > blen)
			return -1;	/* cut short */
		blen = (size_t)n;
	}
	*out = malloc(blen + 1);
	if (*out == NULL)
		return -1;
	memcpy(*out, body, blen);
	(*out)[blen] = '\0';
	*out_len = blen;
	return status;
}

/* One API call over HTTPS; see tool_https.h. */
int
tool_https_call(const struct tool_https *h, const char *method,
    const char *path, const char *accept, const char *body, char **out,
    size_t *out_len, char *why, size_t whylen)
{
	gnutls_certificate_credentials_t cred = NULL;
	gnutls_session_t s = NULL;
	char host[HTTPS_HOST_MAX], port[16], cred_text[HTTPS_CRED_MAX];
	char *b64 = NULL, *head = NULL, *raw = NULL;
	size_t raw_len = 0, b64_len = 0;
	int fd = -1, rc, status = -1;

	*out = NULL;
	*out_len = 0;
	if (!url_split(h->url, host, sizeof(host), port, sizeof(port))) {
		ca_why(why, whylen, CA_EINVAL, "--url: expected https://HOST[:PORT], got %s", h->url);
		return -1;
	}
	if (gnutls_certificate_allocate_credentials(&cred) < 0)
		goto nomem;
	rc = h->cacert != NULL ?
	    gnutls_certificate_set_x509_trust_file(cred, h->cacert, GNUTLS_X509_FMT_PEM) :
	    gnutls_certificate_set_x509_system_trust(cred);
	if (rc <= 0) {
		ca_why(why, whylen, CA_EIO, "%s: no CA certificate read (%s)",
		    h->cacert != NULL ? h->cacert : "system trust",
		    rc < 0 ? gnutls_strerror(rc) : "empty");
		goto out;
	}
	if (h->cert != NULL && (rc = gnutls_certificate_set_x509_key_file(cred,
	    h->cert, h->key != NULL ? h->key : h->cert, GNUTLS_X509_FMT_PEM)) < 0) {
		ca_why(why, whylen, CA_EIO, "--cert %s / --key %s: %s", h->cert,
		    h->key != NULL ? h->key : h->cert, gnutls_strerror(rc));
		goto out;
	}
	if ((fd = tcp_connect(host, port, why, whylen)) < 0)
		goto out;
	if (gnutls_init(&s, GNUTLS_CLIENT) < 0 ||
	    gnutls_set_default_priority(s) < 0 ||
	    gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred) < 0)
		goto nomem;
	gnutls_server_name_set(s, GNUTLS_NAME_DNS, host, strlen(host));
	/* The chain and the name, as every HTTPS client checks them. */
	gnutls_session_set_verify_cert(s, host, 0);
	gnutls_transport_set_int(s, fd);
	gnutls_handshake_set_timeout(s, GNUTLS_DEFAULT_HANDSHAKE_TIMEOUT);
	do
		rc = gnutls_handshake(s);
	while (rc < 0 && gnutls_error_is_fatal(rc) == 0);
	if (rc < 0) {
		ca_why(why, whylen, CA_EIO, "%s:%s: TLS: %s", host, port,
		    rc == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR ?
		    "the server certificate does not verify against --cacert "
		    "for this host name" : gnutls_strerror(rc));
		goto out;
	}
	if (h->user != NULL) {
		snprintf(cred_text, sizeof(cred_text), "%s:%s", h->user,
		    h->password != NULL ? h->password : "");
		rc = base64_encode(cred_text, strlen(cred_text), 0, &b64, &b64_len);
		explicit_bzero(cred_text, sizeof(cred_text));
		if (rc != CA_OK)
			goto nomem;
	}
	if (asprintf(&head, "%s /api/v1/%s HTTP/1.1\r\nHost: %s\r\n"
	    "Accept: %s\r\nConnection: close\r\nUser-Agent: entca\r\n"
	    "%s%s%s%s%zu\r\n\r\n", method, path, host,
	    accept != NULL ? accept : "application/json",
	    b64 != NULL ? "Authorization: Basic " : "", b64 != NULL ? b64 : "",
	    b64 != NULL ? "\r\n" : "",
	    body != NULL ? "Content-Type: application/json\r\nContent-Length: " :
	    "Content-Length: ", body != NULL ? strlen(body) : 0) < 0) {
		head = NULL;
		goto nomem;
	}
	if (!tls_write_all(s, head, strlen(head)) ||
	    (body != NULL && !tls_write_all(s, body, strlen(body)))) {
		ca_why(why, whylen, CA_EIO, "%s:%s: the request could not be sent", host, port);
		goto out;
	}
	rc = tls_read_all(s, &raw, &raw_len);
	if (rc != CA_OK) {
		ca_why(why, whylen, rc, "%s:%s: the answer could not be read (%s)",
		    host, port, ca_strerror(rc));
		goto out;
	}
	status = reply_parse(raw, raw_len, out, out_len);
	if (status < 0)
		ca_why(why, whylen, CA_EPARSE, "%s:%s: not an HTTP answer", host, port);
	goto out;
nomem:
	ca_why(why, whylen, CA_ENOMEM, "out of memory");
out:
	if (b64 != NULL) {
		explicit_bzero(b64, b64_len);
		free(b64);
	}
	if (head != NULL) {
		explicit_bzero(head, strlen(head));
		free(head);
	}
	free(raw);
	if (s != NULL) {
		gnutls_bye(s, GNUTLS_SHUT_WR);
		gnutls_deinit(s);
	}
	if (fd >= 0)
		close(fd);
	if (cred != NULL)
		gnutls_certificate_free_credentials(cred);
	return status;
}
