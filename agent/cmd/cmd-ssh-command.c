/*
 * cmd-ssh-command.c - `slipway ssh-command NAME GRANT`, the forced command of
 * every key `slipway key add` writes. sshd runs it whatever the client asked
 * for and puts the request in SSH_ORIGINAL_COMMAND, which is split by the
 * gateway (gateway_split), checked against the command table (the same
 * grammar and argument parser as main's) and against the key's grant; then
 * git-receive-pack / git-upload-pack or this binary is executed with an
 * argument vector. No shell ever sees the client's words. A refusal is one
 * line on stderr and exit status 1, and nothing runs. `help` lists what the
 * key may run; so does a login without a command, before its refusal. The
 * key name becomes SLIPWAY_USER, which the deploy history records.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "gateway/gateway.h"
#include "lib/state.h"

/* "app, config, ..., status": the verbs a client may send. */
static char *
ssh_verbs(void)
{
	const struct cmd_entry *t;
	struct buf b = BUF_INIT;
	size_t n, i;

	t = cmd_entries(&n);
	for (i = 0; i < n; i++) {
		if (t[i].flags & CMD_SSH)
			buf_addf(&b, "%s%s", b.len ? ", " : "", t[i].name);
	}
	return buf_detach(&b, NULL);
}

int
cmd_ssh_parse(const char *line, const char *repos_dir, struct gateway_cmd *cmd)
{
	const struct cmd_entry *entry;
	struct cmd_args args;
	struct strv w = STRV_INIT;
	char tmp[SHOWN_MAX + 4], *verbs;
	size_t i;
	int rc = -1;

	memset(cmd, 0, sizeof *cmd);
	memset(&args, 0, sizeof args);
	if (gateway_split(line, &w) < 0)
		goto done;
	if (w.n == 0) {
		verbs = ssh_verbs();
		error_set("empty command: push with git, or run one of %s",
		    verbs);
		free(verbs);
		goto done;
	}
	if (gateway_is_git(w.v[0])) {
		if ((rc = gateway_parse_git(w.v, w.n, repos_dir, cmd)) < 0)
			gateway_cmd_dispose(cmd);
		goto done;
	}
	entry = cmd_find(w.v[0]);
	if (entry == NULL || !(entry->flags & CMD_SSH)) {
		error_set("unknown command \"%s\"", shown(w.v[0], tmp));
		goto done;
	}
	if (cmd_args_parse(entry, (int)w.n, w.v, &args) < 0)
		goto done;
	cmd->kind = strcmp(entry->name, "help") == 0 ? GATEWAY_HELP :
	    GATEWAY_VERB;
	cmd->admin_only = (args.flags & CMD_ADMIN) != 0;
	cmd->any_key = (args.flags & CMD_ANY_KEY) != 0;
	cmd->app = args.app != NULL ? xstrdup(args.app) : NULL;
	for (i = 0; i < w.n; i++)
		strv_push(&cmd->argv, w.v[i]);
	rc = 0;
done:
	cmd_args_dispose(&args);
	strv_clear(&w);
	return rc;
}

void
cmd_ssh_help(FILE *f, const struct gateway_grant *g)
{
	const struct cmd_entry *t;
	size_t n, i, k;
	int form;

	if (g->admin)
		fprintf(f, "this key may use every app and run:\n");
	else {
		fprintf(f, "this key may use the app%s ",
		    g->apps.n == 1 ? "" : "s");
		for (k = 0; k < g->apps.n; k++)
			fprintf(f, "%s%s", k ? ", " : "", g->apps.v[k]);
		fprintf(f, " and run:\n");
	}
	fprintf(f, "  %-46s %s\n", "git push / git fetch", "git@HOST:APP.git");
	t = cmd_entries(&n);
	for (i = 0; i < n; i++) {
		const char *summary = t[i].summary;

		if (!(t[i].flags & CMD_SSH))
			continue;
		for (form = 0; form < CMD_FORMS_MAX &&
		    t[i].forms[form].args != NULL; form++) {
			const struct cmd_form *fm = &t[i].forms[form];
			char *line;

			if (!g->admin &&
			    ((t[i].flags | fm->flags) & CMD_ADMIN))
				continue;
			line = xasprintf("%s%s%s", t[i].name,
			    *fm->args != '\0' ? " " : "", fm->args);
			fprintf(f, "  %-46s %s\n", line, summary);
			summary = "";
			free(line);
		}
	}
}

