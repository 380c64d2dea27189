/*
 * cmd-rollback.c - `slipway rollback APP [REV]`: deploy REV again, or the
 * newest succeeded release that is not the current one (chosen under the
 * app's lock), without building (images that retention removed come back
 * from [registry] push).
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "pipeline/deploy.h"

int
cmd_rollback(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct deploy_opts opts = { 0 };
	const char *app = args->app;
	char *tmpl = NULL;
	int rc = -1;

	opts.kind = "rollback";
	opts.no_build = 1;
	opts.user = ctx->user;
	opts.site_template = tmpl = cmd_site_template(ctx);
	/* What is live comes from a finished record: end an interrupted
	 * deploy first. */
	if (deploy_recover(&ctx->cfg, app, tmpl, 1) < 0)
		goto done;
	/* Without REV, the target is chosen under the app's lock. */
	if ((opts.rev = cmd_arg(args, "REV")) == NULL)
		opts.previous = 1;
	rc = deploy_app(&ctx->cfg, app, &opts);
done:
	free(tmpl);
	return rc < 0 ? cmd_fail() : 0;
}
