/*
 * fuzz-dockerignore.c - a pushed .dockerignore: the pattern parser, then the
 * matcher. The input is the file, a NUL, then paths to match, one a line.
 */
#include "fuzz.h"
#include "engine/dockerignore.h"

static const char *const paths[] = {
	"Dockerfile", ".dockerignore", "a", "a/b", "a/b/c.txt", "docs/x.md",
	".git/HEAD", "node_modules/x/y.js", "dir/sub/", "é/ü", "[", "*",
};

static void
check(const struct ignore *ig, const char *path)
{
	char *clean;

	(void)ignore_excluded(ig, path);
	(void)ignore_can_skip_dir(ig, path);
	clean = ignore_clean(path);
	free(clean);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ignore *ig = NULL;
	const char *nul = memchr(data, '\0', size);
	size_t len = nul != NULL ? (size_t)(nul - (const char *)data) : size;
	char *rest = NULL, *line, *next;
	size_t i;

	fuzz_quiet();
	if (ignore_parse(&ig, (const char *)data, len, ".dockerignore") < 0)
		return 0;
	for (i = 0; i < ARRAY_SIZE(paths); i++)
		check(ig, paths[i]);
	if (nul != NULL) {
		rest = fuzz_str(data + len + 1, size - len - 1);
		for (line = rest; line != NULL; line = next) {
			if ((next = strchr(line, '\n')) != NULL)
				*next++ = '\0';
			check(ig, line);
		}
	}
	for (i = 0; i < ignore_count(ig); i++) {
		const char *pat = ignore_pattern(ig, i);
		char *d = ignore_describe(pat[0] == '!' ? pat + 1 : pat);

		free(d);
		(void)ignore_match_one(pat, "a/b/c");
	}
	free(rest);
	ignore_free(ig);
	return 0;
}
