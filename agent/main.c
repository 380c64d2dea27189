/*
 * main.c - slipway's entry point: global options, the command table, and the
 * setup every command shares (configuration, signals).
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "names.h"
#include "state.h"
#include "repo.h"
#include "util.h"

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

static void
usage_all(FILE *f)
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
	warn("error: %s", error_last());
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

static char *
self_path(const char *argv0)
{
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);

	if (n > 0) {
		path[n] = '\0';
		return xstrdup(path);
	}
	return xstrdup(argv0);
}

int
main(int argc, char **argv)
{
	struct cmd_ctx ctx;
	const char *config_path = NULL;
	const struct cmd_entry *entry = NULL;
	char *self;
	size_t i;
	int rc;

	memset(&ctx, 0, sizeof ctx);
	/* A vanished pusher must not kill a deploy half-way: write errors are
	 * ignored and the work goes on. */
	signal(SIGPIPE, SIG_IGN);

	argv++, argc--;
	while (argc > 0 && argv[0][0] == '-') {
		if (strcmp(argv[0], "-c") == 0 && argc > 1) {
			config_path = argv[1];
			argv += 2, argc -= 2;
		} else if (strcmp(argv[0], "-h") == 0 ||
		    strcmp(argv[0], "--help") == 0) {
			usage_all(stdout);
			return 0;
		} else {
			usage_all(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc == 0) {
		usage_all(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < ARRAY_SIZE(cmd_table); i++) {
		if (strcmp(cmd_table[i].name, argv[0]) == 0)
			entry = &cmd_table[i];
	}
	if (entry == NULL) {
		fprintf(stderr, "error: unknown command \"%s\"\n", argv[0]);
		usage_all(stderr);
		return EXIT_USAGE;
	}
	if (config_load(&ctx.cfg, config_path) < 0) {
		rc = cmd_fail();
		config_dispose(&ctx.cfg);
		return rc;
	}
	self = self_path(argv[0]);
	ctx.self = self;
	ctx.name = entry->name;
	ctx.usage = entry->usage;
	rc = entry->exec(&ctx, argc, argv);
	free(self);
	config_dispose(&ctx.cfg);
	out_redact_clear();
	error_clear();
	repo_shutdown();
	return rc;
}
