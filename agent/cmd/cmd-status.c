/*
 * cmd-status.c - `slipway status NAME [--json]`: the release slipway holds
 * live, and per container (as the engine reports it) the commit whose deploy
 * created it (its label), its state, health, restart policy and image. An
 * interrupted deploy is finished first when no deploy holds the app's lock.
 * main() has checked the app and opened the engine (CMD_NEEDS_APP,
 * CMD_NEEDS_ENGINE).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "reconcile/converge.h"
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
