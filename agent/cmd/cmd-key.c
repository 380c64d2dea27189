/*
 * cmd-key.c - `slipway key add NAME --apps a,b|--admin`, `key list` and
 * `key remove NAME`: the SSH keys that may push and run commands. The
 * authorized_keys file is read and rewritten by the gateway (keys.c).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "gateway/gateway.h"

static const char *
keys_path(struct cmd_ctx *ctx)
{
	const char *path = config_authorized_keys(&ctx->cfg);

	if (path == NULL)
		error_set("no authorized_keys file: there is no user \"git\"; "
		    "set [ssh] authorized_keys");
	return path;
}

static int
key_add(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct gateway_grant grant = GATEWAY_GRANT_INIT;
	struct gateway_key key = { NULL, NULL, NULL };
	const char *path, *name = cmd_arg(args, "NAME");
	char *line = NULL, *grant_text = NULL;
	size_t i;
	int rc = -1;

	if (cmd_has(args, "--admin"))
		grant.admin = 1;
	else if (gateway_grant_parse(&grant, 2, (char *[]){ "--apps",
	    (char *)cmd_arg(args, "APPS") }) < 0)
		goto done;
	if ((path = keys_path(ctx)) == NULL ||
	    gateway_key_read(STDIN_FILENO, &key) < 0)
		goto done;
	line = gateway_key_line(ctx->self, ctx->cfg.path, name, &grant, &key);
	if (line == NULL || gateway_keys_add(path, name, &key, line) < 0)
		goto done;
	grant_text = gateway_grant_format(&grant);
	out_info("added key \"%s\" (%s, %s) to %s", name, key.type, grant_text,
	    path);
	/* A typo in --apps would give a key that silently reaches nothing. */
	for (i = 0; i < grant.apps.n; i++) {
		if (cmd_check_app(ctx, grant.apps.v[i]) < 0)
			out_warn("warning: app \"%s\" does not exist (yet): "
			    "the key reaches it only once \"app create %s\" "
			    "makes it", grant.apps.v[i], grant.apps.v[i]);
	}
	error_clear();
	rc = 0;
done:
	free(grant_text);
	free(line);
	gateway_key_dispose(&key);
	gateway_grant_dispose(&grant);
	return rc;
}

static int
key_list(struct cmd_ctx *ctx)
{
	struct gateway_entry *e = NULL;
	const char *path;
	size_t n = 0, i;

	if ((path = keys_path(ctx)) == NULL ||
	    gateway_keys_list(path, &e, &n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		char *grant = gateway_grant_format(&e[i].grant);

		out_info("%-16s %-24s %-20s%s%s", e[i].name, grant,
		    e[i].key.type, e[i].key.comment ? "  " : "",
		    e[i].key.comment ? e[i].key.comment : "");
		free(grant);
	}
	gateway_entries_free(e, n);
	return 0;
}

static int
key_remove(struct cmd_ctx *ctx, const char *name)
{
	const char *path;

	if ((path = keys_path(ctx)) == NULL ||
	    gateway_keys_remove(path, name) < 0)
		return -1;
	out_info("removed key \"%s\"", name);
	return 0;
}

int
cmd_key(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	int rc;

	if (cmd_has(args, "add"))
		rc = key_add(ctx, args);
	else if (cmd_has(args, "remove"))
		rc = key_remove(ctx, cmd_arg(args, "NAME"));
	else
		rc = key_list(ctx);
	return rc < 0 ? cmd_fail() : 0;
}
