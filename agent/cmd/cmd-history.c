/*
 * cmd-history.c - `slipway history APP [-n COUNT] [--json] [--log ID]`: the
 * app's last deploys (20 unless -n), or the log of deploy ID.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "history/history.h"

static int
show_log(struct history *h, const char *app, const char *arg)
{
	long id;
	char *log, *shown;

	if (parse_long(arg, &id) < 0) /* cmd_args_parse checked it */
		return error_set("invalid deploy id \"%s\"", arg);
	if ((log = history_log(h, app, id)) == NULL)
		return -1;
	/* logs recorded before out_line() masked terminal controls */
	shown = out_printable(log, 1);
	fputs(shown, stdout);
	free(shown);
	free(log);
	return 0;
}

int
cmd_history(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct history *h = NULL;
	struct history_row *rows = NULL;
	size_t nrows = 0, i;
	const char *app = args->app, *log_id = cmd_arg(args, "--log");
	long n = 20;
	int as_json = cmd_has(args, "--json"), rc = -1;

	if (cmd_has(args, "-n") && parse_long(cmd_arg(args, "-n"), &n) < 0)
		return cmd_usage(ctx); /* cmd_args_parse checked it */
	if (history_open(&h, ctx->cfg.state_dir) < 0)
		goto done;
	if (log_id != NULL) {
		rc = show_log(h, app, log_id);
		goto done;
	}
	if (history_list(h, app, (int)n, &rows, &nrows) < 0)
		goto done;
	if (as_json) {
		json_t *arr = json_array();
		char *s;

		for (i = 0; i < nrows; i++) {
			json_t *row = history_row_json(&rows[i]);

			if (row == NULL) {
				json_decref(arr);
				error_set("deploy %lld cannot be shown as JSON: "
				    "not valid UTF-8", rows[i].id);
				goto done;
			}
			json_array_append_new(arr, row);
		}
		s = json_dumps(arr, JSON_INDENT(2));
		puts(s);
		free(s);
		json_decref(arr);
	} else {
		for (i = 0; i < nrows; i++) {
			char started[21];
			/* a message quotes what the pusher wrote */
			char *msg = out_printable(rows[i].message ?
			    rows[i].message : "", 0);

			history_iso8601(rows[i].started, started);
			printf("%-5lld %s  %-8s %.7s  %-9s %6.1fs  %s%s%s\n",
			    rows[i].id, started, rows[i].kind,
			    rows[i].commit ? rows[i].commit : "-------",
			    rows[i].status, rows[i].duration_ms / 1000.0,
			    rows[i].user ? rows[i].user : "",
			    rows[i].user ? ": " : "", msg);
			free(msg);
		}
	}
	rc = 0;
done:
	history_rows_free(rows, nrows);
	history_close(h);
	return rc < 0 ? cmd_fail() : 0;
}
