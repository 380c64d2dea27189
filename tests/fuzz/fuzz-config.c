/*
 * fuzz-config.c - slipway.conf through config_load(), from a temporary file
 * rewritten for each input.
 */
#include <stdio.h>
#include <unistd.h>

#include "fuzz.h"
#include "lib/config.h"

static char path[] = "/tmp/slipway-fuzz-config.XXXXXX";

static void
remove_path(void)
{
	unlink(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct config cfg;

	fuzz_quiet();
	if (fd < 0) {
		if ((fd = mkstemp(path)) < 0 || atexit(remove_path) != 0) {
			perror("mkstemp");
			abort();
		}
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size) {
		perror(path);
		abort();
	}
	(void)config_load(&cfg, path);
	config_dispose(&cfg);
	return 0;
}
