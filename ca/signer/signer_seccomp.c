/*
 * The signer child's system-call filter (libseccomp). Installed after the
 * key is open and privileges are dropped, it allows only what answering
 * sign requests over the socketpair needs: receiving and sending on the
 * socket, memory management for GnuTLS/nettle, the clock, random numbers,
 * and exiting. PKCS#11 modules are not under our control and SoftHSM
 * rereads its token files on every operation (and p11-kit checks getpid
 * for forks), so token keys also get read-only file access; file keys do
 * not, and nothing gets a socket (file keys: socket() kills; tokens: it
 * fails), connect(), execve(), ptrace() or any way to open a file for
 * writing. Anything else kills the whole process with SIGSYS,
 * which the parent logs (signer.c) before starting a new child.
 * The list was found by running the signer under strace -f for file keys
 * (RSA, ECDSA, Ed25519) and for SoftHSM2 tokens.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <seccomp.h>

#include "common/error.h"
#include "ca/signer/signer_wire.h"

/* What every signer needs once the key is in memory. */
static const char *const signer_syscalls[] = {
	"read", "write", "close",
	"recvfrom", "recvmsg", "sendto", "sendmsg",
	"futex", "sched_yield", "getpid", "gettid",
	"mmap", "munmap", "mremap", "mprotect", "brk", "madvise",
	"clock_gettime", "clock_getres", "gettimeofday", "time",
	"getrandom",
	"rt_sigreturn", "rt_sigprocmask",
	"exit", "exit_group",
};

/* Read-only file access for PKCS#11 modules (SoftHSM rereads its store,
 * under fcntl read locks); open and openat are added read-only below. */
static const char *const signer_pkcs11_syscalls[] = {
	"fstat", "newfstatat", "stat", "lstat", "statx",
	"lseek", "pread64", "getdents64", "access", "faccessat", "faccessat2",
	"fcntl", "flock", "readlink", "getuid", "geteuid", "getgid",
	"getegid",
};

/* Allow each named call; names unknown on this architecture are skipped. */
static int
signer_seccomp_allow(scmp_filter_ctx ctx, const char *const *names, size_t n,
    char *why, size_t whylen)
{
	int nr, r;

	for (size_t i = 0; i < n; i++) {
		nr = seccomp_syscall_resolve_name(names[i]);
		if (nr == __NR_SCMP_ERROR)
			continue;
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (r < 0 && r != -EDOM)
			return ca_why(why, whylen, CA_EIO,
			    "signer: seccomp rule for %s: %s", names[i],
			    strerror(-r));
	}
	return CA_OK;
}

/*
 * PKCS#11 modules: open and openat only read-only (any access mode but
 * O_RDONLY, or O_CREAT/O_TRUNC/O_APPEND, still kills). socket() fails with
 * EACCES instead of killing: SoftHSM calls syslog() on its error paths,
 * and an error from the module beats a death inside a library call.
 */
static int
signer_seccomp_pkcs11_files(scmp_filter_ctx ctx, char *why, size_t whylen)
{
	const scmp_datum_t wmask = O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND;
	int r;

	r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, wmask, O_RDONLY));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
		    SCMP_A1(SCMP_CMP_MASKED_EQ, wmask, O_RDONLY));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES),
		    SCMP_SYS(socket), 0);
	if (r < 0)
		return ca_why(why, whylen, CA_EIO, "signer: seccomp rule for "
		    "read-only files: %s", strerror(-r));
	return CA_OK;
}

/* Install the filter; see signer_wire.h. */
int
signer_seccomp_install(int fd, int file_key, char *why, size_t whylen)
{
	scmp_filter_ctx ctx;
	int r, rc;

	(void)fd;
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (ctx == NULL)
		return ca_why(why, whylen, CA_EIO, "signer: seccomp_init failed");
	rc = signer_seccomp_allow(ctx, signer_syscalls,
	    sizeof(signer_syscalls) / sizeof(signer_syscalls[0]), why, whylen);
	if (rc == CA_OK && !file_key)
		rc = signer_seccomp_allow(ctx, signer_pkcs11_syscalls,
		    sizeof(signer_pkcs11_syscalls) /
		    sizeof(signer_pkcs11_syscalls[0]), why, whylen);
	if (rc == CA_OK && !file_key)
		rc = signer_seccomp_pkcs11_files(ctx, why, whylen);
	if (rc == CA_OK) {
		r = seccomp_load(ctx);
		if (r < 0)
			rc = ca_why(why, whylen, CA_EIO,
			    "signer: cannot install the seccomp filter: %s",
			    strerror(-r));
	}
	seccomp_release(ctx);
	return rc;
}
