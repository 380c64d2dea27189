/*
 * cmd-status.c - `slipway status NAME [--json]`: which commit runs, and the
 * state and health of each container, as the engine reports them.
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
cmd_status(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct engine *e = NULL;
	struct observed *obs = NULL;
	size_t nobs = 0, i;
	json_t *doc = NULL, *services;
	const char *commit = NULL;
	int as_json, rc = -1;

	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "--json") != 0))
		return cmd_usage(ctx);
	as_json = argc == 3;
	if (cmd_check_app(ctx, argv[1]) < 0)
		return cmd_fail();
	if (engine_open(&e, ctx->cfg.docker_host) < 0 ||
	    converge_observe(e, argv[1], &obs, &nobs) < 0)
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
	doc = json_pack("{s:s, s:s?, s:o}", "app", argv[1], "commit", commit,
	    "services", services);
	if (as_json) {
		char *s = json_dumps(doc, JSON_INDENT(2));

		out_info("%s", s);
		free(s);
	} else {
		out_info("app:    %s", argv[1]);
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
	engine_free(e);
	return rc < 0 ? cmd_fail() : 0;
}
