/*
 * dockerfile.h - which images a Dockerfile reads, so that a build can be
 * refused before it starts when one of them is another app's: the FROM
 * lines, the --from= of COPY and ADD and the from= of RUN --mount (ONBUILD
 * ones too) that name no earlier stage, with the global ARGs substituted,
 * read with BuildKit's rules for blanks and a byte-order mark.
 */
#ifndef SLIPWAY_DOCKERFILE_H
#define SLIPWAY_DOCKERFILE_H

#include "lib/kvlist.h"
#include "lib/util.h"

/*
 * Append to out every image reference text reads, as BuildKit would see
 * it: build args (args) beat ARG defaults given before the first FROM. A
 * reference that still holds a '$' could not be worked out (the caller
 * refuses it). "scratch" and stage names or numbers are left out. Into
 * maybe (unless NULL), what only another builder's reading of the text finds
 * (the classic builder's, one without heredocs, another escape character or
 * line continuation): words that may be no reference at all, but that must
 * not name another app's image either.
 */
void dockerfile_images(const char *text, const struct kvlist *args,
    struct strv *out, struct strv *maybe);

/*
 * The frontend image a "syntax" parser directive at the top of text names
 * (allocated), or NULL. Read as BuildKit finds it: before the first
 * instruction, '#' or '//' comments, any case, blanks around '='.
 */
char *dockerfile_syntax(const char *text);
/*
 * Is ref Docker's own Dockerfile frontend (docker/dockerfile or
 * docker/dockerfile-upstream, any tag or digest)? Another frontend image
 * turns the build into LLB of its own making, which may read any image on
 * the host.
 */
int dockerfile_frontend_trusted(const char *ref);

#endif
