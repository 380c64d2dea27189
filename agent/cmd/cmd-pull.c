/*
 * cmd-pull.c - `slipway pull APP`: refresh the images of the live release's
 * image-only services from their registries without deploying; the next
 * deploy runs them.
 */
#include "cmd/cmd.h"
#include "pipeline/registry.h"

int
cmd_pull(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return registry_pull_app(&ctx->cfg, args->app) < 0 ? cmd_fail() : 0;
}
