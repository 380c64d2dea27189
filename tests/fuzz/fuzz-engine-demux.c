/*
 * fuzz-engine-demux.c - the engine's multiplexed stdout/stderr log stream,
 * fed in chunks whose sizes come from the first input byte.
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
	struct engine_demux d;
	size_t off = 1, chunk, total = 0;

	if (size == 0)
		return 0;
	fuzz_quiet();
	memset(&d, 0, sizeof d);
	chunk = data[0] == 0 ? size : data[0];
	while (off < size) {
		size_t n = size - off < chunk ? size - off : chunk;
		/* an exact copy, so a read past the chunk is caught */
		char *c = xmalloc(n);

		memcpy(c, data + off, n);
		engine_demux_feed(&d, c, n, line_fn, &total);
		free(c);
		off += n;
	}
	engine_demux_finish(&d, line_fn, &total);
	return 0;
}
