/*
 * cmd-logs.c - `slipway logs NAME [SERVICE] [-n N] [-f] [--since WHEN]
 * [--timestamps]`: what the app's
 * containers wrote, read through the Engine API (the multiplexed stream is
 * decoded by engine.c), each line prefixed by its container like compose
 * does: "web-1  | listening on :8080". -n keeps the last N lines of each
 * container; -f follows them, one process per container, until they stop;
 * --since 10m (s, m, h, d, or unix seconds) starts at that time;
 * --timestamps puts the engine's time before each line. A Swarm app's
 * (target = swarm) come from each service's tasks (/services/{id}/logs),
 * prefixed by the service.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "reconcile/converge.h"
#include "reconcile/swarm.h"
#include "engine/engine.h"
#include "lib/state.h"

struct source {
	const char *id;
	char *label; /* "web-1": the container's name less "<app>-" */
	int tty;
	int width;   /* of the widest label */
	int service; /* id is a Swarm service's */
};

static void print_line(void *ctx, const char *line);

/* The logs of one source. */
static int
read_source(struct engine *e, struct source *s,
    const struct engine_logs_opts *o)
{
	if (s->service)
		return engine_service_logs(e, s->id, o, print_line, s);
	return engine_container_logs_opts(e, s->id, o, print_line, s);
}

/* "10m", "2h", "30s", "1d" ago, or unix seconds; -1 with error_set. */
static long long
parse_since(const char *s)
{
	static const struct { char unit; long secs; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
	};
	size_t len = strlen(s), i;
	char *num;
	long n;

	if (len > 1 && len < 16) {
		for (i = 0; i < ARRAY_SIZE(units); i++) {
			if (s[len - 1] != units[i].unit)
				continue;
			num = xstrndup(s, len - 1);
			if (parse_long(num, &n) == 0 && n >= 0 &&
			    n <= 3650L * 86400 / units[i].secs) {
				free(num);
				return (long long)time(NULL) - n * units[i].secs;
			}
			free(num);
		}
	}
	if (parse_long(s, &n) == 0 && n > 0)
		return n;
	return error_set("invalid --since \"%.32s\": use 30s, 10m, 2h, 1d or "
	    "unix seconds", s);
}

static void
print_line(void *ctx, const char *line)
{
	const struct source *s = ctx;

	out_info("%-*s | %s", s->width, s->label, line);
}

/*
 * Follow every source at once, one child each (each prints its own errors).
 * 0 when all of them ended well, 1 when one failed, -1 when fork failed.
 */
static int
follow_all(const struct cmd_ctx *ctx, struct source *src, size_t n,
    const struct engine_logs_opts *lo)
{
	pid_t pid, parent = getpid();
	size_t i, started = 0;
	int status, failed = 0;

	for (i = 0; i < n; i++) {
		if ((pid = fork()) < 0) {
			error_set("cannot fork: %s", strerror(errno));
			failed = -1;
			break;
		}
		if (pid == 0) {
			struct engine *e = NULL;
			int rc;

			/* The followers end with the command that started them. */
			if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 ||
			    getppid() != parent)
				_exit(1);
			struct engine_logs_opts o = *lo;

			o.tty = src[i].tty;
			rc = engine_open(&e, ctx->cfg.docker_host) < 0 ||
			    read_source(e, &src[i], &o) < 0;

			if (rc)
				cmd_fail();
			engine_free(e);
			fflush(NULL);
			_exit(rc);
		}
		started++;
	}
	for (; started > 0; started--) {
		if (wait(&status) < 0)
			break;
		if ((!WIFEXITED(status) || WEXITSTATUS(status) != 0) &&
		    failed == 0)
			failed = 1;
	}
	return failed;
}

int
cmd_logs(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct engine *e = ctx->engine;
	struct observed *obs = NULL;
	struct source *src = NULL;
	const char *app = args->app, *service = cmd_arg(args, "SERVICE");
	size_t nobs = 0, nsrc = 0, i;
	json_t *services = NULL, *svc;
	struct engine_logs_opts lo = { 0 };
	long tail = -1;
	int follow = cmd_has(args, "-f"), width = 0, rc = -1;

	if (cmd_has(args, "-n") && parse_long(cmd_arg(args, "-n"), &tail) < 0)
		return cmd_usage(ctx); /* cmd_args_parse checked it */
	lo.timestamps = cmd_has(args, "--timestamps");
	if (cmd_has(args, "--since") &&
	    (lo.since = parse_since(cmd_arg(args, "--since"))) < 0)
		return cmd_fail();
	if (config_app_swarm(&ctx->cfg, app)) {
		if (swarm_services(e, app, &services) < 0)
			goto done;
		src = xcalloc(json_array_size(services) + 1, sizeof *src);
		json_array_foreach(services, i, svc) {
			const char *id = json_string_value(json_object_get(svc,
			    "ID"));
			const char *name = json_string_value(json_object_get(
			    json_object_get(svc, "Spec"), "Name"));
			size_t applen = strlen(app);

			if (id == NULL || name == NULL)
				continue;
			if (strncmp(name, app, applen) == 0 &&
			    name[applen] == '_')
				name += applen + 1;
			if (service != NULL && strcmp(name, service) != 0)
				continue;
			src[nsrc].id = id;
			src[nsrc].service = 1;
			src[nsrc].label = xstrdup(name);
			if ((int)strlen(name) > width)
				width = (int)strlen(name);
			nsrc++;
		}
		goto sources;
	}
	if (converge_observe(e, app, &obs, &nobs) < 0)
		goto done;
	src = xcalloc(nobs + 1, sizeof *src);
	for (i = 0; i < nobs; i++) {
		const char *name = obs[i].name;
		size_t applen = strlen(app);
		json_t *info = NULL;

		if (service != NULL && (obs[i].service == NULL ||
		    strcmp(obs[i].service, service) != 0))
			continue;
		if (strncmp(name, app, applen) == 0 && name[applen] == '-')
			name += applen + 1;
		src[nsrc].id = obs[i].id;
		src[nsrc].label = xstrdup(name);
		if (engine_container_inspect(e, obs[i].id, &info) == 0)
			src[nsrc].tty = json_is_true(json_object_get(
			    json_object_get(info, "Config"), "Tty"));
		json_decref(info);
		if ((int)strlen(name) > width)
			width = (int)strlen(name);
		nsrc++;
	}
sources:
	if (nsrc == 0) {
		if (service != NULL)
			error_set("app \"%s\" has no container for service "
			    "\"%s\"", app, service);
		else
			error_set("app \"%s\" has no containers", app);
		goto done;
	}
	for (i = 0; i < nsrc; i++)
		src[i].width = width;
	/* Whoever reads the output may go away: then stop, don't go on. */
	signal(SIGPIPE, SIG_DFL);
	lo.tail = tail;
	lo.follow = follow;
	if (follow && nsrc > 1) {
		rc = follow_all(ctx, src, nsrc, &lo);
		goto done;
	}
	for (i = 0; i < nsrc; i++) {
		lo.tty = src[i].tty;
		if (read_source(e, &src[i], &lo) < 0)
			goto done;
	}
	rc = 0;
done:
	for (i = 0; i < nsrc; i++)
		free(src[i].label);
	free(src);
	json_decref(services);
	observed_list_free(obs, nobs);
	return rc < 0 ? cmd_fail() : rc;
}
