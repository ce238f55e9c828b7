/*
 * The signer child process: it owns the CA private key. After fork it
 * closes every descriptor but its socket, opens the key named by ca.json,
 * checks it against ca.crt, drops privileges (user switch when root,
 * an empty capability bounding set, no capabilities, no-new-privs, not
 * dumpable, no core files, an empty network namespace for file keys),
 * installs a seccomp filter (signer_seccomp.c) and then serves sign
 * requests one at a time until the parent closes the socket.
 * Single-threaded; it never logs (stdio goes to /dev/null): every failure
 * is a reply to the parent. Builds with ENTCA_TEST_HOOKS (the test-only
 * entcad-testhooks binary, never installed) can be told to make one
 * forbidden system call, so a test can watch the filter kill the child.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "common/error.h"
#include "ca/signer/keyfile.h"
#include "ca/signer/signer_wire.h"
#include "ca/signer/signer_scep.h"

/* Report a start-up failure to the parent and exit. */
static void __attribute__((noreturn))
child_fail(int fd, int rc, const char *why)
{
	signer_child_reply(fd, 0, rc < 0 ? rc : CA_EIO, why, strlen(why));
	_exit(1);
}

/* Put the socket on fd 3, stdio on /dev/null, and close everything else. */
static int
child_fds(int fd)
{
	int nul;

	if (fd != 3) {
		if (dup2(fd, 3) < 0)
			return -1;
		close(fd);
	}
	nul = open("/dev/null", O_RDWR);
	if (nul < 0)
		return -1;
	dup2(nul, 0);
	dup2(nul, 1);
	dup2(nul, 2);
	if (nul > 3)
		close(nul);
	if (close_range(4, ~0U, 0) != 0) {
		long max = sysconf(_SC_OPEN_MAX);

		for (long i = 4; i < (max > 0 ? max : 1024); i++)
			close((int)i);
	}
	return 0;
}

/* Default signal dispositions and an empty mask, as a fresh process. */
static void
child_signals(void)
{
	sigset_t all;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

/* Open the CA key and check that it belongs to ca.crt. */
static int
child_open_key(const char *state_dir, gnutls_privkey_t *key, int *file_key,
    unsigned *cert_bits, char *why, size_t whylen)
{
	struct keyfile_loc loc;
	gnutls_datum_t d = { NULL, 0 };
	gnutls_x509_crt_t *certs = NULL;
	char path[KEYFILE_PATH_MAX + 16];
	unsigned n = 0;
	int pending = 0, rc;

	rc = keyfile_loc_load(state_dir, &loc, &pending, why, whylen);
	if (rc != CA_OK)
		return rc;
	if (pending)
		return ca_why(why, whylen, CA_ESTATE, "%s: the CA has no "
		    "certificate yet (entca install-cert)", state_dir);
	*file_key = loc.kind == KEYFILE_KIND_FILE;
	snprintf(path, sizeof(path), "%s/ca.crt", state_dir);
	rc = keyfile_read(path, &d, why, whylen);
	if (rc == CA_OK)
		rc = keyfile_parse_certs(&d, path, &certs, &n, why, whylen);
	gnutls_free(d.data);
	if (rc != CA_OK)
		return rc;
	/* PKCS#11 EC keys report no size; the certificate knows it. */
	gnutls_x509_crt_get_pk_algorithm(certs[0], cert_bits);
	rc = keyfile_open(&loc, key, why, whylen);
	if (rc == CA_OK) {
		rc = keyfile_key_matches(*key, certs[0], why, whylen);
		if (rc != CA_OK) {
			ca_why(why, whylen, rc, "the CA key does not match "
			    "%s/ca.crt", state_dir);
			gnutls_privkey_deinit(*key);
			*key = NULL;
		}
	}
	keyfile_certs_free(certs, n);
	return rc;
}

/* Empty the capability bounding set (needs CAP_SETPCAP, i.e. root). */
static void
child_drop_bounding(void)
{
	for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
}

/* Clear every capability set; 1 when none is left afterwards. */
static int
child_drop_caps(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2];

	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data) != 0)
		return 0;
	if (syscall(SYS_capget, &hdr, data) != 0)
		return 0;
	return (data[0].effective | data[0].permitted | data[0].inheritable |
	    data[1].effective | data[1].permitted | data[1].inheritable) == 0;
}

