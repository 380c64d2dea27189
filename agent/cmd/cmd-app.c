/*
 * cmd-app.c - `slipway app create|list|destroy`: an app is a bare repository
 * under repos_dir whose hooks call this binary with this configuration.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "reconcile/converge.h"
#include "reconcile/swarm.h"
#include "engine/engine.h"
#include "history/history.h"
#include "lib/names.h"
#include "proxy/acme.h"
#include "proxy/proxy.h"
#include "repo/repo.h"
#include "lib/state.h"

static uid_t owner_uid;
static gid_t owner_gid;

static int
chown_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return lchown(path, owner_uid, owner_gid);
}

/*
 * Run as root, `app create` hands the repository to whoever owns repos_dir
 * (the git user of install.sh), so that pushes can write to it.
 */
static int
give_to_repos_owner(const char *repos_dir, const char *repo)
{
	struct stat st;

	if (geteuid() != 0 || stat(repos_dir, &st) < 0 || st.st_uid == 0)
		return 0;
	owner_uid = st.st_uid;
	owner_gid = st.st_gid;
	if (nftw(repo, chown_one, 16, FTW_PHYS) != 0)
		return error_set("cannot give \"%s\" to uid %u", repo,
		    (unsigned)st.st_uid);
	return 0;
}

static int
app_create(struct cmd_ctx *ctx, const char *name)
{
	char *repo = NULL, *hooks = NULL;
	int rc = 1;

	repo = state_repo_path(&ctx->cfg, name);
	if (path_exists(repo)) {
		error_set("app \"%s\" already exists", name);
		goto done;
	}
	if (mkdir_p(ctx->cfg.repos_dir, 0755) < 0)
		goto done;
	hooks = cmd_share_path(ctx, "hooks");
	if (repo_create(repo, hooks, ctx->self, ctx->cfg.path,
	    ctx->cfg.branch, cmd_unused_hook(ctx)) < 0)
		goto done;
	if (give_to_repos_owner(ctx->cfg.repos_dir, repo) < 0)
		goto done;
	out_info("created app \"%s\": push to %s", name, repo);
	rc = 0;
done:
	free(hooks);
	free(repo);
	return rc ? cmd_fail() : 0;
}

static int
app_list(struct cmd_ctx *ctx)
{
	struct strv names = STRV_INIT;
	size_t i;

	state_app_names(&ctx->cfg, &names);
	for (i = 0; i < names.n; i++)
		out_info("%s", names.v[i]);
	strv_clear(&names);
	return 0;
}

static void
say_waiting(void *ctx)
{
	(void)ctx;
	out_info("waiting for the deploy of this app to finish...");
}

/* Remove the images slipway built for the app (labelled slipway.app). */
static int
remove_images(struct engine *e, const char *app)
{
	char *label = xasprintf("slipway.app=%s", app);
	const char *labels[] = { label };
	json_t *list = NULL, *img, *tag;
	size_t i, j;
	int rc = -1;

	if (engine_image_list(e, labels, 1, &list) < 0)
		goto done;
	json_array_foreach(list, i, img) {
		json_array_foreach(json_object_get(img, "RepoTags"), j, tag) {
			const char *t = json_string_value(tag);

			if (t != NULL && engine_image_remove(e, t) < 0)
				goto done;
		}
	}
	rc = converge_remove_dangling(e, app);
done:
	json_decref(list);
	free(label);
	return rc;
}

/*
 * Remove the app's nginx site. Once the file is gone, an nginx that does
 * not reload (stopped, or another site broken) is the operator's to fix and
 * does not stop the destroy halfway: the containers it proxied to are gone.
 */
static int
remove_site(const struct config *cfg, const char *app)
{
	char *path;
	int gone;

	if (proxy_remove(cfg, app) == 0)
		return 0;
	path = proxy_site_path(cfg, app);
	gone = !path_exists(path);
	free(path);
	if (!gone)
		return -1;
	out_warn("%s; the site of \"%s\" is removed, nginx serves it until "
	    "it reloads", error_last(), app);
	error_clear();
	return 0;
}

/*
 * Remove the app's state; its shared directory (untracked bind sources) is
 * data like a named volume: kept unless volumes.
 */
static int
remove_app_dir(const char *dir, int volumes)
{
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (volumes || !is_dir(dir))
		return remove_tree(dir);
	if ((d = opendir(dir)) == NULL)
		return error_set("cannot open \"%s\": %s", dir, strerror(errno));
	while (rc == 0 && (de = readdir(d)) != NULL) {
		char *path;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, "shared") == 0)
			continue;
		path = path_join(dir, de->d_name);
		rc = remove_tree(path);
		free(path);
	}
	closedir(d);
	return rc;
}

static int
app_destroy(struct cmd_ctx *ctx, const char *name, int volumes)
{
	struct strv none = STRV_INIT;
	struct engine *e = ctx->engine;
	struct history *h = NULL;
	char *repo = NULL, *dir = NULL;
	int rc = -1, lock = -1;

	repo = state_repo_path(&ctx->cfg, name);
	dir = state_app_dir(&ctx->cfg, name);
	if (!path_exists(repo)) {
		error_set("app \"%s\" does not exist", name);
		goto done;
	}
	/* A deploy in progress would recreate (or roll back to) what this
	 * removes, and retry against a repository that is gone: wait for it. */
	if ((lock = state_lock(&ctx->cfg, name, say_waiting, NULL)) < 0)
		goto done;
	if (!path_exists(repo)) {
		error_set("app \"%s\" does not exist", name);
		goto done;
	}
	if (config_app_swarm(&ctx->cfg, name) &&
	    swarm_down(e, name, volumes) < 0)
		goto done;
	if (converge_down(e, name, volumes ? CONVERGE_DOWN_VOLUMES :
	    CONVERGE_DOWN_KEEP) < 0 ||
	    remove_site(&ctx->cfg, name) < 0 || remove_images(e, name) < 0)
		goto done;
	if (acme_remove_app(&ctx->cfg, name) < 0 ||
	    state_claim_hosts(&ctx->cfg, name, &none, 1) < 0 ||
	    remove_tree(repo) < 0 || remove_app_dir(dir, volumes) < 0)
		goto done;
	if (history_open(&h, ctx->cfg.state_dir) < 0 ||
	    history_forget(h, name) < 0)
		goto done;
	out_info("destroyed app \"%s\"%s", name, volumes ? " and its volumes" :
	    " (volumes and shared bind data kept; --volumes removes them)");
	rc = 0;
done:
	if (lock >= 0)
		close(lock);
	history_close(h);
	free(dir);
	free(repo);
	return rc < 0 ? cmd_fail() : 0;
}

int
cmd_app(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	if (cmd_has(args, "create"))
		return app_create(ctx, args->app);
	if (cmd_has(args, "destroy"))
		return app_destroy(ctx, args->app, cmd_has(args, "--volumes"));
	return app_list(ctx);
}
