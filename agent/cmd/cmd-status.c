/*
 * cmd-status.c - `slipway status NAME [--json]`: which commit runs, and the
 * state and health of each container, as the engine reports them. main()
 * has checked the app and opened the engine (CMD_NEEDS_APP, CMD_NEEDS_ENGINE).
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

int
cmd_status(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct engine *e = ctx->engine;
	const char *app = args->app;
	struct observed *obs = NULL;
	size_t nobs = 0, i;
	json_t *doc = NULL, *services;
	const char *commit = NULL;
	int as_json = cmd_has(args, "--json"), rc = -1;

	if (converge_observe(e, app, &obs, &nobs) < 0)
		goto done;
	services = json_array();
	for (i = 0; i < nobs; i++) {
		json_t *info = NULL, *state;
		const char *health = NULL, *image = NULL;

		if (engine_container_inspect(e, obs[i].id, &info) == 0) {
			state = json_object_get(info, "State");
			health = json_string_value(json_object_get(
			    json_object_get(state, "Health"), "Status"));
			image = json_string_value(json_object_get(
			    json_object_get(info, "Config"), "Image"));
		}
		if (commit == NULL && obs[i].commit != NULL && obs[i].state &&
		    strcmp(obs[i].state, "running") == 0)
			commit = obs[i].commit;
		json_array_append_new(services, json_pack("{s:s?, s:s, s:s?, s:s, s:s?}",
		    "service", obs[i].service, "container", obs[i].name,
		    "state", obs[i].state, "health", health ? health : "none",
		    "image", image));
		json_decref(info);
	}
	if (commit == NULL && nobs)
		commit = obs[0].commit;
	doc = json_pack("{s:s, s:s?, s:o}", "app", app, "commit", commit,
	    "services", services);
	if (as_json) {
		char *s = json_dumps(doc, JSON_INDENT(2));

		out_info("%s", s);
		free(s);
	} else {
		out_info("app:    %s", app);
		out_info("commit: %s", commit ? commit : "(not deployed)");
		for (i = 0; i < json_array_size(services); i++) {
			json_t *s = json_array_get(services, i);

			out_info("  %-12s %-28s %-10s %-9s %s",
			    json_string_value(json_object_get(s, "service")),
			    json_string_value(json_object_get(s, "container")),
			    json_string_value(json_object_get(s, "state")),
			    json_string_value(json_object_get(s, "health")),
			    json_string_value(json_object_get(s, "image")));
		}
	}
	rc = 0;
done:
	json_decref(doc);
	observed_list_free(obs, nobs);
	return rc < 0 ? cmd_fail() : 0;
}