int
cmd_ssh_command(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct gateway_grant grant = GATEWAY_GRANT_INIT;
	struct gateway_cmd cmd;
	struct strv words = STRV_INIT, argv = STRV_INIT;
	const char *line = getenv("SSH_ORIGINAL_COMMAND");
	const char *name = cmd_arg(args, "NAME");
	char *repo = NULL;
	size_t i;

	memset(&cmd, 0, sizeof cmd);
	if (cmd_has(args, "--admin"))
		grant.admin = 1;
	else if (gateway_grant_parse(&grant, 2, (char *[]){ "--apps",
	    (char *)cmd_arg(args, "APPS") }) < 0) {
		error_set("broken authorized_keys line: %s", error_last());
		goto refuse;
	}
	if (line == NULL ||
	    (gateway_split(line, &words) == 0 && words.n == 0)) {
		/* A login without a command: say what the key may do. */
		cmd_ssh_help(stdout, &grant);
		fflush(stdout);
		error_set("key \"%s\": no interactive logins; push with git "
		    "or run one of the commands above", name);
		goto refuse;
	}
	if (cmd_ssh_parse(line, ctx->cfg.repos_dir, &cmd) < 0 ||
	    gateway_permit(&grant, &cmd) < 0) {
		error_set("key \"%s\": %s", name, error_last());
		goto refuse;
	}
	if (cmd.kind == GATEWAY_HELP) {
		cmd_ssh_help(stdout, &grant);
		strv_clear(&words);
		gateway_cmd_dispose(&cmd);
		gateway_grant_dispose(&grant);
		return 0;
	}
	if (setenv("SLIPWAY_USER", name, 1) < 0) {
		error_set("cannot set SLIPWAY_USER: %s", strerror(errno));
		goto refuse;
	}
	/* What `ps` without an app may show: the key's apps, or all. */
	if (grant.admin)
		unsetenv("SLIPWAY_APPS");
	else {
		struct buf apps = BUF_INIT;

		for (i = 0; i < grant.apps.n; i++)
			buf_addf(&apps, "%s%s", i ? "," : "", grant.apps.v[i]);
		if (setenv("SLIPWAY_APPS", apps.buf, 1) < 0) {
			buf_release(&apps);
			error_set("cannot set SLIPWAY_APPS: %s", strerror(errno));
			goto refuse;
		}
		buf_release(&apps);
	}
	if (cmd.kind == GATEWAY_GIT) {
		repo = state_repo_path(&ctx->cfg, cmd.app);
		if (!is_dir(repo)) {
			error_set("app \"%s\" does not exist", cmd.app);
			goto refuse;
		}
		if (cmd.argv.n == 0) {	/* never: the parser fills it */
			error_set("no git command to run");
			goto refuse;
		}
		signals_reset();
		execvp(cmd.argv.v[0], cmd.argv.v);
		error_set("cannot run \"%s\": %s", cmd.argv.v[0],
		    strerror(errno));
		goto refuse;
	}
	strv_push(&argv, ctx->self);
	if (ctx->cfg.path != NULL) {
		strv_push(&argv, "-c");
		strv_push(&argv, ctx->cfg.path);
	}
	for (i = 0; i < cmd.argv.n; i++)
		strv_push(&argv, cmd.argv.v[i]);
	signals_reset();
	execv(ctx->self, argv.v);
	error_set("cannot run \"%s\": %s", ctx->self, strerror(errno));
refuse:
	strv_clear(&argv);
	strv_clear(&words);
	free(repo);
	gateway_cmd_dispose(&cmd);
	gateway_grant_dispose(&grant);
	return cmd_fail();
}
