/*
 * cmd-config.c - `slipway config NAME set|unset|list`: the app's variables,
 * kept outside git with mode 0600. Values are shown only on `list --values`.
 * set and unset redeploy the live release with the new values (no build,
 * health-gated, rolled back and not kept on failure) unless --no-deploy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd-ops.h"
#include "lib/names.h"
#include "lib/state.h"

static void
say_waiting(void *ctx)
{
	(void)ctx;
	out_info("waiting for the deploy of this app to finish...");
}

/* argv: KEY=VALUE words (set) or KEY words (unset), checked by args.c. */
struct config_edit {
	int argc;
	char **argv;
	int unset;
};

/* The edit: set or unset the words in vars. */
static int
config_edit(void *arg, struct kvlist *vars, struct app_ops *ops)
{
	const struct config_edit *c = arg;
	struct kvlist next = KVLIST_INIT;
	size_t i;
	int k;

	(void)ops;
	for (k = 0; c->unset && k < c->argc; k++) {
		if (kvlist_find(vars, c->argv[k]) == NULL)
			out_warn("warning: \"%s\" is not set", c->argv[k]);
	}
	for (i = 0; i < vars->n; i++) {
		int drop = 0;

		for (k = 0; c->unset && k < c->argc; k++)
			drop |= strcmp(c->argv[k], vars->v[i].key) == 0;
		if (!drop)
			kvlist_set(&next, vars->v[i].key, vars->v[i].value);
	}
	for (k = 0; !c->unset && k < c->argc; k++) {
		char *eq = strchr(c->argv[k], '='), *key;

		key = xstrndup(c->argv[k], (size_t)(eq - c->argv[k]));
		kvlist_set(&next, key, eq + 1);
		free(key);
	}
	for (k = 0; k < c->argc; k++) {
		char *eq = strchr(c->argv[k], '=');

		out_info("%s %.*s", c->unset ? "unset" : "set",
		    eq && !c->unset ? (int)(eq - c->argv[k]) :
		    (int)strlen(c->argv[k]), c->argv[k]);
	}
	kvlist_clear(vars);
	*vars = next;
	return 0;
}

/*
 * Set or unset variables. By default the live release is redeployed with
 * them; no_deploy only stores them, under the app's lock.
 */
static int
config_set(struct cmd_ctx *ctx, const char *app, int argc, char **argv,
    int unset, int no_deploy)
{
	struct config_edit c = { argc, argv, unset };
	struct kvlist vars = KVLIST_INIT;
	int lock = -1, rc = -1;

	if (!no_deploy)
		return cmd_live_deploy(ctx, app, "config", config_edit, &c);
	/* Read-modify-write under the app's lock: two admins lose nothing. */
	if ((lock = state_lock(&ctx->cfg, app, say_waiting, NULL)) < 0)
		goto done;
	if (appvars_load(&ctx->cfg, app, &vars) < 0 ||
	    config_edit(&c, &vars, NULL) < 0 ||
	    appvars_save(&ctx->cfg, app, &vars) < 0)
		goto done;
	out_info("the change takes effect at the next deploy");
	rc = 0;
done:
	if (lock >= 0)
		close(lock);
	kvlist_clear(&vars);
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
	int no_deploy = cmd_has(args, "--no-deploy");
	char **words;
	int n, rc;

	if (cmd_has(args, "set")) {
		words = cmd_arg_list(args, "KEY=VALUE", &n);
		rc = config_set(ctx, args->app, n, words, 0, no_deploy);
	} else if (cmd_has(args, "unset")) {
		words = cmd_arg_list(args, "KEY", &n);
		rc = config_set(ctx, args->app, n, words, 1, no_deploy);
	} else
		rc = config_list(ctx, args->app, cmd_has(args, "--values"));
	return rc < 0 ? cmd_fail() : 0;
}
