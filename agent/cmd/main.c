/*
 * main.c - slipway's entry point: global options, then the command from the
 * table in cmd.c: its words parsed by the entry's template, then the setup
 * the entry's flags ask for (configuration, the app check, the engine).
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "engine/engine.h"
#include "repo/repo.h"
#include "lib/json.h"
#include "lib/util.h"

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
	struct cmd_args args;
	const char *config_path = NULL;
	const struct cmd_entry *entry = NULL;
	char *self = NULL;
	int rc;

	memset(&ctx, 0, sizeof ctx);
	memset(&args, 0, sizeof args);
	jsonx_alloc_init();
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
			cmd_usage_all(stdout);
			return 0;
		} else {
			cmd_usage_all(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc == 0) {
		cmd_usage_all(stderr);
		return EXIT_USAGE;
	}
	entry = cmd_find(argv[0]);
	if (entry == NULL) {
		fprintf(stderr, "error: unknown command \"%s\"\n", argv[0]);
		cmd_usage_all(stderr);
		return EXIT_USAGE;
	}
	ctx.name = entry->name;
	ctx.usage = entry->usage;
	if ((rc = cmd_args_parse(entry, argc, argv, &args)) < 0) {
		rc = rc == CMD_ARGS_USAGE ? cmd_usage(&ctx) : cmd_fail();
		goto done;
	}
	/* A deploy opens the app's repository: libgit2's start-up (a thread,
	 * see repo_preload) overlaps the configuration's too. libcurl's
	 * first: both libraries initialise libssh2, which is not safe from
	 * two threads at once. */
	if (args.flags & CMD_LOCKS) {
		engine_preload();
		repo_preload();
	}
	if (config_path == NULL && (config_path = getenv("SLIPWAY_CONFIG")) != NULL &&
	    *config_path == '\0')
		config_path = NULL;
	if (!(args.flags & CMD_NO_CONFIG) &&
	    config_load(&ctx.cfg, config_path) < 0) {
		rc = cmd_fail();
		goto done;
	}
	self = self_path(argv[0]);
	ctx.self = self;
	ctx.user = getenv("SLIPWAY_USER");
	if (((args.flags & CMD_NEEDS_APP) &&
	    cmd_check_app(&ctx, args.app) < 0) ||
	    ((args.flags & CMD_NEEDS_ENGINE) &&
	    engine_open(&ctx.engine, ctx.cfg.docker_host) < 0)) {
		rc = cmd_fail();
		goto done;
	}
	rc = entry->exec(&ctx, &args);
done:
	engine_free(ctx.engine);
	cmd_args_dispose(&args);
	free(self);
	config_dispose(&ctx.cfg);
	out_redact_clear();
	error_clear();
	repo_shutdown();
	return rc;
}
