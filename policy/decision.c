/*
 * Writers of the decision record (decide_int.h): a denial with its code and
 * sentence, and the notes the certificate carries. Below decide.c,
 * names.c and profile.c, which all write decisions, so none of them calls
 * a sibling back. Pure; any thread.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "policy/decide.h"
#include "policy/decide_int.h"

/* Record a denial: verdict, code and the one sentence the client sees. */
int
decide_deny(struct policy_decision *out, enum policy_code code,
    const char *fmt, ...)
{
	va_list ap;

	out->verdict = POLICY_DENY;
	out->code = code;
	va_start(ap, fmt);
	vsnprintf(out->why, sizeof(out->why), fmt, ap);
	va_end(ap);
	return CA_OK;
}

/* Add an adjustment the certificate carries (clamps, ignored parts). */
void
decide_note(struct policy_decision *out, const char *fmt, ...)
{
	size_t n = strlen(out->notes);
	va_list ap;

	if (n > 0 && n + 2 < sizeof(out->notes)) {
		memcpy(out->notes + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(out->notes + n, sizeof(out->notes) - n, fmt, ap);
	va_end(ap);
}
