/*
 * compose-check.c - load one compose project as a deploy would (the file
 * compose_find picks in DIR, or FILE with DIR as the release), its binds
 * sorted into release and shared directory (binds_share), and apply the
 * safety policy with nothing allowed; print "ok" or the one error line,
 * "policy: " before it when the loader took the file and the policy did
 * not.
 * Used by tests/compat/measure.sh only; not part of slipway.
 */
#include <stdio.h>
#include <stdlib.h>

#include "compose/binds.h"
#include "compose/compose.h"
#include "compose/policy.h"

int
main(int argc, char **argv)
{
	struct compose_project *p = NULL;
	char *file;
	int rc = 1;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: compose-check DIR [FILE]\n");
		return 2;
	}
	file = argc == 3 ? realpath(argv[2], NULL) : compose_find(argv[1]);
	if (file == NULL)
		printf("error: %s\n", argc == 3 ? "no such file" : error_last());
	else if (compose_load(&p, file, argv[1], "app", NULL) < 0)
		printf("error: %s\n", error_last());
	else if (binds_share(p, "/nonexistent/shared") < 0)
		printf("error: %s\n", error_last());
	else if (policy_own_names(p, 0) < 0 || policy_check(p, 0) < 0)
		printf("policy: %s\n", error_last());
	else {
		printf("ok\n");
		rc = 0;
	}
	compose_free(p);
	free(file);
	return rc;
}
