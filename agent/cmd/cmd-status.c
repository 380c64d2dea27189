/*
 * cmd-status.c - `slipway status NAME [--json]`: the release slipway holds
 * live, and per container (as the engine reports it) the commit whose deploy
 * created it (its label), its state, health, restart policy and image. An
 * interrupted deploy is finished first when no deploy holds the app's lock.
 * main() has checked the app and opened the engine (CMD_NEEDS_APP,
 * CMD_NEEDS_ENGINE). A Swarm app (target = swarm) shows its services and,
 * per service, its tasks with the node each runs on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "reconcile/converge.h"
#include "reconcile/stack.h"
#include "reconcile/swarm.h"
#include "engine/engine.h"
#include "lib/names.h"
#include "lib/state.h"
#include "pipeline/deploy.h"

/* The app's recorded live release (allocated), or NULL. */
static char *
recorded_release(const struct config *cfg, const char *app)
{
	char *dir = state_app_dir(cfg, app), *path = path_join(dir, "current");
	struct buf b = BUF_INIT;
	char *s = NULL;

	if (path_exists(path) && read_file(path, &b, 128) == 0) {
		buf_rtrim(&b);
		if (b.len == 40)
			s = buf_detach(&b, NULL);
	}
	error_clear();
	buf_release(&b);
	free(path);
	free(dir);
	return s;
}

/* node ID -> hostname of every node of the Swarm (an object). */
static json_t *
node_names(struct engine *e)
{
	json_t *nodes = NULL, *n, *names = json_object();
	size_t i;

	if (engine_call(e, "GET", "/nodes", NULL, &nodes) != 200) {
		error_clear();
		json_decref(nodes);
		return names;
	}
	json_array_foreach(nodes, i, n) {
		const char *id = json_string_value(json_object_get(n, "ID"));
		const char *host = json_string_value(json_object_get(
		    json_object_get(n, "Description"), "Hostname"));

		if (id != NULL && host != NULL)
			json_object_set_new(names, id, json_string(host));
	}
	json_decref(nodes);
	return names;
}

/* The tasks of service id meant to run, or failed lately: for status. */
static json_t *
service_tasks(struct engine *e, const char *id, json_t *nodes,
    const char *name, long long *running)
{
	json_t *tasks = NULL, *t, *out = json_array();
	size_t i;

	*running = 0;
	if (engine_task_list(e, "service", id, &tasks) < 0) {
		error_clear();
		return out;
	}
	json_array_foreach(tasks, i, t) {
		json_t *st = json_object_get(t, "Status");
		const char *desired = json_string_value(json_object_get(t,
		    "DesiredState"));
		const char *state = json_string_value(json_object_get(st,
		    "State"));
		const char *node = json_string_value(json_object_get(t,
		    "NodeID"));
		const char *err = json_string_value(json_object_get(st, "Err"));
		json_int_t slot = json_integer_value(json_object_get(t, "Slot"));
		char *task;

		if (desired == NULL || strcmp(desired, "running") != 0)
			continue;
		if (state != NULL && strcmp(state, "running") == 0)
			(*running)++;
		task = slot > 0 ? xasprintf("%s.%lld", name, (long long)slot) :
		    xasprintf("%s.%.12s", name, node != NULL ? node : "?");
		json_array_append_new(out, json_pack("{s:s, s:s?, s:s?, s:s?}",
		    "task", task, "node", node != NULL ?
		    json_string_value(json_object_get(nodes, node)) : NULL,
		    "state", state, "error", err != NULL && *err ? err : NULL));
		free(task);
	}
	json_decref(tasks);
	return out;
}

/* `slipway status` of a Swarm app: its services, their tasks per node. */
static int
status_swarm(struct cmd_ctx *ctx, const char *app, const char *release,
    int as_json)
{
	struct engine *e = ctx->engine;
	json_t *list = NULL, *svc, *services = json_array(), *nodes, *doc;
	size_t i, j, applen = strlen(app);

	if (swarm_services(e, app, &list) < 0) {
		json_decref(services);
		return -1;
	}
	nodes = node_names(e);
	json_array_foreach(list, i, svc) {
		json_t *spec = json_object_get(svc, "Spec");
		json_t *rep = json_object_get(json_object_get(spec, "Mode"),
		    "Replicated"), *tasks;
		const char *name = json_string_value(json_object_get(spec,
		    "Name"));
		const char *id = json_string_value(json_object_get(svc, "ID"));
		long long running;

		if (name == NULL || id == NULL)
			continue;
		if (strncmp(name, app, applen) == 0 && name[applen] == '_')
			name += applen + 1;
		tasks = service_tasks(e, id, nodes, name, &running);
		json_array_append_new(services, json_pack(
		    "{s:s, s:s, s:s, s:I, s:I, s:s, s:s?, s:s?, s:o}",
		    "service", name, "name", json_string_value(json_object_get(
		    spec, "Name")), "mode", rep != NULL ? "replicated" :
		    "global", "replicas", (json_int_t)(rep != NULL ?
		    json_integer_value(json_object_get(rep, "Replicas")) :
		    (json_int_t)json_array_size(tasks)), "running",
		    (json_int_t)running, "update",
		    json_string_value(json_object_get(json_object_get(svc,
		    "UpdateStatus"), "State")) != NULL ?
		    json_string_value(json_object_get(json_object_get(svc,
		    "UpdateStatus"), "State")) : "none",
		    "commit", json_string_value(json_object_get(json_object_get(
		    spec, "Labels"), "slipway.commit")),
		    "image", json_string_value(json_object_get(json_object_get(
		    spec, "Labels"), STACK_LABEL_IMAGE)), "tasks", tasks));
	}
	doc = json_pack("{s:s, s:s?, s:s, s:o}", "app", app, "commit", release,
	    "target", "swarm", "services", services);
	if (as_json) {
		char *s = json_dumps(doc, JSON_INDENT(2));

		out_info("%s", s);
		free(s);
	} else {
		out_info("app:    %s (Swarm stack)", app);
		out_info("commit: %s%s", release ? release : "(not deployed)",
		    release != NULL ? " (the release slipway holds live)" : "");
		out_info("  %-12s %-10s %-8s %-18s %-7s %s", "SERVICE", "MODE",
		    "TASKS", "UPDATE", "COMMIT", "IMAGE");
		json_array_foreach(services, i, svc) {
			const char *c = json_string_value(json_object_get(svc,
			    "commit"));
			char count[48];
			json_t *t;

			snprintf(count, sizeof count, "%lld/%lld",
			    (long long)json_integer_value(json_object_get(svc,
			    "running")), (long long)json_integer_value(
			    json_object_get(svc, "replicas")));
			out_info("  %-12s %-10s %-8s %-18s %-7.7s %s",
			    json_string_value(json_object_get(svc, "service")),
			    json_string_value(json_object_get(svc, "mode")),
			    count, json_string_value(json_object_get(svc,
			    "update")), c != NULL ? c : "-",
			    json_string_value(json_object_get(svc, "image")));
			json_array_foreach(json_object_get(svc, "tasks"), j, t) {
				const char *node = json_string_value(
				    json_object_get(t, "node"));
				const char *err = json_string_value(
				    json_object_get(t, "error"));

				out_info("    %-14s on %-20s %s%s%s",
				    json_string_value(json_object_get(t, "task")),
				    node != NULL ? node : "(unassigned)",
				    json_string_value(json_object_get(t,
				    "state")), err != NULL ? ": " : "",
				    err != NULL ? err : "");
			}
		}
	}
	json_decref(doc);
	json_decref(nodes);
	json_decref(list);
	return 0;
}

