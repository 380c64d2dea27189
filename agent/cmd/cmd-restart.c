/*
 * cmd-restart.c - `slipway restart|stop|start APP [SERVICE...]`. Each edits
 * the app's ops (lib/appops.h) and redeploys the live release with them, so
 * that a later deploy, a rollback or a reboot keeps what was decided: a
 * stopped service has no containers until `start`; a restart gives the
 * services a new token, which replaces their containers through the deploy
 * pipeline (health-gated, start-first for x-slipway.http services). Also
 * what they share with `scale` and `config`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd-ops.h"
#include "lib/names.h"
#include "pipeline/deploy.h"

int
cmd_live_deploy(struct cmd_ctx *ctx, const char *app, const char *kind,
    cmd_edit_fn edit, void *edit_ctx)
{
	struct deploy_opts opts = { 0 };
	char *tmpl = cmd_site_template(ctx);
	int rc;

	opts.kind = kind;
	opts.user = ctx->user;
	opts.live = 1;
	opts.no_build = 1;
	opts.edit = edit;
	opts.edit_ctx = edit_ctx;
	opts.site_template = tmpl;
	rc = deploy_app(&ctx->cfg, app, &opts);
	free(tmpl);
	return rc;
}

int
cmd_check_services(struct cmd_ctx *ctx, const char *app, int n, char **names)
{
	json_t *live = app_live_load(&ctx->cfg, app);
	json_t *services = json_object_get(live, "services");
	int i, rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		if (name_check_service(names[i]) < 0)
			rc = -1;
		else if (services != NULL &&
		    json_object_get(services, names[i]) == NULL)
			rc = error_set("app \"%s\" has no service \"%s\"", app,
			    names[i]);
	}
	json_decref(live);
	return rc;
}

/* The services named on the command line: argv[2...]. */
struct lifecycle {
	struct cmd_ctx *ctx;
	const char *app;
	int n;
	char **services;
};

static int
edit_restart(void *arg, struct kvlist *vars, struct app_ops *ops)
{
	struct lifecycle *l = arg;
	char *token = xasprintf("%lld", now_ms());
	json_t *live = NULL, *v;
	const char *name;
	int i;

	(void)vars;
	if (l->n > 0) {
		for (i = 0; i < l->n; i++)
			kvlist_set(&ops->restart, l->services[i], token);
	} else {
		live = app_live_load(&l->ctx->cfg, l->app);
		json_object_foreach(json_object_get(live, "services"), name, v)
			kvlist_set(&ops->restart, name, token);
		json_decref(live);
	}
	free(token);
	return 0;
}

static int
edit_stop(void *arg, struct kvlist *vars, struct app_ops *ops)
{
	struct lifecycle *l = arg;
	int i;

	(void)vars;
	if (l->n == 0)
		ops->stopped_all = 1;
	for (i = 0; i < l->n; i++) {
		if (!strv_contains(&ops->stopped, l->services[i]))
			strv_push(&ops->stopped, l->services[i]);
	}
	return 0;
}

static int
edit_start(void *arg, struct kvlist *vars, struct app_ops *ops)
{
	struct lifecycle *l = arg;
	int i;

	(void)vars;
	if (l->n == 0) {
		ops->stopped_all = 0;
		strv_clear(&ops->stopped);
		return 0;
	}
	if (ops->stopped_all)
		return error_set("app \"%s\" is stopped as a whole: start it with "
		    "\"start %s\"", l->app, l->app);
	for (i = 0; i < l->n; i++)
		strv_remove(&ops->stopped, l->services[i]);
	return 0;
}

static int
lifecycle(struct cmd_ctx *ctx, const struct cmd_args *args, const char *kind,
    cmd_edit_fn edit)
{
	struct lifecycle l;

	l.ctx = ctx;
	l.app = args->app;
	l.services = cmd_arg_list(args, "SERVICE", &l.n);
	if (cmd_check_services(ctx, l.app, l.n, l.services) < 0)
		return cmd_fail();
	return cmd_live_deploy(ctx, l.app, kind, edit, &l) < 0 ?
	    cmd_fail() : 0;
}

int
cmd_restart(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return lifecycle(ctx, args, "restart", edit_restart);
}

int
cmd_stop(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return lifecycle(ctx, args, "stop", edit_stop);
}

int
cmd_start(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return lifecycle(ctx, args, "start", edit_start);
}
