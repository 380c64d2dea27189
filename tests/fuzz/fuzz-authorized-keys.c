/*
 * fuzz-authorized-keys.c - lines of the authorized_keys file the gateway
 * reads and rewrites (`slipway key`), one entry a line.
 */
#include "fuzz.h"
#include "gateway/gateway.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), *line, *next;

	fuzz_quiet();
	for (line = s; line != NULL; line = next) {
		struct gateway_entry e;

		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		memset(&e, 0, sizeof e);
		(void)gateway_entry_parse(line, &e);
		gateway_entry_dispose(&e);
	}
	free(s);
	return 0;
}
