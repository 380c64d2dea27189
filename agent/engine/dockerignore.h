/*
 * dockerignore.h - .dockerignore patterns with the semantics of
 * moby/patternmatcher and docker/cli's ignorefile: parsing, matching (last
 * match wins, a parent directory's match counts), and the rule for skipping
 * excluded directories while walking.
 */
#ifndef SLIPWAY_DOCKERIGNORE_H
#define SLIPWAY_DOCKERIGNORE_H

#include <stddef.h>
#include "lib/util.h"

struct ignore;
struct strv;

/*
 * Parse the text of a .dockerignore (as ignorefile.ReadAll). Returns 0 and a
 * new matcher in *out (possibly empty), or -1 with error_set naming the bad
 * pattern. name is used in messages (".dockerignore").
 */
MUST_CHECK int ignore_parse(struct ignore **out, const char *text, size_t len,
    const char *name);
/* Build from a list of patterns (exclusions may start with '!'). */
MUST_CHECK int ignore_from_patterns(struct ignore **out, const char *const *patterns,
    size_t n);
void ignore_free(struct ignore *ig);

/* The cleaned patterns, as ReadAll returns them (for tests). */
size_t ignore_count(const struct ignore *ig);
const char *ignore_pattern(const struct ignore *ig, size_t i); /* with '!' */

/*
 * Is path (slash-separated, relative to the context root, no leading "./")
 * excluded? Implements MatchesOrParentMatches: 1 excluded, 0 kept.
 */
int ignore_excluded(const struct ignore *ig, const char *path);
/*
 * While walking: may an excluded directory be skipped whole? 0 when some
 * exclusion ('!') pattern could re-include something below it.
 */
int ignore_can_skip_dir(const struct ignore *ig, const char *dir);

/*
 * A single pattern match as patternmatcher.Match (for the moby test
 * vectors): 1 match, 0 no match, -1 bad pattern (error_set).
 */
int ignore_match_one(const char *pattern, const char *path);

/*
 * ignorefile.ReadAll alone: append the patterns of text to out, '!' kept,
 * without checking them. -1 with error_set on a NUL byte or a line longer
 * than 64 KiB (bufio.Scanner's limit).
 */
MUST_CHECK int ignore_read_all(struct strv *out, const char *text, size_t len);
/* Append one pattern (as ignore_from_patterns would); 0 or -1. */
MUST_CHECK int ignore_add(struct ignore *ig, const char *pattern);
/* Lexical clean of a slash path, as Go's filepath.Clean; caller frees. */
char *ignore_clean(const char *path);
/*
 * For tests: how Pattern.compile treats the path.Clean'ed pattern:
 * "exact", "prefix", "suffix", or the Go regexp source ("^...$").
 * Caller frees; NULL with error_set when the regexp does not compile.
 */
char *ignore_describe(const char *pattern);

#endif
