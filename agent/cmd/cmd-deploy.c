/*
 * cmd-deploy.c - `slipway deploy APP [REV]`: the push path without a push.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "pipeline/deploy.h"

int
cmd_deploy(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct deploy_opts opts = { 0 };
	char *tmpl;
	int rc;

	opts.rev = cmd_arg(args, "REV");
	opts.kind = "deploy";
	opts.user = ctx->user;
	opts.site_template = tmpl = cmd_site_template(ctx);
	rc = deploy_app(&ctx->cfg, args->app, &opts);
	free(tmpl);
	return rc < 0 ? cmd_fail() : 0;
}
