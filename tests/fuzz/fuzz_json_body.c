/*
 * libFuzzer target for the management API's JSON bodies (ca/api/api.c,
 * ca/est/est_pending.c): jansson parses the body as those handlers do
 * (json_loadb, an object required), then the fields go through the same
 * parsers the handlers call: "reason" through crl_reason_parse,
 * "invalidity_date" as an integer, "sid"/"upn"/"device" bounded copies,
 * "delta" as a boolean, and every string member through
 * revoke_serial_parse as a certificate serial would be. api.c's routing
 * glue is static and needs a daemon; the parsing it relies on is here.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/error.h"
#include "ca/issue/revoke.h"
#include "ca/store/store.h"
#include "crl/reason.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	unsigned char serial[STORE_SERIAL_MAX];	/* as api.c holds it */
	char why[CA_WHY_MAX], copy[256];
	json_error_t err;
	const char *k;
	json_t *b, *v;
	size_t slen;
	int reason;

	b = json_loadb((const char *)data, len, 0, &err);
	if (b == NULL)
		return 0;
	if (json_is_object(b)) {
		v = json_object_get(b, "reason");
		if (json_is_string(v))
			(void)crl_reason_parse(json_string_value(v), &reason,
			    why, sizeof(why));
		v = json_object_get(b, "invalidity_date");
		if (json_is_integer(v) && json_integer_value(v) < 0)
			(void)json_integer_value(v);
		(void)json_is_true(json_object_get(b, "delta"));
		json_object_foreach(b, k, v) {
			if (!json_is_string(v))
				continue;
			if (strlen(json_string_value(v)) < sizeof(copy))
				snprintf(copy, sizeof(copy), "%s",
				    json_string_value(v));
			slen = sizeof(serial);
			(void)revoke_serial_parse(json_string_value(v), serial,
			    &slen, why, sizeof(why));
		}
	}
	json_decref(b);
	return 0;
}
