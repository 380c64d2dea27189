/*
 * fuzz-interp.c - ${VAR} interpolation of a pushed string.
 */
#include "fuzz.h"
#include "compose/interp.h"
#include "lib/kvlist.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kvlist vars = KVLIST_INIT;
	struct strv unset = STRV_INIT;
	char *s, *out;

	fuzz_quiet();
	if (vars.n == 0) {
		kvlist_set(&vars, "A", "a");
		kvlist_set(&vars, "B", "${A}$$");
		kvlist_set(&vars, "EMPTY", "");
		kvlist_set(&vars, "UNSET", NULL);
	}
	s = fuzz_str(data, size);
	out = interp_string(s, &vars, &unset);
	free(out);
	strv_clear(&unset);
	free(s);
	return 0;
}
