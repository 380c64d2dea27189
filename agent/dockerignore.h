/*
 * dockerignore.h - .dockerignore patterns with the semantics of
 * moby/patternmatcher and docker/cli's ignorefile: parsing, matching (last
 * match wins, a parent directory's match counts), and the rule for skipping
 * excluded directories while walking.
 */
#ifndef SLIPWAY_DOCKERIGNORE_H
#define SLIPWAY_DOCKERIGNORE_H

#include <stddef.h>

struct ignore;

/*
 * Parse the text of a .dockerignore (as ignorefile.ReadAll). Returns 0 and a
 * new matcher in *out (possibly empty), or -1 with error_set naming the bad
 * pattern. name is used in messages (".dockerignore").
 */
int ignore_parse(struct ignore **out, const char *text, size_t len,
    const char *name);
/* Build from a list of patterns (exclusions may start with '!'). */
int ignore_from_patterns(struct ignore **out, const char *const *patterns,
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

#endif
