/*
 * buildctx.h - a service's build context as the engine gets it, and its build
 * key. The context is read from the commit's tree (git's objects) when it is
 * a directory the commit tracks, so nothing of it needs to be on disk and
 * .dockerignore prunes the walk before any file is read; otherwise (a
 * symlinked or outside context) it is read from the release directory.
 */
#ifndef SLIPWAY_BUILDCTX_H
#define SLIPWAY_BUILDCTX_H

#include "lib/util.h"

struct buildctx;
struct compose_build;
struct tarctx;

/*
 * Open the context of build b for commit of the repository at repo, whose
 * release directory is release_dir (b->context is absolute, usually inside
 * it). Keeps b. 0 or -1 with error_set.
 */
MUST_CHECK int buildctx_open(struct buildctx **out, const char *repo, int from_env,
    const char *commit, const char *release_dir,
    const struct compose_build *b);
/* The tar stream of the context (owned by bc). */
struct tarctx *buildctx_tar(struct buildctx *bc);
/* Whether the context comes from git's objects (1) or the disk (0). */
int buildctx_from_git(const struct buildctx *bc);
/*
 * The build key (41 bytes, hex): a content hash of every path, mode and blob
 * id sent, the Dockerfile path, the target and the build args. Equal keys
 * mean the engine would get the same context and instructions. 1 (no key)
 * for a context read from the disk; -1 with error_set.
 */
MUST_CHECK int buildctx_key(const struct buildctx *bc, char key[41]);
void buildctx_free(struct buildctx *bc);

#endif