int
cmd_status(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct engine *e = ctx->engine;
	const char *app = args->app;
	struct observed *obs = NULL;
	size_t nobs = 0, i;
	json_t *doc = NULL, *services;
	const char *commit = NULL;
	char *release = NULL, *tmpl = cmd_site_template(ctx);
	int as_json = cmd_has(args, "--json"), rc = -1;

	if (deploy_recover(&ctx->cfg, app, tmpl, 0) < 0)
		out_warn("warning: %s", error_last());
	release = recorded_release(&ctx->cfg, app);
	if (config_app_swarm(&ctx->cfg, app)) {
		rc = status_swarm(ctx, app, release, as_json);
		goto done;
	}
	if (converge_observe(e, app, &obs, &nobs) < 0)
		goto done;
	services = json_array();
	for (i = 0; i < nobs; i++) {
		json_t *info = NULL, *state;
		const char *health = NULL, *image = NULL, *restart = NULL;

		if (engine_container_inspect(e, obs[i].id, &info) == 0) {
			state = json_object_get(info, "State");
			health = json_string_value(json_object_get(
			    json_object_get(state, "Health"), "Status"));
			image = json_string_value(json_object_get(
			    json_object_get(info, "Config"), "Image"));
			restart = json_string_value(json_object_get(
			    json_object_get(json_object_get(info, "HostConfig"),
			    "RestartPolicy"), "Name"));
		}
		if (commit == NULL && obs[i].commit != NULL && obs[i].state &&
		    strcmp(obs[i].state, "running") == 0)
			commit = obs[i].commit;
		json_array_append_new(services, json_pack(
		    "{s:s?, s:s, s:s?, s:s, s:s?, s:s?, s:s}",
		    "service", obs[i].service, "container", obs[i].name,
		    "state", obs[i].state, "health", health ? health : "none",
		    "image", image, "commit", obs[i].commit, "restart",
		    restart != NULL && *restart != '\0' ? restart : "no"));
		json_decref(info);
	}
	if (commit == NULL && nobs)
		commit = obs[0].commit;
	/* The release is what slipway recorded live; the labels say which
	 * deploy created each container (a kept container keeps its own). */
	if (release != NULL)
		commit = release;
	doc = json_pack("{s:s, s:s?, s:o}", "app", app, "commit", commit,
	    "services", services);
	if (as_json) {
		char *s = json_dumps(doc, JSON_INDENT(2));

		out_info("%s", s);
		free(s);
	} else {
		out_info("app:    %s", app);
		out_info("commit: %s%s", commit ? commit : "(not deployed)",
		    release != NULL ? " (the release slipway holds live)" : "");
		out_info("  %-12s %-28s %-10s %-9s %-7s %-14s %s", "SERVICE",
		    "CONTAINER", "STATE", "HEALTH", "COMMIT", "RESTART",
		    "IMAGE");
		for (i = 0; i < json_array_size(services); i++) {
			json_t *s = json_array_get(services, i);
			const char *c = json_string_value(json_object_get(s,
			    "commit"));

			out_info("  %-12s %-28s %-10s %-9s %-7.7s %-14s %s",
			    json_string_value(json_object_get(s, "service")),
			    json_string_value(json_object_get(s, "container")),
			    json_string_value(json_object_get(s, "state")),
			    json_string_value(json_object_get(s, "health")),
			    c != NULL ? c : "-",
			    json_string_value(json_object_get(s, "restart")),
			    json_string_value(json_object_get(s, "image")));
		}
	}
	rc = 0;
done:
	json_decref(doc);
	observed_list_free(obs, nobs);
	free(release);
	free(tmpl);
	return rc < 0 ? cmd_fail() : 0;
}
