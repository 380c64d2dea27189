/*
 * cmd.c - the command table (slipway's grammar, see cmd.h) and the helpers
 * every command shares: usage, failure, the app check, where the installed
 * hooks and templates live.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/cmd-ops.h"
#include "lib/names.h"
#include "lib/state.h"
#include "lib/util.h"

/*
 * The grammar. Through the SSH gateway only CMD_SSH entries exist, and a
 * CMD_ADMIN entry or form needs an --admin key; `help` lists the forms.
 */
static const struct cmd_entry cmd_table[] = {
	{ "app", "app list | app create APP | app destroy APP [--volumes]",
	    "list, create or destroy apps",
	    { { "list", 0 }, { "create APP", 0 },
	    { "destroy APP [--volumes]", CMD_NEEDS_ENGINE } },
	    CMD_SSH | CMD_ADMIN, cmd_app },
	{ "certs", "certs APP [--json] | certs APP import HOST... < PEM | "
	    "certs APP issue | certs renew [--force]",
	    "the app's TLS certificates",
	    { { "renew [--force]", CMD_ADMIN },
	    { "APP import ARG...", CMD_ADMIN | CMD_NEEDS_APP },
	    { "APP issue", CMD_ADMIN | CMD_NEEDS_APP },
	    { "APP [--json]", CMD_NEEDS_APP } },
	    CMD_SSH, cmd_certs },
	{ "config", "config APP list [--values] | set [--no-deploy] "
	    "KEY=VALUE... | unset [--no-deploy] KEY...",
	    "the app's variables; set and unset redeploy with them",
	    { { "APP list", 0 }, { "APP list --values", CMD_ADMIN },
	    { "APP set --no-deploy KEY=VALUE...", CMD_LOCKS },
	    { "APP set KEY=VALUE...", CMD_LOCKS },
	    { "APP unset --no-deploy KEY...", CMD_LOCKS },
	    { "APP unset KEY...", CMD_LOCKS } },
	    CMD_SSH | CMD_NEEDS_APP, cmd_config },
	{ "deploy", "deploy APP [REV]", "deploy the branch's tip or REV",
	    { { "APP [REV]", 0 } },
	    CMD_SSH | CMD_NEEDS_APP | CMD_LOCKS, cmd_deploy },
	{ "exec", "exec APP SERVICE ARG...",
	    "a command in a running container of the service",
	    { { "APP SERVICE ARG...", 0 } },
	    CMD_SSH | CMD_NEEDS_APP, cmd_exec },
	{ "help", "help", "the commands",
	    { { "", 0 } }, CMD_SSH | CMD_NO_CONFIG, cmd_help },
	{ "history", "history APP [-n COUNT] [--json] [--log ID]",
	    "past deploys, or one deploy's log",
	    { { "APP [-n COUNT] [--json] [--log ID]", 0 } },
	    CMD_SSH | CMD_NEEDS_APP, cmd_history },
	{ "hook", "hook post-receive|pre-receive", "run by git on a push",
	    { { "post-receive", 0 }, { "pre-receive", 0 } },
	    CMD_LOCKS, cmd_hook },
	{ "key", "key add NAME --apps APP[,APP...]|--admin < KEY.pub | "
	    "key list | key remove NAME", "the SSH keys that may push",
	    { { "list", 0 }, { "add NAME --apps APPS", 0 },
	    { "add NAME --admin", 0 }, { "remove NAME", 0 } },
	    CMD_SSH | CMD_ADMIN, cmd_key },
	{ "logs", "logs APP [SERVICE] [-n COUNT] [-f] [--since WHEN] "
	    "[--timestamps]", "what the app's containers wrote",
	    { { "APP [SERVICE] [-n COUNT] [-f] [--since WHEN] [--timestamps]",
	    0 } },
	    CMD_SSH | CMD_NEEDS_APP | CMD_NEEDS_ENGINE, cmd_logs },
	{ "ps", "ps [APP] [--json]",
	    "apps and services at a glance, or one app's containers",
	    { { "[APP] [--json]", 0 } }, CMD_SSH | CMD_ANY_KEY, cmd_ps },
	{ "pull", "pull APP", "pull the live release's images again, no deploy",
	    { { "APP", 0 } },
	    CMD_SSH | CMD_NEEDS_APP, cmd_pull },
	{ "recover", "recover APP | recover --all",
	    "finish what interrupted deploys left (run at boot)",
	    { { "--all", 0 }, { "APP", CMD_NEEDS_APP } },
	    0, cmd_recover },
	{ "remote", "remote [-r REMOTE] VERB [ARGS...]",
	    "run a command on the server of a git remote",
	    { { "-r REMOTE VERB [ARG...]", 0 }, { "VERB [ARG...]", 0 } },
	    0, cmd_remote },
	{ "restart", "restart APP [SERVICE...]",
	    "replace the containers, health-gated (web: start-first)",
	    { { "APP [SERVICE...]", 0 } },
	    CMD_SSH | CMD_NEEDS_APP | CMD_LOCKS, cmd_restart },
	{ "rollback", "rollback APP [REV]",
	    "deploy the previous release again, or REV",
	    { { "APP [REV]", 0 } },
	    CMD_SSH | CMD_NEEDS_APP | CMD_LOCKS, cmd_rollback },
	{ "run", "run APP SERVICE [ARG...]",
	    "a one-off container of the live release (a console, a migration)",
	    { { "APP SERVICE [ARG...]", 0 } },
	    CMD_SSH | CMD_NEEDS_APP, cmd_run },
	{ "scale", "scale APP SERVICE=N...",
	    "how many containers a service runs, kept across deploys",
	    { { "APP SERVICE=N...", 0 } },
	    CMD_SSH | CMD_NEEDS_APP | CMD_LOCKS, cmd_scale },
	{ "ssh-command", "ssh-command NAME --apps APP[,APP...]|--admin",
	    "the forced command of a key",
	    { { "NAME --apps APPS", 0 }, { "NAME --admin", 0 } },
	    0, cmd_ssh_command },
	{ "status", "status APP [--json]", "what runs, and its health",
	    { { "APP [--json]", 0 } },
	    CMD_SSH | CMD_NEEDS_APP | CMD_NEEDS_ENGINE, cmd_status },
	{ "start", "start APP [SERVICE...]", "start what stop stopped",
	    { { "APP [SERVICE...]", 0 } },
	    CMD_SSH | CMD_NEEDS_APP | CMD_LOCKS, cmd_start },
	{ "stop", "stop APP [SERVICE...]",
	    "stop services until start, across deploys and reboots",
	    { { "APP [SERVICE...]", 0 } },
	    CMD_SSH | CMD_NEEDS_APP | CMD_LOCKS, cmd_stop },
};

const struct cmd_entry *
cmd_entries(size_t *n)
{
	*n = ARRAY_SIZE(cmd_table);
	return cmd_table;
}

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
cmd_help(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	cmd_usage_all(stdout);
	return 0;
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

const char *
cmd_unused_hook(const struct cmd_ctx *ctx)
{
	return ctx->cfg.atomic ? "post-receive" : NULL;
}

char *
cmd_share_path(const struct cmd_ctx *ctx, const char *what)
{
	char *dir = xstrdup(ctx->self), *slash, *p;
	int up;

	/* A build tree: build/slipway (or build/san/slipway, SAN=1) below
	 * hooks/ and templates/. */
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	for (up = 1; up <= 3; up++) {
		/* ../hooks, ../../hooks (build trees), then an install under
		 * any prefix: PREFIX/bin and PREFIX/share/slipway. */
		p = xasprintf("%s/%s%s", dir, up == 1 ? "../" : up == 2 ?
		    "../../" : "../share/slipway/", what);
		if (is_dir(p)) {
			free(dir);
			return p;
		}
		free(p);
	}
	free(dir);
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
