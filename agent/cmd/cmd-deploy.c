/*
 * cmd-deploy.c - `slipway deploy NAME [REV]`: the push path without a push.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "pipeline/deploy.h"
#include "lib/names.h"

int
cmd_deploy(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct deploy_opts opts = { 0 };
	char *tmpl;
	int rc;

	if (argc < 2 || argc > 3)
		return cmd_usage(ctx);
	opts.rev = argc == 3 ? argv[2] : NULL;
	opts.kind = "deploy";
	if (opts.rev != NULL && name_check_rev(opts.rev) < 0)
		return cmd_fail();
	opts.site_template = tmpl = cmd_site_template(ctx);
	rc = deploy_app(&ctx->cfg, argv[1], &opts);
	free(tmpl);
	return rc < 0 ? cmd_fail() : 0;
}
