/*
 * deploy.c - the deploy pipeline: resolve, check out, load, vet, build,
 * converge. Nothing running is touched before the images exist and the
 * compose file has passed every check.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compose.h"
#include "converge.h"
#include "deploy.h"
#include "engine.h"
#include "names.h"
#include "policy.h"
#include "repo.h"
#include "spec.h"
#include "state.h"
#include "tarctx.h"

struct deploy {
	const struct config *cfg;
	const struct deploy_opts *opts;
	const char *app;
	char *repo;
	char commit[41];
	char *release;
	struct kvlist vars;
	struct compose_project *project;
	struct engine *engine;
	struct service_image *images;
	size_t nimages;
	long long t_build, t_converge;
};

static void
build_line(void *ctx, const char *line)
{
	(void)ctx;
	out("       %s", line);
}

static json_t *
kv_to_json(const struct kvlist *l)
{
	json_t *obj = json_object();
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (l->v[i].value != NULL)
			json_object_set_new(obj, l->v[i].key,
			    json_string(l->v[i].value));
	}
	return obj;
}

/* Build the image of service s as ref; store its id in img. */
static int
build_service(struct deploy *d, const struct compose_service *s,
    struct service_image *img)
{
	const struct compose_build *b = s->build;
	struct engine_build_opts bo = { 0 };
	const char *tags[] = { img->ref, NULL };
	struct tarctx *t = NULL;
	unsigned long files = 0;
	unsigned long long bytes = 0;
	int rc = -1;

	out("-----> Building %s (%s)", s->name, img->ref);
	if (tarctx_open(&t, b->context, b->dockerfile) < 0) {
		error_set("build of \"%s\" failed: %s", s->name, error_last());
		goto done;
	}
	bo.dockerfile = b->dockerfile;
	bo.target = b->target;
	bo.buildargs = kv_to_json(&b->args);
	bo.labels = json_pack("{s:s, s:s, s:s}", "slipway.app", d->app,
	    "slipway.commit", d->commit, "slipway.service", s->name);
	bo.tags = tags;
	if (engine_build(d->engine, &bo, tarctx_read, t, build_line, NULL,
	    &img->id) < 0) {
		error_set("build of \"%s\" failed: %s", s->name, error_last());
		goto done;
	}
	if (img->id == NULL) {
		json_t *info = NULL;

		/* Older engines may omit the aux line: ask by tag. */
		if (engine_image_inspect(d->engine, img->ref, &info) != 0) {
			json_decref(info);
			error_set("build of \"%s\" produced no image", s->name);
			goto done;
		}
		img->id = xstrdup(json_string_value(json_object_get(info, "Id")));
		json_decref(info);
	}
	tarctx_stats(t, &files, &bytes);
	out("-----> Built %s (%lu files, %llu KiB of context)", img->ref,
	    files, bytes / 1024);
	rc = 0;
done:
	json_decref(bo.buildargs);
	json_decref(bo.labels);
	tarctx_free(t);
	return rc;
}

/*
 * Make sure every active service has its image: reuse what exists (a
 * rollback by push builds nothing), build the rest.
 */
static int
prepare_images(struct deploy *d)
{
	const struct compose_project *p = d->project;
	size_t *order = xcalloc(p->nservices + 1, sizeof *order);
	size_t i, missing = 0;
	int n, rc = -1;
	long long t0 = now_ms();

	if ((n = compose_order(p, order)) < 0)
		goto done;
	d->images = xcalloc((size_t)n + 1, sizeof *d->images);
	d->nimages = (size_t)n;
	/* First pass: what exists. */
	for (i = 0; i < d->nimages; i++) {
		const struct compose_service *s = &p->services[order[i]];
		struct service_image *img = &d->images[i];
		json_t *info = NULL;
		int r;

		img->service = s->name;
		img->ref = spec_image_ref(p, s, d->commit);
		r = engine_image_inspect(d->engine, img->ref, &info);
		if (r < 0) {
			json_decref(info);
			goto done;
		}
		if (r == 0)
			img->id = xstrdup(json_string_value(json_object_get(info,
			    "Id")));
		else if (s->build == NULL) {
			error_set("service \"%s\": image \"%s\" is not on this host",
			    s->name, img->ref);
			json_decref(info);
			goto done;
		} else
			missing++;
		json_decref(info);
	}
	if (missing == 0) {
		out("-----> Reusing images of %.7s: no build needed", d->commit);
		rc = 0;
		goto done;
	}
	if (d->opts->no_build) {
		error_set("the images of %.7s are gone: push it again to rebuild",
		    d->commit);
		goto done;
	}
	for (i = 0; i < d->nimages; i++) {
		const struct compose_service *s = &p->services[order[i]];

		if (d->images[i].id == NULL &&
		    build_service(d, s, &d->images[i]) < 0)
			goto done;
	}
	rc = 0;
done:
	d->t_build = now_ms() - t0;
	free(order);
	return rc;
}

