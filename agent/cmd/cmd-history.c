/*
 * cmd-history.c - `slipway history NAME [-n N] [--json] [--log ID]` and
 * `slipway rollback NAME [REV]`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "pipeline/deploy.h"
#include "history/history.h"
#include "lib/names.h"
#include "lib/state.h"

static int
show_log(struct history *h, const char *app, const char *arg)
{
	long id;
	char *log;

	if (parse_long(arg, &id) < 0)
		return error_set("invalid deploy id \"%s\"", arg);
	if ((log = history_log(h, app, id)) == NULL)
		return -1;
	fputs(log, stdout);
	free(log);
	return 0;
}

int
cmd_history(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct history *h = NULL;
	struct history_row *rows = NULL;
	size_t nrows = 0, i;
	const char *log_id = NULL;
	long n = 20;
	int as_json = 0, k, rc = -1;

	if (argc < 2)
		return cmd_usage(ctx);
	for (k = 2; k < argc; k++) {
		if (strcmp(argv[k], "--json") == 0)
			as_json = 1;
		else if (strcmp(argv[k], "-n") == 0 && k + 1 < argc &&
		    parse_long(argv[k + 1], &n) == 0)
			k++;
		else if (strcmp(argv[k], "--log") == 0 && k + 1 < argc)
			log_id = argv[++k];
		else
			return cmd_usage(ctx);
	}
	if (cmd_check_app(ctx, argv[1]) < 0 ||
	    history_open(&h, ctx->cfg.state_dir) < 0)
		goto done;
	if (log_id != NULL) {
		rc = show_log(h, argv[1], log_id);
		goto done;
	}
	if (history_list(h, argv[1], (int)n, &rows, &nrows) < 0)
		goto done;
	if (as_json) {
		json_t *arr = json_array();
		char *s;

		for (i = 0; i < nrows; i++)
			json_array_append_new(arr, history_row_json(&rows[i]));
		s = json_dumps(arr, JSON_INDENT(2));
		puts(s);
		free(s);
		json_decref(arr);
	} else {
		for (i = 0; i < nrows; i++) {
			char started[21];

			history_iso8601(rows[i].started, started);
			printf("%-5lld %s  %-8s %.7s  %-9s %6.1fs  %s%s%s\n",
			    rows[i].id, started, rows[i].kind,
			    rows[i].commit ? rows[i].commit : "-------",
			    rows[i].status, rows[i].duration_ms / 1000.0,
			    rows[i].user ? rows[i].user : "",
			    rows[i].user ? ": " : "",
			    rows[i].message ? rows[i].message : "");
		}
	}
	rc = 0;
done:
	history_rows_free(rows, nrows);
	history_close(h);
	return rc < 0 ? cmd_fail() : 0;
}

int
cmd_rollback(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct deploy_opts opts = { 0 };
	struct history *h = NULL;
	char **commits = NULL, *current = NULL, *path = NULL, *dir = NULL;
	char *tmpl = NULL;
	struct buf b = BUF_INIT;
	size_t n = 0, i;
	int rc = -1;

	if (argc < 2 || argc > 3)
		return cmd_usage(ctx);
	if (cmd_check_app(ctx, argv[1]) < 0)
		return cmd_fail();
	opts.kind = "rollback";
	opts.no_build = 1;
	if (argc == 3) {
		if (name_check_rev(argv[2]) < 0)
			return cmd_fail();
		opts.rev = argv[2];
	} else {
		dir = state_app_dir(&ctx->cfg, argv[1]);
		path = path_join(dir, "current");
		if (path_exists(path) && read_file(path, &b, 128) == 0) {
			buf_rtrim(&b);
			current = buf_detach(&b, NULL);
		}
		if (history_open(&h, ctx->cfg.state_dir) < 0 ||
		    history_succeeded_commits(h, argv[1], 50, &commits, &n) < 0)
			goto done;
		for (i = 0; i < n && opts.rev == NULL; i++) {
			if (current == NULL || strcmp(commits[i], current) != 0)
				opts.rev = commits[i];
		}
		if (opts.rev == NULL) {
			error_set("\"%s\" has no earlier succeeded release to roll back to",
			    argv[1]);
			goto done;
		}
	}
	opts.site_template = tmpl = cmd_site_template(ctx);
	rc = deploy_app(&ctx->cfg, argv[1], &opts);
done:
	free(tmpl);
	for (i = 0; i < n; i++)
		free(commits[i]);
	free(commits);
	history_close(h);
	buf_release(&b);
	free(current);
	free(path);
	free(dir);
	return rc < 0 ? cmd_fail() : 0;
}
