/*
 * appops.h - what an operator decided about an app outside git, kept in
 * <state_dir>/apps/<app>/ops.json and applied by every deploy and rollback:
 * replica counts (`scale`), stopped services (`stop`/`start`) and restart
 * tokens (`restart`: a new token recreates the service's containers). And
 * live.json, what the live release runs, written by each successful deploy
 * for `ps`.
 */
#ifndef SLIPWAY_APPOPS_H
#define SLIPWAY_APPOPS_H

#include <jansson.h>

#include "lib/config.h"
#include "lib/kvlist.h"

#define APP_OPS_SCALE_MAX 100

struct app_ops {
	struct kvlist scale;   /* service -> replicas, decimal */
	struct strv stopped;   /* stopped services */
	int stopped_all;       /* the whole app is stopped */
	struct kvlist restart; /* service -> restart token */
};
#define APP_OPS_INIT { KVLIST_INIT, STRV_INIT, 0, KVLIST_INIT }

/* Load the app's ops (missing file: none). 0 or -1 with error_set. */
MUST_CHECK int app_ops_load(const struct config *cfg, const char *app,
    struct app_ops *out);
/* Replace them atomically. 0 or -1. */
MUST_CHECK int app_ops_save(const struct config *cfg, const char *app,
    const struct app_ops *ops);
void app_ops_copy(struct app_ops *dst, const struct app_ops *src);
void app_ops_dispose(struct app_ops *ops);

/* Is service stopped (by name, or the whole app)? */
int app_ops_is_stopped(const struct app_ops *ops, const char *service);
/* The replicas an operator asked for service, or -1. */
long app_ops_scale(const struct app_ops *ops, const char *service);

/*
 * Parse "SERVICE=N" (N from 0 to APP_OPS_SCALE_MAX) into *service (allocated)
 * and *n. 0 or -1 with error_set.
 */
MUST_CHECK int app_ops_parse_scale(const char *arg, char **service, long *n);

/* The live commit (<state_dir>/apps/<app>/current), or NULL (allocated). */
char *app_live_commit(const struct config *cfg, const char *app);

/* live.json: the document a successful deploy leaves for `ps` (new ref). */
MUST_CHECK int app_live_save(const struct config *cfg, const char *app, json_t *doc);
/* NULL when there is none or it cannot be read. */
json_t *app_live_load(const struct config *cfg, const char *app);

#endif
