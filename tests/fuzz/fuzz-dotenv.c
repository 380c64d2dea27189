/*
 * fuzz-dotenv.c - a pushed .env file (and env_file files), with ${VAR}
 * expansion from the app's variables.
 */
#include "fuzz.h"
#include "compose/dotenv.h"
#include "lib/kvlist.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kvlist lookup = KVLIST_INIT;
	struct kvlist out = KVLIST_INIT;

	fuzz_quiet();
	if (lookup.n == 0) {
		kvlist_set(&lookup, "A", "a");
		kvlist_set(&lookup, "EMPTY", "");
		kvlist_set(&lookup, "UNSET", NULL);
	}
	(void)dotenv_parse((const char *)data, size, ".env", &lookup, &out);
	kvlist_clear(&out);
	return 0;
}
