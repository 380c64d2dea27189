/*
 * oneoff.c - one-off commands against the live release: create, attach,
 * start, stream, wait, remove (run); or exec in a running container.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compose/binds.h"
#include "compose/compose.h"
#include "compose/policy.h"
#include "engine/engine.h"
#include "lib/appops.h"
#include "lib/state.h"
#include "repo/repo.h"
#include "pipeline/oneoff.h"
#include "reconcile/container.h"
#include "reconcile/converge.h"
#include "reconcile/spec.h"

struct live {
	char *repo;
	const char *commit;
};

/* Is rel in the live commit? Asked of git, as the deploy asked it (the
 * release directory also holds mount points slipway made). */
static int
live_tracked(void *ctx, const char *rel)
{
	const struct live *l = ctx;

	return repo_tracked(l->repo, l->commit, 0, rel);
}

/* Load the live release's compose project as the last deploy ran it. */
static int
load_live(const struct config *cfg, const char *app, char **commit,
    struct compose_project **p)
{
	struct kvlist vars = KVLIST_INIT;
	char *dir = NULL, *file = NULL, *shared = NULL, *app_dir = NULL;
	struct live live = { NULL, NULL };
	struct binds_opts bo = { 0 };
	int rc = -1;

	*p = NULL;
	if ((*commit = app_live_commit(cfg, app)) == NULL) {
		error_set("app \"%s\" has no live release", app);
		goto done;
	}
	dir = state_release_dir(cfg, app, *commit);
	if (appvars_load(cfg, app, &vars) < 0 ||
	    (file = compose_find(dir)) == NULL ||
	    compose_load(p, file, dir, app, &vars) < 0)
		goto done;
	/* The binds the deploy made: paths not in the commit are shared. */
	app_dir = state_app_dir(cfg, app);
	shared = path_join(app_dir, "shared");
	live.repo = state_repo_path(cfg, app);
	live.commit = *commit;
	bo.shared_dir = shared;
	bo.tracked = live_tracked;
	bo.ctx = &live;
	if (binds_share_opts(*p, &bo) < 0 ||
	    policy_own_names(*p, config_app_allow(cfg, app)) < 0 ||
	    policy_check(*p, config_app_allow(cfg, app)) < 0)
		goto done;
	rc = 0;
done:
	kvlist_clear(&vars);
	free(live.repo);
	free(shared);
	free(app_dir);
	free(file);
	free(dir);
	return rc;
}

/* engine_call's status: transport failure and >= 400 are failures. */
static int
call_ok(int status)
{
	return status >= 200 && status < 400;
}

static void
resize(struct engine *e, const char *what, const char *id,
    const struct oneoff_opts *o)
{
	char *path;

	if (!o->tty || o->rows == 0 || o->cols == 0)
		return;
	path = xasprintf("/%s/%s/resize?h=%u&w=%u", what, id, o->rows, o->cols);
	/* A terminal of the default size is no reason to stop. */
	ignore_status(engine_call(e, "POST", path, NULL, NULL));
	free(path);
	error_clear();
}

static json_t *
cmd_json(const struct strv *cmd)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < cmd->n; i++)
		json_array_append_new(a, json_string(cmd->v[i]));
	return a;
}

