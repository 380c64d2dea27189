/*
 * cmd-config.c - `slipway config NAME set|unset|list`: the app's variables,
 * kept outside git with mode 0600. Values are shown only on `list --values`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "lib/names.h"
#include "lib/state.h"

#define VALUE_MAX (64u << 10)

static int
config_set(struct cmd_ctx *ctx, const char *app, int argc, char **argv,
    int unset)
{
	struct kvlist vars = KVLIST_INIT, next = KVLIST_INIT;
	size_t i;
	int k, rc = -1;

	if (appvars_load(&ctx->cfg, app, &vars) < 0)
		goto done;
	/* Validate every argument before changing anything. */
	for (k = 0; k < argc; k++) {
		char *eq = strchr(argv[k], '=');
		char *key = unset ? xstrdup(argv[k]) :
		    eq ? xstrndup(argv[k], (size_t)(eq - argv[k])) : NULL;

		if (key == NULL) {
			error_set("expected KEY=VALUE, got \"%.32s\"", argv[k]);
			goto done;
		}
		if (appvars_check_key(key) < 0 ||
		    (!unset && strlen(eq + 1) > VALUE_MAX)) {
			if (!unset && strlen(eq + 1) > VALUE_MAX)
				error_set("value of \"%s\" is longer than %u bytes",
				    key, VALUE_MAX);
			free(key);
			goto done;
		}
		if (unset && kvlist_find(&vars, key) == NULL)
			out_warn("warning: \"%s\" is not set", key);
		free(key);
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
cmd_config(struct cmd_ctx *ctx, int argc, char **argv)
{
	int rc;

	if (argc < 3)
		return cmd_usage(ctx);
	if (cmd_check_app(ctx, argv[1]) < 0)
		return cmd_fail();
	if (strcmp(argv[2], "set") == 0 && argc > 3)
		rc = config_set(ctx, argv[1], argc - 3, argv + 3, 0);
	else if (strcmp(argv[2], "unset") == 0 && argc > 3)
		rc = config_set(ctx, argv[1], argc - 3, argv + 3, 1);
	else if (strcmp(argv[2], "list") == 0 && argc == 3)
		rc = config_list(ctx, argv[1], 0);
	else if (strcmp(argv[2], "list") == 0 && argc == 4 &&
	    strcmp(argv[3], "--values") == 0)
		rc = config_list(ctx, argv[1], 1);
	else
		return cmd_usage(ctx);
	return rc < 0 ? cmd_fail() : 0;
}
