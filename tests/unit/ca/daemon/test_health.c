/*
 * Unit tests for ca/daemon/health.c's verdict on CRLs: /health is 503 while no
 * full CRL is in service or the one in service is past its nextUpdate
 * (relying parties then reject every certificate), and 200 otherwise.
 * The clock is pinned through the ENTCA_NOW seam; the signer, store and
 * directory are absent so that only the CRL rule speaks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "ca/daemon/daemon.h"
#include "ca/daemon/health.h"

#define NOW ((int64_t)1800000000)

static unsigned char fake_der[1] = { 0x30 };

/* The problems of d now, as one compact JSON string in out. */
static size_t
problems_of(struct daemon *d, char *out, size_t outlen)
{
	json_t *a = json_array();
	char *s;
	size_t n;

	assert_non_null(a);
	n = health_problems(d, a);
	s = json_dumps(a, JSON_COMPACT);
	assert_non_null(s);
	snprintf(out, outlen, "%s", s);
	free(s);
	json_decref(a);
	return n;
}

/* health_503_when_crl_missing, _past_next_update, and fresh: none. */
static void
test_crl_rules(void **state)
{
	struct daemon d;
	struct ca_config cfg;
	char text[1024];

	(void)state;
	memset(&d, 0, sizeof(d));
	memset(&cfg, 0, sizeof(cfg));
	d.cfg = &cfg;

	assert_int_equal(problems_of(&d, text, sizeof(text)), 1);
	assert_non_null(strstr(text, "\"component\":\"crl\""));
	assert_non_null(strstr(text, "no full CRL"));

	d.crl_full.der = fake_der;
	d.crl_full.number = 9;
	d.crl_full.next_update = NOW - 60;
	assert_int_equal(problems_of(&d, text, sizeof(text)), 1);
	assert_non_null(strstr(text, "the full CRL 9 is past its nextUpdate"));

	d.crl_full.next_update = NOW + 60;
	assert_int_equal(problems_of(&d, text, sizeof(text)), 0);
	assert_string_equal(text, "[]");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crl_rules),
	};
	char now[32];

	snprintf(now, sizeof(now), "%lld", (long long)NOW);
	setenv("ENTCA_NOW", now, 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
