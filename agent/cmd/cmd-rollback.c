/*
 * cmd-rollback.c - `slipway rollback APP [REV|ID]`: deploy REV (or the
 * commit of deploy ID of `history`) again, or the newest succeeded release
 * that is not the current one (chosen under the app's lock), without
 * building (images that retention removed come back from [registry] push).
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "history/history.h"
#include "pipeline/deploy.h"

int
cmd_rollback(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct deploy_opts opts = { 0 };
	const char *app = args->app;
	struct history *h = NULL;
	char *tmpl = NULL, *id_commit = NULL;
	int rc = -1;

	opts.kind = "rollback";
	opts.no_build = 1;
	opts.user = ctx->user;
	opts.site_template = tmpl = cmd_site_template(ctx);
	/* What is live comes from a finished record: end an interrupted
	 * deploy first. */
	if (deploy_recover(&ctx->cfg, app, tmpl, 1) < 0)
		goto done;
	opts.rev = cmd_arg(args, "REV");
	/* A deploy's number from `history` (a commit is 7 hex digits or
	 * more): that deploy's commit. */
	if (opts.rev != NULL && strlen(opts.rev) < 7 &&
	    strspn(opts.rev, "0123456789") == strlen(opts.rev)) {
		long id;

		if (parse_long(opts.rev, &id) < 0 ||
		    history_open(&h, ctx->cfg.state_dir) < 0)
			goto done;
		if ((id_commit = history_commit_of(h, app, id)) == NULL) {
			error_set("no deploy %ld of \"%s\" with a commit (see "
			    "`slipway history %s`)", id, app, app);
			goto done;
		}
		opts.rev = id_commit;
	}
	/* Without REV, the target is chosen under the app's lock. */
	if (opts.rev == NULL)
		opts.previous = 1;
	rc = deploy_app(&ctx->cfg, app, &opts);
done:
	free(id_commit);
	free(tmpl);
	history_close(h);
	return rc < 0 ? cmd_fail() : 0;
}
