/*
 * GET /api/v1/openapi.json: the OpenAPI 3 document of the management API,
 * ca/api/openapi.json, embedded at build time (ca/api/openapi_json.h is
 * generated from it). Anonymous: it describes, it grants nothing.
 * Answered on the loop from memory.
 */
#include <stdlib.h>
#include <string.h>

#include "ca/api/api_int.h"
#include "ca/api/openapi_json.h"

/* Loop: the document, as it was built in. */
job_work_cb
api_openapi_setup(struct job *j, const struct api_args *a)
{
	size_t len = sizeof(api_openapi_json) - 1;	/* the added NUL */

	(void)a;
	job_body_copy(j, api_openapi_json, len, "application/json");
	return NULL;
}