static void
deploy_dispose(struct deploy *d)
{
	size_t i;

	for (i = 0; i < d->nimages; i++) {
		free(d->images[i].ref);
		free(d->images[i].id);
	}
	free(d->images);
	compose_free(d->project);
	engine_free(d->engine);
	kvlist_clear(&d->vars);
	free(d->release);
	free(d->repo);
}

/* Resolve, check out, load and vet: nothing touches the engine yet. */
static int
load_release(struct deploy *d)
{
	const struct config *cfg = d->cfg;
	const char *rev = d->opts->rev ? d->opts->rev : cfg->branch;
	char *file = NULL, *subject = NULL;
	size_t i;
	int rc = -1;

	if (repo_resolve(d->repo, rev, d->opts->from_env, d->commit) < 0)
		goto done;
	subject = repo_subject(d->repo, d->commit, d->opts->from_env);
	out("-----> Deploying %s %.7s%s%s", d->app, d->commit,
	    subject ? ": " : "", subject ? subject : "");
	d->release = state_release_dir(cfg, d->app, d->commit);
	if (repo_checkout(d->repo, d->commit, d->opts->from_env, d->release) < 0)
		goto done;
	if (appvars_load(cfg, d->app, &d->vars) < 0)
		goto done;
	for (i = 0; i < d->vars.n; i++)
		out_redact(d->vars.v[i].value);
	if ((file = compose_find(d->release)) == NULL)
		goto done;
	if (compose_load(&d->project, file, d->release, d->app, &d->vars) < 0)
		goto done;
	for (i = 0; i < d->project->warnings.n; i++)
		warn("warning: %s", d->project->warnings.v[i]);
	if (policy_check(d->project, config_app_allow(cfg, d->app)) < 0)
		goto done;
	rc = 0;
done:
	free(subject);
	free(file);
	return rc;
}

int
deploy_app(const struct config *cfg, const char *app,
    const struct deploy_opts *opts)
{
	struct deploy d = { 0 };
	struct converge_opts co = { 0 };
	long long t0 = now_ms(), t1;
	int rc = -1;

	d.cfg = cfg;
	d.opts = opts;
	d.app = app;
	if (name_check_app(app) < 0)
		return -1;
	d.repo = state_repo_path(cfg, app);
	if (!is_dir(d.repo)) {
		error_set("app \"%s\" does not exist (no repository at \"%s\")",
		    app, d.repo);
		goto done;
	}
	if (load_release(&d) < 0)
		goto done;
	if (engine_open(&d.engine, cfg->docker_host) < 0)
		goto done;
	if (prepare_images(&d) < 0)
		goto done;
	co.commit = d.commit;
	co.wait_timeout_ms = cfg->health_timeout * 1000;
	t1 = now_ms();
	if (converge_project(d.engine, d.project, d.images, d.nimages, &co) < 0)
		goto done;
	d.t_converge = now_ms() - t1;
	out("-----> Deployed %s %.7s in %.2fs (build %.2fs, containers %.2fs)",
	    app, d.commit, (now_ms() - t0) / 1000.0, d.t_build / 1000.0,
	    d.t_converge / 1000.0);
	rc = 0;
done:
	deploy_dispose(&d);
	return rc;
}
