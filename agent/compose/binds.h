/*
 * binds.h - where bind sources live. A relative bind source that the commit
 * tracks is mounted from the release tree, which no container may write
 * (policy.c: such binds are read-only); one the commit does not track lives
 * in the app's shared directory, one flat entry per path, kept across
 * deploys and rollbacks. No container can write a directory the engine walks
 * to reach a bind source, so none can redirect one (README "Security model").
 */
#ifndef SLIPWAY_BINDS_H
#define SLIPWAY_BINDS_H

#include "compose/compose.h"

/*
 * Move the sources of p's binds that lie in the release but do not exist in
 * it to entries of shared_dir ("./data/db" -> shared_dir/"data%2Fdb"), and
 * keep every relative source as written for messages. Sets p->shared_dir.
 * 0, or -1 with error_set (a symlink to nothing in the release).
 */
int binds_share(struct compose_project *p, const char *shared_dir);

/* The entry name of relative path rel ("data/db" -> "data%2Fdb"). Allocated. */
char *binds_shared_name(const char *rel);

/*
 * Right before a container of s is created: create its shared entries
 * (directories, never through a symlink) and check again that each release
 * source resolves beneath the release (openat2 RESOLVE_BENEATH). 0 or -1.
 */
int binds_verify(const struct compose_project *p,
    const struct compose_service *s);

#endif
