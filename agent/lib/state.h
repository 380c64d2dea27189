/*
 * state.h - what slipway keeps per app under state_dir, outside git:
 *   apps/<app>/env.json      config variables (mode 0600)
 *   apps/<app>/releases/<sha> one checkout per deployed commit
 *   apps/<app>/lock          the deploy lock (flock: dies with its process)
 *   apps/<app>/shared/<path>  untracked bind sources, kept across releases
 *   history.db               every deploy attempt (SQLite)
 *   hosts.json, hosts.lock   which app serves which http host
 */
#ifndef SLIPWAY_STATE_H
#define SLIPWAY_STATE_H

#include "lib/kvlist.h"
#include "lib/config.h"
#include "lib/util.h"

char *state_app_dir(const struct config *cfg, const char *app);
char *state_release_dir(const struct config *cfg, const char *app,
    const char *commit);
char *state_repo_path(const struct config *cfg, const char *app);

/* Config variable names: [A-Za-z_][A-Za-z0-9_]*. 0 or -1. */
MUST_CHECK int appvars_check_key(const char *key);
/* Load the app's variables (missing file: none). 0 or -1. */
MUST_CHECK int appvars_load(const struct config *cfg, const char *app, struct kvlist *out);
/* Replace the app's variables atomically, mode 0600. */
MUST_CHECK int appvars_save(const struct config *cfg, const char *app,
    const struct kvlist *vars);

/*
 * Take the app's deploy lock. When another process holds it, call waiting(ctx)
 * once, then block. Returns the lock's fd (close it to release) or -1.
 */
MUST_CHECK int state_lock(const struct config *cfg, const char *app,
    void (*waiting)(void *ctx), void *ctx);
/* state_trylock()'s answer when another process holds the lock. */
#define STATE_LOCK_HELD (-2)
/* Try only: fd, or STATE_LOCK_HELD (no error set), -1 on error. */
MUST_CHECK int state_trylock(const struct config *cfg, const char *app);

/* The apps (repositories in repos_dir), sorted, appended to out. */
void state_app_names(const struct config *cfg, struct strv *out);

/*
 * Claim the http hosts for app, server-wide (<state_dir>/hosts.json, under
 * a lock): -1 with an error naming the owner when another app holds one of
 * them, or a wildcard covering it, or a name its wildcard would cover.
 * replace: app's other claims are dropped (the release is live); else they
 * are kept beside the new ones. An empty list with replace drops them all.
 */
int state_claim_hosts(const struct config *cfg, const char *app,
    const struct strv *hosts, int replace);
/* Does nginx server_name claim (exact, *.x, .x or x.*) cover host? */
int state_host_covers(const char *claim, const char *host);
/*
 * After a failed write under dir (state_dir or below): when its device is
 * full (err is ENOSPC or almost nothing is free), error_set "no space left on
 * the device of state_dir (<dir>, N KiB free)" and return 1; else 0.
 */
int state_no_space(const char *dir, int err);

#endif
