/*
 * The CRL encoder's DER values: INTEGERs from unsigned big-endian bytes or
 * a uint64, and RFC 5280 times; tags, lengths and headers are common/der.h's
 * (der_len_size, der_tlv_size, der_put_header). Every writer
 * has a matching size function so callers can size a buffer exactly before
 * writing (the CRL encoder's first pass). Writers never check room: the
 * caller has sized the buffer with the size functions. Pure functions, no
 * allocation; safe from any thread.
 */
#ifndef ENTCA_CRL_DER_H
#define ENTCA_CRL_DER_H

#include <stddef.h>
#include <stdint.h>

#include "common/der.h"

/* DER tags used by the CRL encoder. */
#define CRL_DER_BOOLEAN 0x01
#define CRL_DER_INTEGER 0x02
#define CRL_DER_BIT_STRING 0x03
#define CRL_DER_OCTET_STRING 0x04
#define CRL_DER_NULL 0x05
#define CRL_DER_OID 0x06
#define CRL_DER_ENUMERATED 0x0a
#define CRL_DER_UTC_TIME 0x17
#define CRL_DER_GENERALIZED_TIME 0x18
#define CRL_DER_SEQUENCE 0x30
#define CRL_DER_CTX0 0xa0	/* [0] constructed */
#define CRL_DER_CTX1 0xa1
#define CRL_DER_CTX2 0xa2
#define CRL_DER_URI 0x86	/* GeneralName uniformResourceIdentifier [6] */
#define CRL_DER_KEYID 0x80	/* AuthorityKeyIdentifier keyIdentifier [0] */

/* Earliest and latest times the encoder accepts: 1950-01-01T00:00:00Z
 * and 9999-12-31T23:59:59Z (RFC 5280 §4.1.2.5 encodings). */
#define CRL_TIME_MIN ((int64_t)-631152000)
#define CRL_TIME_MAX ((int64_t)253402300799)
/* 2050-01-01T00:00:00Z: from here on RFC 5280 uses GeneralizedTime. */
#define CRL_TIME_GENERALIZED_FROM ((int64_t)2524608000)

/*
 * Content size of the INTEGER that encodes the unsigned big-endian number
 * mag[0..n): leading zero octets dropped, one 0x00 added when the top bit
 * is set (so the value stays positive). Zero (or n == 0) takes 1 octet.
 */
size_t crl_der_uint_content_size(const unsigned char *mag, size_t n);

/* Write the INTEGER TLV for the unsigned big-endian mag[0..n). */
unsigned char *crl_der_put_uint(unsigned char *p, const unsigned char *mag,
    size_t n);

/* Content size of the INTEGER encoding the non-negative v. */
size_t crl_der_u64_content_size(uint64_t v);

/* Write the INTEGER TLV of v. */
unsigned char *crl_der_put_u64(unsigned char *p, uint64_t v);

/*
 * Total TLV size of t as an RFC 5280 Time: 15 (UTCTime) before 2050,
 * 17 (GeneralizedTime) from 2050. t must lie in CRL_TIME_MIN..MAX.
 */
size_t crl_der_time_size(int64_t t);

/* Write t as an RFC 5280 §4.1.2.5 Time (UTCTime before 2050, else
 * GeneralizedTime, always Z and whole seconds). */
unsigned char *crl_der_put_time(unsigned char *p, int64_t t);

/* Write t as a GeneralizedTime TLV (17 octets), as invalidityDate needs. */
unsigned char *crl_der_put_gentime(unsigned char *p, int64_t t);

/* Return nonzero when t lies in CRL_TIME_MIN..CRL_TIME_MAX. */
int crl_der_time_ok(int64_t t);

#endif
