/*
 * cmd-ssh-command.c - `slipway ssh-command NAME GRANT`, the forced command of
 * every key `slipway key add` writes. sshd runs it whatever the client asked
 * for and puts the request in SSH_ORIGINAL_COMMAND, which is parsed here
 * (gateway.h) and checked against the key's grant; then git-receive-pack /
 * git-upload-pack or this binary is executed with an argument vector. No
 * shell ever sees the client's words. A refusal is one line on stderr and
 * exit status 1, and nothing runs. The key name becomes SLIPWAY_USER, which
 * the deploy history records.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "gateway/gateway.h"
#include "lib/state.h"

int
cmd_ssh_command(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct gateway_grant grant = GATEWAY_GRANT_INIT;
	struct gateway_cmd cmd;
	struct strv args = STRV_INIT;
	const char *line = getenv("SSH_ORIGINAL_COMMAND"), *name;
	char *repo = NULL;
	size_t i;

	memset(&cmd, 0, sizeof cmd);
	if (argc < 3)
		return cmd_usage(ctx);
	name = argv[1];
	if (gateway_check_key_name(name) < 0 ||
	    gateway_grant_parse(&grant, argc - 2, argv + 2) < 0) {
		error_set("broken authorized_keys line: %s", error_last());
		goto refuse;
	}
	if (line == NULL) {
		error_set("key \"%s\": no interactive logins; push with git "
		    "or run a slipway command", name);
		goto refuse;
	}
	if (gateway_parse(line, ctx->cfg.repos_dir, &cmd) < 0 ||
	    gateway_permit(&grant, &cmd) < 0) {
		error_set("key \"%s\": %s", name, error_last());
		goto refuse;
	}
	if (setenv("SLIPWAY_USER", name, 1) < 0) {
		error_set("cannot set SLIPWAY_USER: %s", strerror(errno));
		goto refuse;
	}
	if (cmd.kind == GATEWAY_GIT) {
		repo = state_repo_path(&ctx->cfg, cmd.app);
		if (!is_dir(repo)) {
			error_set("app \"%s\" does not exist", cmd.app);
			goto refuse;
		}
		execvp(cmd.argv.v[0], cmd.argv.v);
		error_set("cannot run \"%s\": %s", cmd.argv.v[0],
		    strerror(errno));
		goto refuse;
	}
	strv_push(&args, ctx->self);
	if (ctx->cfg.path != NULL) {
		strv_push(&args, "-c");
		strv_push(&args, ctx->cfg.path);
	}
	for (i = 0; i < cmd.argv.n; i++)
		strv_push(&args, cmd.argv.v[i]);
	execv(ctx->self, args.v);
	error_set("cannot run \"%s\": %s", ctx->self, strerror(errno));
refuse:
	strv_clear(&args);
	free(repo);
	gateway_cmd_dispose(&cmd);
	gateway_grant_dispose(&grant);
	return cmd_fail();
}
