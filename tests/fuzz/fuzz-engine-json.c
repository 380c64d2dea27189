/*
 * fuzz-engine-json.c - the engine's build progress stream: one JSON object
 * a line, parsed line by line (the bytes a line is given exactly, no NUL).
 */
#include "fuzz.h"
#include "engine/engine.h"

static void
line_fn(void *ctx, const char *line)
{
	(*(size_t *)ctx) += strlen(line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *id = NULL;
	size_t off = 0, total = 0;

	fuzz_quiet();
	while (off < size) {
		const char *nl = memchr(data + off, '\n', size - off);
		size_t n = nl != NULL ? (size_t)(nl - (const char *)data) - off :
		    size - off;
		char *line = xmalloc(n > 0 ? n : 1);

		memcpy(line, data + off, n);
		(void)engine_build_parse_line(line, n, line_fn, &total, &id);
		free(line);
		off += n + 1;
	}
	free(id);
	return 0;
}
