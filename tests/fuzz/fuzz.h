/*
 * fuzz.h - shared by the libFuzzer targets (make fuzz): output goes nowhere,
 * and the input comes as a NUL-terminated copy.
 */
#ifndef SLIPWAY_FUZZ_H
#define SLIPWAY_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_sink(void *ctx, int level, const char *line)
{
	(void)ctx;
	(void)level;
	(void)line;
}

/* Silence out_info()/out_warn(); call once per input (cheap). */
static inline void
fuzz_quiet(void)
{
	out_set_sink(fuzz_sink, NULL);
}

/* data as a string: a new NUL-terminated copy of exactly size bytes. */
static inline char *
fuzz_str(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
