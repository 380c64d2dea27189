/*
 * cmd-ops.h - what the day-to-day verbs (scale, restart, stop, start,
 * config) share: redeploying the live release with edited ops or variables.
 */
#ifndef SLIPWAY_CMD_OPS_H
#define SLIPWAY_CMD_OPS_H

#include "cmd/cmd.h"
#include "lib/appops.h"
#include "lib/kvlist.h"

typedef int (*cmd_edit_fn)(void *ctx, struct kvlist *vars, struct app_ops *ops);

/*
 * Under the app's lock, edit its stored variables and ops, then redeploy the
 * live release with them (no build, health-gated, rolled back on failure);
 * they are kept only when it succeeds. kind names the history row.
 */
MUST_CHECK int cmd_live_deploy(struct cmd_ctx *ctx, const char *app, const char *kind,
    cmd_edit_fn edit, void *edit_ctx);

/* Each name must be a service of the live release (when one is known). */
MUST_CHECK int cmd_check_services(struct cmd_ctx *ctx, const char *app, int n,
    char **names);

int cmd_run(struct cmd_ctx *, const struct cmd_args *);
int cmd_exec(struct cmd_ctx *, const struct cmd_args *);
int cmd_ps(struct cmd_ctx *, const struct cmd_args *);
int cmd_scale(struct cmd_ctx *, const struct cmd_args *);
int cmd_restart(struct cmd_ctx *, const struct cmd_args *);
int cmd_stop(struct cmd_ctx *, const struct cmd_args *);
int cmd_start(struct cmd_ctx *, const struct cmd_args *);

#endif
