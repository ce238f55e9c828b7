/*
 * Names of the project's error codes and the helper that writes a refusal
 * sentence. No state; safe from any thread.
 */
#include <stdarg.h>
#include <stdio.h>

#include "common/error.h"

static const char *const ca_error_names[CA_ERROR_COUNT] = {
	[0] = "success",
	[1] = "out of memory",
	[2] = "invalid argument",
	[3] = "malformed input",
	[4] = "input/output error",
	[5] = "not found",
	[6] = "already exists",
	[7] = "access denied",
	[8] = "authentication failed",
	[9] = "service unavailable",
	[10] = "timed out",
	[11] = "cryptographic operation failed",
	[12] = "written by a newer version",
	[13] = "too large",
	[14] = "refused by policy",
	[15] = "invalid configuration",
	[16] = "wrong state",
	[17] = "database error",
	[18] = "method not allowed",
	[19] = "unsupported media type",
};

/* Map a code to its name; codes are negative, the table is indexed by -code. */
const char *
ca_strerror(int code)
{
	int i = -code;

	if (i < 0 || i >= CA_ERROR_COUNT || ca_error_names[i] == NULL)
		return "unknown error";
	return ca_error_names[i];
}

/* Write a formatted refusal into why and hand back code unchanged. */
int
ca_why(char *why, size_t whylen, int code, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return code;
}