int
oneoff_run(const struct config *cfg, const char *app,
    const struct oneoff_opts *o, long *exit_code)
{
	struct compose_project *p = NULL;
	const struct compose_service *s;
	struct engine *e = NULL;
	struct buf early = BUF_INIT;
	json_t *body = NULL, *info = NULL, *hc, *labels, *ep;
	const char *key;
	char *commit = NULL, *ref = NULL, *id = NULL, *name = NULL, *hash = NULL;
	char *attach = NULL;
	struct strv nets = STRV_INIT;
	size_t nnets, i;
	int sock = -1, rc = -1, api;

	if (load_live(cfg, app, &commit, &p) < 0)
		goto done;
	if ((s = compose_service(p, o->service)) == NULL) {
		error_set("app \"%s\" has no service \"%s\"", app, o->service);
		goto done;
	}
	if (engine_open(&e, cfg->docker_host) < 0)
		goto done;
	ref = spec_image_ref(p, s, commit);
	if ((rc = engine_image_inspect(e, ref, &info)) != 0) {
		if (rc == 1)
			error_set("image \"%s\" of the live release is gone", ref);
		rc = -1;
		goto done;
	}
	rc = -1;
	/* As before every create of a deploy: the engine resolves the bind
	 * sources again (see binds_verify). */
	if (converge_resources(e, p) < 0 || binds_verify(p, s) < 0)
		goto done;
	api = engine_version_num(e);
	hash = spec_config_hash(p, s);
	body = spec_container(p, s, 0, ref, json_string_value(json_object_get(info,
	    "Id")), commit, hash, api);
	if (o->cmd != NULL && o->cmd->n > 0)
		json_object_set_new(body, "Cmd", cmd_json(o->cmd));
	json_object_set_new(body, "Tty", json_boolean(o->tty));
	json_object_set_new(body, "OpenStdin", json_true());
	json_object_set_new(body, "StdinOnce", json_true());
	json_object_set_new(body, "AttachStdin", json_true());
	json_object_set_new(body, "AttachStdout", json_true());
	json_object_set_new(body, "AttachStderr", json_true());
	json_object_del(body, "Healthcheck");
	/* Not an alias of the service: its name must keep reaching the
	 * service's own containers (compose run does the same). */
	json_object_foreach(json_object_get(json_object_get(body,
	    "NetworkingConfig"), "EndpointsConfig"), key, ep)
		json_object_del(ep, "Aliases");
	labels = json_object_get(body, "Labels");
	json_object_set_new(labels, LABEL_ONEOFF, json_string("True"));
	hc = json_object_get(body, "HostConfig");
	json_object_del(hc, "PortBindings");
	json_object_set_new(hc, "RestartPolicy", json_pack("{s:s}", "Name", "no"));
	name = xasprintf("%s-%s-run-%lx%04llx", app, s->name, (long)getpid(),
	    now_ms() & 0xffff);
	if (engine_container_create(e, name, body, &id) < 0)
		goto done;
	if (api < 144 && s->network_mode == NULL) {
		nnets = spec_service_networks(p, s, &nets);
		for (i = 1; i < nnets; i++) {
			json_t *extra = spec_endpoint(p, s, 0, i);
			int r;

			json_object_del(extra, "Aliases");
			r = engine_network_connect(e, nets.v[i], id, extra);
			json_decref(extra);
			if (r < 0)
				goto done;
		}
	}
	attach = xasprintf("/containers/%s/attach?stream=1&stdin=1&stdout=1&stderr=1",
	    id);
	if (engine_hijack(e, attach, NULL, &sock, &early) < 0 ||
	    engine_container_start(e, id) < 0)
		goto done;
	resize(e, "containers", id, o);
	if (engine_stream_pump(sock, &early, o->in_fd, o->out_fd, o->err_fd,
	    o->tty, o->stop) < 0)
		goto done;
	if (engine_container_wait(e, id, exit_code) < 0)
		goto done;
	rc = 0;
done:
	if (sock >= 0)
		close(sock);
	if (id != NULL && rc < 0)
		container_discard(e, id); /* keeps the error, warns on its own */
	else if (id != NULL && engine_container_remove(e, id, 1) < 0) {
		out_warn("warning: cannot remove the one-off container \"%s\": %s",
		    name, error_last());
		error_clear();
	}
	strv_clear(&nets);
	buf_release(&early);
	json_decref(body);
	json_decref(info);
	compose_free(p);
	engine_free(e);
	free(attach);
	free(commit);
	free(hash);
	free(name);
	free(ref);
	free(id);
	return rc;
}

int
oneoff_exec(const struct config *cfg, const char *app,
    const struct oneoff_opts *o, long *exit_code)
{
	struct engine *e = NULL;
	struct observed *obs = NULL;
	struct buf early = BUF_INIT;
	size_t nobs = 0, i;
	const char *target = NULL;
	json_t *body = NULL, *created = NULL, *start = NULL, *info = NULL;
	char *path = NULL, *exec_id = NULL;
	int sock = -1, rc = -1;

	if (o->cmd == NULL || o->cmd->n == 0)
		return error_set("exec needs a command");
	if (engine_open(&e, cfg->docker_host) < 0 ||
	    converge_observe(e, app, &obs, &nobs) < 0)
		goto done;
	for (i = 0; i < nobs && target == NULL; i++) {
		if (obs[i].service != NULL && strcmp(obs[i].service, o->service) == 0 &&
		    obs[i].state != NULL && strcmp(obs[i].state, "running") == 0)
			target = obs[i].id;
	}
	if (target == NULL) {
		error_set("app \"%s\" has no running container for service \"%s\"",
		    app, o->service);
		goto done;
	}
	body = json_pack("{s:b, s:b, s:b, s:b, s:o}", "AttachStdin", 1,
	    "AttachStdout", 1, "AttachStderr", 1, "Tty", o->tty,
	    "Cmd", cmd_json(o->cmd));
	path = xasprintf("/containers/%s/exec", target);
	if (!call_ok(engine_call(e, "POST", path, body, &created)) || created == NULL ||
	    json_string_value(json_object_get(created, "Id")) == NULL) {
		if (created != NULL)
			error_set("the engine gave the exec no id");
		else
			error_set("cannot exec in \"%s\": %s", target, error_last());
		goto done;
	}
	exec_id = xstrdup(json_string_value(json_object_get(created, "Id")));
	free(path);
	path = xasprintf("/exec/%s/start", exec_id);
	start = json_pack("{s:b, s:b}", "Detach", 0, "Tty", o->tty);
	if (engine_hijack(e, path, start, &sock, &early) < 0)
		goto done;
	resize(e, "exec", exec_id, o);
	if (engine_stream_pump(sock, &early, o->in_fd, o->out_fd, o->err_fd,
	    o->tty, o->stop) < 0)
		goto done;
	free(path);
	path = xasprintf("/exec/%s/json", exec_id);
	if (!call_ok(engine_call(e, "GET", path, NULL, &info)) || info == NULL)
		goto done;
	*exit_code = (long)json_integer_value(json_object_get(info, "ExitCode"));
	rc = 0;
done:
	if (sock >= 0)
		close(sock);
	buf_release(&early);
	json_decref(body);
	json_decref(created);
	json_decref(start);
	json_decref(info);
	observed_list_free(obs, nobs);
	engine_free(e);
	free(exec_id);
	free(path);
	return rc;
}
