/*
 * cmd.c - the command table and the helpers every command shares: usage,
 * failure, the app check, where the installed hooks and templates live.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "lib/names.h"
#include "lib/state.h"
#include "lib/util.h"

static const struct cmd_entry cmd_table[] = {
	{ "app", "app create|list|destroy [NAME] [--volumes]", cmd_app },
	{ "config", "config NAME set KEY=VALUE...|unset KEY...|list [--values]",
	    cmd_config },
	{ "deploy", "deploy NAME [REV]", cmd_deploy },
	{ "history", "history NAME [-n N] [--json] [--log ID]", cmd_history },
	{ "hook", "hook post-receive|pre-receive", cmd_hook },
	{ "key", "key add NAME --apps APP[,APP...]|--admin < KEY.pub | "
	    "key list | key remove NAME", cmd_key },
	{ "logs", "logs NAME [SERVICE] [-n N] [-f]", cmd_logs },
	{ "remote", "remote [-r REMOTE] VERB [ARGS...]", cmd_remote },
	{ "rollback", "rollback NAME [REV]", cmd_rollback },
	{ "ssh-command", "ssh-command NAME --apps APP[,APP...]|--admin",
	    cmd_ssh_command },
	{ "status", "status NAME [--json]", cmd_status },
};

void
cmd_usage_all(FILE *f)
{
	size_t i;

	fprintf(f, "usage: slipway [-c FILE] COMMAND [ARGS...]\n\ncommands:\n");
	for (i = 0; i < ARRAY_SIZE(cmd_table); i++)
		fprintf(f, "  %s\n", cmd_table[i].usage);
	fprintf(f, "\nFILE defaults to $SLIPWAY_CONFIG, then %s.\n",
	    CONFIG_DEFAULT_PATH);
}

int
cmd_usage(const struct cmd_ctx *ctx)
{
	fprintf(stderr, "usage: slipway %s\n", ctx->usage);
	return EXIT_USAGE;
}

int
cmd_fail(void)
{
	out_warn("error: %s", error_last());
	return 1;
}

int
cmd_check_app(const struct cmd_ctx *ctx, const char *app)
{
	char *repo;
	int ok;

	if (name_check_app(app) < 0)
		return -1;
	repo = state_repo_path(&ctx->cfg, app);
	ok = is_dir(repo);
	free(repo);
	return ok ? 0 : error_set("app \"%s\" does not exist", app);
}

char *
cmd_share_path(const struct cmd_ctx *ctx, const char *what)
{
	char *dir = xstrdup(ctx->self), *slash, *p;

	/* A build tree: build/slipway next to hooks/ and templates/. */
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	p = xasprintf("%s/../%s", dir, what);
	free(dir);
	if (is_dir(p))
		return p;
	free(p);
	return xasprintf("%s/%s", SLIPWAY_SHAREDIR, what);
}

char *
cmd_site_template(const struct cmd_ctx *ctx)
{
	char *dir = cmd_share_path(ctx, "templates");
	char *path = path_join(dir, "nginx-site.conf");

	free(dir);
	return path;
}

const struct cmd_entry *
cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmd_table); i++) {
		if (strcmp(cmd_table[i].name, name) == 0)
			return &cmd_table[i];
	}
	return NULL;
}
