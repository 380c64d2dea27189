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

/* How binds_share() tells tracked paths and finds data to adopt. */
struct binds_opts {
	const char *shared_dir;
	/* 1 when rel (relative to the release) is in the commit, 0 when
	 * not, 2 when it is a directory the commit holds only placeholder
	 * files of (.gitkeep): data, as a path not in the commit; -1 on
	 * error. NULL: whatever exists in the release counts. */
	int (*tracked)(void *ctx, const char *rel);
	void *ctx;
	/* Release directories (the live one first) whose real directory at
	 * an untracked path is moved into the shared directory when that has
	 * no entry yet: data left by versions that kept it in the release. */
	const char *adopt[2];
};

/*
 * Move the sources of p's binds that lie in the release but are not in the
 * commit (or are directories it keeps with a .gitkeep) to entries of
 * o->shared_dir ("./data/db" -> "data%2Fdb"), and keep
 * every relative source as written for messages. Sets p->shared_dir. 0, or
 * -1 with error_set (a symlink to nothing in the release).
 */
int binds_share_opts(struct compose_project *p, const struct binds_opts *o);
/* binds_share_opts() with only the shared directory. */
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