/* Drop what the child does not need; fills the ids into info. */
static int
child_drop(const struct signer_drop *drop, int file_key,
    struct signer_child_info *info, char *why, size_t whylen)
{
	struct rlimit nocore = { 0, 0 };

	setrlimit(RLIMIT_CORE, &nocore);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	info->netns = drop->in_netns;
	/* A key file needs no network at all; a token might (remote HSM). */
	if (!info->netns && file_key && geteuid() == 0 &&
	    unshare(CLONE_NEWNET) == 0)
		info->netns = 1;
	prctl(PR_SET_NAME, "entcad-signer", 0, 0, 0);
	if (chdir("/") != 0)
		return ca_why(why, whylen, CA_EIO, "signer: chdir /: %s",
		    strerror(errno));
	if (geteuid() == 0)
		child_drop_bounding();	/* before setuid: needs CAP_SETPCAP */
	if (drop->enabled && geteuid() == 0) {
		if (setgroups((size_t)drop->ngroups, drop->groups) != 0 ||
		    setgid(drop->gid) != 0 ||
		    setuid(drop->uid) != 0)
			return ca_why(why, whylen, CA_EIO,
			    "signer: cannot switch to uid %u: %s",
			    (unsigned)drop->uid, strerror(errno));
		if (drop->uid != 0 && setuid(0) == 0)
			return ca_why(why, whylen, CA_EIO,
			    "signer: could regain root after dropping");
	}
	info->no_caps = child_drop_caps();
	info->no_new_privs = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0;
	info->uid = (uint32_t)geteuid();
	info->gid = (uint32_t)getegid();
	return CA_OK;
}

#ifdef ENTCA_TEST_HOOKS
/* Test builds: armed when $ENTCA_TEST_SIGNER_SYSCALL names a file that
 * this child could remove (one child per file, so the restart is clean). */
static int child_hook_armed;

/* Test builds: arm the forbidden-syscall hook (before the filter). */
static void
child_hook_arm(void)
{
	const char *flag = getenv("ENTCA_TEST_SIGNER_SYSCALL");

	child_hook_armed = flag != NULL && unlink(flag) == 0;
}

/* Test builds: what an attacker in the signer would try first. */
static void
child_hook_fire(void)
{
	if (child_hook_armed)
		syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
}
#else
/* Installed builds: no hook, nothing read from the environment. */
static void child_hook_arm(void) {}
/* Installed builds: no hook. */
static void child_hook_fire(void) {}
#endif

