/*
 * Print every route of the management API's table, one "METHOD
 * /api/v1/pattern" per line: what tests/integration/api_openapi.sh holds
 * the OpenAPI document to, read from the code rather than copied.
 */
#include <stdio.h>

#include "ca/api/api.h"

/* One line per route. */
int
main(void)
{
	const char *method, *pattern;

	for (size_t i = 0; api_route_at(i, &method, &pattern); i++)
		printf("%s /api/v1/%s\n", method, pattern);
	return 0;
}
