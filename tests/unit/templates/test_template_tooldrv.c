/*
 * Test driver for ca/tool/tool_template.c until `entca` exists:
 * test_template_tooldrv DIR template VERB ARGS... runs
 * tool_template_main on DIR and exits with its code. Used by
 * tests/integration/template_*.sh.
 */
#include <stdio.h>

#include "ca/tool/tool_template.h"

/* argv[1] is the templates folder; the rest is what `entca` would pass. */
int
main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s DIR template VERB ...\n", argv[0]);
		return 2;
	}
	return tool_template_main(argc - 2, argv + 2, argv[1]);
}
