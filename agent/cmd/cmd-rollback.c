/*
 * cmd-rollback.c - `slipway rollback APP [REV|ID]`: deploy REV (or the
 * commit of deploy ID of `history`) again, or the newest succeeded release
 * that is not the current one, without building (every image must still
 * exist).
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "history/history.h"
#include "pipeline/deploy.h"
#include "lib/state.h"

int
cmd_rollback(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct deploy_opts opts = { 0 };
	struct history *h = NULL;
	const char *app = args->app;
	char **commits = NULL, *current = NULL, *path = NULL, *dir = NULL;
	char *tmpl = NULL, *id_commit = NULL;
	struct buf b = BUF_INIT;
	size_t n = 0, i;
	int rc = -1;

	opts.kind = "rollback";
	opts.no_build = 1;
	opts.user = ctx->user;
	opts.site_template = tmpl = cmd_site_template(ctx);
	/* What is live comes from a finished record: end an interrupted
	 * deploy first. */
	if (deploy_recover(&ctx->cfg, app, tmpl, 1) < 0)
		goto done;
	opts.rev = cmd_arg(args, "REV");
	/* A deploy's number from `history` (a commit is 7 hex digits or
	 * more): that deploy's commit. */
	if (opts.rev != NULL && strlen(opts.rev) < 7 &&
	    strspn(opts.rev, "0123456789") == strlen(opts.rev)) {
		long id;

		if (parse_long(opts.rev, &id) < 0 ||
		    history_open(&h, ctx->cfg.state_dir) < 0)
			goto done;
		if ((id_commit = history_commit_of(h, app, id)) == NULL) {
			error_set("no deploy %ld of \"%s\" with a commit (see "
			    "`slipway history %s`)", id, app, app);
			goto done;
		}
		opts.rev = id_commit;
	}
	if (opts.rev == NULL) {
		dir = state_app_dir(&ctx->cfg, app);
		path = path_join(dir, "current");
		if (path_exists(path) && read_file(path, &b, 128) == 0) {
			buf_rtrim(&b);
			current = buf_detach(&b, NULL);
		}
		if (history_open(&h, ctx->cfg.state_dir) < 0 ||
		    history_succeeded_commits(h, app, 50, &commits, &n) < 0)
			goto done;
		for (i = 0; i < n && opts.rev == NULL; i++) {
			if (current == NULL || strcmp(commits[i], current) != 0)
				opts.rev = commits[i];
		}
		if (opts.rev == NULL) {
			error_set("\"%s\" has no earlier succeeded release to roll back to",
			    app);
			goto done;
		}
	}
	rc = deploy_app(&ctx->cfg, app, &opts);
done:
	free(id_commit);
	free(tmpl);
	for (i = 0; i < n; i++)
		free(commits[i]);
	free(commits);
	history_close(h);
	buf_release(&b);
	free(current);
	free(path);
	free(dir);
	return rc < 0 ? cmd_fail() : 0;
}
