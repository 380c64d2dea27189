/*
 * cmd-deploy.c - `slipway deploy NAME [REV]`: the push path without a push.
 */
#include <string.h>

#include "cmd.h"
#include "deploy.h"
#include "names.h"

int
cmd_deploy(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct deploy_opts opts = { 0 };

	if (argc < 2 || argc > 3)
		return cmd_usage(ctx);
	opts.rev = argc == 3 ? argv[2] : NULL;
	opts.kind = "deploy";
	if (opts.rev != NULL && name_check_rev(opts.rev) < 0)
		return cmd_fail();
	if (deploy_app(&ctx->cfg, argv[1], &opts) < 0)
		return cmd_fail();
	return 0;
}
