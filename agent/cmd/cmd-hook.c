/*
 * cmd-hook.c - `slipway hook post-receive|pre-receive`, run by the app
 * repository's hooks with the repository as the working directory. Reads git's
 * "old new ref" lines and deploys when the deploy branch moved.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "pipeline/deploy.h"
#include "lib/names.h"
#include "lib/state.h"
#include "repo/repo.h"

#define HOOK_LINE_MAX 4096
#define HOOK_LINES_MAX 10000

/* The app whose repository we run in: <repos_dir>/<app>.git. */
static char *
hook_app(const struct config *cfg)
{
	char cwd[PATH_MAX], *base, *name = NULL, *repo = NULL, *real = NULL;

	if (getcwd(cwd, sizeof cwd) == NULL) {
		error_set("cannot tell which repository this hook runs in");
		return NULL;
	}
	base = strrchr(cwd, '/');
	base = base ? base + 1 : cwd;
	if (!ends_with(base, ".git")) {
		error_set("\"%s\" is not an app repository", cwd);
		return NULL;
	}
	name = xstrndup(base, strlen(base) - 4);
	if (name_check_app(name) < 0)
		goto fail;
	repo = state_repo_path(cfg, name);
	real = realpath(repo, NULL);
	if (real == NULL || strcmp(real, cwd) != 0) {
		error_set("\"%s\" is not under repos_dir \"%s\"", cwd,
		    cfg->repos_dir);
		goto fail;
	}
	free(real);
	free(repo);
	return name;
fail:
	free(real);
	free(repo);
	free(name);
	return NULL;
}

/* Read every update line; the one for the deploy branch goes in *branch_new. */
static int
read_updates(const struct config *cfg, char branch_new[41], int *found)
{
	char line[HOOK_LINE_MAX], *want;
	int count = 0, rc = 0;

	want = xasprintf("refs/heads/%s", cfg->branch);
	*found = 0;
	while (fgets(line, sizeof line, stdin) != NULL) {
		struct hook_update u;

		if (++count > HOOK_LINES_MAX) {
			rc = error_set("too many refs in one push");
			break;
		}
		if (strchr(line, '\n') == NULL && !feof(stdin)) {
			rc = error_set("hook input line too long");
			break;
		}
		if (hook_parse_line(line, &u) < 0) {
			rc = -1;
			break;
		}
		if (strcmp(u.ref, want) != 0)
			out_info("-----> Ignoring %s: only %s deploys", u.ref, want);
		else if (oid_is_zero(u.new_oid))
			out_info("-----> %s was deleted: the running release stays",
			    want);
		else {
			memcpy(branch_new, u.new_oid, 41);
			*found = 1;
		}
		hook_update_dispose(&u);
	}
	free(want);
	return rc;
}

/*
 * Point the hooks at this binary: the one that created the app may have been
 * deleted (the hooks then found this one on PATH) or moved. Only the hooks
 * the mode runs: pre-receive, which git runs first on every push, installs
 * post-receive before git looks for it when the mode has changed since.
 * Returns why the push must be refused (allocated), or NULL.
 */
static char *
refresh_hooks(struct cmd_ctx *ctx, int pre)
{
	char *hooks = cmd_share_path(ctx, "hooks"), *refuse = NULL;
	struct stat st;

	if (repo_install_hooks(".", hooks, ctx->self, ctx->cfg.path,
	    cmd_unused_hook(ctx)) < 0) {
		/*
		 * In post-receive mode the deploy is post-receive's: a push
		 * accepted without one would deploy nothing. Refuse it.
		 */
		if (pre && !ctx->cfg.atomic &&
		    (stat("hooks/post-receive", &st) < 0 ||
		    !S_ISREG(st.st_mode) || access("hooks/post-receive",
		    X_OK) < 0))
			refuse = xasprintf("mode = post-receive, and the "
			    "post-receive hook cannot be installed: %s; the "
			    "push is refused", error_last());
		else
			out_warn("warning: cannot refresh the hooks: %s",
			    error_last());
		error_clear();
	}
	free(hooks);
	return refuse;
}

int
cmd_hook(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct deploy_opts opts = { 0 };
	char new_oid[41], *app = NULL, *tmpl = NULL, *refuse;
	int pre, found, rc = 1;

	pre = cmd_has(args, "pre-receive");
	if ((app = hook_app(&ctx->cfg)) == NULL)
		return cmd_fail();
	refuse = refresh_hooks(ctx, pre);
	if (read_updates(&ctx->cfg, new_oid, &found) < 0)
		goto done;
	if (refuse != NULL && found) {
		error_set("%s", refuse);
		goto done;
	}
	/* Atomic mode deploys before the ref moves; otherwise after. */
	if (!found || pre != ctx->cfg.atomic) {
		rc = 0;
		goto done;
	}
	/* After the lock, post-receive deploys the branch's tip as it is then,
	 * so concurrent pushes end on what the branch ends on. Pre-receive runs
	 * before the ref moves: it deploys the pushed commit from quarantine. */
	opts.kind = "push";
	opts.user = ctx->user;
	opts.rev = pre ? new_oid : NULL;
	opts.from_env = pre;
	opts.skip_if_live = 1;
	opts.site_template = tmpl = cmd_site_template(ctx);
	if (pre)
		out_info("-----> Mode atomic (pre-receive): %s moves only if this "
		    "deploy succeeds", ctx->cfg.branch);
	else
		out_info("-----> Mode post-receive: the push is accepted; a failed "
		    "deploy leaves the previous release running");
	if (deploy_app(&ctx->cfg, app, &opts) < 0)
		goto done;
	rc = 0;
done:
	free(refuse);
	free(tmpl);
	free(app);
	return rc ? cmd_fail() : 0;
}