/* Answer one request; the reply carries a signature or a reason. */
static void
child_serve(int fd, gnutls_privkey_t key, const struct signer_child_info *info,
    const unsigned char *msg, size_t len)
{
	struct signer_wire_req req;
	gnutls_datum_t data, sig = { NULL, 0 };
	char why[CA_WHY_MAX];
	int ret;

	if (len < sizeof(req))
		return;	/* not ours; nothing to answer to */
	memcpy(&req, msg, sizeof(req));
	if (req.magic != SIGNER_WIRE_MAGIC || req.len != len - sizeof(req) ||
	    req.len > SIGNER_DATA_MAX) {
		snprintf(why, sizeof(why), "signer: malformed request");
		signer_child_reply(fd, req.id, CA_EPARSE, why, strlen(why));
		return;
	}
	data.data = (unsigned char *)msg + sizeof(req);
	data.size = req.len;
	if (req.op != SIGNER_OP_INFO)
		child_hook_fire();
	switch (req.op) {
	case SIGNER_OP_INFO:
		signer_child_reply(fd, req.id, CA_OK, info, sizeof(*info));
		return;
	case SIGNER_OP_SIGN_HASH:
		/* GnuTLS hands ext keys RSA PKCS#1 v1.5 as RSA_RAW over a
		 * DigestInfo; the TLS1_RSA flag signs such input as is. */
		if (req.algo == GNUTLS_SIGN_RSA_RAW)
			ret = gnutls_privkey_sign_hash2(key, GNUTLS_SIGN_RSA_RAW,
			    GNUTLS_PRIVKEY_SIGN_FLAG_TLS1_RSA, &data, &sig);
		else
			ret = gnutls_privkey_sign_hash2(key,
			    (gnutls_sign_algorithm_t)req.algo, req.flags,
			    &data, &sig);
		break;
	case SIGNER_OP_SIGN_DATA:
		ret = gnutls_privkey_sign_data2(key,
		    (gnutls_sign_algorithm_t)req.algo, req.flags, &data, &sig);
		break;
	default:
		if (signer_ocsp_child_op(fd, &req, &data))
			return;
		if (signer_scep_child_serve(req.op, req.algo, req.flags, &data,
		    &ret, &sig, why, sizeof(why))) {
			if (ret == CA_OK)
				signer_child_reply(fd, req.id, CA_OK, sig.data, sig.size);
			else
				signer_child_reply(fd, req.id, ret, why, strlen(why));
			if (sig.data != NULL) {
				gnutls_memset(sig.data, 0, sig.size);
				gnutls_free(sig.data);
			}
			return;
		}
		snprintf(why, sizeof(why), "signer: unknown request %u",
		    req.op);
		signer_child_reply(fd, req.id, CA_EINVAL, why, strlen(why));
		return;
	}
	if (ret < 0) {
		snprintf(why, sizeof(why), "signer: %s with %s failed: %s",
		    req.op == SIGNER_OP_SIGN_HASH ? "sign-hash" : "sign-data",
		    gnutls_sign_get_name((gnutls_sign_algorithm_t)req.algo) ?
		    gnutls_sign_get_name((gnutls_sign_algorithm_t)req.algo) :
		    "?", gnutls_strerror(ret));
		signer_child_reply(fd, req.id, CA_ECRYPTO, why, strlen(why));
		return;
	}
	signer_child_reply(fd, req.id, CA_OK, sig.data, sig.size);
	gnutls_free(sig.data);
}

/* The child process: set up, then serve until the parent goes away. */
void
signer_child_main(int fd, const char *state_dir,
    const struct signer_drop *drop)
{
	static unsigned char msg[SIGNER_MSG_MAX + 1];
	struct signer_child_info info;
	gnutls_privkey_t key = NULL;
	char why[CA_WHY_MAX] = "";
	unsigned bits = 0, cert_bits = 0;
	int file_key = 0, rc;
	ssize_t n;

	child_signals();
	if (child_fds(fd) != 0)
		_exit(1);
	fd = 3;
	/* Free heap pages inherited from entcad, resident until given back. */
	malloc_trim(0);
	rc = child_open_key(state_dir, &key, &file_key, &cert_bits, why,
	    sizeof(why));
	if (rc == CA_OK)
		rc = signer_scep_child_open(state_dir, why, sizeof(why));
	if (rc != CA_OK)
		child_fail(fd, rc, why);
	memset(&info, 0, sizeof(info));
	info.pk_algo = gnutls_privkey_get_pk_algorithm(key, &bits);
	info.bits = bits != 0 ? bits : cert_bits;
	child_hook_arm();
	rc = child_drop(drop, file_key, &info, why, sizeof(why));
	if (rc == CA_OK)
		rc = signer_seccomp_install(fd, file_key, why, sizeof(why));
	if (rc != CA_OK)
		child_fail(fd, rc, why);
	info.seccomp = 1;
	if (signer_child_reply(fd, 0, CA_OK, &info, sizeof(info)) != 0)
		_exit(1);
	for (;;) {
		n = recv(fd, msg, sizeof(msg), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* parent closed the socket, or it broke */
		if ((size_t)n > SIGNER_MSG_MAX)
			continue;	/* oversized: cannot be a request */
		child_serve(fd, key, &info, msg, (size_t)n);
		gnutls_memset(msg, 0, (size_t)n);
	}
	gnutls_privkey_deinit(key);	/* GnuTLS wipes the key material */
	_exit(0);
}
