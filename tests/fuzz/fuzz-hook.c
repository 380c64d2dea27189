/*
 * fuzz-hook.c - git's "old new ref" lines on the hook's stdin, cut into
 * lines as cmd-hook.c's fgets() loop cuts them (4096-byte buffer).
 */
#include "fuzz.h"
#include "lib/names.h"

#define LINE_MAX_FUZZ 4096

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[LINE_MAX_FUZZ];
	size_t off = 0, n;

	fuzz_quiet();
	while (off < size) {
		struct hook_update u;
		const char *nl;

		n = size - off;
		if (n > sizeof line - 1)
			n = sizeof line - 1;
		if ((nl = memchr(data + off, '\n', n)) != NULL)
			n = (size_t)(nl - (const char *)data) - off + 1;
		memcpy(line, data + off, n);
		line[n] = '\0';
		off += n;
		if (hook_parse_line(line, &u) == 0) {
			(void)oid_is_zero(u.new_oid);
			hook_update_dispose(&u);
		}
	}
	return 0;
}
