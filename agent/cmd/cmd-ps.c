/*
 * cmd-ps.c - `slipway ps [APP] [--json]`. Without an app: one line per app
 * and service the caller may see (every app locally; over SSH, the key's
 * apps, from SLIPWAY_APPS) with the live commit, containers running/wanted,
 * health, uptime, ports or URL and the last deploy's status and age. With an
 * app: one line per container. One engine list call whatever the number of
 * apps: the rest comes from state_dir (live.json, ops.json) and the history.
 * A Swarm app's (target = swarm) lines are its tasks, from two more calls
 * (/services, /tasks) per such app.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cmd/cmd-ops.h"
#include "engine/engine.h"
#include "history/history.h"
#include "lib/names.h"
#include "lib/state.h"
#include "reconcile/spec.h"
#include "reconcile/stack.h"
#include "reconcile/swarm.h"


/* The apps under repos_dir the caller may see, sorted. */
static void
visible_apps(struct cmd_ctx *ctx, const char *only, struct strv *out)
{
	const char *grant = getenv("SLIPWAY_APPS");
	struct strv allowed = STRV_INIT;
	struct dirent *de;
	DIR *d;

	if (grant != NULL) {
		const char *p = grant;

		while (*p != '\0') {
			size_t n = strcspn(p, ",");

			strv_push_owned(&allowed, xstrndup(p, n));
			p += n + (p[n] == ',');
		}
	}
	if ((d = opendir(ctx->cfg.repos_dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char *name;

		if (!ends_with(de->d_name, ".git"))
			continue;
		name = xstrndup(de->d_name, strlen(de->d_name) - 4);
		if (name_check_app(name) == 0 &&
		    (grant == NULL || strv_contains(&allowed, name)) &&
		    (only == NULL || strcmp(only, name) == 0))
			strv_push_owned(out, name);
		else
			free(name);
	}
	closedir(d);
	error_clear();
	strv_clear(&allowed);
	strv_sort(out);
}

static const char *
label(json_t *c, const char *key)
{
	return json_string_value(json_object_get(json_object_get(c, "Labels"), key));
}

/* "healthy", "unhealthy", "starting" or "-" from the engine's Status text. */
static const char *
health_of(json_t *c)
{
	const char *s = json_string_value(json_object_get(c, "Status"));

	if (s == NULL)
		return "-";
	if (strstr(s, "(unhealthy)") != NULL)
		return "unhealthy";
	if (strstr(s, "(healthy)") != NULL)
		return "healthy";
	if (strstr(s, "(health: starting)") != NULL)
		return "starting";
	return "-";
}

/* "3 minutes" from "Up 3 minutes (healthy)"; "-" when not up. */
static char *
uptime_of(json_t *c)
{
	const char *s = json_string_value(json_object_get(c, "Status"));
	size_t n;

	if (s == NULL || strncmp(s, "Up ", 3) != 0)
		return xstrdup("-");
	s += 3;
	n = strcspn(s, "(");
	while (n > 0 && s[n - 1] == ' ')
		n--;
	return xstrndup(s, n);
}

/* "127.0.0.1:8000->8080/tcp, ..." or "-". */
static char *
ports_of(json_t *c)
{
	struct buf b = BUF_INIT;
	json_t *p;
	size_t i;

	json_array_foreach(json_object_get(c, "Ports"), i, p) {
		json_int_t pub = json_integer_value(json_object_get(p, "PublicPort"));
		const char *ip = json_string_value(json_object_get(p, "IP"));

		if (pub == 0)
			continue;
		/* The engine lists IPv4 and IPv6 bindings apart; one will do. */
		if (ip != NULL && strchr(ip, ':') != NULL)
			continue;
		buf_addf(&b, "%s%s:%lld->%lld/%s", b.len ? ", " : "",
		    ip ? ip : "", (long long)pub,
		    (long long)json_integer_value(json_object_get(p, "PrivatePort")),
		    json_string_value(json_object_get(p, "Type")) ?
		    json_string_value(json_object_get(p, "Type")) : "tcp");
	}
	if (b.len == 0)
		buf_adds(&b, "-");
	return buf_detach(&b, NULL);
}

static void
age(long long t, char out[32])
{
	long long d = (long long)time(NULL) - t;

	if (t <= 0)
		snprintf(out, 32, "-");
	else if (d < 120)
		snprintf(out, 32, "%llds ago", d < 0 ? 0 : d);
	else if (d < 7200)
		snprintf(out, 32, "%lldm ago", d / 60);
	else if (d < 172800)
		snprintf(out, 32, "%lldh ago", d / 3600);
	else
		snprintf(out, 32, "%lldd ago", d / 86400);
}

/* One object per container of app (from the list), by service and number. */
static json_t *
containers_of(json_t *list, const char *app)
{
	json_t *out = json_array(), *c;
	size_t i;

	json_array_foreach(list, i, c) {
		const char *project = label(c, LABEL_PROJECT), *name;
		char *up, *ports;

		if (project == NULL || strcmp(project, app) != 0)
			continue;
		name = json_string_value(json_array_get(json_object_get(c,
		    "Names"), 0));
		up = uptime_of(c);
		ports = ports_of(c);
		json_array_append_new(out, json_pack("{s:s, s:s?, s:s?, s:s?, s:s, s:s, s:s, s:s?}",
		    "container", name && name[0] == '/' ? name + 1 : name ? name : "?",
		    "service", label(c, LABEL_SERVICE),
		    "number", label(c, LABEL_NUMBER),
		    "state", json_string_value(json_object_get(c, "State")),
		    "health", health_of(c), "uptime", up, "ports", ports,
		    "commit", label(c, LABEL_COMMIT)));
		free(up);
		free(ports);
	}
	return out;
}

/* "3 minutes" since an RFC 3339 time of the engine, or "-". */
static char *
since_of(const char *ts)
{
	struct tm tm;
	long long d;

	memset(&tm, 0, sizeof tm);
	if (ts == NULL || strptime(ts, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
		return xstrdup("-");
	d = (long long)time(NULL) - (long long)timegm(&tm);
	if (d < 0)
		d = 0;
	if (d < 120)
		return xasprintf("%lld seconds", d);
	if (d < 7200)
		return xasprintf("%lld minutes", d / 60);
	if (d < 172800)
		return xasprintf("%lld hours", d / 3600);
	return xasprintf("%lld days", d / 86400);
}

/* The published ports of a service: "8000->8080/tcp (host)". */
static char *
service_ports(json_t *svc)
{
	struct buf b = BUF_INIT;
	json_t *p;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(json_object_get(svc,
	    "Spec"), "EndpointSpec"), "Ports"), i, p) {
		const char *mode = json_string_value(json_object_get(p,
		    "PublishMode"));

		buf_addf(&b, "%s%lld->%lld/%s (%s)", b.len ? ", " : "",
		    (long long)json_integer_value(json_object_get(p,
		    "PublishedPort")), (long long)json_integer_value(
		    json_object_get(p, "TargetPort")),
		    json_string_value(json_object_get(p, "Protocol")) ?
		    json_string_value(json_object_get(p, "Protocol")) : "tcp",
		    mode != NULL ? mode : "ingress");
	}
	if (b.len == 0)
		buf_adds(&b, "-");
	return buf_detach(&b, NULL);
}

/* One object per task meant to run of a Swarm app, shaped as containers_of. */
static json_t *
tasks_of(struct engine *e, const char *app)
{
	json_t *out = json_array(), *list = NULL, *svc, *tasks, *t;
	size_t i, j, applen = strlen(app);

	if (swarm_services(e, app, &list) < 0) {
		out_warn("warning: %s", error_last());
		return out;
	}
	json_array_foreach(list, i, svc) {
		json_t *spec = json_object_get(svc, "Spec");
		const char *full = json_string_value(json_object_get(spec, "Name"));
		const char *id = json_string_value(json_object_get(svc, "ID"));
		const char *name = full;
		char *ports;

		tasks = NULL;
		if (full == NULL || id == NULL ||
		    engine_task_list(e, "service", id, &tasks) < 0) {
			error_clear();
			continue;
		}
		if (strncmp(name, app, applen) == 0 && name[applen] == '_')
			name += applen + 1;
		ports = service_ports(svc);
		json_array_foreach(tasks, j, t) {
			json_t *st = json_object_get(t, "Status");
			const char *state = json_string_value(json_object_get(st,
			    "State"));
			json_int_t slot = json_integer_value(json_object_get(t,
			    "Slot"));
			char *task = xasprintf("%s.%lld", full, (long long)slot);
			char *num = xasprintf("%lld", (long long)slot);
			char *up = state != NULL && strcmp(state, "running") == 0 ?
			    since_of(json_string_value(json_object_get(st,
			    "Timestamp"))) : xstrdup("-");

			if (strcmp(json_string_value(json_object_get(t,
			    "DesiredState")) ? json_string_value(json_object_get(
			    t, "DesiredState")) : "", "running") == 0)
				json_array_append_new(out, json_pack(
				    "{s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:s?}",
				    "container", task, "service", name, "number",
				    num, "state", state, "health",
				    state != NULL && strcmp(state, "starting") == 0 ?
				    "starting" : "-", "uptime", up, "ports", ports,
				    "commit", json_string_value(json_object_get(
				    json_object_get(spec, "Labels"),
				    "slipway.commit"))));
			free(task);
			free(num);
			free(up);
		}
		free(ports);
		json_decref(tasks);
	}
	json_decref(list);
	return out;
}

/* The containers of app, or its tasks when it is a Swarm app. */
static json_t *
app_containers(struct cmd_ctx *ctx, struct engine *e, json_t *list,
    const char *app)
{
	if (config_app_swarm(&ctx->cfg, app))
		return tasks_of(e, app);
	return containers_of(list, app);
}

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

static int
cmp_container(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c = strcmp(str(x, "service"), str(y, "service"));
	long nx = 0, ny = 0;

	if (c != 0)
		return c;
	/* The engine's label; a container without it sorts first. */
	if (parse_long(str(x, "number"), &nx) < 0)
		nx = 0;
	if (parse_long(str(y, "number"), &ny) < 0)
		ny = 0;
	error_clear();
	return nx < ny ? -1 : nx > ny;
}

static void
sort_containers(json_t *arr)
{
	size_t n = json_array_size(arr), i;
	json_t **v = xcalloc(n + 1, sizeof *v);

	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(arr, i));
	qsort(v, n, sizeof *v, cmp_container);
	json_array_clear(arr);
	for (i = 0; i < n; i++)
		json_array_append_new(arr, v[i]);
	free(v);
}

/* The service lines of one app. */
static void
app_services(struct cmd_ctx *ctx, struct history *h, const char *app,
    json_t *containers, json_t *out)
{
	json_t *live = app_live_load(&ctx->cfg, app), *wanted, *svc, *c;
	struct app_ops ops = APP_OPS_INIT;
	struct history_row *rows = NULL;
	struct strv names = STRV_INIT;
	size_t nrows = 0, i, k;
	const char *name;
	char last[64] = "-", when[32] = "-";

	/* An unreadable ops.json shows as not stopped; deploys report it. */
	if (app_ops_load(&ctx->cfg, app, &ops) < 0)
		out_warn("warning: %s", error_last());
	if (h != NULL && history_list(h, app, 1, &rows, &nrows) == 0 && nrows) {
		snprintf(last, sizeof last, "%s", rows[0].status);
		age(rows[0].finished ? rows[0].finished : rows[0].started, when);
	}
	error_clear();
	wanted = json_object_get(live, "services");
	json_object_foreach(wanted, name, svc)
		strv_push(&names, name);
	json_array_foreach(containers, i, c) {
		if (!strv_contains(&names, str(c, "service")))
			strv_push(&names, str(c, "service"));
	}
	strv_sort(&names);
	for (k = 0; k < names.n; k++) {
		json_t *w = json_object_get(wanted, names.v[k]), *hosts;
		const char *health = NULL, *uptime = NULL, *ports = NULL;
		const char *commit = NULL;
		int running = 0, unhealthy = 0, starting = 0, healthy = 0;
		struct buf url = BUF_INIT;
		json_t *line;

		json_array_foreach(containers, i, c) {
			if (strcmp(str(c, "service"), names.v[k]) != 0)
				continue;
			if (strcmp(str(c, "state"), "running") == 0) {
				running++;
				if (uptime == NULL)
					uptime = str(c, "uptime");
			}
			if (commit == NULL && strcmp(str(c, "commit"), "-") != 0)
				commit = str(c, "commit");
			if (ports == NULL && strcmp(str(c, "ports"), "-") != 0)
				ports = str(c, "ports");
			health = str(c, "health");
			unhealthy += strcmp(health, "unhealthy") == 0;
			starting += strcmp(health, "starting") == 0;
			healthy += strcmp(health, "healthy") == 0;
		}
		health = unhealthy ? "unhealthy" : starting ? "starting" :
		    healthy ? "healthy" : "-";
		hosts = json_object_get(w, "hosts");
		json_array_foreach(hosts, i, c)
			buf_addf(&url, "%shttp://%s/", url.len ? ", " : "",
			    json_string_value(c));
		/* wanted is null for a release deployed before live.json. */
		line = json_pack("{s:s, s:s, s:s?, s:i, s:o, s:b, s:s, s:s, s:s, s:s, s:s}",
		    "app", app, "service", names.v[k],
		    "commit", commit ? commit : json_string_value(json_object_get(live,
		    "commit")),
		    "running", running,
		    "wanted", w ? json_integer(json_integer_value(json_object_get(w,
		    "replicas"))) : json_null(),
		    "stopped", app_ops_is_stopped(&ops, names.v[k]),
		    "health", health, "uptime", uptime ? uptime : "-",
		    "address", url.len ? url.buf : ports ? ports : "-",
		    "last_deploy", last, "last_deploy_age", when);
		json_array_append_new(out, line);
		buf_release(&url);
	}
	strv_clear(&names);
	history_rows_free(rows, nrows);
	app_ops_dispose(&ops);
	json_decref(live);
}

static void
print_services(json_t *lines)
{
	json_t *l;
	size_t i;

	out_info("%-20s %-12s %-8s %-9s %-9s %-14s %-28s %s", "APP", "SERVICE",
	    "COMMIT", "RUNNING", "HEALTH", "UP", "ADDRESS", "LAST DEPLOY");
	json_array_foreach(lines, i, l) {
		char count[32], last[128];

		if (json_is_true(json_object_get(l, "stopped")))
			snprintf(count, sizeof count, "stopped");
		else if (json_is_null(json_object_get(l, "wanted")))
			snprintf(count, sizeof count, "%lld/?",
			    (long long)json_integer_value(json_object_get(l, "running")));
		else
			snprintf(count, sizeof count, "%lld/%lld",
			    (long long)json_integer_value(json_object_get(l, "running")),
			    (long long)json_integer_value(json_object_get(l, "wanted")));
		snprintf(last, sizeof last, "%s %s", str(l, "last_deploy"),
		    str(l, "last_deploy_age"));
		out_info("%-20s %-12s %-8.7s %-9s %-9s %-14s %-28s %s",
		    str(l, "app"), str(l, "service"), str(l, "commit"), count,
		    str(l, "health"), str(l, "uptime"), str(l, "address"), last);
	}
}

static void
print_containers(json_t *list)
{
	json_t *c;
	size_t i;

	out_info("%-32s %-12s %-9s %-9s %-14s %-28s %s", "CONTAINER", "SERVICE",
	    "STATE", "HEALTH", "UP", "PORTS", "COMMIT");
	json_array_foreach(list, i, c)
		out_info("%-32s %-12s %-9s %-9s %-14s %-28s %.7s",
		    str(c, "container"), str(c, "service"), str(c, "state"),
		    str(c, "health"), str(c, "uptime"), str(c, "ports"),
		    str(c, "commit"));
}

int
cmd_ps(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *app = args->app;
	const char *labels[] = { LABEL_ONEOFF "=False" };
	struct strv apps = STRV_INIT;
	struct engine *e = NULL;
	struct history *h = NULL;
	json_t *list = NULL, *out = NULL;
	int as_json = cmd_has(args, "--json"), rc = -1;
	size_t i;

	if (app != NULL && cmd_check_app(ctx, app) < 0)
		return cmd_fail();
	visible_apps(ctx, app, &apps);
	if (app != NULL && apps.n == 0) {
		error_set("no access to app \"%s\"", app);
		goto done;
	}
	if (engine_open(&e, ctx->cfg.docker_host) < 0 ||
	    engine_container_list(e, labels, 1, &list) < 0)
		goto done;
	if (app != NULL) {
		out = app_containers(ctx, e, list, app);
		sort_containers(out);
	} else {
		out = json_array();
		if (history_open(&h, ctx->cfg.state_dir) < 0) {
			out_warn("warning: %s", error_last());
			h = NULL;
		}
		for (i = 0; i < apps.n; i++) {
			json_t *cs = app_containers(ctx, e, list, apps.v[i]);

			app_services(ctx, h, apps.v[i], cs, out);
			json_decref(cs);
		}
	}
	if (as_json) {
		char *s = json_dumps(out, JSON_INDENT(2));

		out_info("%s", s);
		free(s);
	} else if (app != NULL)
		print_containers(out);
	else
		print_services(out);
	rc = 0;
done:
	json_decref(list);
	json_decref(out);
	history_close(h);
	engine_free(e);
	strv_clear(&apps);
	return rc < 0 ? cmd_fail() : 0;
}
