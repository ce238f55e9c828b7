/*
 * The CRL's own DER values behind crl/der.h (headers come from
 * common/der.h, the one writer): unsigned INTEGERs and RFC 5280
 * times (X.690 §8.1.3, §8.3; RFC 5280 §4.1.2.5). Times are converted with
 * integer calendar arithmetic instead of gmtime_r so that a million entries
 * cost no libc locking and no time zone lookups. Pure; safe from any thread.
 */
#include <string.h>

#include "common/der.h"
#include "crl/der.h"

/* Skip leading zero octets, keeping at least nothing for zero. */
static size_t
crl_der_strip(const unsigned char **mag, size_t n)
{
	while (n > 0 && (*mag)[0] == 0) {
		(*mag)++;
		n--;
	}
	return n;
}

/* Size the content of a positive INTEGER from big-endian magnitude. */
size_t
crl_der_uint_content_size(const unsigned char *mag, size_t n)
{
	n = crl_der_strip(&mag, n);
	if (n == 0)
		return 1;
	return n + ((mag[0] & 0x80) ? 1 : 0);
}

/* Write a positive INTEGER: strip leading zeros, pad a set top bit. */
unsigned char *
crl_der_put_uint(unsigned char *p, const unsigned char *mag, size_t n)
{
	size_t len;

	n = crl_der_strip(&mag, n);
	len = crl_der_uint_content_size(mag, n);
	p = der_put_header(p, CRL_DER_INTEGER, len);
	if (n == 0) {
		*p++ = 0;
		return p;
	}
	if (len > n)
		*p++ = 0;
	memcpy(p, mag, n);
	return p + n;
}

/* Turn v into 8 big-endian octets for the magnitude writers. */
static void
crl_der_u64_bytes(uint64_t v, unsigned char out[8])
{
	int i;

	for (i = 7; i >= 0; i--) {
		out[i] = (unsigned char)v;
		v >>= 8;
	}
}

/* Size the INTEGER content of v. */
size_t
crl_der_u64_content_size(uint64_t v)
{
	unsigned char b[8];

	crl_der_u64_bytes(v, b);
	return crl_der_uint_content_size(b, sizeof(b));
}

/* Write v as an INTEGER TLV. */
unsigned char *
crl_der_put_u64(unsigned char *p, uint64_t v)
{
	unsigned char b[8];

	crl_der_u64_bytes(v, b);
	return crl_der_put_uint(p, b, sizeof(b));
}

/* Accept only times both Time forms can carry (years 1950..9999). */
int
crl_der_time_ok(int64_t t)
{
	return t >= CRL_TIME_MIN && t <= CRL_TIME_MAX;
}

/* Size a Time TLV: UTCTime "YYMMDDHHMMSSZ" or GeneralizedTime with YYYY. */
size_t
crl_der_time_size(int64_t t)
{
	return t < CRL_TIME_GENERALIZED_FROM ? 15 : 17;
}

/*
 * Split seconds since the epoch into civil UTC fields (proleptic
 * Gregorian; days-from-civil inverse after H. Hinnant's public-domain
 * algorithm).
 */
static void
crl_der_civil(int64_t t, int *year, int *mon, int *day, int *hh, int *mm,
    int *ss)
{
	int64_t days, secs, z, era, doe, yoe, doy, mp, y;

	days = t / 86400;
	secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	*hh = (int)(secs / 3600);
	*mm = (int)(secs / 60 % 60);
	*ss = (int)(secs % 60);
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*mon = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = (int)(y + (*mon <= 2));
}

/* Write v as exactly width decimal digits. */
static unsigned char *
crl_der_digits(unsigned char *p, int v, int width)
{
	int i;

	for (i = width - 1; i >= 0; i--) {
		p[i] = (unsigned char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

/* Write the time body with a 2- or 4-digit year and a trailing Z. */
static unsigned char *
crl_der_time_body(unsigned char *p, int64_t t, int year_digits)
{
	int y, mo, d, h, mi, s;

	crl_der_civil(t, &y, &mo, &d, &h, &mi, &s);
	p = crl_der_digits(p, year_digits == 2 ? y % 100 : y, year_digits);
	p = crl_der_digits(p, mo, 2);
	p = crl_der_digits(p, d, 2);
	p = crl_der_digits(p, h, 2);
	p = crl_der_digits(p, mi, 2);
	p = crl_der_digits(p, s, 2);
	*p++ = 'Z';
	return p;
}

/* Write a GeneralizedTime TLV (RFC 5280 §4.1.2.5.2: YYYYMMDDHHMMSSZ). */
unsigned char *
crl_der_put_gentime(unsigned char *p, int64_t t)
{
	*p++ = CRL_DER_GENERALIZED_TIME;
	*p++ = 15;
	return crl_der_time_body(p, t, 4);
}

/* Write the Time choice RFC 5280 §4.1.2.5 asks for at t. */
unsigned char *
crl_der_put_time(unsigned char *p, int64_t t)
{
	if (t >= CRL_TIME_GENERALIZED_FROM)
		return crl_der_put_gentime(p, t);
	*p++ = CRL_DER_UTC_TIME;
	*p++ = 13;
	return crl_der_time_body(p, t, 2);
}
