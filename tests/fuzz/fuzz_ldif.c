/*
 * libFuzzer target for `entca template import`: an LDIF export of AD's
 * pKICertificateTemplate objects (template_import_ldif_buf: LDIF syntax,
 * base64 values, every template attribute, and the nTSecurityDescriptor
 * through tmpl_sd_to_aces). An input starting with byte 0x01 (never the
 * start of LDIF text) is a raw self-relative security descriptor after
 * that byte, for tmpl_sd_to_aces and, as a binary SID, tmpl_sid_format;
 * any other input is LDIF. Each imported
 * template has been through template_write and a re-parse already.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "templates/template.h"
#include "templates/template_import.h"
#include "templates/template_sd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct template t;
	struct template_import_item *items = NULL;
	char why[CA_WHY_MAX], sid[256];
	size_t n = 0, used;

	if (len == 0)
		return 0;
	if (data[0] != 0x01) {
		if (template_import_ldif_buf("fuzz.ldif", (const char *)data,
		    len, &items, &n, why, sizeof(why)) == CA_OK)
			free(items);
		return 0;
	}
	memset(&t, 0, sizeof(t));
	(void)tmpl_sd_to_aces(data + 1, len - 1, &t, why, sizeof(why));
	if (t.n_aces > TMPL_ACE_MAX)
		abort();
	(void)tmpl_sid_format(data + 1, len - 1, &used, sid, sizeof(sid));
	return 0;
}
