/*
 * libFuzzer target for files an administrator edits: a template file
 * (template_parse_buf, then template_write and a second parse that must
 * give the same template back) and an RFC 4514 string (dn_parse_string).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "policy/dn.h"
#include "templates/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct template a, b;
	static struct dn dn;
	char why[CA_WHY_MAX], *text = NULL, *s;

	if (template_parse_buf("fuzz.tmpl", (const char *)data, len, &a, why,
	    sizeof(why)) == CA_OK && template_write(&a, &text) == CA_OK) {
		if (template_parse_buf("fuzz.tmpl", text, strlen(text), &b, why,
		    sizeof(why)) != CA_OK || memcmp(&a, &b, sizeof(a)) != 0)
			abort();
		free(text);
	}
	s = malloc(len + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, len);
	s[len] = '\0';
	(void)dn_parse_string(s, &dn, why, sizeof(why));
	free(s);
	return 0;
}
