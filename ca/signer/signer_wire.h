/*
 * The signer's socketpair protocol (internal to ca/signer/signer*.c). One
 * SOCK_SEQPACKET message per request and per reply, each a fixed header
 * followed by at most SIGNER_DATA_MAX bytes. Both ends run on the same
 * machine and binary, so integers travel in host order. The child first
 * sends one reply with id 0: CA_OK with a struct signer_child_info, or an
 * error code with the reason as text.
 */
#ifndef ENTCA_CA_SIGNER_WIRE_H
#define ENTCA_CA_SIGNER_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <gnutls/gnutls.h>

#include "ca/signer/signer.h"	/* struct signer_child_info */

#define SIGNER_WIRE_MAGIC 0x454e5347u	/* "ENSG" */
/* Largest payload: a hash/DigestInfo, or data for EdDSA; a reply's text. */
#define SIGNER_DATA_MAX 8192
/* Largest message on the socket. */
#define SIGNER_MSG_MAX (SIGNER_DATA_MAX + 64)

/* Requests the child answers. */
enum signer_op {
	SIGNER_OP_SIGN_HASH = 1,	/* gnutls_privkey_sign_hash2 */
	SIGNER_OP_SIGN_DATA,		/* gnutls_privkey_sign_data2 */
	SIGNER_OP_INFO,			/* struct signer_child_info */
	SIGNER_OP_COUNT
};

/*
 * OCSP signing keys (ca/signer/signer_ocsp.c) use 0x40..0x4f. The payload
 * of each starts with one byte: the key slot (0..SIGNER_OCSP_SLOTS - 1).
 * KEYGEN makes a key of algo (gnutls_pk_algorithm_t) and flags bits in
 * the slot and answers its SubjectPublicKeyInfo (DER); the SIGN ops are
 * SIGN_HASH and SIGN_DATA with that key.
 */
#define SIGNER_OP_OCSP_KEYGEN 0x40
#define SIGNER_OP_OCSP_SIGN_HASH 0x41
#define SIGNER_OP_OCSP_SIGN_DATA 0x42

/* Request header. */
struct signer_wire_req {
	uint32_t magic;
	uint32_t op;
	uint32_t id;
	int32_t algo;		/* gnutls_sign_algorithm_t */
	uint32_t flags;		/* GNUTLS_PRIVKEY_SIGN_FLAG_* */
	uint32_t len;		/* payload bytes that follow */
};

/* Reply header. */
struct signer_wire_rep {
	uint32_t magic;
	uint32_t id;		/* the request's id */
	int32_t status;		/* CA_OK or a negative ca_error */
	uint32_t len;		/* signature, info or reason text */
};

/* Most supplementary groups the signer keeps (e.g. an HSM's group). */
#define SIGNER_GROUPS_MAX 32

/* How the parent asks the child to drop privileges. */
struct signer_drop {
	int enabled;
	uid_t uid;
	gid_t gid;
	gid_t groups[SIGNER_GROUPS_MAX];	/* the user's groups */
	int ngroups;
	int in_netns;		/* the launcher already left the network */
};

/*
 * The child's whole life: open the key of state_dir, drop privileges, and
 * serve requests on fd until the parent closes it. Never returns.
 */
void signer_child_main(int fd, const char *state_dir,
    const struct signer_drop *drop) __attribute__((noreturn));

/*
 * Install the signer's seccomp filter (signer_seccomp.c): only what
 * serving sign requests on fd needs, plus file reads for PKCS#11 modules
 * (file_key 0) that reread their storage. Anything else kills the process
 * with SIGSYS. CA_OK or CA_EIO with the reason.
 */
int signer_seccomp_install(int fd, int file_key, char *why, size_t whylen);

/*
 * One request to the child and its reply (signer.c): the reply payload
 * lands in sig (gnutls_malloc). Any thread.
 */
struct signer;
int signer_call(struct signer *s, uint32_t op, int algo, unsigned flags,
    const gnutls_datum_t *data, gnutls_datum_t *sig, char *why,
    size_t whylen);

/*
 * As signer_call, but always on the first child: keys made inside a
 * signer process (the OCSP keys) exist in that child only, not in the
 * other lanes ([ca] signers).
 */
int signer_call_primary(struct signer *s, uint32_t op, int algo,
    unsigned flags, const gnutls_datum_t *data, gnutls_datum_t *sig,
    char *why, size_t whylen);

/*
 * The child's side of the OCSP ops: answer req (op 0x40..0x4f) on fd.
 * Returns false for an op that is not one of them. Child only.
 */
struct signer_wire_req;
bool signer_ocsp_child_op(int fd, const struct signer_wire_req *req,
    const gnutls_datum_t *data);

/* Send one reply from the child (signer_child.c). */
int signer_child_reply(int fd, uint32_t id, int status, const void *data,
    size_t len);

#endif
