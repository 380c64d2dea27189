/*
 * fuzz-compose.c - the compose loader on a pushed compose.yaml (with
 * interpolation from the app's config variables).
 */
#include "fuzz.h"
#include "compose/compose.h"
#include "lib/kvlist.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kvlist vars = KVLIST_INIT;
	struct compose_project *p = NULL;

	fuzz_quiet();
	if (vars.n == 0) {
		kvlist_set(&vars, "TAG", "1.2");
		kvlist_set(&vars, "PORT", "8080");
		kvlist_set(&vars, "EMPTY", "");
		kvlist_set(&vars, "UNSET", NULL);
	}
	/* The project directory does not exist: no file outside the input. */
	if (compose_load_string(&p, (const char *)data, size, "compose.yaml",
	    "/nonexistent/slipway-fuzz", "app", &vars) == 0)
		compose_free(p);
	return 0;
}
