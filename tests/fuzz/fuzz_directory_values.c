/*
 * libFuzzer target for the directory's values as entca maps them to a
 * principal: binary objectSid and objectGUID as a server (or an attacker
 * who controls one) returns them, SIDs as text from allow/deny lines and
 * SID URLs, and AD's bind diagnostic ("... data 52e, v4563"). Properties:
 * a binary SID that decodes re-encodes to the same bytes; a text SID that
 * encodes decodes to the same text; a GUID round-trips; nothing reads
 * past its input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "ldap/dir_int.h"
#include "ldap/sid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char text[256], text2[256], *s;
	unsigned char bin[DIRECTORY_SID_BIN_MAX], guid[16];
	size_t binlen;

	/* binary objectSid from the server */
	if (directory_sid_to_text(data, len, text, sizeof(text)) == CA_OK) {
		if (directory_sid_from_text(text, bin, sizeof(bin), &binlen) != CA_OK ||
		    binlen != len || memcmp(bin, data, len) != 0)
			abort();
		(void)directory_sid_rid(text);
	}
	/* binary objectGUID */
	if (directory_guid_to_text(data, len, text, sizeof(text)) == CA_OK) {
		if (directory_guid_from_text(text, guid) != CA_OK ||
		    memcmp(guid, data, 16) != 0)
			abort();
	}
	if ((s = malloc(len + 1)) == NULL)
		return 0;
	memcpy(s, data, len);
	s[len] = '\0';
	/* SID text from configuration, templates or a SID URL */
	if (directory_sid_from_text(s, bin, sizeof(bin), &binlen) == CA_OK) {
		if (directory_sid_to_text(bin, binlen, text2, sizeof(text2)) != CA_OK)
			abort();
		(void)directory_sid_rid(text2);
	}
	(void)directory_guid_from_text(s, guid);
	/* AD's diagnostic message after a refused bind */
	(void)dir_ad_bind_reason(s);
	free(s);
	return 0;
}
