/*
 * cmd-config.c - `slipway config NAME set|unset|list`: the app's variables,
 * kept outside git with mode 0600. Values are shown only on `list --values`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "lib/names.h"
#include "lib/state.h"

static void
say_waiting(void *ctx)
{
	(void)ctx;
	out_info("waiting for the deploy of this app to finish...");
}

/* argv: KEY=VALUE words (set) or KEY words (unset), checked by args.c. */
static int
config_set(struct cmd_ctx *ctx, const char *app, int argc, char **argv,
    int unset)
{
	struct kvlist vars = KVLIST_INIT, next = KVLIST_INIT;
	size_t i;
	int k, lock = -1, rc = -1;

	/* Read-modify-write under the app's lock: two admins lose nothing. */
	if ((lock = state_lock(&ctx->cfg, app, say_waiting, NULL)) < 0)
		goto done;
	if (appvars_load(&ctx->cfg, app, &vars) < 0)
		goto done;
	for (k = 0; unset && k < argc; k++) {
		if (kvlist_find(&vars, argv[k]) == NULL)
			out_warn("warning: \"%s\" is not set", argv[k]);
	}
	for (i = 0; i < vars.n; i++) {
		int drop = 0;

		for (k = 0; unset && k < argc; k++)
			drop |= strcmp(argv[k], vars.v[i].key) == 0;
		if (!drop)
			kvlist_set(&next, vars.v[i].key, vars.v[i].value);
	}
	for (k = 0; !unset && k < argc; k++) {
		char *eq = strchr(argv[k], '='), *key;

		key = xstrndup(argv[k], (size_t)(eq - argv[k]));
		kvlist_set(&next, key, eq + 1);
		free(key);
	}
	if (appvars_save(&ctx->cfg, app, &next) < 0)
		goto done;
	for (k = 0; k < argc; k++) {
		char *eq = strchr(argv[k], '=');

		out_info("%s %.*s", unset ? "unset" : "set",
		    eq && !unset ? (int)(eq - argv[k]) : (int)strlen(argv[k]),
		    argv[k]);
	}
	out_info("the change takes effect at the next deploy");
	rc = 0;
done:
	if (lock >= 0)
		close(lock);
	kvlist_clear(&vars);
	kvlist_clear(&next);
	return rc;
}

static int
config_list(struct cmd_ctx *ctx, const char *app, int values)
{
	struct kvlist vars = KVLIST_INIT;
	size_t i;

	if (appvars_load(&ctx->cfg, app, &vars) < 0)
		return -1;
	for (i = 0; i < vars.n; i++) {
		/* Not through out_info(): it would redact the very values asked for. */
		if (values)
			printf("%s=%s\n", vars.v[i].key, vars.v[i].value);
		else
			printf("%s\n", vars.v[i].key);
	}
	kvlist_clear(&vars);
	return 0;
}

int
cmd_config(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	char **words;
	int n, rc;

	if (cmd_has(args, "set")) {
		words = cmd_arg_list(args, "KEY=VALUE", &n);
		rc = config_set(ctx, args->app, n, words, 0);
	} else if (cmd_has(args, "unset")) {
		words = cmd_arg_list(args, "KEY", &n);
		rc = config_set(ctx, args->app, n, words, 1);
	} else
		rc = config_list(ctx, args->app, cmd_has(args, "--values"));
	return rc < 0 ? cmd_fail() : 0;
}
